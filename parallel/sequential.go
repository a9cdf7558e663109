package parallel

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
)

// Sequential is the reference executor: it applies transactions one by one
// with go-ethereum's own transaction application, exactly as a go-ethereum
// node does. Every other executor is tested against it, and every benchmark
// uses it as the baseline.
type Sequential struct{}

var _ Executor = Sequential{}

// Execute runs PreExecution, the transactions in order, and PostExecution on
// statedb. In Build mode a transaction that cannot be applied is reverted and
// reported in Result.Dropped; in Validate mode it fails the block.
func (Sequential) Execute(ctx context.Context, env *Env, txs []*types.Transaction, statedb *state.StateDB, mode Mode) (*Result, error) {
	var (
		header  = env.Header
		signer  = types.MakeSigner(env.Config, header.Number, header.Time)
		gp      = core.NewGasPool(header.GasLimit)
		res     = &Result{Transactions: make(types.Transactions, 0, len(txs)), Receipts: make(types.Receipts, 0, len(txs))}
		vmState = vm.StateDB(statedb)
	)
	// Record which keys the block writes, so the result can carry a write
	// set. A caller's own tracer takes precedence and disables the capture.
	vmConfig := env.VMConfig
	var recorder *writeRecorder
	if vmConfig.Tracer == nil {
		recorder = newWriteRecorder(2 * len(txs))
		vmState = recorder.state(statedb)
	} else {
		vmState = state.NewHookedState(statedb, vmConfig.Tracer)
	}
	evm := vm.NewEVM(core.NewEVMBlockContext(header, env.Chain, &header.Coinbase), vmState, env.Config, vmConfig)
	defer evm.Release()

	core.PreExecution(ctx, header.ParentBeaconRoot, env.Parent, env.Config, evm, header.Number, header.Time)

	// Hashing the header costs about as much as a plain transfer's
	// execution; do it once, as go-ethereum's block processor does.
	blockHash := header.Hash()
	for i, tx := range txs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		receipt, err := applyOne(ctx, evm, gp, statedb, signer, header, blockHash, tx, len(res.Transactions))
		if err != nil {
			if mode == Validate {
				return nil, fmt.Errorf("%w: apply tx %d [%v]: %w", ErrInvalidBlock, i, tx.Hash(), err)
			}
			res.Dropped = append(res.Dropped, Dropped{Tx: tx, Err: err})
			continue
		}
		res.Transactions = append(res.Transactions, tx)
		res.Receipts = append(res.Receipts, receipt)
		res.Logs = append(res.Logs, receipt.Logs...)
	}
	requests, _, err := core.PostExecution(ctx, env.Config, header.Number, header.Time, res.Logs, env.Withdrawals, evm, uint32(len(res.Transactions)+1))
	if err != nil {
		return nil, fmt.Errorf("post-execution: %w", err)
	}
	res.Requests = requests
	res.GasUsed = gp.Used()
	res.Stats.Incarnations = len(txs)
	if recorder != nil {
		res.WriteSet = recorder.collect(statedb)
	}
	return res, nil
}

// applyOne applies tx at block position index of the block whose header
// (hash blockHash) is given. On failure the state and the
// gas pool are rolled back to where they were, as go-ethereum's miner does,
// so the caller may carry on with the next transaction.
func applyOne(ctx context.Context, evm *vm.EVM, gp *core.GasPool, statedb *state.StateDB, signer types.Signer, header *types.Header, blockHash common.Hash, tx *types.Transaction, index int) (*types.Receipt, error) {
	msg, err := core.TransactionToMessage(tx, signer, header.BaseFee)
	if err != nil {
		return nil, err
	}
	var (
		snap   = statedb.Snapshot()
		gpSnap = gp.Snapshot()
	)
	statedb.SetTxContext(tx.Hash(), index, uint32(index+1))
	receipt, _, err := core.ApplyTransactionWithEVM(ctx, msg, gp, statedb, header.Number, blockHash, header.Time, tx, evm)
	if err != nil {
		statedb.RevertToSnapshot(snap)
		gp.Set(gpSnap)
		return nil, err
	}
	return receipt, nil
}
