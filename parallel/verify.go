package parallel

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
)

// ErrMismatch is wrapped by the error of a VerifyingExecutor, and by Diff,
// when two executors disagree on a block.
var ErrMismatch = errors.New("executors disagree")

// VerifyingExecutor runs Primary on the given state and Reference on a copy
// of it, and fails the block with a readable difference when their results
// or post-state roots differ. The node's --parallel.verify flag uses it with
// Parallel as the primary and Sequential as the reference.
type VerifyingExecutor struct {
	Primary   Executor
	Reference Executor
}

var _ Executor = (*VerifyingExecutor)(nil)

// Execute implements Executor. On success statedb holds the primary's
// post-state, which equals the reference's.
func (v *VerifyingExecutor) Execute(ctx context.Context, env *Env, txs []*types.Transaction, statedb *state.StateDB, mode Mode) (*Result, error) {
	refState := statedb.Copy()
	refRes, refErr := v.Reference.Execute(ctx, env, txs, refState, mode)
	res, err := v.Primary.Execute(ctx, env, txs, statedb, mode)
	switch {
	case err != nil && refErr != nil:
		if errors.Is(err, ErrInvalidBlock) != errors.Is(refErr, ErrInvalidBlock) {
			return nil, fmt.Errorf("%w: primary failed with %v, reference with %v", ErrMismatch, err, refErr)
		}
		return nil, err
	case err != nil:
		return nil, fmt.Errorf("%w: primary failed (%v), reference succeeded", ErrMismatch, err)
	case refErr != nil:
		return nil, fmt.Errorf("%w: reference failed (%v), primary succeeded", ErrMismatch, refErr)
	}
	rules := env.Config.Rules(env.Header.Number, true, env.Header.Time)
	if err := Diff(res, refRes, statedb.IntermediateRoot(rules), refState.IntermediateRoot(rules)); err != nil {
		return nil, err
	}
	return res, nil
}

// Diff compares two results of the same block and their post-state roots.
// It returns nil when they are identical, or an ErrMismatch naming the first
// difference: dropped set, transactions, receipt fields, logs, gas, requests
// or root, in that order.
func Diff(a, b *Result, rootA, rootB common.Hash) error {
	mismatch := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrMismatch, fmt.Sprintf(format, args...))
	}
	if len(a.Dropped) != len(b.Dropped) {
		return mismatch("dropped %d transactions vs %d", len(a.Dropped), len(b.Dropped))
	}
	for i := range a.Dropped {
		da, db := a.Dropped[i], b.Dropped[i]
		if da.Tx.Hash() != db.Tx.Hash() {
			return mismatch("dropped[%d] is %v vs %v", i, da.Tx.Hash(), db.Tx.Hash())
		}
		if da.Err.Error() != db.Err.Error() {
			return mismatch("dropped[%d] %v: error %q vs %q", i, da.Tx.Hash(), da.Err, db.Err)
		}
	}
	if len(a.Transactions) != len(b.Transactions) {
		return mismatch("%d transactions vs %d", len(a.Transactions), len(b.Transactions))
	}
	for i := range a.Transactions {
		if a.Transactions[i].Hash() != b.Transactions[i].Hash() {
			return mismatch("transaction %d is %v vs %v", i, a.Transactions[i].Hash(), b.Transactions[i].Hash())
		}
	}
	if len(a.Receipts) != len(b.Receipts) {
		return mismatch("%d receipts vs %d", len(a.Receipts), len(b.Receipts))
	}
	for i := range a.Receipts {
		if err := diffReceipt(a.Receipts[i], b.Receipts[i]); err != nil {
			return mismatch("receipt %d (%v): %v", i, a.Receipts[i].TxHash, err)
		}
	}
	if len(a.Logs) != len(b.Logs) {
		return mismatch("%d logs vs %d", len(a.Logs), len(b.Logs))
	}
	if a.GasUsed != b.GasUsed {
		return mismatch("gas used %d vs %d", a.GasUsed, b.GasUsed)
	}
	if (a.Requests == nil) != (b.Requests == nil) || len(a.Requests) != len(b.Requests) {
		return mismatch("%d requests vs %d", len(a.Requests), len(b.Requests))
	}
	for i := range a.Requests {
		if !bytes.Equal(a.Requests[i], b.Requests[i]) {
			return mismatch("request %d: %x vs %x", i, a.Requests[i], b.Requests[i])
		}
	}
	if rootA != rootB {
		return mismatch("state root %v vs %v", rootA, rootB)
	}
	return nil
}

func diffReceipt(a, b *types.Receipt) error {
	switch {
	case a.Type != b.Type:
		return fmt.Errorf("type %d vs %d", a.Type, b.Type)
	case a.Status != b.Status:
		return fmt.Errorf("status %d vs %d", a.Status, b.Status)
	case a.CumulativeGasUsed != b.CumulativeGasUsed:
		return fmt.Errorf("cumulative gas %d vs %d", a.CumulativeGasUsed, b.CumulativeGasUsed)
	case a.GasUsed != b.GasUsed:
		return fmt.Errorf("gas used %d vs %d", a.GasUsed, b.GasUsed)
	case a.TxHash != b.TxHash:
		return fmt.Errorf("tx hash %v vs %v", a.TxHash, b.TxHash)
	case a.ContractAddress != b.ContractAddress:
		return fmt.Errorf("contract address %v vs %v", a.ContractAddress, b.ContractAddress)
	case a.TransactionIndex != b.TransactionIndex:
		return fmt.Errorf("index %d vs %d", a.TransactionIndex, b.TransactionIndex)
	case a.Bloom != b.Bloom:
		return errors.New("bloom differs")
	case a.BlockHash != b.BlockHash:
		return fmt.Errorf("block hash %v vs %v", a.BlockHash, b.BlockHash)
	case a.BlockNumber.Cmp(b.BlockNumber) != 0:
		return fmt.Errorf("block number %v vs %v", a.BlockNumber, b.BlockNumber)
	case !bytes.Equal(a.PostState, b.PostState):
		return errors.New("post state differs")
	case len(a.Logs) != len(b.Logs):
		return fmt.Errorf("%d logs vs %d", len(a.Logs), len(b.Logs))
	}
	for i := range a.Logs {
		la, lb := a.Logs[i], b.Logs[i]
		switch {
		case la.Address != lb.Address:
			return fmt.Errorf("log %d address %v vs %v", i, la.Address, lb.Address)
		case !equalTopics(la.Topics, lb.Topics):
			return fmt.Errorf("log %d topics differ", i)
		case !bytes.Equal(la.Data, lb.Data):
			return fmt.Errorf("log %d data %x vs %x", i, la.Data, lb.Data)
		case la.Index != lb.Index:
			return fmt.Errorf("log %d index %d vs %d", i, la.Index, lb.Index)
		case la.TxIndex != lb.TxIndex:
			return fmt.Errorf("log %d tx index %d vs %d", i, la.TxIndex, lb.TxIndex)
		case la.TxHash != lb.TxHash || la.BlockHash != lb.BlockHash || la.BlockNumber != lb.BlockNumber || la.BlockTimestamp != lb.BlockTimestamp:
			return fmt.Errorf("log %d context differs", i)
		}
	}
	encA, errA := a.MarshalBinary()
	encB, errB := b.MarshalBinary()
	if errA != nil || errB != nil || !bytes.Equal(encA, encB) {
		return errors.New("consensus encoding differs")
	}
	return nil
}

func equalTopics(a, b []common.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
