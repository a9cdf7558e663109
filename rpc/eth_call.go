package rpc

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/gasestimator"
	"github.com/ethereum/go-ethereum/eth/tracers/logger"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// estimateErrorRatio lets eth_estimateGas stop within 1.5% above the exact
// answer, as go-ethereum does; wallets add a larger margin anyway.
const estimateErrorRatio = 0.015

// CallAPI serves eth_call, eth_estimateGas and eth_createAccessList.
type CallAPI struct {
	b      *gethBackend
	limits limits
}

// newCallAPI returns the execution methods of the eth namespace.
func newCallAPI(b *gethBackend) *CallAPI { return &CallAPI{b: b, limits: b.limits} }

// callEnv is the state and block context a call runs in, after overrides.
type callEnv struct {
	state       *state.StateDB
	header      *types.Header
	blockCtx    vm.BlockContext
	precompiles vm.PrecompiledContracts
}

// prepare opens state at ref and applies block and state overrides.
func (api *CallAPI) prepare(ctx context.Context, ref gethrpc.BlockNumberOrHash, so StateOverride, bo *BlockOverrides) (*callEnv, error) {
	st, header, err := api.b.StateAndHeaderByNumberOrHash(ctx, ref)
	if st == nil || err != nil {
		return nil, err
	}
	blockCtx := core.NewEVMBlockContext(header, api.b.chainContext(ctx), nil)
	if err := bo.apply(&blockCtx); err != nil {
		return nil, err
	}
	header = bo.header(header)
	rules := api.b.ChainConfig().Rules(blockCtx.BlockNumber, blockCtx.Random != nil, blockCtx.Time)
	precompiles := vm.ActivePrecompiledContracts(rules)
	if err := so.apply(st, precompiles); err != nil {
		return nil, err
	}
	return &callEnv{state: st, header: header, blockCtx: blockCtx, precompiles: precompiles}, nil
}

// Call executes a message on the state of a block without changing it and
// returns the output. A revert is an error with code 3 and the revert data.
func (api *CallAPI) Call(ctx context.Context, args CallArgs, ref *gethrpc.BlockNumberOrHash, so *StateOverride, bo *BlockOverrides) (hexutil.Bytes, error) {
	if err := args.check(); err != nil {
		return nil, err
	}
	res, err := api.doCall(ctx, args, orLatest(ref), deref(so), bo)
	if err != nil {
		return nil, err
	}
	if errors.Is(res.Err, vm.ErrExecutionReverted) {
		return nil, NewRevertError(res.Revert())
	}
	return res.Return(), res.Err
}

func deref(so *StateOverride) StateOverride {
	if so == nil {
		return nil
	}
	return *so
}

// doCall runs one message under the configured gas cap and EVM timeout.
func (api *CallAPI) doCall(ctx context.Context, args CallArgs, ref gethrpc.BlockNumberOrHash, so StateOverride, bo *BlockOverrides) (*core.ExecutionResult, error) {
	env, err := api.prepare(ctx, ref, so, bo)
	if err != nil {
		return nil, err
	}
	timeout := api.limits.evmTimeout
	var cancel context.CancelFunc
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()

	gasCap := api.limits.gasCap
	if gasCap == 0 {
		gasCap = math.MaxUint64
	}
	gp := core.NewGasPool(gasCap)
	cfg := api.b.ChainConfig()
	if err := args.setCallDefaults(gp.Available(cfg.IsAmsterdam(env.header.Number, env.header.Time)), env.blockCtx.BaseFee, cfg.ChainID); err != nil {
		return nil, err
	}
	msg := args.toMessage(env.header.BaseFee).SkipExecutionGasCapCheck()
	// A zero-priced call runs with a zero base fee so it needs no funds.
	if msg.GasPrice.Sign() == 0 {
		env.blockCtx.BaseFee = new(big.Int)
	}
	if msg.BlobGasFeeCap != nil && msg.BlobGasFeeCap.BitLen() == 0 {
		env.blockCtx.BlobBaseFee = new(big.Int)
	}
	evm := vm.NewEVM(env.blockCtx, env.state, cfg, vm.Config{NoBaseFee: true})
	defer evm.Release()
	evm.SetPrecompiles(env.precompiles)
	go func() {
		<-ctx.Done()
		evm.Cancel()
	}()
	res, err := core.ApplyMessage(evm, msg, gp)
	// A state read failure must not masquerade as an execution error.
	if serr := env.state.Error(); serr != nil {
		return nil, serr
	}
	if evm.Cancelled() {
		return nil, fmt.Errorf("execution aborted (timeout = %v)", timeout)
	}
	if err != nil {
		return res, fmt.Errorf("err: %w (supplied gas %d)", err, msg.GasLimit)
	}
	return res, nil
}

