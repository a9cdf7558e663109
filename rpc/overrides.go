package rpc

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// AccountOverride replaces parts of one account for the duration of a call.
// Field names match go-ethereum's eth_call state override set.
type AccountOverride struct {
	Nonce            *hexutil.Uint64             `json:"nonce"`
	Code             *hexutil.Bytes              `json:"code"`
	Balance          *hexutil.Big                `json:"balance"`
	State            map[common.Hash]common.Hash `json:"state"`
	StateDiff        map[common.Hash]common.Hash `json:"stateDiff"`
	MovePrecompileTo *common.Address             `json:"movePrecompileToAddress"`
}

// StateOverride maps addresses to their overrides.
type StateOverride map[common.Address]AccountOverride

// apply writes the overrides into st and moves precompiles as asked. It
// visits addresses in sorted order so that errors are deterministic.
func (o StateOverride) apply(st *state.StateDB, precompiles vm.PrecompiledContracts) error {
	if o == nil {
		return nil
	}
	movedTo := make(map[common.Address]bool)
	for _, addr := range slices.SortedFunc(maps.Keys(o), common.Address.Cmp) {
		acct := o[addr]
		if movedTo[addr] {
			return fmt.Errorf("account %s has already been overridden by a precompile", addr.Hex())
		}
		pc, isPrecompile := precompiles[addr]
		if acct.MovePrecompileTo != nil {
			if !isPrecompile {
				return fmt.Errorf("account %s is not a precompile", addr.Hex())
			}
			if _, taken := o[*acct.MovePrecompileTo]; taken {
				return fmt.Errorf("account %s is already overridden", acct.MovePrecompileTo.Hex())
			}
			precompiles[*acct.MovePrecompileTo] = pc
			movedTo[*acct.MovePrecompileTo] = true
		}
		// Overriding a precompile's address replaces it with a plain account.
		if isPrecompile {
			delete(precompiles, addr)
		}
		if acct.Nonce != nil {
			st.SetNonce(addr, uint64(*acct.Nonce), tracing.NonceChangeUnspecified)
		}
		if acct.Code != nil {
			st.SetCode(addr, *acct.Code, tracing.CodeChangeUnspecified)
		}
		if acct.Balance != nil {
			bal, _ := uint256.FromBig(acct.Balance.ToInt())
			st.SetBalance(addr, bal, tracing.BalanceChangeUnspecified)
		}
		if acct.State != nil && acct.StateDiff != nil {
			return fmt.Errorf("account %s has both 'state' and 'stateDiff'", addr.Hex())
		}
		if acct.State != nil {
			st.SetStorage(addr, acct.State)
		}
		for k, v := range acct.StateDiff {
			st.SetState(addr, k, v)
		}
	}
	// Finalise so the overrides look like the effects of an earlier transaction.
	st.Finalise(params.Rules{})
	return nil
}

// BlockOverrides replaces block context fields for a call. Field names match
// go-ethereum's; beaconRoot and withdrawals are refused as geth refuses them
// outside eth_simulateV1.
type BlockOverrides struct {
	Number        *hexutil.Big       `json:"number"`
	Difficulty    *hexutil.Big       `json:"difficulty"`
	Time          *hexutil.Uint64    `json:"time"`
	GasLimit      *hexutil.Uint64    `json:"gasLimit"`
	FeeRecipient  *common.Address    `json:"feeRecipient"`
	PrevRandao    *common.Hash       `json:"prevRandao"`
	BaseFeePerGas *hexutil.Big       `json:"baseFeePerGas"`
	BlobBaseFee   *hexutil.Big       `json:"blobBaseFee"`
	BeaconRoot    *common.Hash       `json:"beaconRoot"`
	Withdrawals   *types.Withdrawals `json:"withdrawals"`
}

// apply writes the overrides into an EVM block context.
func (o *BlockOverrides) apply(ctx *vm.BlockContext) error {
	if o == nil {
		return nil
	}
	if o.BeaconRoot != nil {
		return errors.New(`block override "beaconRoot" is not supported for this RPC method`)
	}
	if o.Withdrawals != nil {
		return errors.New(`block override "withdrawals" is not supported for this RPC method`)
	}
	if o.Number != nil {
		ctx.BlockNumber = o.Number.ToInt()
	}
	if o.Difficulty != nil {
		ctx.Difficulty = o.Difficulty.ToInt()
	}
	if o.Time != nil {
		ctx.Time = uint64(*o.Time)
	}
	if o.GasLimit != nil {
		ctx.GasLimit = uint64(*o.GasLimit)
	}
	if o.FeeRecipient != nil {
		ctx.Coinbase = *o.FeeRecipient
	}
	if o.PrevRandao != nil {
		ctx.Random = o.PrevRandao
	}
	if o.BaseFeePerGas != nil {
		ctx.BaseFee = o.BaseFeePerGas.ToInt()
	}
	if o.BlobBaseFee != nil {
		ctx.BlobBaseFee = o.BlobBaseFee.ToInt()
	}
	return nil
}

// header returns a copy of h with the overrides that live in a header, so
// fee calculations see the overridden base fee.
func (o *BlockOverrides) header(h *types.Header) *types.Header {
	if o == nil {
		return h
	}
	c := types.CopyHeader(h)
	if o.Number != nil {
		c.Number = o.Number.ToInt()
	}
	if o.Difficulty != nil && (c.Difficulty == nil || c.Difficulty.Sign() != 0) {
		c.Difficulty = o.Difficulty.ToInt()
	}
	if o.Time != nil {
		c.Time = uint64(*o.Time)
	}
	if o.GasLimit != nil {
		c.GasLimit = uint64(*o.GasLimit)
	}
	if o.FeeRecipient != nil {
		c.Coinbase = *o.FeeRecipient
	}
	if o.PrevRandao != nil {
		c.MixDigest = *o.PrevRandao
	}
	if o.BaseFeePerGas != nil {
		c.BaseFee = o.BaseFeePerGas.ToInt()
	}
	return c
}
