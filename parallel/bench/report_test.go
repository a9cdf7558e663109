package bench

import (
	"context"
	"encoding/json"
	"os"
	"strconv"
	"testing"
)

// TestReport prints `lanes bench parallel --json` lines for every workload
// when LANES_BENCH_TXS is set (LANES_BENCH_WORKERS defaults to 2). It is a
// report, not an assertion on timing; it fails only on a mismatch.
func TestReport(t *testing.T) {
	txs, _ := strconv.Atoi(os.Getenv("LANES_BENCH_TXS"))
	if txs == 0 {
		t.Skip("set LANES_BENCH_TXS to run")
	}
	workers := 2
	if w, err := strconv.Atoi(os.Getenv("LANES_BENCH_WORKERS")); err == nil {
		workers = w
	}
	for _, w := range Workloads {
		rep, err := Run(context.Background(), Config{Workload: w, Txs: txs, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		line, _ := json.Marshal(rep)
		t.Log(string(line))
		if !rep.Identical {
			t.Errorf("%s: %s", w, rep.Mismatch)
		}
	}
}
