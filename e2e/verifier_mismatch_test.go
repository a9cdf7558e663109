package e2e

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	lanesrpc "github.com/lanes-rollup/lanes/rpc"
)

// A sequencer that commits a wrong output root is caught: the verifier
// rebuilds the batch's blocks from L1, keeps serving the chain it computed
// (which is the sequencer's, since the data is honest), and reports the
// batch, the block and both roots.
func TestVerifierReportsWrongOutputRoot(t *testing.T) {
	ctx := testContext(t)
	env := startRollupEnv(t, ctx, 0, "--block-time", "1")
	last := env.transfers(t, ctx, 3)

	// Build the batch of blocks 1..last as the batcher would, then lie
	// about the last block's output root.
	genesis, err := env.l2.HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	builder := batcher.NewBuilder(batcher.BuilderConfig{MaxBatchBytes: 100_000, MaxBlocks: 100}, time.Now)
	builder.Reset(0, genesis.Hash(), codec.BlockOutputRoot(genesis))
	for n := uint64(1); n <= last; n++ {
		block, err := env.l2.BlockByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		if err := builder.Add(block); err != nil {
			t.Fatal(err)
		}
	}
	cand, err := builder.Next()
	if err != nil || cand == nil {
		t.Fatalf("batch candidate: %v %v", cand, err)
	}
	honest := cand.LastOutputRoot
	lie := common.HexToHash("0x0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad0bad")

	key, _ := devKey(0) // the sequencer the deployment bonded
	l1ChainID, err := env.l1.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inst := env.rollup.Instance(env.l1, env.cfg.Rollup)
	transact := func(data []byte, value *big.Int) {
		t.Helper()
		opts := bind.NewKeyedTransactor(key, l1ChainID)
		opts.Value = value
		tx, err := bind.Transact(inst, opts, data)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := bind.WaitMined(ctx, env.l1, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("L1 transaction: %v %v", r, err)
		}
	}
	bond, err := bind.Call(inst, nil, env.rollup.PackSequencerBond(), env.rollup.UnpackSequencerBond)
	if err != nil {
		t.Fatal(err)
	}
	transact(env.rollup.PackDepositBond(), bond)
	transact(env.rollup.PackSubmitBatch(cand.Data, cand.PrevOutputRoot, cand.OutputsRoot, lie,
		cand.LastL2Block, cand.LastOrigin.Number, cand.LastOrigin.Hash), nil)

	verifier := startLanesCommand(t, []string{"verifier"}, t.TempDir(), "--rollup", env.cfgPath, "--l1.rpc", env.l1URL)
	v := dial(t, verifier.url)
	waitHead(t, ctx, v, last, verifier)
	compareChains(t, ctx, env.l2, v, last)

	want := []string{"Committed output root differs from the computed one", "batch=0", "field=lastOutputRoot",
		"l2block=" + itoa(int(last)), "computed=" + honest.Hex(), "committed=" + lie.Hex()}
	deadline := time.Now().Add(hangGuard)
	for {
		out := verifier.proc.Output()
		line := ""
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, want[0]) {
				line = l
				break
			}
		}
		missing := ""
		for _, w := range want {
			if !strings.Contains(line, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("verifier did not report %q; output:\n%s", missing, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Monitoring sees the same through lanes_syncStatus.
	var status lanesrpc.SyncStatus
	if err := proc.Call(verifier.url, "lanes_syncStatus", nil, &status); err != nil {
		t.Fatal(err)
	}
	if v := status.Verifier; v == nil || len(v.Mismatches) != 1 || v.Mismatches[0].Committed != lie ||
		v.Mismatches[0].Computed != honest || uint64(v.Mismatches[0].L2Block) != last {
		t.Fatalf("lanes_syncStatus verifier %+v, want the lastOutputRoot mismatch at block %d", status.Verifier, last)
	}
	if strings.Contains(verifier.proc.Output(), "Batch verified") {
		t.Fatalf("verifier called the lying batch verified:\n%s", verifier.proc.Output())
	}
}
