package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/eth/tracers"
	gethrpc "github.com/ethereum/go-ethereum/rpc"

	// Register the callTracer, prestateTracer and friends, and the JS tracers.
	_ "github.com/ethereum/go-ethereum/eth/tracers/js"
	_ "github.com/ethereum/go-ethereum/eth/tracers/native"
)

var _ tracers.Backend = (*gethBackend)(nil)

// StateAtBlock returns the post-state of block for the tracers. Lanes does
// not regenerate pruned state: the node's StateAndHeaderByNumberOrHash must
// serve any block that may be traced (archive mode, or path-scheme state
// history long enough), otherwise tracing that block fails with its error.
// base, readOnly and preferDisk are regeneration hints and are not needed.
func (b *gethBackend) StateAtBlock(ctx context.Context, block *types.Block, _ *state.StateDB, _ bool, _ bool) (*state.StateDB, tracers.StateReleaseFunc, error) {
	st, _, err := b.StateAndHeaderByNumberOrHash(ctx, gethrpc.BlockNumberOrHashWithHash(block.Hash(), false))
	if err != nil {
		return nil, nil, err
	}
	if st == nil {
		return nil, nil, fmt.Errorf("state of block %d (%x) not available", block.NumberU64(), block.Hash())
	}
	return st, func() {}, nil
}

// StateAtTransaction returns the state just before transaction txIndex of
// block: the parent's state, then the pre-execution system calls (EIP-4788,
// EIP-2935), then transactions 0..txIndex-1 re-executed in order.
func (b *gethBackend) StateAtTransaction(ctx context.Context, block *types.Block, txIndex int) (*types.Transaction, vm.BlockContext, *state.StateDB, tracers.StateReleaseFunc, error) {
	if block.NumberU64() == 0 {
		return nil, vm.BlockContext{}, nil, nil, errors.New("no transaction in genesis")
	}
	parent, err := b.BlockByHash(ctx, block.ParentHash())
	if err != nil {
		return nil, vm.BlockContext{}, nil, nil, err
	}
	if parent == nil {
		return nil, vm.BlockContext{}, nil, nil, fmt.Errorf("parent %#x not found", block.ParentHash())
	}
	st, release, err := b.StateAtBlock(ctx, parent, nil, true, false)
	if err != nil {
		return nil, vm.BlockContext{}, nil, nil, err
	}
	cfg := b.ChainConfig()
	blockCtx := core.NewEVMBlockContext(block.Header(), b.chainContext(ctx), nil)
	evm := vm.NewEVM(blockCtx, st, cfg, vm.Config{})
	defer evm.Release()
	core.PreExecution(ctx, block.BeaconRoot(), parent.Header(), cfg, evm, block.Number(), block.Time())

	txs := block.Transactions()
	if txIndex == 0 && len(txs) == 0 {
		return nil, blockCtx, st, release, nil
	}
	signer := types.MakeSigner(cfg, block.Number(), block.Time())
	for i, tx := range txs {
		if i == txIndex {
			return tx, blockCtx, st, release, nil
		}
		if err := ctx.Err(); err != nil {
			return nil, vm.BlockContext{}, nil, nil, err
		}
		msg, err := core.TransactionToMessage(tx, signer, block.BaseFee())
		if err != nil {
			return nil, vm.BlockContext{}, nil, nil, fmt.Errorf("transaction %#x: %w", tx.Hash(), err)
		}
		st.SetTxContext(tx.Hash(), i, uint32(i+1))
		if _, err := core.ApplyMessage(evm, msg, nil); err != nil {
			return nil, vm.BlockContext{}, nil, nil, fmt.Errorf("transaction %#x failed: %v", tx.Hash(), err)
		}
		st.Finalise(evm.GetRules())
	}
	return nil, vm.BlockContext{}, nil, nil, fmt.Errorf("transaction index %d out of range for block %#x", txIndex, block.Hash())
}

// DebugAPI exposes only the tracing methods of go-ethereum's tracers.API.
// Registering that API whole would also expose debug_traceBlockFromFile and
// debug_standardTraceBlockToFile, which read and write the node's disk.
type DebugAPI struct {
	tracer *tracers.API
}

// newDebugAPI wraps go-ethereum's tracer over the backend.
func newDebugAPI(b *gethBackend) *DebugAPI { return &DebugAPI{tracer: tracers.NewAPI(b)} }

// TraceTransaction re-executes a mined transaction with the given tracer
// (the struct logger when none is named).
func (api *DebugAPI) TraceTransaction(ctx context.Context, hash common.Hash, config *tracers.TraceConfig) (interface{}, error) {
	return api.tracer.TraceTransaction(ctx, hash, config)
}

// TraceBlockByNumber traces every transaction of a block.
func (api *DebugAPI) TraceBlockByNumber(ctx context.Context, number gethrpc.BlockNumber, config *tracers.TraceConfig) (interface{}, error) {
	res, err := api.tracer.TraceBlockByNumber(ctx, number, config)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// TraceBlockByHash traces every transaction of a block.
func (api *DebugAPI) TraceBlockByHash(ctx context.Context, hash common.Hash, config *tracers.TraceConfig) (interface{}, error) {
	res, err := api.tracer.TraceBlockByHash(ctx, hash, config)
	if err != nil {
		return nil, err
	}
	return res, nil
}

// TraceCall traces a call on the state of a block, with optional state and
// block overrides in config.
func (api *DebugAPI) TraceCall(ctx context.Context, args CallArgs, ref *gethrpc.BlockNumberOrHash, config *tracers.TraceCallConfig) (interface{}, error) {
	// tracers.API.TraceCall takes go-ethereum's internal TransactionArgs,
	// which cannot be named outside the module. Its JSON form is the same as
	// CallArgs, so convert through JSON into a value of the parameter type.
	method := reflect.ValueOf(api.tracer.TraceCall)
	argsPtr := reflect.New(method.Type().In(1))
	enc, err := json.Marshal(args)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(enc, argsPtr.Interface()); err != nil {
		return nil, err
	}
	if ref == nil {
		latest := gethrpc.BlockNumberOrHashWithNumber(gethrpc.LatestBlockNumber)
		ref = &latest
	}
	out := method.Call([]reflect.Value{reflect.ValueOf(ctx), argsPtr.Elem(), reflect.ValueOf(ref), reflect.ValueOf(config)})
	if errv := out[1].Interface(); errv != nil {
		return nil, errv.(error)
	}
	return out[0].Interface(), nil
}
