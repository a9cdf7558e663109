package e2e

import (
	"math/big"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
)

// The whole L1 path with real processes: anvil, lanes deploy, a sequencer
// following L1, and lanes batcher. Transactions sent to L2 become `safe`
// once their batch is on L1, and a batcher killed with SIGKILL and started
// again continues where the contract says, with no gap and no duplicate.
func TestBatcherMakesL2Safe(t *testing.T) {
	ctx := testContext(t)
	l1URL := proc.StartAnvil(t, "--block-time", "1")
	bin := proc.BuildLanes(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "rollup.json")
	if out, err := exec.CommandContext(ctx, bin, "deploy", "--l1.rpc", l1URL, "--l1.key", devKey0Hex, "--out", cfgPath, "--dev").CombinedOutput(); err != nil {
		t.Fatalf("lanes deploy: %v\n%s", err, out)
	}
	cfg, err := deploy.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	node := startLanes(t, filepath.Join(dir, "l2"), "--rollup", cfgPath, "--l1.rpc", l1URL)
	l1, l2 := dial(t, l1URL), dial(t, node.url)
	startBatcher := func() *proc.Process {
		return proc.Start(t, bin, "batcher", "--rollup", cfgPath, "--l1.rpc", l1URL, "--l2.rpc", node.url,
			"--batcher.key", devKey0Hex, "--batcher.max-delay", "500ms", "--batcher.poll-interval", "200ms")
	}
	b := startBatcher()

	// waitSafe waits until the sequencer's safe tag reaches number.
	waitSafe := func(number uint64) {
		t.Helper()
		deadline := time.Now().Add(hangGuard)
		for {
			h, err := l2.HeaderByNumber(ctx, big.NewInt(int64(rpc.SafeBlockNumber)))
			if err == nil && h.Number.Uint64() >= number {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("safe did not reach %d (last: %v, %v); batcher output:\n%s", number, h, err, b.Output())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	key, _ := devKey(2)
	to := common.HexToAddress("0x00000000000000000000000000000000000bb001")
	var last uint64
	for round := 0; round < 2; round++ {
		for i := 0; i < 20; i++ {
			nonce := uint64(round*20 + i)
			tx := sendNew(t, ctx, l2, key, dynTx(nonce, &to, big.NewInt(1), params.TxGas, nil))
			last = mustSucceed(t, ctx, l2, tx).BlockNumber.Uint64()
		}
		waitSafe(last)
		if round == 0 {
			// Kill the batcher mid-stream; a new one resumes from L1.
			b.Kill9()
			<-b.Done()
			b = startBatcher()
		}
	}

	// The batches on L1 cover 1..n contiguously, each block once.
	rollup := bindings.NewRollup()
	logs, err := l1.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{cfg.Rollup}, FromBlock: new(big.Int).SetUint64(cfg.L1StartBlock)})
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(1)
	batches := 0
	for i := range logs {
		ev, err := rollup.UnpackBatchSubmittedEvent(&logs[i])
		if err != nil {
			continue // another event of the contract
		}
		if ev.FirstL2Block != next || ev.LastL2Block < ev.FirstL2Block {
			t.Fatalf("batch %d covers %d..%d, want it to start at %d", ev.BatchIndex, ev.FirstL2Block, ev.LastL2Block, next)
		}
		next = ev.LastL2Block + 1
		batches++
	}
	if next <= last {
		t.Fatalf("batches cover up to %d, the last transaction is in block %d", next-1, last)
	}
	t.Logf("%d batches cover L2 blocks 1..%d", batches, next-1)
}
