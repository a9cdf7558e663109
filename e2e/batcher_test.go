package e2e

import (
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
)

// The whole L1 path with real processes: anvil, lanes deploy, a sequencer
// following L1, and lanes batcher. Transactions sent to L2 become `safe`
// once their batch is on L1, and a batcher killed with SIGKILL and started
// again continues where the contract says, with no gap and no duplicate.
func TestBatcherMakesL2Safe(t *testing.T) {
	ctx := testContext(t)
	e := startRollupEnv(t, ctx, 0, "--block-time", "1")
	startBatcher := func() *proc.Process {
		return proc.Start(t, proc.BuildLanes(t), "batcher", "--rollup", e.cfgPath, "--l1.rpc", e.l1URL, "--l2.rpc", e.node.url,
			"--batcher.key", devKey0Hex, "--batcher.max-delay", "500ms", "--batcher.poll-interval", "200ms")
	}
	b := startBatcher()

	// waitSafe waits until the sequencer's safe tag reaches number.
	waitSafe := func(number uint64) {
		t.Helper()
		deadline := time.Now().Add(hangGuard)
		for {
			h, err := e.l2.HeaderByNumber(ctx, big.NewInt(int64(rpc.SafeBlockNumber)))
			if err == nil && h.Number.Uint64() >= number {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("safe did not reach %d (last: %v, %v); batcher output:\n%s", number, h, err, b.Output())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var last uint64
	for round := 0; round < 2; round++ {
		last = e.transfers(t, ctx, 20)
		waitSafe(last)
		if round == 0 {
			// Kill the batcher mid-stream; a new one resumes from L1.
			b.Kill9()
			<-b.Done()
			b = startBatcher()
		}
	}

	// The batches on L1 cover 1..n contiguously, each block once.
	batches, covered := e.checkBatches(t, ctx)
	if covered < last {
		t.Fatalf("batches cover up to %d, the last transaction is in block %d", covered, last)
	}
	t.Logf("%d batches cover L2 blocks 1..%d", batches, covered)
}
