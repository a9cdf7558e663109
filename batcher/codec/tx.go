package codec

import (
	"bytes"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/holiman/uint256"
)

// txFields is one transaction taken apart into the columns of version 1.
// The chain ID is not here: it is a batch-level field.
type txFields struct {
	typ       byte
	protected bool // legacy only: EIP-155 replay protection
	nonce     uint64
	gas       uint64
	to        *common.Address // nil: contract creation
	value     *uint256.Int
	gasPrice  *uint256.Int // legacy and access-list txs
	tipCap    *uint256.Int // dynamic-fee and set-code txs
	feeCap    *uint256.Int
	data      []byte
	// accessList and authList are the transaction's own RLP encodings of
	// those lists, kept opaque.
	accessList []byte
	authList   []byte
	yParity    bool
	r, s       [32]byte
}

func hasAccessList(typ byte) bool {
	return typ == types.AccessListTxType || typ == types.DynamicFeeTxType || typ == types.SetCodeTxType
}

func hasTipCap(typ byte) bool {
	return typ == types.DynamicFeeTxType || typ == types.SetCodeTxType
}

func knownType(typ byte) bool {
	return typ == types.LegacyTxType || hasAccessList(typ)
}

// checkTx parses raw and insists that it is a canonical encoding of a type
// the L2 accepts. Both versions run it on encode and on decode, so whatever
// decodes also encodes.
func checkTx(raw []byte) (*types.Transaction, error) {
	tx, err := parseTx(raw)
	if err != nil {
		return nil, err
	}
	again, err := tx.MarshalBinary()
	if err != nil || !bytes.Equal(again, raw) {
		return nil, fmt.Errorf("%w: not a canonical encoding", ErrInvalidTx)
	}
	return tx, nil
}

// parseTx parses raw and checks its type, without the canonical check.
func parseTx(raw []byte) (*types.Transaction, error) {
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidTx, err)
	}
	if !knownType(tx.Type()) {
		return nil, fmt.Errorf("%w: type %d", ErrUnsupportedTx, tx.Type())
	}
	return &tx, nil
}

func toU256(x *big.Int, what string) (*uint256.Int, error) {
	if x == nil {
		return new(uint256.Int), nil
	}
	u, overflow := uint256.FromBig(x)
	if overflow || x.Sign() < 0 {
		return nil, fmt.Errorf("%w: %s out of range", ErrUnsupportedTx, what)
	}
	return u, nil
}

// splitTx takes raw apart. chainID is the batch's chain ID so far (nil if no
// transaction has fixed it yet); splitTx returns it, fixed if this one does.
// The split is verified by rebuilding the transaction byte for byte, which
// also proves raw canonical.
func splitTx(raw []byte, chainID *uint256.Int) (*txFields, *uint256.Int, error) {
	tx, err := parseTx(raw)
	if err != nil {
		return nil, chainID, err
	}
	f := &txFields{
		typ:   tx.Type(),
		nonce: tx.Nonce(),
		gas:   tx.Gas(),
		to:    tx.To(),
		data:  tx.Data(),
	}
	if f.value, err = toU256(tx.Value(), "value"); err != nil {
		return nil, chainID, err
	}
	if hasTipCap(f.typ) {
		if f.tipCap, err = toU256(tx.GasTipCap(), "tip cap"); err != nil {
			return nil, chainID, err
		}
		if f.feeCap, err = toU256(tx.GasFeeCap(), "fee cap"); err != nil {
			return nil, chainID, err
		}
	} else if f.gasPrice, err = toU256(tx.GasPrice(), "gas price"); err != nil {
		return nil, chainID, err
	}
	if hasAccessList(f.typ) {
		if f.accessList, err = rlp.EncodeToBytes(tx.AccessList()); err != nil {
			return nil, chainID, fmt.Errorf("%w: access list: %v", ErrInvalidTx, err)
		}
	}
	if f.typ == types.SetCodeTxType {
		if f.authList, err = rlp.EncodeToBytes(tx.SetCodeAuthorizations()); err != nil {
			return nil, chainID, fmt.Errorf("%w: authorization list: %v", ErrInvalidTx, err)
		}
	}

	v, r, s := tx.RawSignatureValues()
	if r.BitLen() > 256 || s.BitLen() > 256 {
		return nil, chainID, fmt.Errorf("%w: signature value over 256 bits", ErrUnsupportedTx)
	}
	r.FillBytes(f.r[:])
	s.FillBytes(f.s[:])

	var txChainID *uint256.Int // nil: the transaction does not fix one
	var parity *big.Int
	switch {
	case f.typ != types.LegacyTxType:
		if txChainID, err = toU256(tx.ChainId(), "chain ID"); err != nil {
			return nil, chainID, err
		}
		parity = v
	case v.Cmp(big.NewInt(27)) == 0 || v.Cmp(big.NewInt(28)) == 0:
		parity = new(big.Int).Sub(v, big.NewInt(27))
	case v.Cmp(big.NewInt(35)) >= 0:
		f.protected = true
		id := new(big.Int).Sub(v, big.NewInt(35))
		parity = new(big.Int).And(id, big.NewInt(1))
		if txChainID, err = toU256(id.Rsh(id, 1), "chain ID"); err != nil {
			return nil, chainID, err
		}
	default:
		return nil, chainID, fmt.Errorf("%w: legacy V %v", ErrUnsupportedTx, v)
	}
	if parity.Sign() != 0 && parity.Cmp(big.NewInt(1)) != 0 {
		return nil, chainID, fmt.Errorf("%w: V %v is not a y-parity", ErrUnsupportedTx, v)
	}
	f.yParity = parity.Sign() != 0
	if txChainID != nil {
		if chainID == nil {
			chainID = txChainID
		} else if !chainID.Eq(txChainID) {
			return nil, chainID, fmt.Errorf("%w: chain ID %v in a batch of chain %v", ErrUnsupportedTx, txChainID, chainID)
		}
	}
	again, err := f.build(chainID)
	if err != nil || !bytes.Equal(again, raw) {
		return nil, chainID, fmt.Errorf("%w: does not survive the columnar split", ErrUnsupportedTx)
	}
	return f, chainID, nil
}

