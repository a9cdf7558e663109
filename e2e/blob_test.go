package e2e

import (
	"bytes"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	"github.com/lanes-rollup/lanes/fraudproof/derive"
)

// TestBlobBatchesDeriveBack runs `lanes batcher --da blobs` against a
// sequencer on anvil, then derives the L2 blocks from L1 alone: the
// BatchSubmitted logs, the blob transactions' versioned hashes, and the
// blobs from anvil's beacon API, each checked against its versioned hash.
// The derived blocks must be exactly the sequencer's: number, timestamp, L1
// origin and every transaction byte for byte.
func TestBlobBatchesDeriveBack(t *testing.T) {
	ctx := testContext(t)
	e := startRollupEnv(t, ctx, 0)
	startMiner(t, e.l1URL, 200*time.Millisecond)
	bp := proc.Start(t, proc.BuildLanes(t), "batcher", "--rollup", e.cfgPath, "--l1.rpc", e.l1URL, "--l2.rpc", e.node.url,
		"--batcher.key", devKey0Hex, "--da", "blobs", "--batcher.max-delay", "500ms", "--batcher.poll-interval", "100ms")
	last := e.transfers(t, ctx, 20)
	for rollupCall(t, e, e.rollup.PackLatestL2Block(), e.rollup.UnpackLatestL2Block) < last {
		if exited, err := bp.Exited(); exited {
			t.Fatalf("batcher exited (%v):\n%s", err, bp.Output())
		}
		if ctx.Err() != nil {
			t.Fatalf("L2 block %d not posted; batcher output:\n%s", last, bp.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	count, covered := e.checkBatches(t, ctx)
	for i := uint64(0); i < count; i++ {
		if b := rollupCall(t, e, e.rollup.PackBatch(new(big.Int).SetUint64(i)), e.rollup.UnpackBatch); !b.Blobs {
			t.Fatalf("batch %d was posted in calldata", i)
		}
	}

	beaconURL, err := derive.DefaultBeaconURL(e.l1URL)
	if err != nil {
		t.Fatal(err)
	}
	beacon, err := derive.NewBeaconClient(derive.BeaconConfig{URL: beaconURL}, e.l1)
	if err != nil {
		t.Fatal(err)
	}
	// One confirmation: the beacon block of L1 block N is named by N+1.
	traversal := derive.NewL1Traversal(e.l1, e.cfg.L1StartBlock, 1)
	retrieval := derive.NewBatchRetrieval(traversal, e.l1, e.cfg.Rollup, derive.WithBlobs(beacon))
	decoder := derive.NewBatchDecoder(retrieval, codec.DefaultLimits)
	next := uint64(1)
	for next <= covered {
		in, err := decoder.NextBlockInput(ctx)
		if errors.Is(err, derive.ErrNotReady) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatalf("derive L2 block %d: %v", next, err)
		}
		blk, err := e.l2.BlockByNumber(ctx, new(big.Int).SetUint64(in.Number))
		if err != nil {
			t.Fatal(err)
		}
		origin, err := codec.HeaderL1Origin(blk.Header())
		if err != nil {
			t.Fatal(err)
		}
		if in.Number != next || in.Timestamp != blk.Time() || in.L1Origin != origin || len(in.Transactions) != len(blk.Transactions()) {
			t.Fatalf("derived block %d (ts %d, origin %v, %d txs) differs from L2 block %d (ts %d, origin %v, %d txs)",
				in.Number, in.Timestamp, in.L1Origin, len(in.Transactions), next, blk.Time(), origin, len(blk.Transactions()))
		}
		for i, tx := range blk.Transactions() {
			raw, _ := tx.MarshalBinary()
			if !bytes.Equal(raw, in.Transactions[i]) {
				t.Fatalf("block %d tx %d differs", next, i)
			}
		}
		next++
	}
	t.Logf("derived L2 blocks 1..%d from %d blob batches", covered, count)
}
