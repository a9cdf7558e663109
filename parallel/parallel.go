package parallel

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/metrics"
	"github.com/ethereum/go-ethereum/params"
)

var (
	fallbackCounter     = metrics.NewRegisteredCounter("parallel/fallbacks", nil)
	reexecutionCounter  = metrics.NewRegisteredCounter("parallel/reexecutions", nil)
	sequentialGateMeter = metrics.NewRegisteredMeter("parallel/sequential", nil)
)

const (
	// minParallelTxs is the smallest block worth the set-up of multi-version
	// memory and the worker pool.
	minParallelTxs = 4
	// incarnationBudget bounds re-executions: beyond budget×txs incarnations
	// the block is contended enough that sequential execution is faster.
	incarnationBudget = 8
)

// errFallback names, in Stats.FallbackReason, why speculation was abandoned
// and the rest of the block executed sequentially.
var errFallback = errors.New("parallel execution abandoned")

// Parallel executes a block with Block-STM over go-ethereum's EVM, and
// settles the result in block order onto the state. Its results are
// identical to Sequential's. Env.Chain is called from several goroutines
// (BLOCKHASH) and must be safe for concurrent use, as core.BlockChain is.
type Parallel struct {
	workers int
	// budget is the incarnation budget per transaction.
	budget int
	// fault, when set, runs before every speculative execution; tests use
	// it to inject panics.
	fault func(tx int)
}

var _ Executor = (*Parallel)(nil)

// NewParallel returns a Block-STM executor running the given number of
// workers (at least one).
func NewParallel(workers int) *Parallel {
	return &Parallel{workers: max(workers, 1), budget: incarnationBudget}
}

// sequentialReason is the one gate between the parallel and the sequential
// path. It returns why a block must run sequentially, or "" when it may run
// in parallel.
func (p *Parallel) sequentialReason(env *Env, txs []*types.Transaction, statedb *state.StateDB, chains senderChains) string {
	rules := env.Config.Rules(env.Header.Number, true, env.Header.Time)
	switch {
	case p.workers < 2:
		// One worker only adds bookkeeping to sequential execution.
		return "one worker"
	case len(txs) < minParallelTxs:
		// A handful of transactions does not repay the set-up.
		return "small block"
	case env.VMConfig.Tracer != nil:
		// Tracers expect every state change in block order.
		return "tracer attached"
	case statedb.Witness() != nil:
		// Witness building must observe every state access in order.
		return "witness collection"
	case !rules.IsCancun:
		// Before EIP-6780, SELFDESTRUCT deletes the storage of accounts
		// created in earlier blocks, which the write sets do not model.
		return "pre-Cancun rules"
	case rules.IsAmsterdam:
		// EIP-8037's two-dimensional gas pool and block access lists are
		// not modelled.
		return "Amsterdam rules"
	case len(txs) >= chainGateMinTxs && chains.longest*2 > len(txs):
		// Most of the block is one sender's nonce chain, which executes
		// in order whatever the executor.
		return "one sender dominates"
	}
	return ""
}

// chainGateMinTxs is the block size from which a dominant sender sends the
// block to the sequential path; smaller blocks cost little either way.
const chainGateMinTxs = 64

// senderChains links each transaction of a block to the previous one from
// the same sender: a sender's transactions form a nonce chain.
type senderChains struct {
	// prev[i] is the sender's transaction before i, or -1.
	prev []int32
	// longest is how many transactions the most frequent sender has.
	longest int
}

// chainSenders returns the block's sender chains. Senders are cached in the
// transactions (the pool recovered them), so this is one map pass.
func chainSenders(env *Env, txs []*types.Transaction) senderChains {
	type chain struct{ last, count int32 }
	var (
		signer   = types.MakeSigner(env.Config, env.Header.Number, env.Header.Time)
		bySender = make(map[common.Address]chain, len(txs))
		c        = senderChains{prev: make([]int32, len(txs))}
	)
	for i, tx := range txs {
		c.prev[i] = -1
		from, err := types.Sender(signer, tx)
		if err != nil {
			continue
		}
		ch, seen := bySender[from]
		if seen {
			c.prev[i] = ch.last
		}
		ch.last, ch.count = int32(i), ch.count+1
		bySender[from] = ch
		c.longest = max(c.longest, int(ch.count))
	}
	return c
}

