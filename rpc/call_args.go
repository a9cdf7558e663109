package rpc

import (
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
)

// CallArgs are the transaction fields of eth_call, eth_estimateGas and
// eth_createAccessList, with go-ethereum's JSON names.
type CallArgs struct {
	From                 *common.Address              `json:"from"`
	To                   *common.Address              `json:"to"`
	Gas                  *hexutil.Uint64              `json:"gas"`
	GasPrice             *hexutil.Big                 `json:"gasPrice"`
	MaxFeePerGas         *hexutil.Big                 `json:"maxFeePerGas"`
	MaxPriorityFeePerGas *hexutil.Big                 `json:"maxPriorityFeePerGas"`
	Value                *hexutil.Big                 `json:"value"`
	Nonce                *hexutil.Uint64              `json:"nonce"`
	Data                 *hexutil.Bytes               `json:"data"`
	Input                *hexutil.Bytes               `json:"input"`
	AccessList           *types.AccessList            `json:"accessList,omitempty"`
	ChainID              *hexutil.Big                 `json:"chainId,omitempty"`
	BlobFeeCap           *hexutil.Big                 `json:"maxFeePerBlobGas"`
	BlobHashes           []common.Hash                `json:"blobVersionedHashes,omitempty"`
	AuthorizationList    []types.SetCodeAuthorization `json:"authorizationList"`
}

// from returns the sender, the zero address when omitted.
func (a *CallArgs) from() common.Address {
	if a.From == nil {
		return common.Address{}
	}
	return *a.From
}

// data returns the calldata; input wins over the legacy data field.
func (a *CallArgs) data() []byte {
	if a.Input != nil {
		return *a.Input
	}
	if a.Data != nil {
		return *a.Data
	}
	return nil
}

// check rejects a blob fee cap without blobs, as go-ethereum does.
func (a *CallArgs) check() error {
	if a.BlobFeeCap != nil && len(a.BlobHashes) == 0 {
		return errors.New("maxFeePerBlobGas specified without blobVersionedHashes")
	}
	return nil
}

// setCallDefaults fills what a call leaves out: gas (capped by gasCap),
// nonce, value and fee fields of the right style for the block.
func (a *CallArgs) setCallDefaults(gasCap uint64, baseFee *big.Int, chainID *big.Int) error {
	if a.GasPrice != nil && (a.MaxFeePerGas != nil || a.MaxPriorityFeePerGas != nil) {
		return errors.New("both gasPrice and (maxFeePerGas or maxPriorityFeePerGas) specified")
	}
	if a.To == nil {
		if a.BlobHashes != nil {
			return core.ErrBlobTxCreate
		}
		if a.AuthorizationList != nil {
			return core.ErrSetCodeTxCreate
		}
	}
	if a.ChainID == nil {
		a.ChainID = (*hexutil.Big)(chainID)
	} else if have := a.ChainID.ToInt(); have.Cmp(chainID) != 0 {
		return fmt.Errorf("chainId does not match node's (have=%v, want=%v)", have, chainID)
	}
	switch {
	case a.Gas == nil:
		gas := gasCap
		if gas == 0 {
			gas = math.MaxUint64 / 2
		}
		a.Gas = (*hexutil.Uint64)(&gas)
	case gasCap > 0 && uint64(*a.Gas) > gasCap:
		capped := gasCap
		a.Gas = (*hexutil.Uint64)(&capped)
	}
	if a.Nonce == nil {
		a.Nonce = new(hexutil.Uint64)
	}
	if a.Value == nil {
		a.Value = new(hexutil.Big)
	}
	if baseFee == nil {
		if a.MaxFeePerGas != nil || a.MaxPriorityFeePerGas != nil {
			return errors.New("maxFeePerGas and maxPriorityFeePerGas are not valid before London is active")
		}
		if a.GasPrice == nil {
			a.GasPrice = new(hexutil.Big)
		}
	} else {
		if a.MaxFeePerGas == nil {
			a.MaxFeePerGas = new(hexutil.Big)
		}
		if a.MaxPriorityFeePerGas == nil {
			a.MaxPriorityFeePerGas = new(hexutil.Big)
		}
	}
	if a.BlobFeeCap == nil && a.BlobHashes != nil {
		a.BlobFeeCap = new(hexutil.Big)
	}
	return nil
}

// toMessage converts defaulted arguments into a core.Message for simulation.
// Nonce and EOA checks are skipped: calls may come from any address.
func (a *CallArgs) toMessage(baseFee *big.Int) *core.Message {
	var gasPrice, feeCap, tipCap *uint256.Int
	switch {
	case baseFee == nil || a.GasPrice != nil:
		gasPrice = toU256(a.GasPrice)
		feeCap, tipCap = gasPrice, gasPrice
	default:
		feeCap, tipCap = toU256(a.MaxFeePerGas), toU256(a.MaxPriorityFeePerGas)
		// Back-fill the effective price unless all fee fields are zero, in
		// which case the call runs with a zero base fee.
		gasPrice = new(uint256.Int)
		if feeCap.Sign() > 0 || tipCap.Sign() > 0 {
			gasPrice.Add(tipCap, uint256.MustFromBig(baseFee))
			if gasPrice.Cmp(feeCap) > 0 {
				gasPrice.Set(feeCap)
			}
		}
	}
	var al types.AccessList
	if a.AccessList != nil {
		al = *a.AccessList
	}
	var blobFeeCap *uint256.Int
	if a.BlobFeeCap != nil {
		blobFeeCap = toU256(a.BlobFeeCap)
	}
	msg := &core.Message{
		From:                  a.from(),
		To:                    a.To,
		Value:                 toU256(a.Value),
		Nonce:                 uint64(*a.Nonce),
		GasLimit:              uint64(*a.Gas),
		GasPrice:              gasPrice,
		GasFeeCap:             feeCap,
		GasTipCap:             tipCap,
		Data:                  a.data(),
		AccessList:            al,
		BlobGasFeeCap:         blobFeeCap,
		BlobHashes:            a.BlobHashes,
		SetCodeAuthorizations: a.AuthorizationList,
	}
	return msg.SkipNonceCheck().SkipEOACheck().SkipGasLimitCapCheck()
}

// toU256 converts an optional big integer; nil and overflow become zero.
func toU256(b *hexutil.Big) *uint256.Int {
	if b == nil {
		return new(uint256.Int)
	}
	v, overflow := uint256.FromBig(b.ToInt())
	if overflow {
		return new(uint256.Int)
	}
	return v
}
