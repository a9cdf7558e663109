package rpc

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// marshalHeader renders a header with the field names and encodings that
// go-ethereum uses, so ethclient decodes it and recomputes the same hash.
func marshalHeader(h *types.Header) map[string]interface{} {
	out := map[string]interface{}{
		"number":           (*hexutil.Big)(h.Number),
		"hash":             h.Hash(),
		"parentHash":       h.ParentHash,
		"nonce":            h.Nonce,
		"mixHash":          h.MixDigest,
		"sha3Uncles":       h.UncleHash,
		"logsBloom":        h.Bloom,
		"stateRoot":        h.Root,
		"miner":            h.Coinbase,
		"difficulty":       (*hexutil.Big)(h.Difficulty),
		"extraData":        hexutil.Bytes(h.Extra),
		"gasLimit":         hexutil.Uint64(h.GasLimit),
		"gasUsed":          hexutil.Uint64(h.GasUsed),
		"timestamp":        hexutil.Uint64(h.Time),
		"transactionsRoot": h.TxHash,
		"receiptsRoot":     h.ReceiptHash,
	}
	// Optional fields appear only when the fork that added them is active;
	// leaving them out otherwise keeps the header hash stable for clients.
	if h.BaseFee != nil {
		out["baseFeePerGas"] = (*hexutil.Big)(h.BaseFee)
	}
	if h.WithdrawalsHash != nil {
		out["withdrawalsRoot"] = h.WithdrawalsHash
	}
	if h.BlobGasUsed != nil {
		out["blobGasUsed"] = hexutil.Uint64(*h.BlobGasUsed)
	}
	if h.ExcessBlobGas != nil {
		out["excessBlobGas"] = hexutil.Uint64(*h.ExcessBlobGas)
	}
	if h.ParentBeaconRoot != nil {
		out["parentBeaconBlockRoot"] = h.ParentBeaconRoot
	}
	if h.RequestsHash != nil {
		out["requestsHash"] = h.RequestsHash
	}
	if h.BlockAccessListHash != nil {
		out["blockAccessListHash"] = h.BlockAccessListHash
	}
	if h.SlotNumber != nil {
		out["slotNumber"] = hexutil.Uint64(*h.SlotNumber)
	}
	return out
}

// marshalBlock renders a block; fullTx selects transaction objects over hashes.
func marshalBlock(b *types.Block, fullTx bool, cfg *params.ChainConfig) map[string]interface{} {
	out := marshalHeader(b.Header())
	out["size"] = hexutil.Uint64(b.Size())
	txs := b.Transactions()
	list := make([]interface{}, len(txs))
	for i, tx := range txs {
		if fullTx {
			list[i] = newTxInBlock(b, uint64(i), cfg)
		} else {
			list[i] = tx.Hash()
		}
	}
	out["transactions"] = list
	uncles := make([]common.Hash, len(b.Uncles()))
	for i, u := range b.Uncles() {
		uncles[i] = u.Hash()
	}
	out["uncles"] = uncles
	if b.Withdrawals() != nil {
		out["withdrawals"] = b.Withdrawals()
	}
	return out
}

// RPCTransaction is the JSON form of a transaction, identical to go-ethereum's.
type RPCTransaction struct {
	BlockHash           *common.Hash                 `json:"blockHash"`
	BlockNumber         *hexutil.Big                 `json:"blockNumber"`
	BlockTimestamp      *hexutil.Uint64              `json:"blockTimestamp"`
	From                common.Address               `json:"from"`
	Gas                 hexutil.Uint64               `json:"gas"`
	GasPrice            *hexutil.Big                 `json:"gasPrice"`
	GasFeeCap           *hexutil.Big                 `json:"maxFeePerGas,omitempty"`
	GasTipCap           *hexutil.Big                 `json:"maxPriorityFeePerGas,omitempty"`
	MaxFeePerBlobGas    *hexutil.Big                 `json:"maxFeePerBlobGas,omitempty"`
	Hash                common.Hash                  `json:"hash"`
	Input               hexutil.Bytes                `json:"input"`
	Nonce               hexutil.Uint64               `json:"nonce"`
	To                  *common.Address              `json:"to"`
	TransactionIndex    *hexutil.Uint64              `json:"transactionIndex"`
	Value               *hexutil.Big                 `json:"value"`
	Type                hexutil.Uint64               `json:"type"`
	Accesses            *types.AccessList            `json:"accessList,omitempty"`
	ChainID             *hexutil.Big                 `json:"chainId,omitempty"`
	BlobVersionedHashes []common.Hash                `json:"blobVersionedHashes,omitempty"`
	AuthorizationList   []types.SetCodeAuthorization `json:"authorizationList,omitempty"`
	V                   *hexutil.Big                 `json:"v"`
	R                   *hexutil.Big                 `json:"r"`
	S                   *hexutil.Big                 `json:"s"`
	YParity             *hexutil.Uint64              `json:"yParity,omitempty"`
}

// txLocation says where a transaction was included; the zero value means pending.
type txLocation struct {
	blockHash   common.Hash
	blockNumber uint64
	blockTime   uint64
	index       uint64
	baseFee     *big.Int
}

