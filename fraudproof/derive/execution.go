package derive

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// L2Chain is the L2 chain the verifier builds. In the lanes binary it is a
// sequencer in replica mode (sequencer.Sequencer.ApplyBlock), adapted in
// cmd/lanes; tests use a real one too.
type L2Chain interface {
	// ApplyBlock makes block attrs.Number from attrs on top of block
	// attrs.Number-1 and returns its header. When the chain already holds
	// that block built from the same attributes it returns it unchanged;
	// when it holds a different one it rewinds first. An error wrapping
	// ErrUnbuildable means the attributes cannot make a block.
	ApplyBlock(ctx context.Context, attrs *Attributes) (*types.Header, error)
}

// AttributesSource is the stage before Execution (an *AttributesBuilder).
type AttributesSource interface {
	NextAttributes(ctx context.Context) (*Attributes, error)
}

// ExecutedBlock is an L2 block the verifier built, with its output root.
type ExecutedBlock struct {
	Attributes *Attributes
	Header     *types.Header
	OutputRoot common.Hash
}

// Execution builds each derived block on the L2 chain. Building is
// deterministic, so the block it makes is the one the batch describes: the
// same transactions, timestamp, L1 origin and deposits on the same parent.
type Execution struct {
	prev  AttributesSource
	chain L2Chain

	attrs *Attributes // taken from prev but not yet built (after an I/O error)
}

// NewExecution returns the stage building the blocks prev derives on chain.
func NewExecution(prev AttributesSource, chain L2Chain) *Execution {
	return &Execution{prev: prev, chain: chain}
}

// NextBlock builds the next L2 block. Attributes that cannot make a block
// are an *InvalidBatchError; after any other error the same attributes are
// built again on the next call.
func (e *Execution) NextBlock(ctx context.Context) (*ExecutedBlock, error) {
	if e.attrs == nil {
		attrs, err := e.prev.NextAttributes(ctx)
		if err != nil {
			return nil, err
		}
		e.attrs = attrs
	}
	attrs := e.attrs
	header, err := e.chain.ApplyBlock(ctx, attrs)
	switch {
	case errors.Is(err, ErrUnbuildable):
		return nil, &InvalidBatchError{BatchIndex: attrs.Batch.BatchIndex, L1Block: attrs.Batch.L1Block, L2Block: attrs.Number, Err: err}
	case err != nil:
		return nil, fmt.Errorf("execute L2 block %d: %w", attrs.Number, err)
	case header.Number.Uint64() != attrs.Number:
		return nil, &CriticalError{L1Block: attrs.Batch.L1Block, Err: fmt.Errorf("L2 chain built block %d for attributes of %d", header.Number, attrs.Number)}
	}
	e.attrs = nil
	return &ExecutedBlock{Attributes: attrs, Header: header, OutputRoot: codec.BlockOutputRoot(header)}, nil
}
