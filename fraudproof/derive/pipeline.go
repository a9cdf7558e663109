package derive

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/common"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// Config says where the rollup lives on L1 and how far behind the head the
// pipeline reads.
type Config struct {
	Rollup common.Address
	Portal common.Address
	// StartBlock is the L1 block the rollup starts from (the deploy block):
	// the traversal starts there, and it is the first L2 block's L1 origin.
	StartBlock uint64
	// Confirmations is how many L1 blocks must follow one before it is read.
	Confirmations uint64
	// Blobs serves the blobs of blob batches (a *BeaconClient). Without
	// it a blob batch stops derivation with ErrBlobsUnsupported.
	Blobs BlobSource
	// GenesisTime is the L2 genesis block's timestamp: block 1 may not be
	// older, as no block may be older than its parent.
	GenesisTime uint64
}

// Check reports a config the pipeline cannot run with.
func (c Config) Check() error {
	if c.Rollup == (common.Address{}) {
		return errors.New("derive: no Rollup address")
	}
	if c.Portal == (common.Address{}) {
		return errors.New("derive: no Portal address")
	}
	if c.Rollup == c.Portal {
		return errors.New("derive: Rollup and Portal share an address")
	}
	return nil
}

// Pipeline derives L2 block attributes from L1, from the L2 genesis or from
// a batch boundary (Start) on. It holds no goroutines and no context; every
// call pulls through the stages.
type Pipeline struct {
	attributes *AttributesBuilder
	halted     error // the first *InvalidBatchError or *CriticalError
}

// NewPipeline wires the stages in data-flow order (see doc.go), to derive
// from the L2 genesis.
func NewPipeline(cfg Config, l1 L1Reader) (*Pipeline, error) {
	return NewPipelineAt(cfg, Start{}, l1)
}

// NewPipelineAt is NewPipeline starting at start: the first attributes are
// those of the first block of batch start.BatchIndex, and every check runs
// as if everything before had been derived. The zero Start is the genesis.
func NewPipelineAt(cfg Config, start Start, l1 L1Reader) (*Pipeline, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if err := start.check(cfg); err != nil {
		return nil, err
	}
	traversal := NewL1Traversal(l1, cfg.StartBlock, cfg.Confirmations)
	var opts []RetrievalOption
	if cfg.Blobs != nil {
		opts = append(opts, WithBlobs(cfg.Blobs))
	}
	retrieval := NewBatchRetrieval(traversal, l1, cfg.Rollup, opts...)
	decoder := NewBatchDecoder(retrieval, codec.DefaultLimits)
	attributes := NewAttributesBuilder(decoder, l1, cfg.Portal, cfg.StartBlock)
	traversal.ResumeAt(start)
	retrieval.ResumeAt(start)
	decoder.ResumeAt(start)
	if start.IsGenesis() {
		decoder.FollowGenesis(cfg.GenesisTime)
	}
	attributes.ResumeAt(start)
	return &Pipeline{attributes: attributes}, nil
}

// NextAttributes returns the attributes of the next L2 block. Errors, by
// what the caller does about them:
//   - ErrNotReady: wait for L1 and call again;
//   - *ResetError: L1 reorganised; build a new pipeline from before the fork;
//   - *InvalidBatchError: challenge that batch;
//   - *CriticalError: stop and alert.
//
// The last two halt the pipeline: every later call returns the same error,
// since the batches after an invalid one build on it. Any other error is I/O
// and the next call retries it.
func (p *Pipeline) NextAttributes(ctx context.Context) (*Attributes, error) {
	if p.halted != nil {
		return nil, p.halted
	}
	attrs, err := p.attributes.NextAttributes(ctx)
	if err != nil {
		var invalid *InvalidBatchError
		var critical *CriticalError
		if errors.As(err, &invalid) || errors.As(err, &critical) {
			p.halted = err
		}
		return nil, err
	}
	return attrs, nil
}
