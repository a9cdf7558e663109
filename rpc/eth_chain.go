package rpc

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// ChainAPI serves the eth_ methods that read blocks, transactions and
// receipts of the canonical chain.
type ChainAPI struct {
	b  ChainReader
	tx TxPool // pooled transactions for eth_getTransactionByHash
}

// NewChainAPI returns the block and transaction readers of the eth namespace.
func NewChainAPI(b ChainReader, pool TxPool) *ChainAPI { return &ChainAPI{b: b, tx: pool} }

// ChainId returns the EIP-155 chain ID.
func (api *ChainAPI) ChainId() *hexutil.Big { //nolint:revive // JSON-RPC method name
	return (*hexutil.Big)(api.b.ChainConfig().ChainID)
}

// BlockNumber returns the number of the head block.
func (api *ChainAPI) BlockNumber() hexutil.Uint64 {
	return hexutil.Uint64(api.b.CurrentHeader().Number.Uint64())
}

// Syncing returns false: the sequencer produces the chain and never syncs it.
func (api *ChainAPI) Syncing() (interface{}, error) { return false, nil }

// Accounts returns an empty list: the node holds no keys.
func (api *ChainAPI) Accounts() []common.Address { return []common.Address{} }

// GetHeaderByNumber returns a header, or null when unknown.
func (api *ChainAPI) GetHeaderByNumber(ctx context.Context, number gethrpc.BlockNumber) (map[string]interface{}, error) {
	header, err := api.b.HeaderByNumber(ctx, number)
	if header == nil || err != nil {
		return nil, err
	}
	return marshalHeader(header), nil
}

// GetHeaderByHash returns a header, or null when unknown.
func (api *ChainAPI) GetHeaderByHash(ctx context.Context, hash common.Hash) map[string]interface{} {
	header, _ := api.b.HeaderByHash(ctx, hash)
	if header == nil {
		return nil
	}
	return marshalHeader(header)
}

// GetBlockByNumber returns a block with transaction hashes, or full
// transactions when fullTx is set; null when unknown.
func (api *ChainAPI) GetBlockByNumber(ctx context.Context, number gethrpc.BlockNumber, fullTx bool) (map[string]interface{}, error) {
	block, err := api.b.BlockByNumber(ctx, number)
	if block == nil || err != nil {
		return nil, err
	}
	return marshalBlock(block, fullTx, api.b.ChainConfig()), nil
}

// GetBlockByHash is GetBlockByNumber by hash.
func (api *ChainAPI) GetBlockByHash(ctx context.Context, hash common.Hash, fullTx bool) (map[string]interface{}, error) {
	block, err := api.b.BlockByHash(ctx, hash)
	if block == nil || err != nil {
		return nil, err
	}
	return marshalBlock(block, fullTx, api.b.ChainConfig()), nil
}

// GetUncleCountByBlockNumber returns 0 for a known block: L2 blocks have no uncles.
func (api *ChainAPI) GetUncleCountByBlockNumber(ctx context.Context, number gethrpc.BlockNumber) (*hexutil.Uint, error) {
	return uncleCount(api.b.BlockByNumber(ctx, number))
}

// GetUncleCountByBlockHash is GetUncleCountByBlockNumber by hash.
func (api *ChainAPI) GetUncleCountByBlockHash(ctx context.Context, hash common.Hash) (*hexutil.Uint, error) {
	return uncleCount(api.b.BlockByHash(ctx, hash))
}

// uncleCount is the uncle count of a looked-up block, or null when there
// is no such block.
func uncleCount(block *types.Block, err error) (*hexutil.Uint, error) {
	if block == nil || err != nil {
		return nil, err
	}
	n := hexutil.Uint(len(block.Uncles()))
	return &n, nil
}

// GetUncleByBlockNumberAndIndex returns null, as go-ethereum does for an
// index past a block's uncles: L2 blocks have none.
func (api *ChainAPI) GetUncleByBlockNumberAndIndex(ctx context.Context, number gethrpc.BlockNumber, index hexutil.Uint) (map[string]interface{}, error) {
	_, err := api.b.BlockByNumber(ctx, number)
	return nil, err
}

// GetUncleByBlockHashAndIndex is GetUncleByBlockNumberAndIndex by hash.
func (api *ChainAPI) GetUncleByBlockHashAndIndex(ctx context.Context, hash common.Hash, index hexutil.Uint) (map[string]interface{}, error) {
	_, err := api.b.BlockByHash(ctx, hash)
	return nil, err
}

// blockByNumberOrHash resolves either form of block reference.
func blockByNumberOrHash(ctx context.Context, b ChainReader, ref gethrpc.BlockNumberOrHash) (*types.Block, error) {
	if number, ok := ref.Number(); ok {
		return b.BlockByNumber(ctx, number)
	}
	if hash, ok := ref.Hash(); ok {
		return b.BlockByHash(ctx, hash)
	}
	return nil, errBlockArgs
}