// Execute implements Executor.
func (p *Parallel) Execute(ctx context.Context, env *Env, txs []*types.Transaction, statedb *state.StateDB, mode Mode) (*Result, error) {
	chains := chainSenders(env, txs)
	if reason := p.sequentialReason(env, txs, statedb, chains); reason != "" {
		sequentialGateMeter.Mark(1)
		return Sequential{}.Execute(ctx, env, txs, statedb, mode)
	}
	res, err := p.execute(ctx, env, txs, statedb, mode, chains.prev)
	if err != nil {
		return nil, err
	}
	if res.Stats.Fallback {
		fallbackCounter.Inc(1)
	}
	reexecutionCounter.Inc(int64(res.Stats.Incarnations - len(txs)))
	return res, nil
}

// txOutput is what the final incarnation of a transaction produced.
type txOutput struct {
	err       error // the transaction cannot be applied at its place
	usedGas   uint64
	failed    bool
	logs      []*types.Log
	preimages map[common.Hash][]byte
	writes    []keyWrite
	bloom     types.Bloom // of the logs, computed by the worker
}

// blockRun is the shared context of one speculative execution.
type blockRun struct {
	env      *Env
	rules    params.Rules
	blockCtx vm.BlockContext
	txs      []*types.Transaction
	signer   types.Signer
	// msgs caches each transaction's message, converted by the first
	// worker to run it rather than up front on one core.
	msgs []atomic.Pointer[message]

	mv      *mvMemory
	sched   *scheduler
	outputs []atomic.Pointer[txOutput]
	fault   func(tx int)

	// settled is how many transactions the settler has settled.
	settled atomic.Int64

	incarnations atomic.Int64
	validations  atomic.Int64
	limit        int64
}

// execute runs the block with Block-STM, settling each transaction onto
// statedb as soon as its outcome is final. Whatever stops speculation early
// (a panic, the incarnation budget, heavy contention, a transaction that
// does not fit the gas left in Build mode) leaves a settled prefix that is
// final; the rest of the block then runs sequentially on top of it, so the
// result is identical in every case. prevBySender links each transaction to
// its sender's previous one (senderChains.prev).
func (p *Parallel) execute(ctx context.Context, env *Env, txs []*types.Transaction, statedb *state.StateDB, mode Mode, prevBySender []int32) (*Result, error) {
	var (
		header = env.Header
		signer = types.MakeSigner(env.Config, header.Number, header.Time)
		rules  = env.Config.Rules(header.Number, true, header.Time)
	)
	// Speculation reads a copy of the pre-state with the pre-execution
	// system calls applied; the caller's state is written by settlement
	// only, in block order.
	base := &baseState{db: statedb.Copy()}
	base.reader, base.slotReader = parentReader(env, statedb, rules)
	if base.reader != nil && env.ParentReader == nil {
		// Without a flat reader, slots go through slotReader alone. With a
		// shared reader they go through it too, so that settlement finds
		// them in its cache.
		base.flat, _ = statedb.Database().TrieDB().StateReader(env.Parent.Root)
	}
	blockCtx := core.NewEVMBlockContext(header, env.Chain, &header.Coinbase)
	preRecorder := newWriteRecorder(0)
	preEVM := vm.NewEVM(blockCtx, preRecorder.state(base.db), env.Config, env.VMConfig)
	core.PreExecution(ctx, header.ParentBeaconRoot, env.Parent, env.Config, preEVM, header.Number, header.Time)
	preEVM.Release()
	base.overlay = map[common.Address]bool{
		params.SystemAddress:         true,
		params.BeaconRootsAddress:    true,
		params.HistoryStorageAddress: true,
	}
	for addr := range preRecorder.accounts {
		base.overlay[addr] = true
	}

	s := newSettlement(ctx, env, blockCtx, statedb, mode, len(txs))
	defer s.release()
	run := &blockRun{
		env:      env,
		rules:    rules,
		blockCtx: blockCtx,
		txs:      txs,
		signer:   signer,
		msgs:     make([]atomic.Pointer[message], len(txs)),
		mv:       newMVMemory(len(txs), base),
		sched:    newScheduler(len(txs)),
		outputs:  make([]atomic.Pointer[txOutput], len(txs)),
		limit:    int64(p.budget * len(txs)),
		fault:    p.fault,
	}
	// A sender's transactions form a nonce chain: each waits for the one
	// before it instead of failing on a stale nonce first.
	for i, prev := range prevBySender {
		if prev >= 0 {
			run.sched.waitFor(i, int(prev))
		}
	}
	next, tail, err := run.run(ctx, p.workers, s)
	stats := Stats{
		Incarnations: int(run.incarnations.Load()),
		Validations:  int(run.validations.Load()),
	}
	if err != nil {
		return nil, err
	}
	if tail == tailStopped {
		stats.Fallback = true
		stats.FallbackReason, _ = run.sched.stopped()
	}
	for i := next; i < len(txs); i++ {
		if err := s.applySequential(i, txs[i]); err != nil {
			return nil, err
		}
	}
	stats.Incarnations += len(txs) - next
	stats.SequentialTxs = len(txs) - next
	res, err := s.finish()
	if err != nil {
		return nil, err
	}
	res.Stats = stats
	return res, nil
}

