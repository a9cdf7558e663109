package sequencer

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// blockAttributes returns the attributes that rebuild block.
func blockAttributes(t *testing.T, block *types.Block) *Attributes {
	t.Helper()
	origin, err := HeaderL1Origin(block.Header())
	if err != nil {
		t.Fatal(err)
	}
	return &Attributes{
		Timestamp:    block.Time(),
		L1Origin:     origin,
		Deposits:     block.Withdrawals(),
		Transactions: block.Transactions(),
	}
}

// replicaGenesisTime fixes the genesis of the nodes in these tests, so a
// replica and a sequencer share a chain.
const replicaGenesisTime = 1_700_000_000

func newReplica(t *testing.T) *Sequencer {
	cfg := testConfig()
	cfg.GenesisTime = replicaGenesisTime
	cfg.Replica = true
	return newTestNode(t, cfg)
}

func TestReplicaRebuildsSequencerBlocks(t *testing.T) {
	cfg := testConfig()
	cfg.GenesisTime = replicaGenesisTime
	seq := newTestNode(t, cfg)
	to := common.HexToAddress("0x00000000000000000000000000000000000c0c00")
	var last *types.Block
	for i := range 3 {
		tx := transfer(t, seq, 0, uint64(i), to, big.NewInt(int64(100+i)), big.NewInt(params.GWei))
		if err := seq.SendTx(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
		last = waitIncluded(t, seq, tx.Hash())
	}
	replica := newReplica(t)
	ctx := context.Background()
	for n := uint64(1); n <= last.NumberU64(); n++ {
		want := seq.Chain().GetBlockByNumber(n)
		got, err := replica.ApplyBlock(ctx, n, blockAttributes(t, want))
		if err != nil {
			t.Fatalf("apply %d: %v", n, err)
		}
		if got.Hash() != want.Hash() {
			t.Fatalf("block %d: replica %v, sequencer %v", n, got.Hash(), want.Hash())
		}
	}
	// Applying the same attributes again is a no-op: a restart re-derives.
	again, err := replica.ApplyBlock(ctx, 1, blockAttributes(t, seq.Chain().GetBlockByNumber(1)))
	if err != nil || again.Hash() != seq.Chain().GetBlockByNumber(1).Hash() {
		t.Fatalf("re-apply: %v %v", again, err)
	}
	if head := replica.Chain().CurrentBlock().Number.Uint64(); head != last.NumberU64() {
		t.Fatalf("re-apply moved the head to %d", head)
	}
	if err := replica.SendTx(ctx, last.Transactions()[0]); !errors.Is(err, ErrReplica) {
		t.Fatalf("SendTx on a replica: %v, want ErrReplica", err)
	}
}

func TestReplicaRewindsOnDifferentAttributes(t *testing.T) {
	replica := newReplica(t)
	ctx := context.Background()
	genesis := replica.Chain().Genesis()
	to := common.HexToAddress("0x00000000000000000000000000000000000d0d00")
	tx := transfer(t, replica, 0, 0, to, big.NewInt(7), big.NewInt(params.GWei))
	first := &Attributes{Timestamp: genesis.Time() + 1, Transactions: types.Transactions{tx}}
	if _, err := replica.ApplyBlock(ctx, 1, first); err != nil {
		t.Fatal(err)
	}
	if _, err := replica.ApplyBlock(ctx, 2, &Attributes{Timestamp: genesis.Time() + 2}); err != nil {
		t.Fatal(err)
	}
	// Block 1 again, now empty: the chain goes back to genesis and rebuilds.
	h, err := replica.ApplyBlock(ctx, 1, &Attributes{Timestamp: genesis.Time() + 1})
	if err != nil {
		t.Fatal(err)
	}
	if head := replica.Chain().CurrentBlock(); head.Hash() != h.Hash() || head.Number.Uint64() != 1 {
		t.Fatalf("head %d %v, want the rebuilt block 1 %v", head.Number, head.Hash(), h.Hash())
	}
	st, err := replica.Chain().StateAt(h.Root, h.Number, h.Time)
	if err != nil {
		t.Fatal(err)
	}
	if bal := st.GetBalance(to); !bal.IsZero() {
		t.Fatalf("balance %v after the rebuild, want 0", bal)
	}
}

func TestReplicaRejectsUnbuildableAttributes(t *testing.T) {
	replica := newReplica(t)
	ctx := context.Background()
	genesis := replica.Chain().Genesis()
	to := common.HexToAddress("0x00000000000000000000000000000000000e0e00")
	ok := transfer(t, replica, 0, 0, to, big.NewInt(1), big.NewInt(params.GWei))
	gap := transfer(t, replica, 0, 5, to, big.NewInt(1), big.NewInt(params.GWei)) // nonce gap
	_, err := replica.ApplyBlock(ctx, 1, &Attributes{Timestamp: genesis.Time() + 1, Transactions: types.Transactions{ok, gap}})
	var unbuildable *UnbuildableError
	if !errors.As(err, &unbuildable) || unbuildable.Index != 1 || unbuildable.Tx != gap.Hash() {
		t.Fatalf("err %v, want an UnbuildableError for transaction 1", err)
	}
	if head := replica.Chain().CurrentBlock().Number.Uint64(); head != 0 {
		t.Fatalf("head moved to %d", head)
	}
	if _, err := replica.ApplyBlock(ctx, 3, &Attributes{Timestamp: genesis.Time() + 1}); err == nil {
		t.Fatal("applied block 3 on genesis")
	}
	seq := newTestNode(t, testConfig())
	if _, err := seq.ApplyBlock(ctx, 1, &Attributes{Timestamp: genesis.Time() + 1}); !errors.Is(err, ErrNotReplica) {
		t.Fatalf("ApplyBlock on a sequencer: %v", err)
	}
}
