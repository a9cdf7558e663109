package derive

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// L1Reader is all the pipeline reads from L1. An ethclient.Client satisfies
// it; tests use a hand-written fake.
type L1Reader interface {
	// HeaderByNumber returns the header at number, or the head for nil.
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	BlockByNumber(ctx context.Context, number *big.Int) (*types.Block, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// L1Traversal walks the confirmed L1 chain one block at a time from a start
// block, and notices when the chain it walked is reorganised.
type L1Traversal struct {
	l1            L1Reader
	next          uint64      // the number of the block NextL1Block returns
	prevHash      common.Hash // hash of block next-1; zero before the first
	confirmations uint64
	// readParent says prevHash is not known yet: the first call reads the
	// header of block next-1 for it (a start whose parent hash was not given).
	readParent bool
}

// NewL1Traversal returns a traversal whose first block is start and that
// never reads past head - confirmations.
func NewL1Traversal(l1 L1Reader, start, confirmations uint64) *L1Traversal {
	return &L1Traversal{l1: l1, next: start, confirmations: confirmations}
}

// ResumeAt makes the traversal start at s.L1Block, checking that block's
// parent hash against s.L1ParentHash (or the parent as L1 holds it on the first
// call, when that is zero). Call it before the first NextL1Block; it does
// nothing for the genesis start.
func (t *L1Traversal) ResumeAt(s Start) {
	if s.IsGenesis() {
		return
	}
	t.next, t.prevHash = s.L1Block, s.L1ParentHash
	t.readParent = s.L1ParentHash == (common.Hash{}) && s.L1Block > 0
}

// NextL1Block returns the next confirmed L1 block. It returns ErrNotReady when
// there is none yet and a *ResetError when the block does not extend the one
// returned before it. On any error the traversal stays where it was.
func (t *L1Traversal) NextL1Block(ctx context.Context) (*types.Block, error) {
	head, err := t.l1.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("L1 head: %w", err)
	}
	if head.Number.Uint64() < t.confirmations || head.Number.Uint64()-t.confirmations < t.next {
		return nil, ErrNotReady
	}
	if t.readParent {
		parent, err := t.l1.HeaderByNumber(ctx, new(big.Int).SetUint64(t.next-1))
		if err != nil {
			return nil, fmt.Errorf("L1 block %d: %w", t.next-1, err)
		}
		t.prevHash, t.readParent = parent.Hash(), false
	}
	block, err := t.l1.BlockByNumber(ctx, new(big.Int).SetUint64(t.next))
	if err != nil {
		return nil, fmt.Errorf("L1 block %d: %w", t.next, err)
	}
	if block.NumberU64() != t.next {
		return nil, fmt.Errorf("L1 block %d: node returned block %d", t.next, block.NumberU64())
	}
	if t.prevHash != (common.Hash{}) && block.ParentHash() != t.prevHash {
		return nil, &ResetError{Number: t.next, ParentHash: block.ParentHash(), ExpectedHash: t.prevHash}
	}
	t.prevHash = block.Hash()
	t.next++
	return block, nil
}
