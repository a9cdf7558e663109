package sequencer

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// fakeL1 is a hand-written L1Client over an in-memory chain of headers and
// Portal logs.
type fakeL1 struct {
	headers []*types.Header
	logs    map[common.Hash][]types.Log
}

func newFakeL1(n int) *fakeL1 {
	l1 := &fakeL1{logs: make(map[common.Hash][]types.Log)}
	parent := common.Hash{}
	for i := 0; i < n; i++ {
		h := &types.Header{Number: big.NewInt(int64(i)), ParentHash: parent, Time: uint64(1000 + 12*i), Difficulty: new(big.Int)}
		l1.headers = append(l1.headers, h)
		parent = h.Hash()
	}
	return l1
}

func (l *fakeL1) HeaderByNumber(ctx context.Context, n *big.Int) (*types.Header, error) {
	if n == nil {
		return l.headers[len(l.headers)-1], nil
	}
	if n.Uint64() >= uint64(len(l.headers)) {
		return nil, ethereum.NotFound
	}
	return l.headers[n.Uint64()], nil
}

func (l *fakeL1) FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error) {
	return l.logs[*q.BlockHash], nil
}

func depositLog(nonce uint64, to common.Address, gwei uint64) types.Log {
	return types.Log{
		Topics: []common.Hash{DepositEventTopic, common.BigToHash(new(big.Int).SetUint64(nonce)), {}, common.BytesToHash(to[:])},
		Data:   common.BigToHash(new(big.Int).SetUint64(gwei)).Bytes(),
	}
}

func TestDepositTopicMatchesPortal(t *testing.T) {
	if id := bindings.NewPortal().GetABI().Events["DepositETH"].ID; id != DepositEventTopic {
		t.Fatalf("DepositEventTopic %v, Portal ABI says %v", DepositEventTopic, id)
	}
}

func TestL1DepositsNextOrigin(t *testing.T) {
	l1 := newFakeL1(10)
	to := common.Address{0xd0}
	l1.logs[l1.headers[4].Hash()] = []types.Log{depositLog(0, to, 7), depositLog(1, to, 9)}
	src := &L1Deposits{Client: l1, StartBlock: 3, Confirmations: 2}
	ctx := context.Background()

	// From the genesis the origin starts at the rollup's start block.
	origin, deps, err := src.NextOrigin(ctx, L1Origin{}, 5000)
	if err != nil || origin.Number != 3 || origin.Hash != l1.headers[3].Hash() || len(deps) != 0 {
		t.Fatalf("first origin %+v %v %v", origin, deps, err)
	}
	// Advancing onto block 4 credits its two deposits, in order.
	origin, deps, err = src.NextOrigin(ctx, origin, 5000)
	if err != nil || origin.Number != 4 || len(deps) != 2 || deps[0].Index != 0 || deps[1].Amount != 9 || deps[0].Address != to {
		t.Fatalf("origin 4: %+v %+v %v", origin, deps, err)
	}
	// The origin never gets closer to the head than the confirmations.
	parent := L1Origin{Number: 7, Hash: l1.headers[7].Hash()}
	if got, _, err := src.NextOrigin(ctx, parent, 5000); err != nil || got != parent {
		t.Fatalf("advanced past the confirmation depth: %+v %v", got, err)
	}
	// Nor onto an L1 block newer than the L2 block.
	parent = L1Origin{Number: 4, Hash: l1.headers[4].Hash()}
	if got, _, err := src.NextOrigin(ctx, parent, l1.headers[5].Time-1); err != nil || got != parent {
		t.Fatalf("advanced onto a newer L1 block: %+v %v", got, err)
	}
	// An origin that is no longer canonical is a reorg.
	stale := L1Origin{Number: 4, Hash: common.Hash{0xee}}
	if _, _, err := src.NextOrigin(ctx, stale, 5000); !errors.Is(err, ErrL1Reorg) {
		t.Fatalf("reorg: have %v, want ErrL1Reorg", err)
	}
	// A malformed Portal log is refused, not half-credited.
	bad := depositLog(2, to, 1)
	bad.Data = bad.Data[:31]
	l1.logs[l1.headers[5].Hash()] = []types.Log{bad}
	if _, _, err := src.NextOrigin(ctx, parent, 5000); !errors.Is(err, ErrBadDepositLog) {
		t.Fatalf("bad log: have %v, want ErrBadDepositLog", err)
	}
}
