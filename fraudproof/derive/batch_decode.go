package derive

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// BlockInput is one L2 block as a batch carries it, before deposits are
// added: what the verifier needs, with the chain config and the parent, to
// rebuild the block.
type BlockInput struct {
	Number       uint64
	Timestamp    uint64
	L1Origin     codec.L1Origin
	Transactions [][]byte // EIP-2718 encodings, as in codec.Block

	// Batch is what L1 committed to for the batch the block came from, so
	// later stages can check the block's output root against it and say
	// which batch to challenge.
	Batch *BatchCommitment
}

// BatchCommitment is what the Rollup recorded for one batch, besides its
// data: its place on L1, its L2 range and the output roots the sequencer
// claims for it.
type BatchCommitment struct {
	BatchIndex     uint64
	L1Block        uint64 // the L1 block that included the batch
	FirstL2Block   uint64
	LastL2Block    uint64
	PrevOutputRoot common.Hash
	OutputsRoot    common.Hash
	LastOutputRoot common.Hash
}

// commitmentOf returns the commitment of a posted batch.
func commitmentOf(b *PostedBatch) *BatchCommitment {
	return &BatchCommitment{
		BatchIndex:     b.BatchIndex,
		L1Block:        b.L1Block,
		FirstL2Block:   b.FirstL2Block,
		LastL2Block:    b.LastL2Block,
		PrevOutputRoot: b.PrevOutputRoot,
		OutputsRoot:    b.OutputsRoot,
		LastOutputRoot: b.LastOutputRoot,
	}
}

// PostedBatchSource is the stage before BatchDecoder (a *BatchRetrieval).
type PostedBatchSource interface {
	NextBatch(ctx context.Context) (*PostedBatch, error)
}

// BatchDecoder decodes posted batches and returns their blocks one by one,
// in order. It checks a whole batch before returning any of its blocks: the
// decoded range must be the one the Rollup recorded, and timestamps and L1
// origin numbers must never decrease, within the batch and from the last
// block of the batch before (or, for block 1, the genesis time).
type BatchDecoder struct {
	prev   PostedBatchSource
	limits codec.Limits

	pending []BlockInput
	last    *BlockInput // the last block returned, for the order checks
}

// NewBatchDecoder returns the stage decoding the batches prev yields.
func NewBatchDecoder(prev PostedBatchSource, limits codec.Limits) *BatchDecoder {
	return &BatchDecoder{prev: prev, limits: limits}
}

// ResumeAt makes the decoder check the first batch's order against the
// block before the start, as if it had returned that block. Call it before
// the first NextBlockInput; it does nothing for the genesis start.
func (d *BatchDecoder) ResumeAt(s Start) {
	if s.IsGenesis() {
		return
	}
	d.last = &BlockInput{Number: s.L2Block, Timestamp: s.L2Time, L1Origin: s.L2Origin}
}

// FollowGenesis makes the decoder check the first batch against the L2
// genesis, made at genesisTime: block 1 may not be older. Call it instead
// of ResumeAt for the genesis start, before the first NextBlockInput.
func (d *BatchDecoder) FollowGenesis(genesisTime uint64) {
	d.last = &BlockInput{Timestamp: genesisTime}
}

// NextBlockInput returns the next L2 block. A batch that breaks the rules is
// dropped whole and reported as an *InvalidBatchError.
func (d *BatchDecoder) NextBlockInput(ctx context.Context) (*BlockInput, error) {
	for len(d.pending) == 0 {
		b, err := d.prev.NextBatch(ctx)
		if err != nil {
			return nil, err
		}
		blocks, err := d.decode(b)
		if err != nil {
			return nil, err
		}
		d.pending = blocks
	}
	in := d.pending[0]
	d.pending = d.pending[1:]
	d.last = &in
	return &in, nil
}

// decode turns a posted batch into checked block inputs.
func (d *BatchDecoder) decode(b *PostedBatch) ([]BlockInput, error) {
	invalid := func(l2Block uint64, err error) error {
		return &InvalidBatchError{BatchIndex: b.BatchIndex, L1Block: b.L1Block, L2Block: l2Block, Err: err}
	}
	batch, err := codec.Decode(b.Data, d.limits)
	if err != nil {
		return nil, invalid(0, fmt.Errorf("%w: %w", ErrBatchUndecodable, err))
	}
	n := uint64(len(batch.Blocks))
	if n == 0 || batch.FirstBlock != b.FirstL2Block || b.LastL2Block < b.FirstL2Block || b.LastL2Block-b.FirstL2Block != n-1 {
		return nil, invalid(0, fmt.Errorf("%w: decoded %d blocks from %d, Rollup recorded %d..%d",
			ErrRangeMismatch, n, batch.FirstBlock, b.FirstL2Block, b.LastL2Block))
	}
	out := make([]BlockInput, n)
	commitment := commitmentOf(b)
	prev := d.last
	for i, blk := range batch.Blocks {
		in := BlockInput{
			Number:       b.FirstL2Block + uint64(i),
			Timestamp:    blk.Timestamp,
			L1Origin:     blk.L1Origin,
			Transactions: blk.Transactions,
			Batch:        commitment,
		}
		if prev != nil {
			if in.Timestamp < prev.Timestamp {
				return nil, invalid(in.Number, fmt.Errorf("%w: %d after %d", ErrTimestampDecreased, in.Timestamp, prev.Timestamp))
			}
			if in.L1Origin.Number < prev.L1Origin.Number {
				return nil, invalid(in.Number, fmt.Errorf("%w: %d after %d", ErrOriginDecreased, in.L1Origin.Number, prev.L1Origin.Number))
			}
		}
		out[i] = in
		prev = &out[i]
	}
	return out, nil
}
