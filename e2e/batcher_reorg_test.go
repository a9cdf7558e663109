package e2e

import (
	"context"
	"math/big"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
)

// rollupEnv is anvil with the Lanes contracts (lanes deploy) and a lanes
// sequencer following it.
type rollupEnv struct {
	l1URL   string
	cfgPath string
	cfg     *deploy.RollupConfig
	l1, l2  *ethclient.Client
	node    *lanesNode
	rollup  *bindings.Rollup
	sent    uint64 // L2 transfers sent so far, the next nonce
}

// startRollupEnv deploys the contracts on a fresh anvil (started with
// anvilArgs) and starts a sequencer on them; the sequencer's L1 origin stays
// originLag blocks behind the L1 head.
func startRollupEnv(t *testing.T, ctx context.Context, originLag int, anvilArgs ...string) *rollupEnv {
	t.Helper()
	l1URL := proc.StartAnvil(t, anvilArgs...)
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
	node := startLanes(t, filepath.Join(dir, "l2"), "--rollup", cfgPath, "--l1.rpc", l1URL, "--l1.confirmations", itoa(originLag))
	return &rollupEnv{l1URL: l1URL, cfgPath: cfgPath, cfg: cfg, l1: dial(t, l1URL), l2: dial(t, node.url), node: node, rollup: bindings.NewRollup()}
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// transfers sends n L2 transfers from dev account 2 and returns the block
// of the last one.
func (e *rollupEnv) transfers(t *testing.T, ctx context.Context, n int) uint64 {
	t.Helper()
	key, _ := devKey(2)
	to := common.HexToAddress("0x00000000000000000000000000000000000bb002")
	var last uint64
	for i := 0; i < n; i++ {
		tx := sendNew(t, ctx, e.l2, key, dynTx(e.sent, &to, big.NewInt(1), params.TxGas, nil))
		e.sent++
		last = mustSucceed(t, ctx, e.l2, tx).BlockNumber.Uint64()
	}
	return last
}

// rollupCall reads the Rollup at the L1 head.
func rollupCall[T any](t *testing.T, e *rollupEnv, pack []byte, unpack func([]byte) (T, error)) T {
	t.Helper()
	return rollupCallAt(t, e, nil, pack, unpack)
}

// rollupCallAt reads the Rollup at L1 block at (nil: the head).
func rollupCallAt[T any](t *testing.T, e *rollupEnv, at *big.Int, pack []byte, unpack func([]byte) (T, error)) T {
	t.Helper()
	opts := &bind.CallOpts{}
	if at != nil {
		// Pinned by hash: anvil has answered two calls pinned to one block
		// number from different states while it mined.
		h, err := e.l1.HeaderByNumber(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		opts.BlockHash = h.Hash()
	}
	v, err := bind.Call(e.rollup.Instance(e.l1, e.cfg.Rollup), opts, pack, unpack)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// checkBatches checks the Rollup's batches against the L2 chain: every
// batch starts right after the previous one, its last output root is our
// block's, and the canonical L1 chain holds exactly one BatchSubmitted log
// per batch (a duplicate post would have left a second one). Everything is
// read at one L1 block, the head when it starts. It returns the number of
// batches and the last L2 block they cover.
func (e *rollupEnv) checkBatches(t *testing.T, ctx context.Context) (uint64, uint64) {
	t.Helper()
	head, err := e.l1.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Mine on top, so that the block read is no longer the head: anvil
	// answers calls at its head from state that a block being mined may
	// already have changed.
	var mined any
	if err := proc.Call(e.l1URL, "evm_mine", nil, &mined); err != nil {
		t.Fatal(err)
	}
	at := new(big.Int).SetUint64(head)
	count := rollupCallAt(t, e, at, e.rollup.PackBatchCount(), e.rollup.UnpackBatchCount).Uint64()
	last := uint64(0)
	for i := uint64(0); i < count; i++ {
		b := rollupCallAt(t, e, at, e.rollup.PackBatch(new(big.Int).SetUint64(i)), e.rollup.UnpackBatch)
		if b.LastL2Block <= last {
			t.Fatalf("batch %d ends at %d, not after %d", i, b.LastL2Block, last)
		}
		h, err := e.l2.HeaderByNumber(ctx, new(big.Int).SetUint64(b.LastL2Block))
		if err != nil {
			t.Fatal(err)
		}
		if want := codec.BlockOutputRoot(h); common.Hash(b.LastOutputRoot) != want {
			t.Fatalf("batch %d: output root of block %d is %x, our chain gives %v", i, b.LastL2Block, b.LastOutputRoot, want)
		}
		last = b.LastL2Block
	}
	logs, err := e.l1.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: new(big.Int).SetUint64(e.cfg.L1StartBlock), ToBlock: at, Addresses: []common.Address{e.cfg.Rollup},
		Topics: [][]common.Hash{{e.rollup.GetABI().Events[bindings.RollupBatchSubmittedEventName].ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(1)
	for i := range logs {
		ev, err := e.rollup.UnpackBatchSubmittedEvent(&logs[i])
		if err != nil {
			t.Fatal(err)
		}
		if ev.BatchIndex.Uint64() != uint64(i) || ev.FirstL2Block != next {
			t.Fatalf("log %d: batch %v covers %d..%d, want batch %d from %d", i, ev.BatchIndex, ev.FirstL2Block, ev.LastL2Block, i, next)
		}
		next = ev.LastL2Block + 1
	}
	if uint64(len(logs)) != count || next != last+1 {
		t.Fatalf("%d BatchSubmitted logs up to block %d, contract has %d batches up to %d", len(logs), next-1, count, last)
	}
	return count, last
}

// startBatcher runs an in-process batcher against the env, stopped at the
// end of the test.
func (e *rollupEnv) startBatcher(t *testing.T, da batcher.DAMode) *batcher.Batcher {
	t.Helper()
	cfg := batcher.DefaultConfig()
	cfg.L1RPC = e.l1URL
	cfg.Rollup = e.cfg.Rollup
	cfg.L1StartBlock = e.cfg.L1StartBlock
	cfg.Key, _ = devKey(0)
	cfg.DA = da
	cfg.MaxBlocksPerBatch = 3
	cfg.MaxDelay = 200 * time.Millisecond
	cfg.PollInterval = 50 * time.Millisecond
	cfg.ResubmitAfter = 2 * time.Second
	b, err := batcher.New(cfg, batcher.RPCSource{Client: e.l2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop(context.Background()) })
	return b
}

// waitSafe waits until the batcher has seen L2 block n confirmed on L1.
func waitSafe(t *testing.T, ctx context.Context, b *batcher.Batcher, n uint64) {
	t.Helper()
	for b.SafeHead() < n {
		if err := b.Err(); err != nil {
			t.Fatalf("batcher halted: %v", err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("safe head %d, want %d", b.SafeHead(), n)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestBatcherReorgAndRestart posts L2 blocks, then reorganises L1 so that
// the last two batches vanish (anvil_reorg replaces their blocks with empty
// ones), and checks that the batcher posts those blocks again; then it
// restarts the batcher and checks it carries on. After each step the
// Rollup's batches cover the L2 chain contiguously, each block once.
func TestBatcherReorgAndRestart(t *testing.T) {
	ctx := testContext(t)
	// The sequencer's L1 origin stays 50 blocks behind, below any block
	// the reorg replaces: only the batches are reorganised, not the L2.
	e := startRollupEnv(t, ctx, 50)
	mine := startMiner(t, e.l1URL, 100*time.Millisecond)
	last := e.transfers(t, ctx, 12)
	b := e.startBatcher(t, batcher.DACalldata)
	waitSafe(t, ctx, b, last)
	before, covered := e.checkBatches(t, ctx)
	if before < 3 {
		t.Fatalf("only %d batches", before)
	}

	// Reorganise L1 from the block of the second-to-last batch.
	mine.pause()
	victim := rollupCall(t, e, e.rollup.PackBatch(new(big.Int).SetUint64(before-2)), e.rollup.UnpackBatch)
	head, err := e.l1.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	depth := head - victim.L1Block + 1
	var out any
	if err := proc.Call(e.l1URL, "anvil_reorg", []any{depth, []any{}}, &out); err != nil {
		t.Fatal(err)
	}
	after := rollupCall(t, e, e.rollup.PackBatchCount(), e.rollup.UnpackBatchCount).Uint64()
	if after > before-2 {
		t.Fatalf("reorg of %d blocks left %d of %d batches", depth, after, before)
	}
	t.Logf("reorg of %d L1 blocks removed batches %d..%d (L2 up to %d was posted)", depth, after, before-1, covered)
	mine.resume()
	for rollupCall(t, e, e.rollup.PackLatestL2Block(), e.rollup.UnpackLatestL2Block) < covered {
		if ctx.Err() != nil || b.Err() != nil {
			t.Fatalf("removed batches not posted again: %v, %v", ctx.Err(), b.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitSafe(t, ctx, b, covered)
	n, reposted := e.checkBatches(t, ctx)
	t.Logf("after the reorg: %d batches up to L2 block %d", n, reposted)

	// Restart: a new batcher continues from the contract's position.
	if err := b.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	last = e.transfers(t, ctx, 5)
	b = e.startBatcher(t, batcher.DACalldata)
	waitSafe(t, ctx, b, last)
	n, final := e.checkBatches(t, ctx)
	t.Logf("after the restart: %d batches up to L2 block %d", n, final)
}
