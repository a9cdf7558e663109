package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/lanes-rollup/lanes/parallel"
)

// Config selects what Run measures.
type Config struct {
	// Workload is one of Workloads.
	Workload string
	// Txs is the number of transactions in the block.
	Txs int
	// Workers is the parallel executor's worker count.
	Workers int
	// Rounds is how often each path runs, alternating: Speedup compares
	// the fastest run of each, SpeedupMedian the runs pairwise. Zero means
	// three; a negative count is an error.
	Rounds int
	// CPUProfile, when set, receives a pprof CPU profile of the parallel
	// path alone: after the timed rounds, the parallel executor runs the
	// block Rounds more times under the profiler.
	CPUProfile io.Writer
}

// Report compares the two paths on one workload. Times are of the best
// round; the state-root times are measured separately from execution.
type Report struct {
	Workload string  `json:"workload"`
	Txs      int     `json:"txs"`
	Workers  int     `json:"workers"`
	GasUsed  uint64  `json:"gas_used"`
	SeqMs    float64 `json:"seq_ms"`
	ParMs    float64 `json:"par_ms"`
	Speedup  float64 `json:"speedup"`
	// SpeedupMedian is the median over rounds of the sequential time over
	// the parallel time of the same round: less flattering than the
	// best-of-rounds Speedup when one path had a lucky round, and a guide
	// to how much a single figure can be trusted on a noisy machine.
	SpeedupMedian float64 `json:"speedup_median"`
	// Ceiling is how much faster Workers sequential executions of the
	// block run at once, each on its own state, than one after another
	// (fastest rounds). It bounds what any parallel executor could reach
	// here: the workers share the processors' caches, the state database
	// and the garbage collector, which a lone sequential execution runs on
	// the processors it leaves idle. It is 1 for one worker.
	Ceiling     float64 `json:"ceiling"`
	SeqMgasPerS float64 `json:"seq_mgas_s"`
	ParMgasPerS float64 `json:"par_mgas_s"`
	// SeqCPUMs and ParCPUMs are the process CPU time (all threads, GC
	// included) of the best round: on a loaded machine they show the work
	// each path does when wall time cannot.
	SeqCPUMs float64 `json:"seq_cpu_ms"`
	ParCPUMs float64 `json:"par_cpu_ms"`
	// SeqAllocsPerTx and ParAllocsPerTx are heap allocations per
	// transaction during execution, of the best round.
	SeqAllocsPerTx float64 `json:"seq_allocs_per_tx"`
	ParAllocsPerTx float64 `json:"par_allocs_per_tx"`
	SeqRootMs      float64 `json:"seq_root_ms"`
	ParRootMs      float64 `json:"par_root_ms"`
	Incarnations   int     `json:"incarnations"`
	Reexecutions   int     `json:"reexecutions"`
	Validations    int     `json:"validations"`
	Fallbacks      int     `json:"fallbacks"`
	// SeqTail is how many transactions of the best parallel round ran
	// sequentially after the executor stopped speculating (contention).
	SeqTail int `json:"seq_tail"`
	// Identical is set when every parallel round gave the result of the
	// sequential round before it; Mismatch describes the first that did
	// not.
	Identical bool   `json:"identical"`
	Mismatch  string `json:"mismatch,omitempty"`
}

type measured struct {
	res      *parallel.Result
	root     common.Hash
	exec     time.Duration
	cpu      time.Duration
	rootTime time.Duration
	allocs   uint64 // heap allocations during execution
}

func measure(ctx context.Context, blk *Block, ex parallel.Executor) (measured, error) {
	env := blk.Fixture.Env()
	// Both paths open the state as the sequencer does; only the parallel
	// one uses the shared reader.
	statedb, reader, err := parallel.OpenState(blk.Fixture.DB, blk.Fixture.Root)
	if err != nil {
		return measured{}, err
	}
	env.ParentReader = reader
	// Start each run on a collected heap, so that neither path pays for
	// the garbage of the run before it.
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu, start := processCPU(), time.Now()
	res, err := ex.Execute(ctx, env, blk.Txs, statedb, parallel.Validate)
	if err != nil {
		return measured{}, err
	}
	m := measured{res: res, exec: time.Since(start), cpu: processCPU() - cpu}
	runtime.ReadMemStats(&after)
	m.allocs = after.Mallocs - before.Mallocs
	start = time.Now()
	m.root = statedb.IntermediateRoot(env.Config.Rules(env.Header.Number, true, env.Header.Time))
	m.rootTime = time.Since(start)
	return m, nil
}

// measureConcurrent runs k sequential executions of blk at once, each on
// its own state, and returns the time until the last is done.
func measureConcurrent(ctx context.Context, blk *Block, k int) (time.Duration, error) {
	type run struct {
		env     *parallel.Env
		statedb *state.StateDB
	}
	runs := make([]run, k)
	for i := range runs {
		statedb, _, err := parallel.OpenState(blk.Fixture.DB, blk.Fixture.Root)
		if err != nil {
			return 0, err
		}
		runs[i] = run{env: blk.Fixture.Env(), statedb: statedb}
	}
	runtime.GC()
	var (
		wg   sync.WaitGroup
		errs = make([]error, k)
	)
	start := time.Now()
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = parallel.Sequential{}.Execute(ctx, runs[i].env, blk.Txs, runs[i].statedb, parallel.Validate)
		}()
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}

