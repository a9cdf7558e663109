package sequencer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/txpool/legacypool"
	"github.com/ethereum/go-ethereum/core/txpool/locals"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/ethdb/leveldb"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/lanes-rollup/lanes/parallel"
)

// ErrGenesisMismatch is returned when the chain's genesis differs from the
// one the rollup config commits to: a wrong data directory, or a config for
// another chain.
var ErrGenesisMismatch = errors.New("L2 genesis differs from the rollup config")

// Sequencer is a Lanes node that orders transactions: it owns the L2 chain
// on LevelDB, the transaction pool and the block-building loop. It also
// answers the reads the RPC layer needs.
type Sequencer struct {
	cfg       Config
	log       log.Logger
	db        ethdb.Database
	chain     *core.BlockChain
	engine    *Engine
	processor *Processor
	exec      parallel.Executor
	pool      *txpool.TxPool
	tracker   *locals.TxTracker
	// journalPath is the txpool journal, or empty without one.
	journalPath string
	logIndex    *logIndexer
	deposits    DepositSource

	wake   chan struct{}
	halted chan struct{}

	lifecycle sync.Mutex
	started   bool
	stopped   bool
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	loopErr   error
}

// New opens (or creates) the chain in cfg.DataDir and prepares the pool. It
// starts nothing: call Start. exec executes blocks; deposits may be nil
// when there is no L1.
func New(cfg Config, exec parallel.Executor, deposits DepositSource) (_ *Sequencer, err error) {
	if err := cfg.Check(); err != nil {
		return nil, fmt.Errorf("invalid sequencer config: %w", err)
	}
	engine := NewEngine()
	if cfg.Replica {
		engine = NewDerivedEngine()
	}
	s := &Sequencer{
		cfg:      cfg,
		log:      log.New("module", "sequencer"),
		engine:   engine,
		exec:     exec,
		deposits: deposits,
		wake:     make(chan struct{}, 1),
		halted:   make(chan struct{}),
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.close())
		}
	}()
	if s.db, err = openDatabase(cfg); err != nil {
		return nil, err
	}
	if s.chain, err = openChain(s.db, cfg, s.engine); err != nil {
		return nil, err
	}
	s.processor = installProcessor(s.chain, exec)
	if s.logIndex, err = newLogIndexer(s.db, s.chain); err != nil {
		return nil, err
	}
	if err = s.openPool(); err != nil {
		return nil, err
	}
	head := s.chain.CurrentBlock()
	s.log.Info("Opened L2 chain", "chainid", s.chain.Config().ChainID, "head", head.Number, "hash", head.Hash(), "datadir", cfg.DataDir)
	return s, nil
}

// openDatabase opens LevelDB in the data directory, with go-ethereum's
// freezer for old blocks, or an in-memory database without a directory.
func openDatabase(cfg Config) (ethdb.Database, error) {
	if cfg.DataDir == "" {
		return rawdb.NewMemoryDatabase(), nil
	}
	dir := filepath.Join(cfg.DataDir, "chaindata")
	kv, err := leveldb.New(dir, cfg.DatabaseCache, cfg.DatabaseHandles, "lanes/db/chaindata/", false)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", dir, err)
	}
	db, err := rawdb.Open(kv, rawdb.OpenOptions{Ancient: filepath.Join(dir, "ancient"), MetricsNamespace: "lanes/db/chaindata/"})
	if err != nil {
		kv.Close()
		return nil, fmt.Errorf("open freezer: %w", err)
	}
	return db, nil
}