// run executes the block with the given number of workers while the calling
// goroutine settles it (commit). It returns where settlement stopped and
// why; the workers have returned by then.
func (r *blockRun) run(ctx context.Context, workers int, s *settlement) (int, tailReason, error) {
	var (
		wg   sync.WaitGroup
		done = make(chan struct{})
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					r.sched.stop(fmt.Sprintf("%v: panic in speculative execution: %v\n%s", errFallback, v, debug.Stack()))
				}
			}()
			r.worker(ctx)
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	next, tail, err := r.commit(ctx, s, done)
	if err != nil {
		r.sched.stop("settlement failed")
	} else {
		// Settled, or to be settled sequentially from next: the
		// speculative work beyond it is discarded.
		r.sched.finish()
	}
	<-done
	return next, tail, err
}

func (r *blockRun) worker(ctx context.Context) {
	ts := newTxState(r.mv, r.blockCtx.Coinbase)
	ts.pendingBelow = r.sched.pendingBelow
	ts.awaitRunning = r.sched.awaitRunning
	// BLOCKHASH's lookup caches what it resolved, so each worker needs its
	// own.
	blockCtx := r.blockCtx
	blockCtx.GetHash = core.GetHashFn(r.env.Header, r.env.Chain)
	// One EVM per worker, reused across incarnations (ApplyMessage resets
	// its transaction context). Its jumpdest analysis cache is private and
	// keyed by code hash, and a txState serves code and hash from one key,
	// so an analysis is never stored under the hash of other code.
	evm := vm.NewEVM(blockCtx, ts, r.env.Config, r.env.VMConfig)
	defer evm.Release()

	t, ok := r.sched.nextTask()
	for ok {
		if ctx.Err() != nil {
			r.sched.stop("context cancelled")
			return
		}
		switch t.kind {
		case taskExecute:
			t, ok = r.execute(evm, ts, t)
			r.yieldToSettler()
		case taskValidate:
			t, ok = r.validate(t)
		}
		if !ok {
			t, ok = r.sched.nextTask()
		}
	}
}

// settlerLag is how far the execution index may run ahead of settlement
// before workers yield their processor after each execution.
const settlerLag = 16

// yieldToSettler lets the settler run when it has fallen behind. The
// settler is a third goroutine on as many processors as workers, woken
// whenever the transaction it waits for has executed; while every
// processor runs a worker it waits for a preemption, and what it has not
// settled when the workers finish is settled with one processor idle.
func (r *blockRun) yieldToSettler() {
	if r.sched.execIdx.Load()-r.settled.Load() > settlerLag {
		runtime.Gosched()
	}
}

// execute runs incarnation t of a transaction and records its effects.
func (r *blockRun) execute(evm *vm.EVM, ts *txState, t task) (task, bool) {
	for {
		ts.reset(t.tx, t.inc)
		out, blocking := r.runTx(evm, ts, t.tx)
		if blocking >= 0 {
			if r.sched.addDependency(t.tx, blocking) {
				return task{}, false
			}
			continue
		}
		if addr, ok := r.removesStorage(out.writes); ok {
			r.sched.stop(fmt.Sprintf("transaction %d may remove %v with the storage it holds in the pre-state", t.tx, addr))
			return task{}, false
		}
		if r.incarnations.Add(1) > r.limit {
			r.sched.stop("too many incarnations")
			return task{}, false
		}
		if ts.dependedEarly() {
			r.sched.markConflicted(t.tx)
		}
		r.outputs[t.tx].Store(out)
		wrote := r.mv.record(t.tx, t.inc, ts.readSet(), out.writes)
		return r.sched.finishExecution(t.tx, t.inc, wrote)
	}
}

