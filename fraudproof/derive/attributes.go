package derive

import (
	"cmp"
	"context"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// Attributes is everything besides its parent that determines an L2 block:
// what the executor needs to rebuild it and compare its output root.
type Attributes struct {
	Number       uint64
	Timestamp    uint64
	L1Origin     codec.L1Origin
	Deposits     types.Withdrawals // credited through the withdrawals list
	Transactions types.Transactions

	Batch *BatchCommitment // what L1 committed to for the block's batch
}

// BlockInputSource is the stage before AttributesBuilder (a *BatchDecoder).
type BlockInputSource interface {
	NextBlockInput(ctx context.Context) (*BlockInput, error)
}

// OriginReader reads the L1 origin blocks' headers and Portal logs.
type OriginReader interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// AttributesBuilder adds to each L2 block the deposits its L1 origin brings,
// by the rule the sequencer follows (sequencer/l1deposits.go): the L2 genesis
// has no origin; the first origin is the rollup's start block; afterwards the
// origin stays or advances by exactly one L1 block, and the block that moves
// onto an L1 block credits that block's DepositETH logs, in log order.
type AttributesBuilder struct {
	prev       BlockInputSource
	l1         OriginReader
	portal     common.Address
	startBlock uint64
	binding    *bindings.Portal

	input  *BlockInput    // taken from prev but not yet built (after an I/O error)
	origin codec.L1Origin // the parent's origin; zero for the L2 genesis
	number uint64         // the parent's number; 0 is the genesis
}

// NewAttributesBuilder returns the stage building attributes of the blocks
// prev yields, starting from the L2 genesis, for a rollup whose first L1
// origin is startBlock and whose deposits go to portal.
func NewAttributesBuilder(prev BlockInputSource, l1 OriginReader, portal common.Address, startBlock uint64) *AttributesBuilder {
	return &AttributesBuilder{prev: prev, l1: l1, portal: portal, startBlock: startBlock, binding: bindings.NewPortal()}
}

// ResumeAt makes the builder continue from the block before the start: its
// number and L1 origin are the parent's of the first block. Call it before
// the first NextAttributes; it does nothing for the genesis start.
func (a *AttributesBuilder) ResumeAt(s Start) {
	if s.IsGenesis() {
		return
	}
	a.origin, a.number = s.L2Origin, s.L2Block
}

// NextAttributes returns the attributes of the next L2 block. A block that
// breaks the origin rules is an *InvalidBatchError; after an I/O error the
// same block is built again on the next call.
func (a *AttributesBuilder) NextAttributes(ctx context.Context) (*Attributes, error) {
	if a.input == nil {
		in, err := a.prev.NextBlockInput(ctx)
		if err != nil {
			return nil, err
		}
		a.input = in
	}
	attrs, err := a.build(ctx, a.input)
	if err != nil {
		return nil, err
	}
	a.input, a.origin, a.number = nil, attrs.L1Origin, attrs.Number
	return attrs, nil
}

func (a *AttributesBuilder) build(ctx context.Context, in *BlockInput) (*Attributes, error) {
	invalid := func(err error) error {
		return &InvalidBatchError{BatchIndex: in.Batch.BatchIndex, L1Block: in.Batch.L1Block, L2Block: in.Number, Err: err}
	}
	if in.Number != a.number+1 {
		return nil, invalid(fmt.Errorf("%w: block %d after %d", ErrL2NumberGap, in.Number, a.number))
	}
	txs := make(types.Transactions, len(in.Transactions))
	for i, raw := range in.Transactions {
		tx := new(types.Transaction)
		if err := tx.UnmarshalBinary(raw); err != nil {
			return nil, invalid(fmt.Errorf("%w: tx %d: %v", ErrInvalidTransaction, i, err))
		}
		txs[i] = tx
	}
	attrs := &Attributes{
		Number:       in.Number,
		Timestamp:    in.Timestamp,
		L1Origin:     in.L1Origin,
		Transactions: txs,
		Batch:        in.Batch,
	}
	parent, origin := a.origin, in.L1Origin
	if origin == parent {
		return attrs, nil // no new origin, no deposits
	}
	want := parent.Number + 1
	if parent == (codec.L1Origin{}) {
		want = a.startBlock
	}
	switch {
	case origin.Number == parent.Number:
		return nil, invalid(fmt.Errorf("%w: %d has hash %v, parent's %v", ErrOriginHashMismatch, origin.Number, origin.Hash, parent.Hash))
	case origin.Number < want && parent != (codec.L1Origin{}):
		return nil, invalid(fmt.Errorf("%w: %d after %d", ErrOriginDecreased, origin.Number, parent.Number))
	case origin.Number != want:
		return nil, invalid(fmt.Errorf("%w: origin %d, expected %d", ErrOriginSkipped, origin.Number, want))
	case origin.Number >= in.Batch.L1Block:
		return nil, invalid(fmt.Errorf("%w: origin %d, batch included in L1 block %d", ErrOriginNotCanonical, origin.Number, in.Batch.L1Block))
	}
	header, err := a.l1.HeaderByNumber(ctx, new(big.Int).SetUint64(origin.Number))
	if err != nil {
		return nil, fmt.Errorf("L1 origin %d: %w", origin.Number, err)
	}
	if header.Hash() != origin.Hash {
		return nil, invalid(fmt.Errorf("%w: %d is %v, block names %v", ErrOriginNotCanonical, origin.Number, header.Hash(), origin.Hash))
	}
	if parent != (codec.L1Origin{}) && header.ParentHash != parent.Hash {
		// The parent's origin was canonical when it was checked: L1 moved.
		return nil, &ResetError{Number: origin.Number, ParentHash: header.ParentHash, ExpectedHash: parent.Hash}
	}
	if header.Time > in.Timestamp {
		return nil, invalid(fmt.Errorf("%w: L1 time %d, L2 time %d", ErrOriginAfterBlock, header.Time, in.Timestamp))
	}
	deposits, err := a.deposits(ctx, origin)
	if err != nil {
		return nil, err
	}
	attrs.Deposits = deposits
	return attrs, nil
}

// deposits returns the Portal deposits of the L1 block origin, in log order.
func (a *AttributesBuilder) deposits(ctx context.Context, origin codec.L1Origin) (types.Withdrawals, error) {
	topic := a.binding.GetABI().Events[bindings.PortalDepositETHEventName].ID
	logs, err := a.l1.FilterLogs(ctx, ethereum.FilterQuery{
		BlockHash: &origin.Hash,
		Addresses: []common.Address{a.portal},
		Topics:    [][]common.Hash{{topic}},
	})
	if err != nil {
		return nil, fmt.Errorf("deposit logs of L1 block %d: %w", origin.Number, err)
	}
	slices.SortFunc(logs, func(x, y types.Log) int { return cmp.Compare(x.Index, y.Index) })
	deposits := make(types.Withdrawals, 0, len(logs))
	for i := range logs {
		l := &logs[i]
		bad := func(why any) error {
			return &CriticalError{L1Block: origin.Number, Err: fmt.Errorf("%w: deposit log %d: %v", ErrBadLog, l.Index, why)}
		}
		if l.Address != a.portal || l.BlockHash != origin.Hash || l.Removed {
			return nil, bad("not a Portal log of the origin")
		}
		ev, err := a.binding.UnpackDepositETHEvent(l)
		if err != nil {
			return nil, bad(err)
		}
		if !ev.Nonce.IsUint64() {
			return nil, bad("nonce " + ev.Nonce.String())
		}
		deposits = append(deposits, &types.Withdrawal{Index: ev.Nonce.Uint64(), Address: ev.To, Amount: ev.AmountGwei})
	}
	return deposits, nil
}
