package sequencer

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

func TestSafeAndFinalizedOnlyMoveForward(t *testing.T) {
	s := openTestNode(t)
	s.deposits = stubDeposits{} // an L1 is configured: the loop leaves the tags alone
	for i := uint64(0); i < 3; i++ {
		if err := s.SendTx(context.Background(), transfer(t, s, 0, i, common.Address{0xaa}, big.NewInt(1), big.NewInt(params.GWei))); err != nil {
			t.Fatal(err)
		}
		mustBuild(t, s)
	}
	tags := func() (uint64, uint64) {
		safe, err := s.HeaderByNumber(context.Background(), rpc.SafeBlockNumber)
		if err != nil {
			t.Fatal(err)
		}
		final, err := s.HeaderByNumber(context.Background(), rpc.FinalizedBlockNumber)
		if err != nil {
			t.Fatal(err)
		}
		return safe.Number.Uint64(), final.Number.Uint64()
	}
	if _, err := s.HeaderByNumber(context.Background(), rpc.SafeBlockNumber); err != errSafeNotFound {
		t.Fatalf("safe before any batch: %v, want %v", err, errSafeNotFound)
	}
	for _, step := range []struct{ safe, final, wantSafe, wantFinal uint64 }{
		{2, 1, 2, 1},
		{1, 0, 2, 1}, // never backwards
		{9, 9, 2, 1}, // never past the head
		{3, 5, 3, 3}, // finalized never ahead of safe
	} {
		s.SetSafeAndFinalized(step.safe, step.final)
		if safe, final := tags(); safe != step.wantSafe || final != step.wantFinal {
			t.Fatalf("after (%d, %d): safe %d finalized %d, want %d %d", step.safe, step.final, safe, final, step.wantSafe, step.wantFinal)
		}
	}
}

// stubDeposits is a DepositSource with no L1 behind it: the origin never
// moves.
type stubDeposits struct{}

func (stubDeposits) NextOrigin(ctx context.Context, parent L1Origin, _ uint64) (L1Origin, types.Withdrawals, error) {
	return parent, nil, nil
}

func TestSafeAndFinalizedFollowGenesisWithoutL1(t *testing.T) {
	cfg := testConfig()
	cfg.BlockTime = time.Hour // no block while the tags are read
	s := newTestNode(t, cfg)
	for _, tag := range []rpc.BlockNumber{rpc.SafeBlockNumber, rpc.FinalizedBlockNumber} {
		h, err := s.HeaderByNumber(context.Background(), tag)
		if err != nil {
			t.Fatalf("%v on a fresh chain: %v", tag, err)
		}
		if h.Number.Uint64() != 0 {
			t.Fatalf("%v = block %d, want the genesis", tag, h.Number)
		}
	}
}