// openChain opens go-ethereum's BlockChain over db, writing the genesis if
// the database is new.
//
// The chain runs in archive mode on the hash scheme: every block's state is
// committed to disk as it is written. That is what lets a node killed with
// SIGKILL restart at exactly the head it last wrote (go-ethereum's default
// pruning would rewind to the last flushed state and delete the blocks
// above it, which a sequencer cannot re-fetch from peers), and it serves
// eth_call and eth_getProof at any past block.
func openChain(db ethdb.Database, cfg Config, engine *Engine) (*core.BlockChain, error) {
	// A chain that exists keeps its genesis and config: the genesis flags
	// only shape a new chain.
	var genesis *core.Genesis
	if rawdb.ReadCanonicalHash(db, 0) == (common.Hash{}) {
		ts := cfg.GenesisTime
		if ts == 0 {
			ts = uint64(time.Now().Unix())
		}
		gcfg := GenesisConfig{ChainID: cfg.ChainID, GasLimit: cfg.GasLimit, Timestamp: ts, FeeRecipient: cfg.FeeRecipient}
		if cfg.Dev {
			gcfg.Alloc = DevAlloc()
		}
		genesis = Genesis(gcfg)
	}

	options := core.DefaultConfig().WithArchive(true).WithStateScheme(rawdb.HashScheme)
	options.TxLookupLimit = 0 // index every transaction
	options.SnapshotWait = false
	// The prefetcher re-executes each imported block speculatively to warm
	// caches. For blocks the sequencer built itself that is a second
	// execution for nothing.
	options.NoPrefetch = true
	// Report only blocks that take unusually long to import.
	options.SlowBlockThreshold = time.Second
	chain, err := core.NewBlockChain(db, genesis, engine, options)
	if err != nil {
		return nil, fmt.Errorf("open chain: %w", err)
	}
	if want := cfg.ExpectedGenesis; want != (common.Hash{}) && chain.Genesis().Hash() != want {
		have := chain.Genesis().Hash()
		chain.Stop()
		return nil, fmt.Errorf("%w: have %v, the rollup config says %v", ErrGenesisMismatch, have, want)
	}
	return chain, nil
}

// installProcessor replaces the chain's block processor with Lanes' own.
//
// go-ethereum v1.17 offers no way to write a block whose state was computed
// elsewhere: blocks enter only through InsertChain, which runs the chain's
// Processor and then its Validator. SetBlockValidatorAndProcessorForTesting
// is the single hook to change the Processor; its documentation allows the
// call before any block import starts, which is the only place Lanes makes
// it. The validator stays go-ethereum's own, so roots, receipts, bloom and
// gas are still checked on every block.
func installProcessor(chain *core.BlockChain, exec parallel.Executor) *Processor {
	p := newProcessor(chain, exec)
	chain.SetBlockValidatorAndProcessorForTesting(core.NewBlockValidator(chain.Config(), chain), p)
	return p
}

// openPool creates go-ethereum's transaction pool with the legacy subpool
// only: blob transactions are refused on L2 because no subpool takes them.
func (s *Sequencer) openPool() error {
	pc := s.cfg.TxPool
	lcfg := legacypool.DefaultConfig
	lcfg.PriceLimit = pc.PriceLimit
	lcfg.PriceBump = pc.PriceBump
	lcfg.AccountSlots = pc.AccountSlots
	lcfg.GlobalSlots = pc.GlobalSlots
	lcfg.AccountQueue = pc.AccountQueue
	lcfg.GlobalQueue = pc.GlobalQueue
	lcfg.Lifetime = pc.Lifetime
	lcfg.Journal = ""
	legacy := legacypool.New(lcfg, s.chain)
	pool, err := txpool.New(pc.PriceLimit, s.chain, []txpool.SubPool{legacy})
	if err != nil {
		return fmt.Errorf("open txpool: %w", err)
	}
	s.pool = pool
	journal := ""
	if s.cfg.DataDir != "" && !pc.NoJournal {
		journal = filepath.Join(s.cfg.DataDir, "transactions.rlp")
	}
	s.journalPath = journal
	s.tracker = locals.New(journal, pc.Rejournal, s.chain.Config(), pool)
	return nil
}

// reinjectJournal puts the journaled local transactions back into the pool
// at once. The tracker loads the same journal but only resubmits after its
// first recheck, seconds later, during which a restarted node would answer
// that acknowledged transactions do not exist.
func (s *Sequencer) reinjectJournal() error {
	if s.journalPath == "" {
		return nil
	}
	f, err := os.Open(s.journalPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open txpool journal: %w", err)
	}
	defer f.Close()
	var (
		stream = rlp.NewStream(f, 0)
		txs    []*types.Transaction
	)
	for {
		tx := new(types.Transaction)
		if err := stream.Decode(tx); err != nil {
			// A truncated tail is what a crash mid-write leaves; everything
			// before it is intact.
			if !errors.Is(err, io.EOF) {
				s.log.Warn("Txpool journal ends early", "loaded", len(txs), "err", err)
			}
			break
		}
		txs = append(txs, tx)
	}
	added := 0
	for _, err := range s.pool.Add(txs, true) {
		if err == nil {
			added++
		}
	}
	s.log.Info("Reloaded local transactions", "journaled", len(txs), "added", added)
	return nil
}

