package verifier

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/fraudproof/derive"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// errInconsistent marks a reason to derive from the genesis instead of
// resuming: what L1 holds and what the chain holds do not fit together.
var errInconsistent = errors.New("cannot resume")

// inconsistent wraps a reason not to resume.
func inconsistent(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errInconsistent, fmt.Sprintf(format, args...))
}

// rollupAt reads the Rollup's getters as of one L1 block, so that every
// answer comes from the same state.
type rollupAt struct {
	l1      ethereum.ContractCaller
	address common.Address
	block   *big.Int
	binding *bindings.Rollup
}

// rollupCall calls one getter. A revert or an answer that does not unpack
// is an inconsistency (the contract says no); any other error is I/O.
func rollupCall[T any](ctx context.Context, r rollupAt, input []byte, unpack func([]byte) (T, error)) (T, error) {
	var zero T
	out, err := r.l1.CallContract(ctx, ethereum.CallMsg{To: &r.address, Data: input}, r.block)
	if dataErr := gethrpc.DataError(nil); errors.As(err, &dataErr) {
		return zero, inconsistent("Rollup call at L1 block %v reverted: %v", r.block, err)
	}
	if err != nil {
		return zero, fmt.Errorf("Rollup call at L1 block %v: %w", r.block, err)
	}
	v, err := unpack(out)
	if err != nil {
		return zero, inconsistent("Rollup answer at L1 block %v: %v", r.block, err)
	}
	return v, nil
}

// chooseStart returns where derivation starts: before the batch holding
// the chain's head, as the Rollup records it at the confirmed L1 head.
// After a reorg (reset not nil) it steps back to the last batch included
// below the L1 block the reorg replaced, so that everything from the fork
// on is derived again. When L1 and the chain do not fit together it
// returns the genesis and says why; an error is I/O, to retry.
func (v *Verifier) chooseStart(ctx context.Context, reset *derive.ResetError) (derive.Start, error) {
	start, err := v.resumePoint(ctx, reset)
	if errors.Is(err, errInconsistent) {
		v.log.Warn("Cannot resume derivation; deriving from the L2 genesis", "reason", err)
		return derive.Start{}, nil
	}
	return start, err
}

func (v *Verifier) resumePoint(ctx context.Context, reset *derive.ResetError) (derive.Start, error) {
	head := v.chain.Head()
	if head == nil || head.Number.Sign() == 0 {
		return derive.Start{}, nil // nothing derived yet
	}
	// The first L1 block the reorg may have replaced: block Number no
	// longer extends the block at Number-1 the pipeline read.
	var replaced uint64
	if reset != nil {
		if reset.Number <= v.cfg.Derive.StartBlock+1 {
			return derive.Start{}, nil
		}
		replaced = reset.Number - 1
	}
	l1Head, err := v.l1.HeaderByNumber(ctx, nil)
	if err != nil {
		return derive.Start{}, fmt.Errorf("L1 head: %w", err)
	}
	// At least one block below the head: a node may answer calls at the
	// block it is building on from state the next block already changed
	// (anvil does), and the reads below must all see one state. A batch in
	// the head block is derived again instead, which costs little.
	depth := max(v.cfg.Derive.Confirmations, 1)
	if l1Head.Number.Uint64() < depth {
		return derive.Start{}, inconsistent("L1 head %d is below the confirmation depth", l1Head.Number)
	}
	r := rollupAt{
		l1:      v.l1,
		address: v.cfg.Derive.Rollup,
		block:   new(big.Int).SetUint64(l1Head.Number.Uint64() - depth),
		binding: bindings.NewRollup(),
	}

	// The batch holding the head, or the last batch when a reorg or an
	// invalidation removed the head's.
	posted, err := rollupCall(ctx, r, r.binding.PackLatestL2Block(), r.binding.UnpackLatestL2Block)
	if err != nil {
		return derive.Start{}, err
	}
	if posted == 0 {
		return derive.Start{}, inconsistent("the chain holds L2 block %d, the Rollup no batch", head.Number)
	}
	index, err := rollupCall(ctx, r, r.binding.PackBatchOfL2Block(min(head.Number.Uint64(), posted)), r.binding.UnpackBatchOfL2Block)
	if err != nil {
		return derive.Start{}, err
	}
	if !index.IsUint64() {
		return derive.Start{}, inconsistent("batch index %v", index)
	}
	k := index.Uint64()
	batch, err := rollupCall(ctx, r, r.binding.PackBatch(index), r.binding.UnpackBatch)
	if err != nil {
		return derive.Start{}, err
	}
	for reset != nil && batch.L1Block >= replaced {
		if k == 0 {
			return derive.Start{}, nil // every batch is at or above the reorg
		}
		k--
		if batch, err = rollupCall(ctx, r, r.binding.PackBatch(new(big.Int).SetUint64(k)), r.binding.UnpackBatch); err != nil {
			return derive.Start{}, err
		}
	}
	if k == 0 {
		return derive.Start{}, nil // the genesis is the start of batch 0
	}
	return v.startBefore(ctx, r, k, batch.L1Block)
}

