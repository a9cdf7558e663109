package derive

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// Start is where a pipeline begins: at the boundary before batch
// BatchIndex, with every stage in the state it would hold had it derived
// everything before. The zero value is the L2 genesis (the traversal then
// starts at Config.StartBlock).
type Start struct {
	// L1Block is the L1 block that included batch BatchIndex; the
	// traversal starts there, and batches of that block with a lower index
	// are skipped.
	L1Block uint64
	// L1ParentHash is the hash of L1 block L1Block-1, against which the
	// first block read is checked for a reorg. When zero it is read from L1
	// on the first call.
	L1ParentHash common.Hash
	BatchIndex   uint64

	// The last L2 block before the batch (the parent of its first block):
	// its number, L1 origin (zero while the chain has none), timestamp
	// and output root.
	L2Block    uint64
	L2Origin   codec.L1Origin
	L2Time     uint64
	OutputRoot common.Hash
}

// IsGenesis reports whether s is the L2 genesis.
func (s Start) IsGenesis() bool { return s.L2Block == 0 }

// StartAt returns the start before batch batchIndex, included in L1 block
// l1Block (whose parent hashes to l1ParentHash, or zero to read it), whose
// first block's parent is the L2 header parent.
func StartAt(l1Block uint64, l1ParentHash common.Hash, batchIndex uint64, parent *types.Header) (Start, error) {
	origin, err := codec.HeaderL1Origin(parent)
	if err != nil {
		return Start{}, err
	}
	return Start{
		L1Block:      l1Block,
		L1ParentHash: l1ParentHash,
		BatchIndex:   batchIndex,
		L2Block:      parent.Number.Uint64(),
		L2Origin:     origin,
		L2Time:       parent.Time,
		OutputRoot:   codec.BlockOutputRoot(parent),
	}, nil
}

// check reports a start that cannot follow from the config: a non-genesis
// start needs an L1 origin no older than the rollup's start block and
// older than the L1 block it starts from, or none (the zero origin: the
// sequencer had not taken one yet).
func (s Start) check(cfg Config) error {
	if s.IsGenesis() {
		if s != (Start{}) {
			return errors.New("derive: a start at L2 block 0 must be the zero Start")
		}
		return nil
	}
	if s.L2Origin == (codec.L1Origin{}) {
		return nil
	}
	switch {
	case s.L2Origin.Number < cfg.StartBlock || s.L2Origin.Hash == (common.Hash{}):
		return fmt.Errorf("derive: start after L2 block %d: origin %d is not a rollup L1 block (start block %d)", s.L2Block, s.L2Origin.Number, cfg.StartBlock)
	case s.L1Block <= s.L2Origin.Number:
		return fmt.Errorf("derive: start at L1 block %d is not after the parent's origin %d", s.L1Block, s.L2Origin.Number)
	}
	return nil
}