// Start starts the log indexer, the local transaction tracker (which
// reloads the journal into the pool) and the block-building loop.
func (s *Sequencer) Start(ctx context.Context) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if s.stopped {
		return errors.New("sequencer already stopped")
	}
	if s.started {
		return nil
	}
	s.started = true
	s.logIndex.start()
	if s.cfg.Replica {
		return nil // blocks come from ApplyBlock; nothing to order
	}
	if s.deposits == nil {
		// Without an L1, safe and finalized follow the head from the
		// start, as after every block the loop builds: a fresh chain
		// answers "safe" with its genesis, not "not found".
		head := s.chain.CurrentBlock()
		s.chain.SetSafe(head)
		s.chain.SetFinalized(head)
	}
	if err := s.reinjectJournal(); err != nil {
		return err
	}
	if err := s.tracker.Start(); err != nil {
		return fmt.Errorf("start local tx tracker: %w", err)
	}
	loopCtx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if s.loopErr = s.loop(loopCtx); s.loopErr != nil {
			close(s.halted)
		}
	}()
	return nil
}

// Stop stops block building, journals the pool and closes the chain and
// the database. It is idempotent and safe on a node whose Start failed or
// never ran. It returns the error that stopped the loop, if any.
func (s *Sequencer) Stop(ctx context.Context) error {
	s.lifecycle.Lock()
	defer s.lifecycle.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	return errors.Join(s.loopErr, s.close())
}

// close releases what New opened, in reverse order; fields may be nil.
func (s *Sequencer) close() error {
	var errs []error
	if s.tracker != nil && s.started && !s.cfg.Replica {
		errs = append(errs, s.tracker.Stop())
	}
	if s.pool != nil {
		errs = append(errs, s.pool.Close())
	}
	if s.logIndex != nil {
		s.logIndex.stop()
	}
	if s.chain != nil {
		s.chain.Stop()
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// Halted is closed when block building stops on an error (a block that
// fails to import, an executor mismatch in verify mode). The node must then
// be stopped; Stop returns the error.
func (s *Sequencer) Halted() <-chan struct{} { return s.halted }

// Chain returns the L2 chain.
func (s *Sequencer) Chain() *core.BlockChain { return s.chain }

// Pool returns the transaction pool.
func (s *Sequencer) Pool() *txpool.TxPool { return s.pool }

// Engine returns the rollup consensus engine.
func (s *Sequencer) Engine() consensus.Engine { return s.engine }

// SendTx validates tx and adds it to the pool. A nil error is an
// acknowledgement: the transaction is in the pool (or tracked for
// resubmission after a temporary rejection), is journaled, and will be
// included or stay pending; it is never dropped silently.
func (s *Sequencer) SendTx(ctx context.Context, tx *types.Transaction) error {
	if s.cfg.Replica {
		return ErrReplica
	}
	// A fee cap below the head's base fee cannot pay for the next block.
	// The pool would keep such a transaction pending, unpaid, for as long
	// as fees stay higher: anyone could fill it for free. Arbitrum's
	// sequencer refuses it too.
	if head := s.chain.CurrentHeader(); head.BaseFee != nil && tx.GasFeeCapIntCmp(head.BaseFee) < 0 {
		txRejectedMeter.Mark(1)
		return fmt.Errorf("%w: maxFeePerGas: %v, baseFee: %v", core.ErrFeeCapTooLow, tx.GasFeeCap(), head.BaseFee)
	}
	err := s.pool.Add([]*types.Transaction{tx}, false)[0]
	if err != nil && !locals.IsTemporaryReject(err) {
		txRejectedMeter.Mark(1)
		return err
	}
	s.tracker.Track(tx)
	s.signal()
	return nil
}

// signal wakes the building loop without blocking.
func (s *Sequencer) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
