package sequencer

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
)

// Config configures a sequencer node.
type Config struct {
	// DataDir holds the chain database and the txpool journal. Empty means
	// an in-memory node that forgets everything on stop (tests).
	DataDir string
	// ChainID is used only when the data directory is new; afterwards the
	// chain config stored in the database wins.
	ChainID uint64
	// GasLimit is the block gas limit written into a new genesis.
	GasLimit uint64
	// FeeRecipient receives priority fees; fixed at genesis.
	FeeRecipient common.Address
	// Dev prefunds the ten well-known dev accounts at genesis.
	Dev bool
	// GenesisTime is the timestamp of a new genesis. Zero means now.
	GenesisTime uint64
	// ExpectedGenesis, when set, is the genesis hash the rollup config
	// commits to; a chain with another genesis refuses to open.
	ExpectedGenesis common.Hash

	// BlockTime is the shortest interval between two blocks.
	BlockTime time.Duration

	// Replica makes a node that does not order transactions: it refuses
	// them, runs no building loop, and takes its blocks from ApplyBlock
	// (the verifier, which derives them from L1).
	Replica bool

	// Parallel selects the parallel executor; Workers is its thread count.
	Parallel bool
	Workers  int
	// VerifyExecution runs both executors on every block and halts on any
	// difference.
	VerifyExecution bool

	// DatabaseCache is the LevelDB cache in MiB, DatabaseHandles its file
	// handle allowance.
	DatabaseCache   int
	DatabaseHandles int

	TxPool TxPoolConfig
}

// TxPoolConfig bounds the transaction pool. The fields mean what they mean
// in go-ethereum's legacypool.
type TxPoolConfig struct {
	PriceLimit   uint64
	PriceBump    uint64
	AccountSlots uint64
	GlobalSlots  uint64
	AccountQueue uint64
	GlobalQueue  uint64
	Lifetime     time.Duration
	// NoJournal disables the journal of local transactions.
	NoJournal bool
	Rejournal time.Duration
}

// DefaultConfig returns the configuration of a devnet sequencer.
func DefaultConfig() Config {
	return Config{
		ChainID:         DefaultChainID,
		GasLimit:        DefaultGasLimit,
		FeeRecipient:    DefaultFeeRecipient,
		BlockTime:       250 * time.Millisecond,
		Parallel:        true,
		Workers:         runtime.NumCPU(),
		DatabaseCache:   512,
		DatabaseHandles: 512,
		TxPool: TxPoolConfig{
			PriceLimit: 1,
			PriceBump:  10,
			// A rollup sequencer serves many senders at high rates: the
			// limits are sized for bursts of tens of thousands of
			// transactions, well above go-ethereum's L1 defaults.
			AccountSlots: 128,
			GlobalSlots:  65_536,
			AccountQueue: 256,
			GlobalQueue:  8_192,
			Lifetime:     3 * time.Hour,
			Rejournal:    time.Hour,
		},
	}
}

// Check validates every field.
func (c *Config) Check() error {
	var errs []error
	if c.ChainID == 0 {
		errs = append(errs, errors.New("chain ID must be positive"))
	}
	if c.GasLimit < params.MinGasLimit {
		errs = append(errs, fmt.Errorf("gas limit %d below minimum %d", c.GasLimit, params.MinGasLimit))
	}
	if c.GasLimit > 1<<40 {
		errs = append(errs, fmt.Errorf("gas limit %d is unreasonably large", c.GasLimit))
	}
	if c.BlockTime < 10*time.Millisecond || c.BlockTime > time.Hour {
		errs = append(errs, fmt.Errorf("block time %v outside [10ms, 1h]", c.BlockTime))
	}
	if c.Parallel && (c.Workers < 1 || c.Workers > 1024) {
		errs = append(errs, fmt.Errorf("parallel workers %d outside [1, 1024]", c.Workers))
	}
	if c.DataDir != "" && (c.DatabaseCache < 16 || c.DatabaseHandles < 16) {
		errs = append(errs, errors.New("database cache and handles must be at least 16"))
	}
	p := c.TxPool
	if p.PriceBump == 0 {
		errs = append(errs, errors.New("txpool price bump must be positive"))
	}
	if p.AccountSlots == 0 || p.GlobalSlots == 0 || p.AccountQueue == 0 || p.GlobalQueue == 0 {
		errs = append(errs, errors.New("txpool slots and queues must be positive"))
	}
	if p.Lifetime <= 0 {
		errs = append(errs, errors.New("txpool lifetime must be positive"))
	}
	if !p.NoJournal && p.Rejournal < time.Second {
		errs = append(errs, errors.New("txpool rejournal interval must be at least 1s"))
	}
	return errors.Join(errs...)
}
