package batcher

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

// L2Source is how the batcher reads the L2 chain. The node adapts its
// core.BlockChain to it; tests use an in-memory fake.
type L2Source interface {
	// BlockByNumber returns the canonical L2 block n, or an error if there
	// is none.
	BlockByNumber(ctx context.Context, n uint64) (*types.Block, error)
	// Head returns the number of the newest L2 block.
	Head(ctx context.Context) (uint64, error)
}

// Errors of the builder.
var (
	// ErrNotContiguous is returned by Builder.Add for a block that is not the
	// next one or does not build on the previous one (an L2 reorg).
	ErrNotContiguous = errors.New("batcher: block does not extend the pending blocks")
	// ErrBadOrigin is returned for an L2 header whose L1 origin is malformed:
	// Extra must be exactly 8 bytes and ParentBeaconRoot set.
	ErrBadOrigin = errors.New("batcher: block has no valid L1 origin")
	// ErrBlockTooLarge is returned when one block alone encodes to more than
	// MaxBatchBytes: it can never be posted as calldata.
	ErrBlockTooLarge = errors.New("batcher: single block exceeds the batch size limit")
	// ErrOutputMismatch is returned when the output root the Rollup contract
	// holds for an L2 block differs from the one computed from our chain:
	// the L2 chain differs from what was posted.
	ErrOutputMismatch = errors.New("batcher: L2 chain differs from the output root posted on L1")
)

// BuilderConfig bounds the batches a Builder makes.
type BuilderConfig struct {
	// MaxBatchBytes bounds the encoded batch (the calldata `data` argument).
	MaxBatchBytes int
	// MaxBlocks bounds the number of blocks in one batch.
	MaxBlocks int
	// MaxDelay is how long the oldest pending block may wait before the
	// pending blocks are posted even though the batch is not full.
	MaxDelay time.Duration
}

// Candidate is a batch ready to be posted with submitBatch.
type Candidate struct {
	Batch codec.Batch
	// Data is codec.Encode(Batch, codec.DefaultVersion).
	Data []byte
	// RawSize estimates the uncompressed size of the batch (transactions
	// plus 48 bytes of timestamp and origin per block), for the compression
	// ratio metric.
	RawSize int
	// OutputRoots holds the output root of every block, in order.
	OutputRoots    []common.Hash
	PrevOutputRoot common.Hash // output root of block FirstBlock-1
	OutputsRoot    common.Hash // codec.OutputsRoot(OutputRoots)
	LastOutputRoot common.Hash
	LastL2Block    uint64
	// LastOrigin is the L1 origin of the last block: the preferred L1 origin
	// of the submission (see ChooseL1Origin).
	LastOrigin codec.L1Origin
}

type pendingBlock struct {
	number  uint64
	hash    common.Hash
	block   codec.Block
	output  common.Hash
	size    int       // raw size estimate
	addedAt time.Time // when the builder saw it, or its header time if older
}

// Builder is the pure core of the batcher: it holds the L2 blocks not yet
// posted and cuts them into batches. It does no I/O and is owned by one
// goroutine.
type Builder struct {
	cfg BuilderConfig
	now func() time.Time

	baseNumber uint64      // last block already posted
	baseHash   common.Hash // its hash; zero when unknown
	baseOutput common.Hash // its output root
	pending    []pendingBlock
	rawSize    int
	// ratio is raw bytes per encoded byte of the last batch cut: Full uses it
	// to guess when the pending blocks will fill a batch without encoding
	// them after every block.
	ratio float64
}

// NewBuilder returns a builder positioned after block 0 with a zero output
// root; call Reset to position it. now is the clock (time.Now outside tests).
func NewBuilder(cfg BuilderConfig, now func() time.Time) *Builder {
	return &Builder{cfg: cfg, now: now, ratio: 1}
}

// Base returns the last posted block the builder builds on and its output root.
func (b *Builder) Base() (uint64, common.Hash) { return b.baseNumber, b.baseOutput }

// NextNumber returns the number of the block Add expects next.
func (b *Builder) NextNumber() uint64 { return b.baseNumber + uint64(len(b.pending)) + 1 }

// Pending returns the number of blocks waiting to be posted.
func (b *Builder) Pending() int { return len(b.pending) }

// Add appends the next L2 block to the pending blocks.
func (b *Builder) Add(blk *types.Block) error {
	h := blk.Header()
	if n := blk.NumberU64(); n != b.NextNumber() {
		return fmt.Errorf("%w: got block %d, want %d", ErrNotContiguous, n, b.NextNumber())
	}
	prevHash := b.baseHash
	if len(b.pending) > 0 {
		prevHash = b.pending[len(b.pending)-1].hash
	}
	if prevHash != (common.Hash{}) && h.ParentHash != prevHash {
		return fmt.Errorf("%w: block %d has parent %v, want %v", ErrNotContiguous, blk.NumberU64(), h.ParentHash, prevHash)
	}
	origin, err := codec.HeaderL1Origin(h)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadOrigin, err)
	}
	txs := make([][]byte, len(blk.Transactions()))
	size := 48
	for i, tx := range blk.Transactions() {
		raw, err := tx.MarshalBinary()
		if err != nil {
			return fmt.Errorf("block %d tx %d: %w", blk.NumberU64(), i, err)
		}
		txs[i] = raw
		size += len(raw)
	}
	// A block older than its arrival (a backlog after a restart) has waited
	// since it was produced; header times are whole seconds, so this can
	// only flush early, never late.
	added := b.now()
	if produced := time.Unix(int64(h.Time), 0); produced.Before(added) {
		added = produced
	}
	b.pending = append(b.pending, pendingBlock{
		number:  blk.NumberU64(),
		hash:    blk.Hash(),
		block:   codec.Block{Timestamp: h.Time, L1Origin: origin, Transactions: txs},
		output:  codec.BlockOutputRoot(h),
		size:    size,
		addedAt: added,
	})
	b.rawSize += size
	return nil
}

