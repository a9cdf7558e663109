package derive

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// ExecutedBlockSource is the stage before OutputCheck (an *Execution).
type ExecutedBlockSource interface {
	NextBlock(ctx context.Context) (*ExecutedBlock, error)
}

// CheckedBatch is a batch whose blocks the verifier built, with the output
// roots it computed beside the ones L1 holds.
type CheckedBatch struct {
	Commitment *BatchCommitment
	Blocks     []*ExecutedBlock

	// What the verifier computed for the fields of the commitment.
	PrevOutputRoot common.Hash // the output root of block FirstL2Block-1
	OutputsRoot    common.Hash
	LastOutputRoot common.Hash
}

// OutputMismatch is one committed root of a batch that differs from what
// the verifier computed. Block is the L2 block the root belongs to, or 0
// for the outputsRoot, which covers the whole batch.
type OutputMismatch struct {
	BatchIndex uint64
	L1Block    uint64
	Field      string // "prevOutputRoot", "outputsRoot" or "lastOutputRoot"
	Block      uint64
	Computed   common.Hash
	Committed  common.Hash
}

func (m OutputMismatch) String() string {
	where := fmt.Sprintf("L2 block %d", m.Block)
	if m.Block == 0 && m.Field == "outputsRoot" {
		where = "its blocks"
	}
	return fmt.Sprintf("batch %d (L1 block %d), %s of %s: computed %v, committed %v",
		m.BatchIndex, m.L1Block, m.Field, where, m.Computed, m.Committed)
}

// Mismatches lists every committed root of the batch that differs from the
// computed one; none means the sequencer's claims are right.
func (b *CheckedBatch) Mismatches() []OutputMismatch {
	c := b.Commitment
	var out []OutputMismatch
	check := func(field string, block uint64, computed, committed common.Hash) {
		if computed != committed {
			out = append(out, OutputMismatch{BatchIndex: c.BatchIndex, L1Block: c.L1Block, Field: field, Block: block, Computed: computed, Committed: committed})
		}
	}
	check("prevOutputRoot", c.FirstL2Block-1, b.PrevOutputRoot, c.PrevOutputRoot)
	check("outputsRoot", 0, b.OutputsRoot, c.OutputsRoot)
	check("lastOutputRoot", c.LastL2Block, b.LastOutputRoot, c.LastOutputRoot)
	return out
}

// OutputCheck gathers the blocks of each batch and computes the roots the
// batch commits to, for comparison with what L1 holds.
type OutputCheck struct {
	prev ExecutedBlockSource

	lastOutput common.Hash // the output root of the last block returned
	pending    *CheckedBatch
}

// NewOutputCheck returns the stage checking the blocks prev builds on top
// of genesis, the L2 genesis header.
func NewOutputCheck(prev ExecutedBlockSource, genesis *types.Header) *OutputCheck {
	return &OutputCheck{prev: prev, lastOutput: codec.BlockOutputRoot(genesis)}
}

// ResumeAt makes the first batch's prevOutputRoot the output root of the
// block before the start. Call it before the first NextBatch; it does
// nothing for the genesis start.
func (o *OutputCheck) ResumeAt(s Start) {
	if s.IsGenesis() {
		return
	}
	o.lastOutput = s.OutputRoot
}

// NextBatch returns the next batch once all its blocks are built. Its
// mismatches, if any, are for the caller to report and challenge.
func (o *OutputCheck) NextBatch(ctx context.Context) (*CheckedBatch, error) {
	for {
		block, err := o.prev.NextBlock(ctx)
		if err != nil {
			return nil, err
		}
		c := block.Attributes.Batch
		if o.pending == nil {
			o.pending = &CheckedBatch{Commitment: c, PrevOutputRoot: o.lastOutput}
		} else if o.pending.Commitment != c {
			// The decoder returns every block of a batch before the next.
			return nil, &CriticalError{L1Block: c.L1Block, Err: fmt.Errorf("block %d of batch %d arrived before batch %d was complete", block.Header.Number, c.BatchIndex, o.pending.Commitment.BatchIndex)}
		}
		o.pending.Blocks = append(o.pending.Blocks, block)
		o.lastOutput = block.OutputRoot
		if block.Attributes.Number < c.LastL2Block {
			continue
		}
		batch := o.pending
		o.pending = nil
		outputs := make([]common.Hash, len(batch.Blocks))
		for i, b := range batch.Blocks {
			outputs[i] = b.OutputRoot
		}
		if batch.OutputsRoot, err = codec.OutputsRoot(outputs); err != nil {
			return nil, &CriticalError{L1Block: c.L1Block, Err: err}
		}
		batch.LastOutputRoot = block.OutputRoot
		return batch, nil
	}
}