// build reassembles the transaction's EIP-2718 encoding.
func (f *txFields) build(chainID *uint256.Int) ([]byte, error) {
	if chainID == nil {
		chainID = new(uint256.Int)
	}
	r := new(uint256.Int).SetBytes32(f.r[:])
	s := new(uint256.Int).SetBytes32(f.s[:])
	v := new(uint256.Int)
	if f.yParity {
		v.SetOne()
	}
	var accessList types.AccessList
	if hasAccessList(f.typ) {
		if err := rlp.DecodeBytes(f.accessList, &accessList); err != nil {
			return nil, fmt.Errorf("%w: access list: %v", ErrInvalidTx, err)
		}
	}
	var inner types.TxData
	switch f.typ {
	case types.LegacyTxType:
		// V can exceed 256 bits for a huge chain ID, so it is computed as a big.Int.
		bv := big.NewInt(27)
		if f.protected {
			bv.Lsh(chainID.ToBig(), 1).Add(bv, big.NewInt(35))
		}
		if f.yParity {
			bv.Add(bv, big.NewInt(1))
		}
		inner = &types.LegacyTx{Nonce: f.nonce, GasPrice: f.gasPrice.ToBig(), Gas: f.gas, To: f.to,
			Value: f.value.ToBig(), Data: f.data, V: bv, R: r.ToBig(), S: s.ToBig()}
	case types.AccessListTxType:
		inner = &types.AccessListTx{ChainID: chainID.ToBig(), Nonce: f.nonce, GasPrice: f.gasPrice.ToBig(),
			Gas: f.gas, To: f.to, Value: f.value.ToBig(), Data: f.data, AccessList: accessList,
			V: v.ToBig(), R: r.ToBig(), S: s.ToBig()}
	case types.DynamicFeeTxType:
		inner = &types.DynamicFeeTx{ChainID: chainID.ToBig(), Nonce: f.nonce, GasTipCap: f.tipCap.ToBig(),
			GasFeeCap: f.feeCap.ToBig(), Gas: f.gas, To: f.to, Value: f.value.ToBig(), Data: f.data,
			AccessList: accessList, V: v.ToBig(), R: r.ToBig(), S: s.ToBig()}
	case types.SetCodeTxType:
		if f.to == nil {
			return nil, fmt.Errorf("%w: set-code transaction without recipient", ErrInvalidTx)
		}
		var auths []types.SetCodeAuthorization
		if err := rlp.DecodeBytes(f.authList, &auths); err != nil {
			return nil, fmt.Errorf("%w: authorization list: %v", ErrInvalidTx, err)
		}
		inner = &types.SetCodeTx{ChainID: chainID, Nonce: f.nonce, GasTipCap: f.tipCap, GasFeeCap: f.feeCap,
			Gas: f.gas, To: *f.to, Value: f.value, Data: f.data, AccessList: accessList, AuthList: auths,
			V: v, R: r, S: s}
	default:
		return nil, fmt.Errorf("%w: type %d", ErrInvalidTx, f.typ)
	}
	return types.NewTx(inner).MarshalBinary()
}
