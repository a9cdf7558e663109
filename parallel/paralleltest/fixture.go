// Package paralleltest provides what tests and benchmarks of the parallel
// executor share: a chain configuration with Lanes' fork rules, an in-memory
// pre-state with funded accounts and system contracts, transaction builders,
// the compiled test contracts, and a differential runner that executes a
// block with two executors and compares the outcomes.
package paralleltest

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/pathdb"
	"github.com/holiman/uint256"
	"github.com/lanes-rollup/lanes/parallel"
)

// ChainConfig returns a configuration with every fork through Osaka active
// from genesis and nothing later, as Lanes runs.
func ChainConfig() *params.ChainConfig {
	cfg := *params.AllDevChainProtocolChanges
	cfg.ChainID = big.NewInt(424242)
	cfg.BogotaTime = nil
	cfg.AmsterdamTime = nil
	cfg.UBTTime = nil
	return &cfg
}

var (
	// BaseFee is the base fee of every fixture block.
	BaseFee = big.NewInt(params.GWei)
	// GasTip is the priority fee of the fixture's transactions.
	GasTip = big.NewInt(params.GWei / 10)
	// GasFeeCap is the fee cap of the fixture's transactions.
	GasFeeCap = big.NewInt(3 * params.GWei)
	// Funding is every fixture account's starting balance.
	Funding = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))
)

func newStateDatabase() state.Database {
	disk := rawdb.NewMemoryDatabase()
	config := *pathdb.Defaults
	config.NoAsyncFlush = true
	return state.NewDatabase(triedb.NewDatabase(disk, &triedb.Config{PathDB: &config}), state.NewCodeDB(disk))
}

// Fixture is a pre-state and the block context to execute blocks on it.
type Fixture struct {
	Config   *params.ChainConfig
	DB       state.Database
	Root     common.Hash
	Coinbase common.Address
	GasLimit uint64
	Keys     []*ecdsa.PrivateKey
	Addrs    []common.Address
	Signer   types.Signer
	// SharedReader makes Run open the state as the sequencer does, with a
	// worker reader sharing the StateDB's cache (parallel.OpenState).
	SharedReader bool

	headers map[common.Hash]*types.Header
	parent  *types.Header
	nonces  map[common.Address]uint64
}

// NewFixture creates a pre-state holding the system contracts, the given
// allocation and n accounts funded with Funding each.
func NewFixture(n int, alloc types.GenesisAlloc) (*Fixture, error) {
	cfg := ChainConfig()
	f := &Fixture{
		Config: cfg,
		// The path scheme, as a Lanes node runs: its layers serve flat,
		// concurrent state reads.
		DB:       newStateDatabase(),
		Coinbase: common.HexToAddress("0xc0ffee000000000000000000000000000000c0de"),
		GasLimit: 1_000_000_000,
		Signer:   types.LatestSigner(cfg),
		headers:  make(map[common.Hash]*types.Header),
		nonces:   make(map[common.Address]uint64),
	}
	for i := range n {
		var seed [32]byte
		binary.BigEndian.PutUint64(seed[24:], uint64(i+1))
		seed[0] = 0x42
		key, err := crypto.ToECDSA(seed[:])
		if err != nil {
			return nil, err
		}
		f.Keys = append(f.Keys, key)
		f.Addrs = append(f.Addrs, crypto.PubkeyToAddress(key.PublicKey))
	}
	statedb, err := state.New(types.EmptyRootHash, f.DB)
	if err != nil {
		return nil, err
	}
	all := core.SystemContractAllocs()
	for addr, acc := range alloc {
		all[addr] = acc
	}
	for _, addr := range f.Addrs {
		all[addr] = types.Account{Balance: Funding}
	}
	for addr, acc := range all {
		statedb.CreateAccount(addr)
		if acc.Balance != nil {
			statedb.SetBalance(addr, uint256.MustFromBig(acc.Balance), tracing.BalanceChangeUnspecified)
		}
		statedb.SetNonce(addr, acc.Nonce, tracing.NonceChangeUnspecified)
		if len(acc.Code) > 0 {
			statedb.SetCode(addr, acc.Code, tracing.CodeChangeUnspecified)
		}
		for k, v := range acc.Storage {
			statedb.SetState(addr, k, v)
		}
		f.nonces[addr] = acc.Nonce
	}
	genesis := &types.Header{
		Number:     big.NewInt(0),
		Time:       0,
		GasLimit:   f.GasLimit,
		BaseFee:    BaseFee,
		Difficulty: new(big.Int),
	}
	// Without rules, as go-ethereum commits a genesis allocation: an
	// empty account in it (one with storage only) is kept.
	root, err := statedb.Commit(params.Rules{}, 0)
	if err != nil {
		return nil, err
	}
	genesis.Root = root
	f.Root = root
	f.setParent(genesis)
	return f, nil
}