// startBefore builds the start before batch k, included in L1 block
// l1Block, and checks it against the chain: the block before the batch
// must be the one whose output root the batch before committed to, and its
// L1 origin must still be canonical.
func (v *Verifier) startBefore(ctx context.Context, r rollupAt, k, l1Block uint64) (derive.Start, error) {
	blocks, err := rollupCall(ctx, r, r.binding.PackL2BlockOfBatch(new(big.Int).SetUint64(k)), r.binding.UnpackL2BlockOfBatch)
	if err != nil {
		return derive.Start{}, err
	}
	prev, err := rollupCall(ctx, r, r.binding.PackBatch(new(big.Int).SetUint64(k-1)), r.binding.UnpackBatch)
	if err != nil {
		return derive.Start{}, err
	}
	parentNumber := blocks.FirstL2Block - 1
	if blocks.FirstL2Block == 0 || prev.LastL2Block != parentNumber {
		return derive.Start{}, inconsistent("batch %d starts at L2 block %d, batch %d ends at %d", k, blocks.FirstL2Block, k-1, prev.LastL2Block)
	}
	parent := v.chain.HeaderByNumber(parentNumber)
	if parent == nil {
		return derive.Start{}, inconsistent("the chain has no L2 block %d", parentNumber)
	}
	if got := codec.BlockOutputRoot(parent); got != common.Hash(prev.LastOutputRoot) {
		return derive.Start{}, inconsistent("L2 block %d (%v) has output root %v, batch %d committed %x",
			parentNumber, parent.Hash(), got, k-1, prev.LastOutputRoot)
	}
	l1Parent, err := v.l1.HeaderByNumber(ctx, new(big.Int).SetUint64(l1Block-1))
	if err != nil {
		return derive.Start{}, fmt.Errorf("L1 block %d: %w", l1Block-1, err)
	}
	start, err := derive.StartAt(l1Block, l1Parent.Hash(), k, parent)
	if err != nil {
		return derive.Start{}, inconsistent("%v", err)
	}
	if start.L2Origin == (codec.L1Origin{}) {
		return start, nil // no origin yet: nothing on L1 to check
	}
	origin, err := v.l1.HeaderByNumber(ctx, new(big.Int).SetUint64(start.L2Origin.Number))
	if err != nil {
		return derive.Start{}, fmt.Errorf("L1 origin %d: %w", start.L2Origin.Number, err)
	}
	if origin.Hash() != start.L2Origin.Hash {
		return derive.Start{}, inconsistent("L2 block %d names L1 origin %d %v, L1 holds %v there",
			parentNumber, start.L2Origin.Number, start.L2Origin.Hash, origin.Hash())
	}
	return start, nil
}
