package derive

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// PostedBatch is one batch as the Rollup recorded it on L1, with its data
// taken from the submitting transaction and checked against the recorded hash.
type PostedBatch struct {
	L1Block        uint64 // the L1 block that included the batch
	BatchIndex     uint64
	FirstL2Block   uint64
	LastL2Block    uint64
	PrevOutputRoot common.Hash
	OutputsRoot    common.Hash
	LastOutputRoot common.Hash
	Data           []byte
}

// L1BlockSource is the stage before BatchRetrieval (an *L1Traversal).
type L1BlockSource interface {
	NextL1Block(ctx context.Context) (*types.Block, error)
}

// LogFilterer reads the logs of one L1 block.
type LogFilterer interface {
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
	// HeaderByNumber tells whether a block that cannot be read was
	// reorganised away.
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
}

// BatchRetrieval finds the batches each L1 block posted to the Rollup, in log
// order, and returns them one at a time.
type BatchRetrieval struct {
	prev    L1BlockSource
	logs    LogFilterer
	rollup  common.Address
	binding *bindings.Rollup
	submit  abi.Method
	// submitBlobs and blobs read blob batches; blobs is nil unless
	// WithBlobs was given.
	submitBlobs abi.Method
	blobs       BlobSource

	block   *types.Block // the block whose logs are not read yet
	pending []*PostedBatch

	// In L1 block skipBlock, batches below skipBelow were derived before
	// the start (see ResumeAt) and are passed over unread.
	skipBlock, skipBelow uint64
}