// EstimateGas returns the lowest gas limit with which the message succeeds,
// found by go-ethereum's binary search (eth/gasestimator). A revert is an
// error with code 3; running out of gas at the cap is
// "gas required exceeds allowance (N)".
func (api *CallAPI) EstimateGas(ctx context.Context, args CallArgs, ref *gethrpc.BlockNumberOrHash, so *StateOverride, bo *BlockOverrides) (hexutil.Uint64, error) {
	if err := args.check(); err != nil {
		return 0, err
	}
	env, err := api.prepare(ctx, orLatest(ref), deref(so), bo)
	if err != nil {
		return 0, err
	}
	var blobBaseFee *big.Int
	if bo != nil && bo.BlobBaseFee != nil {
		blobBaseFee = bo.BlobBaseFee.ToInt()
	}
	opts := &gasestimator.Options{
		Config:      api.b.ChainConfig(),
		Chain:       api.b.chainContext(ctx),
		Header:      env.header,
		State:       env.state,
		BlobBaseFee: blobBaseFee,
		ErrorRatio:  estimateErrorRatio,
	}
	// Leave gas at zero when omitted so the estimator searches up to the
	// block gas limit rather than up to the cap.
	if args.Gas == nil {
		args.Gas = new(hexutil.Uint64)
	}
	if err := args.setCallDefaults(api.limits.gasCap, env.header.BaseFee, api.b.ChainConfig().ChainID); err != nil {
		return 0, err
	}
	estimate, revert, err := gasestimator.Estimate(ctx, args.toMessage(env.header.BaseFee), opts, api.limits.gasCap)
	if err != nil {
		if errors.Is(err, vm.ErrExecutionReverted) {
			return 0, NewRevertError(revert)
		}
		return 0, err
	}
	return hexutil.Uint64(estimate), nil
}

// AccessListResult is the eth_createAccessList answer.
type AccessListResult struct {
	AccessList *types.AccessList `json:"accessList"`
	Error      string            `json:"error,omitempty"`
	GasUsed    hexutil.Uint64    `json:"gasUsed"`
}

// CreateAccessList runs the message repeatedly with go-ethereum's access
// list tracer until the list it touches stops changing.
func (api *CallAPI) CreateAccessList(ctx context.Context, args CallArgs, ref *gethrpc.BlockNumberOrHash, so *StateOverride) (*AccessListResult, error) {
	if err := args.check(); err != nil {
		return nil, err
	}
	env, err := api.prepare(ctx, orLatest(ref), deref(so), nil)
	if err != nil {
		return nil, err
	}
	if args.Nonce == nil {
		nonce := hexutil.Uint64(env.state.GetNonce(args.from()))
		args.Nonce = &nonce
	}
	cfg := api.b.ChainConfig()
	if err := args.setCallDefaults(api.limits.gasCap, env.blockCtx.BaseFee, cfg.ChainID); err != nil {
		return nil, err
	}
	to := crypto.CreateAddress(args.from(), uint64(*args.Nonce))
	if args.To != nil {
		to = *args.To
	}
	// The sender, recipient, precompiles and authorities are warm anyway.
	exclude := map[common.Address]struct{}{args.from(): {}, to: {}}
	rules := cfg.Rules(env.header.Number, env.header.Difficulty.Sign() == 0, env.header.Time)
	for _, addr := range vm.ActivePrecompiles(rules) {
		exclude[addr] = struct{}{}
	}
	for _, auth := range args.AuthorizationList {
		if (!auth.ChainID.IsZero() && auth.ChainID.CmpBig(cfg.ChainID) != 0) || auth.Nonce+1 < auth.Nonce {
			continue
		}
		if authority, err := auth.Authority(); err == nil {
			exclude[authority] = struct{}{}
		}
	}
	var initial types.AccessList
	if args.AccessList != nil {
		initial = *args.AccessList
	}
	prev := logger.NewAccessListTracer(initial, exclude)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		list := prev.AccessList()
		args.AccessList = &list
		msg := args.toMessage(env.header.BaseFee)
		tracer := logger.NewAccessListTracer(list, exclude)
		blockCtx := core.NewEVMBlockContext(env.header, api.b.chainContext(ctx), nil)
		if msg.GasPrice.Sign() == 0 {
			blockCtx.BaseFee = new(big.Int)
		}
		if msg.BlobGasFeeCap != nil && msg.BlobGasFeeCap.BitLen() == 0 {
			blockCtx.BlobBaseFee = new(big.Int)
		}
		evm := vm.NewEVM(blockCtx, env.state.Copy(), cfg, vm.Config{Tracer: tracer.Hooks(), NoBaseFee: true})
		res, err := core.ApplyMessage(evm, msg, nil)
		evm.Release()
		if err != nil {
			return nil, fmt.Errorf("failed to apply transaction: %v err: %v", callTxHash(&args), err)
		}
		if tracer.Equal(prev) {
			out := &AccessListResult{AccessList: &list, GasUsed: hexutil.Uint64(res.UsedGas)}
			if res.Err != nil {
				out.Error = res.Err.Error()
			}
			return out, nil
		}
		prev = tracer
	}
}

// callTxHash names a failing message in errors the way geth does: the hash of
// the legacy transaction the arguments describe.
func callTxHash(a *CallArgs) common.Hash {
	tx := types.NewTx(&types.LegacyTx{
		Nonce:    uint64(*a.Nonce),
		GasPrice: priceOrZero(a.GasPrice),
		Gas:      uint64(*a.Gas),
		To:       a.To,
		Value:    a.Value.ToInt(),
		Data:     a.data(),
	})
	return tx.Hash()
}

func priceOrZero(b *hexutil.Big) *big.Int {
	if b == nil {
		return new(big.Int)
	}
	return b.ToInt()
}
