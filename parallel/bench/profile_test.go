package bench

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/lanes-rollup/lanes/parallel"
)

// TestProfileLoop runs one executor on one workload repeatedly, for
// profiling with -cpuprofile/-memprofile without the block building in the
// profile. Set LANES_PROF_WORKLOAD (and optionally LANES_PROF_EXEC=seq,
// LANES_PROF_TXS, LANES_PROF_ROUNDS) to run it.
func TestProfileLoop(t *testing.T) {
	w := os.Getenv("LANES_PROF_WORKLOAD")
	if w == "" {
		t.Skip("set LANES_PROF_WORKLOAD to run")
	}
	txs, rounds := 2000, 20
	if n, err := strconv.Atoi(os.Getenv("LANES_PROF_TXS")); err == nil {
		txs = n
	}
	if n, err := strconv.Atoi(os.Getenv("LANES_PROF_ROUNDS")); err == nil {
		rounds = n
	}
	var ex parallel.Executor = parallel.NewParallel(2)
	if os.Getenv("LANES_PROF_EXEC") == "seq" {
		ex = parallel.Sequential{}
	}
	blk, err := Build(w, txs)
	if err != nil {
		t.Fatal(err)
	}
	for range rounds {
		// Opened as the sequencer and lanes bench open it: the workers
		// share the StateDB's reader cache.
		env := blk.Fixture.Env()
		statedb, reader, err := parallel.OpenState(blk.Fixture.DB, blk.Fixture.Root)
		if err != nil {
			t.Fatal(err)
		}
		env.ParentReader = reader
		if _, err := ex.Execute(context.Background(), env, blk.Txs, statedb, parallel.Validate); err != nil {
			t.Fatal(err)
		}
	}
}