// NewBatchRetrieval returns the stage reading batches of the Rollup at rollup
// from the blocks prev yields.
func NewBatchRetrieval(prev L1BlockSource, logs LogFilterer, rollup common.Address, opts ...RetrievalOption) *BatchRetrieval {
	binding := bindings.NewRollup()
	r := &BatchRetrieval{
		prev:        prev,
		logs:        logs,
		rollup:      rollup,
		binding:     binding,
		submit:      binding.GetABI().Methods["submitBatch"],
		submitBlobs: binding.GetABI().Methods["submitBatchBlobs"],
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// ResumeAt makes the retrieval pass over the batches of s.L1Block whose
// index is below s.BatchIndex: they were derived before the start. Call it
// before the first NextBatch; it does nothing for the genesis start.
func (r *BatchRetrieval) ResumeAt(s Start) {
	if s.IsGenesis() {
		return
	}
	r.skipBlock, r.skipBelow = s.L1Block, s.BatchIndex
}

// NextBatch returns the next posted batch. Errors of the previous stage pass
// through unchanged; a batch whose data cannot be found or verified is a
// *CriticalError, and blobs that verify but hold no batch an
// *InvalidBatchError. After an I/O error (the L1 node's or the beacon
// node's) the same L1 block is read again.
func (r *BatchRetrieval) NextBatch(ctx context.Context) (*PostedBatch, error) {
	for len(r.pending) == 0 {
		if r.block == nil {
			block, err := r.prev.NextL1Block(ctx)
			if err != nil {
				return nil, err
			}
			r.block = block
		}
		batches, err := r.batchesIn(ctx, r.block)
		if err != nil {
			var invalid *InvalidBatchError
			if errors.As(err, &invalid) {
				return nil, err
			}
			// Logs and blobs are asked for by block hash: a block that an
			// L1 reorg replaced answers "unknown block" (or no blobs)
			// forever, which is a reset, not an I/O error or lost data.
			if reset := r.replaced(ctx, r.block); reset != nil {
				r.block = nil
				return nil, reset
			}
			return nil, err
		}
		r.block, r.pending = nil, batches
	}
	b := r.pending[0]
	r.pending = r.pending[1:]
	return b, nil
}

// replaced returns a *ResetError when block is no longer the canonical L1
// block of its number, and nil when it is or when that cannot be told.
func (r *BatchRetrieval) replaced(ctx context.Context, block *types.Block) *ResetError {
	h, err := r.logs.HeaderByNumber(ctx, block.Number())
	if err != nil || h == nil || h.Hash() == block.Hash() {
		return nil
	}
	return &ResetError{Number: block.NumberU64(), ParentHash: h.ParentHash, ExpectedHash: block.ParentHash()}
}

// batchesIn returns every batch block posted, in log order.
func (r *BatchRetrieval) batchesIn(ctx context.Context, block *types.Block) ([]*PostedBatch, error) {
	hash := block.Hash()
	topic := r.binding.GetABI().Events[bindings.RollupBatchSubmittedEventName].ID
	logs, err := r.logs.FilterLogs(ctx, ethereum.FilterQuery{
		BlockHash: &hash,
		Addresses: []common.Address{r.rollup},
		Topics:    [][]common.Hash{{topic}},
	})
	if err != nil {
		return nil, fmt.Errorf("Rollup logs of L1 block %d: %w", block.NumberU64(), err)
	}
	slices.SortFunc(logs, func(a, b types.Log) int { return cmp.Compare(a.Index, b.Index) })
	var out []*PostedBatch
	for i := range logs {
		l := &logs[i]
		if l.Address != r.rollup || l.BlockHash != hash || l.Removed || len(l.Topics) == 0 || l.Topics[0] != topic {
			return nil, &CriticalError{L1Block: block.NumberU64(), Err: fmt.Errorf("%w: log %d", ErrBadLog, l.Index)}
		}
		ev, err := r.binding.UnpackBatchSubmittedEvent(l)
		if err != nil {
			return nil, &CriticalError{L1Block: block.NumberU64(), Err: fmt.Errorf("log %d: %w: BatchSubmitted: %v", l.Index, ErrBadLog, err)}
		}
		if block.NumberU64() == r.skipBlock && ev.BatchIndex.IsUint64() && ev.BatchIndex.Uint64() < r.skipBelow {
			continue // derived before the start
		}
		b, err := r.batchOf(ctx, block, l, ev)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// submitCall holds the arguments of submitBatch and submitBatchBlobs:
// abi's Copy fills the fields named like the call's arguments and leaves
// the other call's (Data or BlobCount) alone.
type submitCall struct {
	Data           []byte
	BlobCount      *big.Int
	PrevOutputRoot [32]byte
	OutputsRoot    [32]byte
	LastOutputRoot [32]byte
	LastL2Block    uint64
	L1OriginNumber uint64
	L1OriginHash   [32]byte
}

// batchOf reads the batch a BatchSubmitted log announces from its
// transaction (and, for a blob batch, the beacon node).
func (r *BatchRetrieval) batchOf(ctx context.Context, block *types.Block, l *types.Log, ev *bindings.RollupBatchSubmitted) (*PostedBatch, error) {
	critical := func(err error) error {
		return &CriticalError{L1Block: block.NumberU64(), Err: fmt.Errorf("log %d: %w", l.Index, err)}
	}
	if !ev.BatchIndex.IsUint64() {
		return nil, critical(fmt.Errorf("%w: batch index %v", ErrBadLog, ev.BatchIndex))
	}
	index := ev.BatchIndex.Uint64()
	tx := block.Transaction(l.TxHash)
	if tx == nil || tx.To() == nil || *tx.To() != r.rollup {
		return nil, critical(fmt.Errorf("batch %d, tx %v: %w", index, l.TxHash, ErrBatchTxNotFound))
	}
	var (
		call *submitCall
		data []byte
		err  error
	)
	if ev.Blobs {
		if call, data, err = r.blobBatch(ctx, block, tx, index, ev.DataHash); err != nil {
			return nil, err
		}
	} else if call, data, err = r.calldataBatch(tx, index, ev.DataHash); err != nil {
		return nil, critical(err)
	}
	return &PostedBatch{
		L1Block:        block.NumberU64(),
		BatchIndex:     index,
		FirstL2Block:   ev.FirstL2Block,
		LastL2Block:    ev.LastL2Block,
		PrevOutputRoot: call.PrevOutputRoot,
		OutputsRoot:    ev.OutputsRoot,
		LastOutputRoot: ev.LastOutputRoot,
		Data:           data,
	}, nil
}

// calldataBatch reads a calldata batch's submitBatch call and checks its
// data against the recorded hash.
func (r *BatchRetrieval) calldataBatch(tx *types.Transaction, index uint64, dataHash common.Hash) (*submitCall, []byte, error) {
	input := tx.Data()
	if len(input) < 4 || !bytes.Equal(input[:4], r.submit.ID) {
		return nil, nil, fmt.Errorf("batch %d, tx %v: %w: not submitBatch", index, tx.Hash(), ErrMalformedCalldata)
	}
	args, err := r.submit.Inputs.Unpack(input[4:])
	if err != nil {
		return nil, nil, fmt.Errorf("batch %d, tx %v: %w: %v", index, tx.Hash(), ErrMalformedCalldata, err)
	}
	var call submitCall
	if err := r.submit.Inputs.Copy(&call, args); err != nil {
		return nil, nil, fmt.Errorf("batch %d, tx %v: %w: %v", index, tx.Hash(), ErrMalformedCalldata, err)
	}
	if got := crypto.Keccak256Hash(call.Data); got != dataHash {
		return nil, nil, fmt.Errorf("batch %d: %w: data hashes to %v, Rollup recorded %v", index, ErrDataHashMismatch, got, dataHash)
	}
	return &call, call.Data, nil
}