// removesStorage returns an account that writes may remove while it holds
// storage in the pre-state: they remove it, or credit it a zero fee, which
// touches it (EIP-158 then removes it if it is empty). Removal wipes that
// storage, but multi-version memory keeps only the slots that were written:
// a contract created at the address later in the block would read the
// removed values. Only a genesis allocation makes such an account, so a
// block that may remove one leaves speculation for the sequential path.
func (r *blockRun) removesStorage(writes []keyWrite) (common.Address, bool) {
	for i := range writes {
		w := &writes[i]
		if (w.key.kind == kindExists || w.delta) && w.val.isZero() && r.mv.removableStorage(w.key.addr) {
			return w.key.addr, true
		}
	}
	return common.Address{}, false
}

// runTx applies one transaction to the incarnation's state. It returns the
// index of the transaction it must wait for when a read hit an estimate.
func (r *blockRun) runTx(evm *vm.EVM, ts *txState, i int) (out *txOutput, blocking int) {
	blocking = -1
	msg, err := r.message(i)
	if err != nil {
		return &txOutput{err: err}, -1
	}
	defer func() {
		if v := recover(); v != nil {
			dep, ok := v.(dependencyAbort)
			if !ok {
				panic(v)
			}
			out, blocking = nil, dep.blocking
		}
	}()
	if r.fault != nil {
		r.fault(i)
	}
	tx := r.txs[i]
	ts.SetTxContext(tx.Hash(), i, uint32(i+1))
	// Each speculative transaction sees the whole block gas limit; the real
	// pool is checked in block order at settlement.
	gp := core.NewGasPool(r.env.Header.GasLimit)
	result, err := core.ApplyMessage(evm, msg, gp)
	if err != nil {
		return &txOutput{err: err}, -1
	}
	ts.Finalise(r.rules)
	var bloom types.Bloom
	if len(ts.logs) > 0 {
		bloom = types.CreateBloom(&types.Receipt{Logs: ts.logs})
	}
	return &txOutput{
		bloom:     bloom,
		usedGas:   result.UsedGas,
		failed:    result.Failed(),
		logs:      ts.logs,
		preimages: ts.preimages,
		writes:    ts.writes,
	}, -1
}

// message is a transaction converted to the message the EVM applies, or
// the reason it cannot be.
type message struct {
	msg *core.Message
	err error
}

// message returns transaction i's message, converting it on first use.
// Conversion is deterministic, so two workers racing on it store equal
// results.
func (r *blockRun) message(i int) (*core.Message, error) {
	if m := r.msgs[i].Load(); m != nil {
		return m.msg, m.err
	}
	msg, err := core.TransactionToMessage(r.txs[i], r.signer, r.env.Header.BaseFee)
	r.msgs[i].Store(&message{msg: msg, err: err})
	return msg, err
}

func (r *blockRun) validate(t task) (task, bool) {
	r.validations.Add(1)
	mark := r.mv.mark()
	valid := r.mv.validate(t.tx)
	if valid {
		r.sched.noteValidated(t.tx, t.inc, mark)
	}
	aborted := !valid && r.sched.tryAbort(t.tx, t.inc)
	if aborted {
		r.mv.markEstimates(t.tx)
	}
	return r.sched.finishValidation(t.tx, aborted)
}

// parentReader returns a thread-safe, cached reader of the block's
// pre-state, and an uncached one for storage slots (multi-version memory
// reads a slot's pre-state value once per block and caches it itself), or
// nils when statedb may hold changes that are not in the parent's committed
// state (then every read goes through a copy of statedb).
func parentReader(env *Env, statedb *state.StateDB, rules params.Rules) (state.Reader, state.Reader) {
	if env.Parent == nil || env.Parent.Root == (common.Hash{}) {
		return nil, nil
	}
	if statedb.Copy().IntermediateRoot(rules) != env.Parent.Root {
		return nil, nil
	}
	if env.ParentReader != nil {
		return env.ParentReader, env.ParentReader
	}
	fresh, err := state.New(env.Parent.Root, statedb.Database())
	if err != nil {
		return nil, nil
	}
	raw := fresh.Reader()
	cached, _ := state.NewBlockExecutionReader(raw, nil, 0)
	return cached, raw
}
