package bench

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/parallel"
)

func TestRunAllWorkloadsIdentical(t *testing.T) {
	for _, w := range Workloads {
		rep, err := Run(context.Background(), Config{Workload: w, Txs: 64, Workers: 2, Rounds: 1})
		if err != nil {
			t.Fatalf("%s: %v", w, err)
		}
		if !rep.Identical {
			t.Errorf("%s: %s", w, rep.Mismatch)
		}
		if rep.Fallbacks != 0 {
			t.Errorf("%s: fell back", w)
		}
		t.Logf("%+v", rep)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Workload: "transfer", Txs: 0, Workers: 2},
		{Workload: "transfer", Txs: MaxTxs + 1, Workers: 2},
		{Workload: "transfer", Txs: 10, Workers: 0},
		{Workload: "transfer", Txs: 10, Workers: 2, Rounds: -1},
		{Workload: "nope", Txs: 10, Workers: 2},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v: accepted", cfg)
		}
	}
}

// TestLargeBlocksFit checks that the block gas limit grows with the block,
// so that a large block is measured rather than cut short by the limit.
func TestLargeBlocksFit(t *testing.T) {
	small, err := newFixture(1, 100)
	if err != nil {
		t.Fatal(err)
	}
	large, err := newFixture(1, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	if small.GasLimit != 1_000_000_000 {
		t.Errorf("gas limit %d for a small block, want the default", small.GasLimit)
	}
	if want := uint64(10_000 * maxGasPerTx); large.GasLimit != want {
		t.Errorf("gas limit %d for 10000 transactions, want %d", large.GasLimit, want)
	}
}

// flakyExecutor is the sequential executor with a wrong gas total in its
// second run.
type flakyExecutor struct{ runs int }

func (f *flakyExecutor) Execute(ctx context.Context, env *parallel.Env, txs []*types.Transaction, statedb *state.StateDB, mode parallel.Mode) (*parallel.Result, error) {
	res, err := parallel.Sequential{}.Execute(ctx, env, txs, statedb, mode)
	if f.runs++; err == nil && f.runs == 2 {
		res.GasUsed++
	}
	return res, err
}

// TestEveryRoundIsCompared checks that a parallel result that differs in
// one round only is reported, whichever round is the fastest.
func TestEveryRoundIsCompared(t *testing.T) {
	blk, err := Build("transfer", 16)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := runBlock(context.Background(), "transfer", blk, &flakyExecutor{}, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Identical || !strings.Contains(rep.Mismatch, "round 1") || !strings.Contains(rep.Mismatch, "gas used") {
		t.Fatalf("identical %v, mismatch %q: want round 1's gas reported", rep.Identical, rep.Mismatch)
	}
	if rep.SpeedupMedian <= 0 {
		t.Errorf("median speedup %v", rep.SpeedupMedian)
	}
}

func TestRunWritesCPUProfile(t *testing.T) {
	var buf bytes.Buffer
	rep, err := Run(context.Background(), Config{Workload: "erc20", Txs: 300, Workers: 2, Rounds: 2, CPUProfile: &buf})
	if err != nil && strings.Contains(err.Error(), "already in use") {
		t.Skip("the test binary is itself being profiled (go test -cpuprofile)")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Identical {
		t.Fatal(rep.Mismatch)
	}
	// A pprof profile is a gzipped protocol buffer.
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatalf("profile is not gzipped: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("profile is truncated: %v", err)
	}
	if len(raw) == 0 {
		t.Fatal("empty profile")
	}
}

func benchmarkExecutor(b *testing.B, ex parallel.Executor) {
	const txs = 1000
	for _, w := range Workloads {
		b.Run(w, func(b *testing.B) {
			blk, err := Build(w, txs)
			if err != nil {
				b.Fatal(err)
			}
			var before, after runtime.MemStats
			b.ReportAllocs()
			b.ResetTimer()
			var mallocs uint64
			for range b.N {
				b.StopTimer()
				env, statedb := blk.Fixture.Env(), blk.Fixture.State()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				if _, err := ex.Execute(context.Background(), env, blk.Txs, statedb, parallel.Validate); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				runtime.ReadMemStats(&after)
				mallocs += after.Mallocs - before.Mallocs
				b.StartTimer()
			}
			b.ReportMetric(float64(mallocs)/float64(b.N*txs), "allocs/tx")
		})
	}
}

func BenchmarkSequential(b *testing.B) { benchmarkExecutor(b, parallel.Sequential{}) }

func BenchmarkParallel(b *testing.B) { benchmarkExecutor(b, parallel.NewParallel(2)) }

func TestCeiling(t *testing.T) {
	blk, err := Build("transfer", 32)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2} {
		rep, err := RunBlock(context.Background(), "transfer", blk, workers, 2)
		if err != nil {
			t.Fatal(err)
		}
		if workers == 1 && rep.Ceiling != 1 {
			t.Errorf("one worker: ceiling %v, want 1", rep.Ceiling)
		}
		if math.IsNaN(rep.Ceiling) || math.IsInf(rep.Ceiling, 0) || rep.Ceiling <= 0 {
			t.Errorf("%d workers: ceiling %v", workers, rep.Ceiling)
		}
	}
}

func TestConcurrentRunsReportFailures(t *testing.T) {
	blk, err := Build("chain", 8)
	if err != nil {
		t.Fatal(err)
	}
	// Without its first transaction, the sender's nonce chain has a gap.
	gapped := *blk
	gapped.Txs = blk.Txs[1:]
	if _, err := measureConcurrent(context.Background(), &gapped, 2); err == nil {
		t.Fatal("no error for an invalid block")
	}
	if _, err := measureConcurrent(context.Background(), blk, 2); err != nil {
		t.Fatal(err)
	}
}