// newRPCTransaction renders tx. The sender is recovered with the signer of
// the block it sits in (or of the head for pending transactions).
func newRPCTransaction(tx *types.Transaction, loc txLocation, cfg *params.ChainConfig) *RPCTransaction {
	signer := types.MakeSigner(cfg, new(big.Int).SetUint64(loc.blockNumber), loc.blockTime)
	from, _ := types.Sender(signer, tx)
	v, r, s := tx.RawSignatureValues()
	out := &RPCTransaction{
		Type:     hexutil.Uint64(tx.Type()),
		From:     from,
		Gas:      hexutil.Uint64(tx.Gas()),
		GasPrice: (*hexutil.Big)(tx.GasPrice()),
		Hash:     tx.Hash(),
		Input:    tx.Data(),
		Nonce:    hexutil.Uint64(tx.Nonce()),
		To:       tx.To(),
		Value:    (*hexutil.Big)(tx.Value()),
		V:        (*hexutil.Big)(v),
		R:        (*hexutil.Big)(r),
		S:        (*hexutil.Big)(s),
	}
	mined := loc.blockHash != (common.Hash{})
	if mined {
		hash, number, time, index := loc.blockHash, loc.blockNumber, loc.blockTime, loc.index
		out.BlockHash = &hash
		out.BlockNumber = (*hexutil.Big)(new(big.Int).SetUint64(number))
		out.BlockTimestamp = (*hexutil.Uint64)(&time)
		out.TransactionIndex = (*hexutil.Uint64)(&index)
	}
	if tx.Type() == types.LegacyTxType {
		if id := tx.ChainId(); id.Sign() != 0 {
			out.ChainID = (*hexutil.Big)(id)
		}
		return out
	}
	// Typed transactions: access list, chain id and y-parity.
	al := tx.AccessList()
	parity := hexutil.Uint64(v.Sign())
	out.Accesses = &al
	out.ChainID = (*hexutil.Big)(tx.ChainId())
	out.YParity = &parity
	if tx.Type() == types.AccessListTxType {
		return out
	}
	// EIP-1559 style fees; a mined transaction reports what it actually paid.
	out.GasFeeCap = (*hexutil.Big)(tx.GasFeeCap())
	out.GasTipCap = (*hexutil.Big)(tx.GasTipCap())
	if mined && loc.baseFee != nil {
		out.GasPrice = (*hexutil.Big)(effectivePrice(tx, loc.baseFee))
	} else {
		out.GasPrice = (*hexutil.Big)(tx.GasFeeCap())
	}
	switch tx.Type() {
	case types.BlobTxType:
		out.MaxFeePerBlobGas = (*hexutil.Big)(tx.BlobGasFeeCap())
		out.BlobVersionedHashes = tx.BlobHashes()
	case types.SetCodeTxType:
		out.AuthorizationList = tx.SetCodeAuthorizations()
	}
	return out
}

// effectivePrice is min(tip + baseFee, feeCap).
func effectivePrice(tx *types.Transaction, baseFee *big.Int) *big.Int {
	price := new(big.Int).Add(tx.GasTipCap(), baseFee)
	if tx.GasFeeCapIntCmp(price) < 0 {
		return tx.GasFeeCap()
	}
	return price
}

// newTxInBlock renders the transaction at index of b, or nil when out of range.
func newTxInBlock(b *types.Block, index uint64, cfg *params.ChainConfig) *RPCTransaction {
	txs := b.Transactions()
	if index >= uint64(len(txs)) {
		return nil
	}
	loc := txLocation{blockHash: b.Hash(), blockNumber: b.NumberU64(), blockTime: b.Time(), index: index, baseFee: b.BaseFee()}
	return newRPCTransaction(txs[index], loc, cfg)
}

// newPendingTx renders a pooled transaction against the current head.
func newPendingTx(tx *types.Transaction, head *types.Header, cfg *params.ChainConfig) *RPCTransaction {
	loc := txLocation{}
	if head != nil {
		loc.blockNumber, loc.blockTime = head.Number.Uint64(), head.Time
		loc.baseFee = eip1559.CalcBaseFee(cfg, head)
	}
	return newRPCTransaction(tx, loc, cfg)
}

// marshalReceipt renders a receipt as go-ethereum does: status (or root),
// effectiveGasPrice, contractAddress (null unless a creation), logs never
// null, blob fields only for blob transactions.
func marshalReceipt(r *types.Receipt, blockHash common.Hash, blockNumber uint64, signer types.Signer, tx *types.Transaction, index int) map[string]interface{} {
	from, _ := types.Sender(signer, tx)
	out := map[string]interface{}{
		"blockHash":         blockHash,
		"blockNumber":       hexutil.Uint64(blockNumber),
		"transactionHash":   tx.Hash(),
		"transactionIndex":  hexutil.Uint64(index),
		"from":              from,
		"to":                tx.To(),
		"gasUsed":           hexutil.Uint64(r.GasUsed),
		"cumulativeGasUsed": hexutil.Uint64(r.CumulativeGasUsed),
		"contractAddress":   nil,
		"logs":              r.Logs,
		"logsBloom":         r.Bloom,
		"type":              hexutil.Uint(tx.Type()),
		"effectiveGasPrice": (*hexutil.Big)(r.EffectiveGasPrice),
	}
	if len(r.PostState) > 0 {
		out["root"] = hexutil.Bytes(r.PostState)
	} else {
		out["status"] = hexutil.Uint(r.Status)
	}
	if r.Logs == nil {
		out["logs"] = []*types.Log{}
	}
	if tx.Type() == types.BlobTxType {
		out["blobGasUsed"] = hexutil.Uint64(r.BlobGasUsed)
		out["blobGasPrice"] = (*hexutil.Big)(r.BlobGasPrice)
	}
	if r.ContractAddress != (common.Address{}) {
		out["contractAddress"] = r.ContractAddress
	}
	return out
}