func (f *Fixture) rules(h *types.Header) params.Rules {
	return f.Config.Rules(h.Number, true, h.Time)
}

func (f *Fixture) setParent(h *types.Header) {
	f.parent = h
	f.headers[h.Hash()] = h
}

// State opens the fixture's pre-state.
func (f *Fixture) State() *state.StateDB {
	statedb, err := state.New(f.Root, f.DB)
	if err != nil {
		panic(err)
	}
	return statedb
}

// Env returns the block context of the next block on the pre-state.
func (f *Fixture) Env() *parallel.Env {
	number := new(big.Int).Add(f.parent.Number, common.Big1)
	beaconRoot := common.BigToHash(number)
	header := &types.Header{
		ParentHash:       f.parent.Hash(),
		Number:           number,
		Time:             f.parent.Time + 2,
		Coinbase:         f.Coinbase,
		GasLimit:         f.GasLimit,
		BaseFee:          BaseFee,
		Difficulty:       new(big.Int),
		MixDigest:        crypto.Keccak256Hash(number.Bytes()),
		ParentBeaconRoot: &beaconRoot,
	}
	return &parallel.Env{
		Config: f.Config,
		Chain:  &chainContext{config: f.Config, headers: f.headers, current: f.parent},
		Header: header,
		Parent: f.parent,
	}
}

// Commit executes txs sequentially as the next block (a set-up block) and
// makes its post-state the fixture's pre-state. Every transaction must apply.
func (f *Fixture) Commit(txs []*types.Transaction) error {
	env := f.Env()
	statedb := f.State()
	if _, err := (parallel.Sequential{}).Execute(context.Background(), env, txs, statedb, parallel.Validate); err != nil {
		return err
	}
	root, err := statedb.Commit(f.rules(env.Header), env.Header.Number.Uint64())
	if err != nil {
		return err
	}
	env.Header.Root = root
	f.Root = root
	f.setParent(env.Header)
	return nil
}

// Nonce returns the next nonce the fixture will use for addr.
func (f *Fixture) Nonce(addr common.Address) uint64 { return f.nonces[addr] }

// SetNonce overrides the next nonce the fixture uses for addr.
func (f *Fixture) SetNonce(addr common.Address, nonce uint64) { f.nonces[addr] = nonce }

// Tx signs a dynamic-fee transaction from account `from` with its next
// nonce. A nil to creates a contract.
func (f *Fixture) Tx(from int, to *common.Address, value *big.Int, gas uint64, data []byte) *types.Transaction {
	addr := f.Addrs[from]
	nonce := f.nonces[addr]
	f.nonces[addr] = nonce + 1
	return f.TxWithNonce(from, nonce, to, value, gas, data)
}

// TxWithNonce signs a dynamic-fee transaction with an explicit nonce and
// leaves the fixture's nonce tracking alone.
func (f *Fixture) TxWithNonce(from int, nonce uint64, to *common.Address, value *big.Int, gas uint64, data []byte) *types.Transaction {
	if value == nil {
		value = new(big.Int)
	}
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID:   f.Config.ChainID,
		Nonce:     nonce,
		GasTipCap: GasTip,
		GasFeeCap: GasFeeCap,
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	})
	signed, err := types.SignTx(tx, f.Signer, f.Keys[from])
	if err != nil {
		panic(err)
	}
	return signed
}

