package rpc

import (
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// TxPoolAPI serves the txpool namespace.
type TxPoolAPI struct {
	chain ChainReader
	pool  TxPool
}

// NewTxPoolAPI returns the txpool namespace.
func NewTxPoolAPI(chain ChainReader, pool TxPool) *TxPoolAPI {
	return &TxPoolAPI{chain: chain, pool: pool}
}

// Status returns the number of pending and queued transactions.
func (api *TxPoolAPI) Status() map[string]hexutil.Uint {
	pending, queued := api.pool.Stats()
	return map[string]hexutil.Uint{"pending": hexutil.Uint(pending), "queued": hexutil.Uint(queued)}
}

// byNonce renders a sender's transactions keyed by decimal nonce.
func (api *TxPoolAPI) byNonce(txs []*types.Transaction, head *types.Header) map[string]*RPCTransaction {
	out := make(map[string]*RPCTransaction, len(txs))
	for _, tx := range txs {
		out[strconv.FormatUint(tx.Nonce(), 10)] = newPendingTx(tx, head, api.chain.ChainConfig())
	}
	return out
}

// Content returns all pooled transactions by state, sender and nonce.
func (api *TxPoolAPI) Content() map[string]map[string]map[string]*RPCTransaction {
	pending, queued := api.pool.TxPoolContent()
	head := api.chain.CurrentHeader()
	out := map[string]map[string]map[string]*RPCTransaction{
		"pending": make(map[string]map[string]*RPCTransaction, len(pending)),
		"queued":  make(map[string]map[string]*RPCTransaction, len(queued)),
	}
	for addr, txs := range pending {
		out["pending"][addr.Hex()] = api.byNonce(txs, head)
	}
	for addr, txs := range queued {
		out["queued"][addr.Hex()] = api.byNonce(txs, head)
	}
	return out
}

// ContentFrom returns the pooled transactions of one sender.
func (api *TxPoolAPI) ContentFrom(addr common.Address) map[string]map[string]*RPCTransaction {
	pending, queued := api.pool.TxPoolContentFrom(addr)
	head := api.chain.CurrentHeader()
	return map[string]map[string]*RPCTransaction{
		"pending": api.byNonce(pending, head),
		"queued":  api.byNonce(queued, head),
	}
}

// Inspect returns a one-line summary of each pooled transaction.
func (api *TxPoolAPI) Inspect() map[string]map[string]map[string]string {
	pending, queued := api.pool.TxPoolContent()
	summarize := func(all map[common.Address][]*types.Transaction) map[string]map[string]string {
		out := make(map[string]map[string]string, len(all))
		for addr, txs := range all {
			lines := make(map[string]string, len(txs))
			for _, tx := range txs {
				lines[strconv.FormatUint(tx.Nonce(), 10)] = inspectLine(tx)
			}
			out[addr.Hex()] = lines
		}
		return out
	}
	return map[string]map[string]map[string]string{"pending": summarize(pending), "queued": summarize(queued)}
}

// inspectLine is go-ethereum's txpool_inspect format.
func inspectLine(tx *types.Transaction) string {
	if to := tx.To(); to != nil {
		return fmt.Sprintf("%s: %v wei + %v gas × %v wei", to.Hex(), tx.Value(), tx.Gas(), tx.GasPrice())
	}
	return fmt.Sprintf("contract creation: %v wei + %v gas × %v wei", tx.Value(), tx.Gas(), tx.GasPrice())
}
