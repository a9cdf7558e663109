package loadgen

import (
	"context"
	"errors"
	"fmt"
	"github.com/ethereum/go-ethereum"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

// setup funds the senders with ETH and, for the ERC20 workload, deploys the
// token and gives each sender enough of it.
func (e *env) setup(ctx context.Context, logf Logf) error {
	if e.cfg.FundFromNodeAccount {
		if err := e.fundFunderFromNode(ctx); err != nil {
			return err
		}
	}
	if err := e.refreshFees(ctx); err != nil {
		return err
	}
	nonce, err := e.client.PendingNonceAt(ctx, e.funder)
	if err != nil {
		return fmt.Errorf("funder nonce: %w", err)
	}
	perSender := uint64(e.cfg.Txs/e.cfg.Senders + 1)
	gas := uint64(ethTransferGas)
	if e.cfg.Kind == KindERC20 {
		gas = erc20GasBound
	}
	// Twice what the measured transactions can cost at the fee cap.
	need := new(big.Int).Mul(e.feeCap, new(big.Int).SetUint64(2*gas*perSender+2))
	need.Add(need, new(big.Int).SetUint64(2*perSender))

	var pending []*types.Transaction
	send := func(tx *types.Transaction) error {
		if err := e.client.SendTransaction(ctx, tx); err != nil {
			return fmt.Errorf("setup transaction %d: %w", tx.Nonce(), err)
		}
		pending = append(pending, tx)
		return nil
	}
	for _, key := range e.senders {
		to := crypto.PubkeyToAddress(key.PublicKey)
		tx, err := e.newTx(e.cfg.Funder, nonce, &to, need, ethTransferGas, nil)
		if err != nil {
			return err
		}
		if err := send(tx); err != nil {
			return err
		}
		nonce++
	}
	if e.cfg.Kind == KindERC20 {
		supply := new(big.Int).Lsh(big.NewInt(1), 128)
		deploy, err := e.newTx(e.cfg.Funder, nonce, nil, new(big.Int), tokenDeployGas, tokenDeployCode(supply))
		if err != nil {
			return err
		}
		if err := send(deploy); err != nil {
			return err
		}
		e.token = crypto.CreateAddress(e.funder, nonce)
		nonce++
		amount := new(big.Int).SetUint64(perSender)
		for _, key := range e.senders {
			tx, err := e.newTx(e.cfg.Funder, nonce, &e.token, new(big.Int), tokenSetupGas, tokenTransfer(crypto.PubkeyToAddress(key.PublicKey), amount))
			if err != nil {
				return err
			}
			if err := send(tx); err != nil {
				return err
			}
			nonce++
		}
	}
	logf("setup: waiting for %d transactions", len(pending))
	if err := waitReceipts(ctx, e.client, pending); err != nil {
		return err
	}
	for i, key := range e.senders {
		n, err := e.client.PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
		if err != nil {
			return err
		}
		e.nonces[i] = n
	}
	if e.cfg.Kind == KindERC20 {
		// A transfer to a fresh recipient, the costliest kind measured,
		// with a quarter on top.
		to := e.recipient(e.cfg.Txs)
		est, err := e.client.EstimateGas(ctx, ethereum.CallMsg{
			From: crypto.PubkeyToAddress(e.senders[0].PublicKey),
			To:   &e.token,
			Data: tokenTransfer(to, big.NewInt(1)),
		})
		if err != nil {
			return fmt.Errorf("estimate an ERC20 transfer: %w", err)
		}
		e.erc20Gas = est + est/4
	}
	return e.refreshFees(ctx)
}

// fundFunderFromNode asks the node to send the funder 1,000 ETH from its
// own unlocked account, as go-ethereum's --dev mode has.
func (e *env) fundFunderFromNode(ctx context.Context) error {
	var accounts []common.Address
	if err := e.raw.CallContext(ctx, &accounts, "eth_accounts"); err != nil {
		return fmt.Errorf("eth_accounts: %w", err)
	}
	if len(accounts) == 0 {
		return errors.New("the node has no account to fund from")
	}
	amount := new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
	var hash common.Hash
	args := map[string]any{"from": accounts[0], "to": e.funder, "value": hexBig(amount)}
	if err := e.raw.CallContext(ctx, &hash, "eth_sendTransaction", args); err != nil {
		return fmt.Errorf("eth_sendTransaction from node account: %w", err)
	}
	r, err := waitReceipt(ctx, e.client, hash)
	if err != nil {
		return err
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("funding transaction %v failed", hash)
	}
	// go-ethereum's pool catches up with a new block in the background;
	// until it has, it still sees the funder without funds. One more block
	// guarantees it has.
	for {
		head, err := e.client.BlockNumber(ctx)
		if err != nil {
			return err
		}
		if head > r.BlockNumber.Uint64() {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// waitReceipts waits until every transaction has a successful receipt.
func waitReceipts(ctx context.Context, client *ethclient.Client, txs []*types.Transaction) error {
	for _, tx := range txs {
		r, err := waitReceipt(ctx, client, tx.Hash())
		if err != nil {
			return err
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return fmt.Errorf("setup transaction %v failed", tx.Hash())
		}
	}
	return nil
}

func waitReceipt(ctx context.Context, client *ethclient.Client, hash common.Hash) (*types.Receipt, error) {
	for {
		r, err := client.TransactionReceipt(ctx, hash)
		if err == nil {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %v: %w", hash, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