// SetCodeTx signs an EIP-7702 transaction from account `from` that installs
// a delegation to target in account `authority`'s code, and calls to.
func (f *Fixture) SetCodeTx(from, authority int, target, to common.Address, data []byte) *types.Transaction {
	sender := f.Addrs[from]
	nonce := f.nonces[sender]
	f.nonces[sender] = nonce + 1
	authAddr := f.Addrs[authority]
	authNonce := f.nonces[authAddr]
	f.nonces[authAddr] = authNonce + 1
	auth, err := types.SignSetCode(f.Keys[authority], types.SetCodeAuthorization{
		ChainID: *uint256.MustFromBig(f.Config.ChainID),
		Address: target,
		Nonce:   authNonce,
	})
	if err != nil {
		panic(err)
	}
	tx := types.NewTx(&types.SetCodeTx{
		ChainID:   uint256.MustFromBig(f.Config.ChainID),
		Nonce:     nonce,
		GasTipCap: uint256.MustFromBig(GasTip),
		GasFeeCap: uint256.MustFromBig(GasFeeCap),
		Gas:       200_000,
		To:        to,
		Data:      data,
		AuthList:  []types.SetCodeAuthorization{auth},
	})
	signed, err := types.SignTx(tx, f.Signer, f.Keys[from])
	if err != nil {
		panic(err)
	}
	return signed
}

// Outcome is one executor's result on a block and its post-state root.
type Outcome struct {
	Result *parallel.Result
	Root   common.Hash
	State  *state.StateDB
	Err    error
}

// Run executes txs as the next block with ex on a fresh copy of the
// pre-state.
func (f *Fixture) Run(ctx context.Context, ex parallel.Executor, env *parallel.Env, txs []*types.Transaction, mode parallel.Mode) Outcome {
	statedb := f.State()
	if f.SharedReader {
		var reader state.Reader
		var err error
		if statedb, reader, err = parallel.OpenState(f.DB, f.Root); err != nil {
			return Outcome{Err: err}
		}
		shared := *env
		shared.ParentReader = reader
		env = &shared
	}
	res, err := ex.Execute(ctx, env, txs, statedb, mode)
	if err != nil {
		return Outcome{Err: err}
	}
	return Outcome{Result: res, Root: statedb.IntermediateRoot(f.rules(env.Header)), State: statedb}
}

// Compare executes txs with the reference and the candidate executor and
// returns both outcomes, with an error naming the first difference.
func (f *Fixture) Compare(ctx context.Context, ref, cand parallel.Executor, env *parallel.Env, txs []*types.Transaction, mode parallel.Mode) (Outcome, Outcome, error) {
	a := f.Run(ctx, ref, env, txs, mode)
	b := f.Run(ctx, cand, env, txs, mode)
	switch {
	case a.Err != nil || b.Err != nil:
		if (a.Err == nil) != (b.Err == nil) || a.Err.Error() != b.Err.Error() {
			return a, b, fmt.Errorf("errors differ: reference %v, candidate %v", a.Err, b.Err)
		}
		return a, b, nil
	}
	return a, b, parallel.Diff(a.Result, b.Result, a.Root, b.Root)
}

// chainContext serves the fixture's headers for BLOCKHASH.
type chainContext struct {
	config  *params.ChainConfig
	headers map[common.Hash]*types.Header
	current *types.Header
}

func (c *chainContext) Config() *params.ChainConfig  { return c.config }
func (c *chainContext) CurrentHeader() *types.Header { return c.current }
func (c *chainContext) Engine() consensus.Engine     { return nil }
func (c *chainContext) GetHeader(hash common.Hash, number uint64) *types.Header {
	if h := c.headers[hash]; h != nil && h.Number.Uint64() == number {
		return h
	}
	return nil
}
func (c *chainContext) GetHeaderByHash(hash common.Hash) *types.Header { return c.headers[hash] }
func (c *chainContext) GetHeaderByNumber(number uint64) *types.Header {
	for _, h := range c.headers {
		if h.Number.Uint64() == number {
			return h
		}
	}
	return nil
}

// Clone returns a fixture on the same pre-state whose nonce tracking is
// independent of f's.
func (f *Fixture) Clone() *Fixture {
	cp := *f
	cp.nonces = make(map[common.Address]uint64, len(f.nonces))
	for k, v := range f.nonces {
		cp.nonces[k] = v
	}
	return &cp
}