// GetBlockReceipts returns all receipts of a block, or null when unknown.
func (api *ChainAPI) GetBlockReceipts(ctx context.Context, ref gethrpc.BlockNumberOrHash) ([]map[string]interface{}, error) {
	block, err := blockByNumberOrHash(ctx, api.b, ref)
	if block == nil || err != nil {
		return nil, err
	}
	receipts, err := api.b.GetReceipts(ctx, block.Hash())
	if err != nil {
		return nil, err
	}
	txs := block.Transactions()
	if len(txs) != len(receipts) {
		return nil, fmt.Errorf("receipts length mismatch: %d vs %d", len(txs), len(receipts))
	}
	signer := types.MakeSigner(api.b.ChainConfig(), block.Number(), block.Time())
	out := make([]map[string]interface{}, len(receipts))
	for i, r := range receipts {
		out[i] = marshalReceipt(r, block.Hash(), block.NumberU64(), signer, txs[i], i)
	}
	return out, nil
}

// GetBlockTransactionCountByNumber returns the number of transactions in a block.
func (api *ChainAPI) GetBlockTransactionCountByNumber(ctx context.Context, number gethrpc.BlockNumber) (*hexutil.Uint, error) {
	block, err := api.b.BlockByNumber(ctx, number)
	if block == nil || err != nil {
		return nil, err
	}
	n := hexutil.Uint(len(block.Transactions()))
	return &n, nil
}

// GetBlockTransactionCountByHash returns the number of transactions in a block.
func (api *ChainAPI) GetBlockTransactionCountByHash(ctx context.Context, hash common.Hash) (*hexutil.Uint, error) {
	block, err := api.b.BlockByHash(ctx, hash)
	if block == nil || err != nil {
		return nil, err
	}
	n := hexutil.Uint(len(block.Transactions()))
	return &n, nil
}

// GetTransactionByBlockNumberAndIndex returns a transaction by position, or null.
func (api *ChainAPI) GetTransactionByBlockNumberAndIndex(ctx context.Context, number gethrpc.BlockNumber, index hexutil.Uint) (*RPCTransaction, error) {
	block, err := api.b.BlockByNumber(ctx, number)
	if block == nil || err != nil {
		return nil, err
	}
	return newTxInBlock(block, uint64(index), api.b.ChainConfig()), nil
}

// GetTransactionByBlockHashAndIndex returns a transaction by position, or null.
func (api *ChainAPI) GetTransactionByBlockHashAndIndex(ctx context.Context, hash common.Hash, index hexutil.Uint) (*RPCTransaction, error) {
	block, err := api.b.BlockByHash(ctx, hash)
	if block == nil || err != nil {
		return nil, err
	}
	return newTxInBlock(block, uint64(index), api.b.ChainConfig()), nil
}

// GetTransactionByHash returns a mined or pooled transaction, or null.
func (api *ChainAPI) GetTransactionByHash(ctx context.Context, hash common.Hash) (*RPCTransaction, error) {
	found, tx, blockHash, blockNumber, index := api.b.GetCanonicalTransaction(hash)
	if !found {
		if tx := api.tx.GetPoolTransaction(hash); tx != nil {
			return newPendingTx(tx, api.b.CurrentHeader(), api.b.ChainConfig()), nil
		}
		if !api.b.TxIndexDone() {
			return nil, &TxIndexingError{}
		}
		return nil, nil
	}
	header, err := api.b.HeaderByHash(ctx, blockHash)
	if err != nil {
		return nil, err
	}
	if header == nil {
		return nil, errBlockNotFound
	}
	loc := txLocation{blockHash: blockHash, blockNumber: blockNumber, blockTime: header.Time, index: index, baseFee: header.BaseFee}
	return newRPCTransaction(tx, loc, api.b.ChainConfig()), nil
}

// GetRawTransactionByHash returns the binary encoding of a mined or pooled transaction.
func (api *ChainAPI) GetRawTransactionByHash(ctx context.Context, hash common.Hash) (hexutil.Bytes, error) {
	found, tx, _, _, _ := api.b.GetCanonicalTransaction(hash)
	if !found {
		if tx = api.tx.GetPoolTransaction(hash); tx == nil {
			if !api.b.TxIndexDone() {
				return nil, &TxIndexingError{}
			}
			return nil, nil
		}
	}
	return tx.MarshalBinary()
}

// GetTransactionReceipt returns the receipt of a mined transaction, or null.
func (api *ChainAPI) GetTransactionReceipt(ctx context.Context, hash common.Hash) (map[string]interface{}, error) {
	found, tx, blockHash, blockNumber, index := api.b.GetCanonicalTransaction(hash)
	if !found {
		if !api.b.TxIndexDone() {
			return nil, &TxIndexingError{}
		}
		return nil, nil
	}
	header, err := api.b.HeaderByHash(ctx, blockHash)
	if err != nil {
		return nil, err
	}
	if header == nil {
		return nil, errBlockNotFound
	}
	receipts, err := api.b.GetReceipts(ctx, blockHash)
	if err != nil {
		return nil, err
	}
	if index >= uint64(len(receipts)) {
		return nil, fmt.Errorf("receipt %d of block %x not found", index, blockHash)
	}
	signer := types.MakeSigner(api.b.ChainConfig(), header.Number, header.Time)
	return marshalReceipt(receipts[index], blockHash, blockNumber, signer, tx, int(index)), nil
}