// Run builds the workload's block and times the sequential and the parallel
// executor on it, alternating, from the same pre-state.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Workers < 1 {
		return Report{}, fmt.Errorf("workers must be positive, have %d", cfg.Workers)
	}
	if cfg.Rounds < 0 {
		return Report{}, fmt.Errorf("rounds must not be negative, have %d", cfg.Rounds)
	}
	rounds := cfg.Rounds
	if rounds == 0 {
		rounds = 3
	}
	blk, err := Build(cfg.Workload, cfg.Txs)
	if err != nil {
		return Report{}, err
	}
	rep, err := RunBlock(ctx, cfg.Workload, blk, cfg.Workers, rounds)
	if err != nil || cfg.CPUProfile == nil {
		return rep, err
	}
	return rep, profileParallel(ctx, blk, cfg.Workers, rounds, cfg.CPUProfile)
}

// profileParallel runs the parallel executor on blk rounds times under the
// CPU profiler, writing the profile to w.
func profileParallel(ctx context.Context, blk *Block, workers, rounds int, w io.Writer) error {
	par := parallel.NewParallel(workers)
	if err := pprof.StartCPUProfile(w); err != nil {
		return fmt.Errorf("cpu profile: %w", err)
	}
	defer pprof.StopCPUProfile()
	for range rounds {
		if _, err := measure(ctx, blk, par); err != nil {
			return fmt.Errorf("parallel: %w", err)
		}
	}
	return nil
}

// RunBlock times both executors on an already built block.
func RunBlock(ctx context.Context, workload string, blk *Block, workers, rounds int) (Report, error) {
	return runBlock(ctx, workload, blk, parallel.NewParallel(workers), workers, rounds)
}

// runBlock times the sequential executor and par, which has the given
// number of workers, on blk.
func runBlock(ctx context.Context, workload string, blk *Block, par parallel.Executor, workers, rounds int) (Report, error) {
	var (
		seqBest, parBest measured
		rep              = Report{Workload: workload, Txs: len(blk.Txs), Workers: workers}
	)
	ratios := make([]float64, 0, rounds)
	var concBest time.Duration
	for round := range rounds {
		seq, err := measure(ctx, blk, parallel.Sequential{})
		if err != nil {
			return rep, fmt.Errorf("sequential: %w", err)
		}
		p, err := measure(ctx, blk, par)
		if err != nil {
			return rep, fmt.Errorf("parallel: %w", err)
		}
		// After both paths, so that they still run back to back.
		if workers > 1 {
			conc, err := measureConcurrent(ctx, blk, workers)
			if err != nil {
				return rep, fmt.Errorf("concurrent sequential: %w", err)
			}
			if round == 0 || conc < concBest {
				concBest = conc
			}
		}
		if p.res.Stats.Fallback {
			rep.Fallbacks++
		}
		ratios = append(ratios, seq.exec.Seconds()/p.exec.Seconds())
		// Every round must match, not only the fastest.
		if err := parallel.Diff(seq.res, p.res, seq.root, p.root); err != nil && rep.Mismatch == "" {
			rep.Mismatch = fmt.Sprintf("round %d: %v", round, err)
		}
		if round == 0 || seq.exec < seqBest.exec {
			seqBest = seq
		}
		if round == 0 || p.exec < parBest.exec {
			parBest = p
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	mgas := func(gas uint64, d time.Duration) float64 { return float64(gas) / d.Seconds() / 1e6 }
	rep.GasUsed = seqBest.res.GasUsed
	rep.SeqMs, rep.ParMs = ms(seqBest.exec), ms(parBest.exec)
	rep.Speedup = seqBest.exec.Seconds() / parBest.exec.Seconds()
	rep.Ceiling = 1
	if workers > 1 {
		rep.Ceiling = float64(workers) * seqBest.exec.Seconds() / concBest.Seconds()
	}
	slices.Sort(ratios)
	rep.SpeedupMedian = ratios[len(ratios)/2]
	if len(ratios)%2 == 0 {
		rep.SpeedupMedian = (ratios[len(ratios)/2-1] + ratios[len(ratios)/2]) / 2
	}
	rep.SeqMgasPerS, rep.ParMgasPerS = mgas(rep.GasUsed, seqBest.exec), mgas(parBest.res.GasUsed, parBest.exec)
	rep.SeqRootMs, rep.ParRootMs = ms(seqBest.rootTime), ms(parBest.rootTime)
	rep.SeqCPUMs, rep.ParCPUMs = ms(seqBest.cpu), ms(parBest.cpu)
	perTx := func(n uint64) float64 { return float64(n) / float64(len(blk.Txs)) }
	rep.SeqAllocsPerTx, rep.ParAllocsPerTx = perTx(seqBest.allocs), perTx(parBest.allocs)
	rep.Incarnations = parBest.res.Stats.Incarnations
	rep.Reexecutions = rep.Incarnations - len(blk.Txs)
	rep.Validations = parBest.res.Stats.Validations
	rep.SeqTail = parBest.res.Stats.SequentialTxs
	rep.Identical = rep.Mismatch == ""
	return rep, nil
}
