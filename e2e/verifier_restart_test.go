package e2e

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
)

// The verifier's log lines saying where derivation resumes and which
// batch it verified.
var (
	resumesLine  = regexp.MustCompile(`Derivation resumes\s.*?\bbatch=(\d+)\s+l1block=(\d+)`)
	verifiedLine = regexp.MustCompile(`Batch verified\s.*?\bbatch=(\d+)`)
)

// A verifier stopped with SIGTERM and started again on the same data
// directory resumes from the batch holding its head instead of reading L1
// from the rollup's start: it says so, never checks batch 0 again, and
// follows the batches posted while it was down to the sequencer's chain.
func TestVerifierResumesAfterRestart(t *testing.T) {
	ctx := testContext(t)
	env := startRollupEnv(t, ctx, 0, "--block-time", "1")
	bin := proc.BuildLanes(t)
	batcher := proc.Start(t, bin, "batcher", "--rollup", env.cfgPath, "--l1.rpc", env.l1URL, "--l2.rpc", env.node.url, "--da", "calldata",
		"--batcher.key", devKey0Hex, "--batcher.max-delay", "500ms", "--batcher.poll-interval", "200ms")

	// Two rounds, each posted before the next: the head is past batch 0.
	sent := 0
	round := func(n int) uint64 {
		t.Helper()
		last := waitMixed(t, ctx, env.l2, sendMixed(t, ctx, env.l2, n, sent))
		sent += n
		waitTag(t, ctx, env.l2, rpc.SafeBlockNumber, last, batcher)
		return last
	}
	round(20)
	last := round(20)

	datadir := t.TempDir()
	args := []string{"--rollup", env.cfgPath, "--l1.rpc", env.l1URL}
	first := startLanesCommand(t, []string{"verifier"}, datadir, args...)
	waitHead(t, ctx, dial(t, first.url), last, first)
	if err := first.proc.Stop(); err != nil { // SIGTERM
		t.Fatalf("verifier did not stop cleanly: %v\n%s", err, first.proc.Output())
	}
	if out := first.proc.Output(); !strings.Contains(out, "Derivation starts from the L2 genesis") {
		t.Fatalf("a verifier on an empty directory did not start from the genesis:\n%s", out)
	}

	// More batches land while it is down.
	batchesBefore := rollupCall(t, env, env.rollup.PackBatchCount(), env.rollup.UnpackBatchCount).Uint64()
	last = round(20)
	if n := rollupCall(t, env, env.rollup.PackBatchCount(), env.rollup.UnpackBatchCount).Uint64(); n <= batchesBefore {
		t.Fatalf("no batch posted while the verifier was down (%d, then %d)", batchesBefore, n)
	}

	restarted := startLanesCommand(t, []string{"verifier"}, datadir, args...)
	v := dial(t, restarted.url)
	waitHead(t, ctx, v, last, restarted)
	compareChains(t, ctx, env.l2, v, last)

	out := restarted.proc.Output()
	m := resumesLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the restarted verifier did not say where it resumes:\n%s", out)
	}
	batch, _ := strconv.ParseUint(m[1], 10, 64)
	l1Block, _ := strconv.ParseUint(m[2], 10, 64)
	if batch == 0 {
		t.Fatalf("the restarted verifier resumed at batch 0:\n%s", out)
	}
	if want := rollupCall(t, env, env.rollup.PackBatch(new(big.Int).SetUint64(batch)), env.rollup.UnpackBatch).L1Block; l1Block != want {
		t.Fatalf("resumed at L1 block %d, batch %d was included in %d", l1Block, batch, want)
	}
	t.Logf("resumed at batch %d, L1 block %d (rollup starts at L1 block %d)", batch, l1Block, env.cfg.L1StartBlock)
	for _, bad := range []string{"Derivation starts from the L2 genesis", "Cannot resume", "Committed output root differs", "breaks the derivation rules"} {
		if strings.Contains(out, bad) {
			t.Fatalf("restarted verifier logged %q:\n%s", bad, out)
		}
	}
	// Batches are verified from the start on, none before it.
	verified := verifiedLine.FindAllStringSubmatch(out, -1)
	if len(verified) == 0 {
		t.Fatalf("restarted verifier verified no batch:\n%s", out)
	}
	for i, m := range verified {
		n, _ := strconv.ParseUint(m[1], 10, 64)
		if n < batch || (i == 0 && n != batch) {
			t.Fatalf("restarted verifier verified batch %d (check %d), start %d:\n%s", n, i, batch, out)
		}
	}
}

// An L1 reorg that removes the last batches under a running verifier makes
// it step back: derivation resumes from a batch included below the
// replaced L1 blocks (not from the genesis), and the verifier follows the
// batches posted again to the sequencer's chain.
func TestVerifierResumesBelowL1Reorg(t *testing.T) {
	ctx := testContext(t)
	// L1 origins stay 50 blocks behind, below the reorg: only batches move.
	env := startRollupEnv(t, ctx, 50)
	mine := startMiner(t, env.l1URL, 100*time.Millisecond)
	last := env.transfers(t, ctx, 12)
	b := env.startBatcher(t, batcher.DACalldata)
	waitSafe(t, ctx, b, last)
	count, covered := env.checkBatches(t, ctx)

	verifier := startLanesCommand(t, []string{"verifier"}, t.TempDir(), "--rollup", env.cfgPath, "--l1.rpc", env.l1URL)
	v := dial(t, verifier.url)
	waitHead(t, ctx, v, covered, verifier) // it has read the L1 block of the last batch

	// Replace the L1 blocks from the one holding the second-to-last batch.
	mine.pause()
	removedFrom := count - 2
	victim := rollupCall(t, env, env.rollup.PackBatch(new(big.Int).SetUint64(removedFrom)), env.rollup.UnpackBatch)
	head, err := env.l1.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ignored any
	if err := proc.Call(env.l1URL, "anvil_reorg", []any{head - victim.L1Block + 1, []any{}}, &ignored); err != nil {
		t.Fatal(err)
	}
	mine.resume()
	for rollupCall(t, env, env.rollup.PackLatestL2Block(), env.rollup.UnpackLatestL2Block) < covered {
		if err := b.Err(); err != nil || ctx.Err() != nil {
			t.Fatalf("removed batches not posted again: %v, %v", err, ctx.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}

	last = env.transfers(t, ctx, 3)
	waitSafe(t, ctx, b, last)
	waitHead(t, ctx, v, last, verifier)
	compareChains(t, ctx, env.l2, v, last)

	out := verifier.proc.Output()
	reorg := strings.Index(out, "L1 reorganised under derivation")
	if reorg < 0 {
		t.Fatalf("the verifier did not notice the reorg:\n%s", out)
	}
	m := resumesLine.FindStringSubmatch(out[reorg:])
	if m == nil {
		t.Fatalf("the verifier did not resume after the reorg:\n%s", out)
	}
	batch, _ := strconv.ParseUint(m[1], 10, 64)
	if batch == 0 || batch >= removedFrom {
		t.Fatalf("resumed at batch %d after a reorg that removed batches from %d; want 0 < batch < %d:\n%s", batch, removedFrom, removedFrom, out)
	}
	t.Logf("batches %d..%d removed; resumed at batch %d, L1 block %s", removedFrom, count-1, batch, m[2])
	for _, bad := range []string{"Cannot resume", "Committed output root differs", "breaks the derivation rules"} {
		if strings.Contains(out, bad) {
			t.Fatalf("verifier logged %q:\n%s", bad, out)
		}
	}
}