// fullHeadroom makes Full err towards too many blocks: Next then cuts the
// batch at the size limit, and the rest waits for the next one.
const fullHeadroom = 1.1

// Full reports whether adding more blocks is pointless: the pending blocks
// reach the block count, or their raw size, divided by the compression
// ratio of the last batch, reaches the size limit.
func (b *Builder) Full() bool {
	return len(b.pending) >= b.cfg.MaxBlocks ||
		float64(b.rawSize) >= float64(b.cfg.MaxBatchBytes)*b.ratio*fullHeadroom
}

// Next returns the next batch to post, or nil if it is not yet time: a
// batch is cut when the pending blocks are Full or the oldest has waited
// MaxDelay. The batch holds the longest prefix of the pending blocks (at
// most MaxBlocks) that encodes within MaxBatchBytes. Next does not drop the
// blocks; Reset does once the contract has recorded them.
func (b *Builder) Next() (*Candidate, error) {
	if len(b.pending) == 0 {
		return nil, nil
	}
	if !b.Full() && b.now().Sub(b.pending[0].addedAt) < b.cfg.MaxDelay {
		return nil, nil
	}
	n := min(len(b.pending), b.cfg.MaxBlocks)
	c, err := b.fitting(n)
	if c != nil || err != nil {
		return c, err
	}
	// Binary search for the longest prefix that fits. Compressed size grows
	// with the prefix almost monotonically; whatever is chosen is checked.
	lo, hi := 0, n // prefix lo fits (0 trivially), prefix hi does not
	var best *Candidate
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		c, err := b.fitting(mid)
		if err != nil {
			return nil, err
		}
		if c != nil {
			lo, best = mid, c
		} else {
			hi = mid
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: block %d encodes to more than %d bytes or beyond the decoder's limits", ErrBlockTooLarge, b.pending[0].number, b.cfg.MaxBatchBytes)
	}
	return best, nil
}

// fitting returns the candidate of the first n pending blocks, or nil when
// it does not fit: it encodes to more than MaxBatchBytes, or beyond what
// the verifier's decoder accepts (codec.ErrTooLarge), which many small
// transactions or highly compressible data can reach within the bytes.
func (b *Builder) fitting(n int) (*Candidate, error) {
	c, err := b.candidate(n)
	switch {
	case errors.Is(err, codec.ErrTooLarge):
		return nil, nil
	case err != nil:
		return nil, err
	case len(c.Data) > b.cfg.MaxBatchBytes:
		return nil, nil
	}
	return c, nil
}

// candidate encodes the first n pending blocks.
func (b *Builder) candidate(n int) (*Candidate, error) {
	blocks := b.pending[:n]
	c := &Candidate{
		Batch:          codec.Batch{FirstBlock: blocks[0].number, Blocks: make([]codec.Block, n)},
		OutputRoots:    make([]common.Hash, n),
		PrevOutputRoot: b.baseOutput,
		LastOutputRoot: blocks[n-1].output,
		LastL2Block:    blocks[n-1].number,
		LastOrigin:     blocks[n-1].block.L1Origin,
	}
	for i, p := range blocks {
		c.Batch.Blocks[i] = p.block
		c.OutputRoots[i] = p.output
		c.RawSize += p.size
	}
	var err error
	if c.OutputsRoot, err = codec.OutputsRoot(c.OutputRoots); err != nil {
		return nil, err
	}
	if c.Data, err = codec.Encode(&c.Batch, codec.DefaultVersion); err != nil {
		return nil, fmt.Errorf("encode blocks %d..%d: %w", c.Batch.FirstBlock, c.LastL2Block, err)
	}
	b.ratio = max(1, float64(c.RawSize)/float64(len(c.Data)))
	return c, nil
}

// Advance moves the base to block latest, which the contract says is posted
// with output root output. It keeps the pending blocks after it and reports
// whether it knew block latest: if not, the caller must compute its output
// root from the L2 chain and call Reset. A known block whose output root
// differs returns ErrOutputMismatch.
func (b *Builder) Advance(latest uint64, output common.Hash) (bool, error) {
	switch {
	case latest == b.baseNumber:
		if b.baseOutput != output {
			return true, fmt.Errorf("%w: block %d: L1 has %v, we have %v", ErrOutputMismatch, latest, output, b.baseOutput)
		}
		return true, nil
	case latest > b.baseNumber && latest <= b.baseNumber+uint64(len(b.pending)):
		i := int(latest - b.baseNumber - 1)
		p := b.pending[i]
		if p.output != output {
			return true, fmt.Errorf("%w: block %d: L1 has %v, we have %v", ErrOutputMismatch, latest, output, p.output)
		}
		for _, q := range b.pending[:i+1] {
			b.rawSize -= q.size
		}
		b.pending = append([]pendingBlock(nil), b.pending[i+1:]...)
		b.baseNumber, b.baseHash, b.baseOutput = latest, p.hash, p.output
		return true, nil
	}
	return false, nil
}

// Reset drops every pending block and positions the builder after block
// base, whose hash and output root the caller has checked.
func (b *Builder) Reset(base uint64, baseHash, baseOutput common.Hash) {
	b.pending, b.rawSize = nil, 0
	b.baseNumber, b.baseHash, b.baseOutput = base, baseHash, baseOutput
}
