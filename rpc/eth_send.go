package rpc

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/params"
)

// SendAPI serves eth_sendRawTransaction.
type SendAPI struct {
	chain    ChainReader
	pool     TxPool
	txFeeCap float64 // ether; 0 disables the check
}

// NewSendAPI returns the transaction submission method of the eth namespace.
// txFeeCap (in ether) refuses transactions whose gasPrice*gas exceeds it, as
// geth's --rpc.txfeecap does; 0 disables the check.
func NewSendAPI(chain ChainReader, pool TxPool, txFeeCap float64) *SendAPI {
	return &SendAPI{chain: chain, pool: pool, txFeeCap: txFeeCap}
}

// SendRawTransaction decodes a signed transaction, checks what the pool
// cannot check for us, submits it and returns its hash.
func (api *SendAPI) SendRawTransaction(ctx context.Context, input hexutil.Bytes) (common.Hash, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(input); err != nil {
		return common.Hash{}, err
	}
	// Lanes refuses blob transactions on L2. The pool has no blob subpool, so
	// answer exactly as go-ethereum's TxPool.Add does for a type no subpool takes.
	if tx.Type() == types.BlobTxType {
		return common.Hash{}, fmt.Errorf("%w: received type %d", core.ErrTxTypeNotSupported, tx.Type())
	}
	if err := checkTxFee(tx.GasPrice(), tx.Gas(), api.txFeeCap); err != nil {
		return common.Hash{}, err
	}
	if !tx.Protected() {
		return common.Hash{}, errUnprotectedTx
	}
	// Recover the sender here: a wrong chain ID or a bad signature gets the
	// same text as from geth's pool ("invalid sender: invalid chain id for signer ...").
	cfg := api.chain.ChainConfig()
	from, err := types.Sender(types.LatestSigner(cfg), tx)
	if err != nil {
		return common.Hash{}, fmt.Errorf("%w: %v", txpool.ErrInvalidSender, err)
	}
	if err := api.pool.SendTx(ctx, tx); err != nil {
		return common.Hash{}, err
	}
	log.Debug("Submitted transaction", "hash", tx.Hash(), "from", from, "nonce", tx.Nonce(), "to", tx.To())
	return tx.Hash(), nil
}

// checkTxFee refuses a fee above the cap, with go-ethereum's message.
func checkTxFee(gasPrice *big.Int, gas uint64, capEther float64) error {
	if capEther == 0 {
		return nil
	}
	feeWei := new(big.Int).Mul(gasPrice, new(big.Int).SetUint64(gas))
	feeEth := new(big.Float).Quo(new(big.Float).SetInt(feeWei), new(big.Float).SetInt(big.NewInt(params.Ether)))
	fee, _ := feeEth.Float64()
	if fee > capEther {
		return fmt.Errorf("tx fee (%.2f ether) exceeds the configured cap (%.2f ether)", fee, capEther)
	}
	return nil
}
