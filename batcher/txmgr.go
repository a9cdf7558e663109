package batcher

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/log"
)

// L1Client is what the transaction manager needs of an L1 node;
// *ethclient.Client implements it.
type L1Client interface {
	ChainID(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// Errors of the transaction manager.
var (
	// ErrReverted is returned for a transaction mined with status 0. The
	// receipt is returned with it.
	ErrReverted = errors.New("txmgr: transaction reverted")
	// ErrNonceTaken is returned when the nonce was used by a transaction
	// that is none of ours (the key is used elsewhere).
	ErrNonceTaken = errors.New("txmgr: nonce used by another transaction")
)

// TxManagerConfig tunes the transaction manager.
type TxManagerConfig struct {
	// ResubmitAfter is how long a transaction may stay unmined before it is
	// re-sent with the same nonce and higher fees.
	ResubmitAfter time.Duration
	// Confirmations is how many blocks must be on top of the including
	// block before Send returns (0: return at inclusion).
	Confirmations uint64
	// PollInterval is how often receipts and the head are polled.
	PollInterval time.Duration
	// MaxFeeCap bounds the fee cap (wei per gas) of any attempt; bumping
	// stops there. Nil: no bound.
	MaxFeeCap *big.Int
}

// gasMarginPercent is the margin added to eth_estimateGas.
const gasMarginPercent = 120

// bumpPercent is the minimum fee increase of a replacement, as go-ethereum's
// txpool requires (legacypool's default PriceBump).
const bumpPercent = 10

// TxManager sends transactions from one key and sees each through to a
// confirmed receipt, replacing it with higher fees while it is not mined.
// Send calls are serialized: one nonce is in flight at a time.
type TxManager struct {
	client L1Client
	key    *ecdsa.PrivateKey
	from   common.Address
	cfg    TxManagerConfig
	now    func() time.Time

	mu     sync.Mutex
	signer types.Signer
	onSend func(*types.Transaction) // test hook, called for every attempt
}

// NewTxManager returns a manager sending from key through client.
func NewTxManager(client L1Client, key *ecdsa.PrivateKey, cfg TxManagerConfig) *TxManager {
	return &TxManager{client: client, key: key, from: crypto.PubkeyToAddress(key.PublicKey), cfg: cfg, now: time.Now}
}

// From returns the sending address.
func (m *TxManager) From() common.Address { return m.from }

// Send sends data with value to `to`, waits until it is mined with
// Confirmations blocks on top, and returns the receipt. A reverted
// transaction returns its receipt and ErrReverted. Estimation failures
// (the call would revert) are returned before anything is sent.
func (m *TxManager) Send(ctx context.Context, to common.Address, data []byte, value *big.Int) (*types.Receipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if value == nil {
		value = new(big.Int)
	}
	if m.signer == nil {
		id, err := m.client.ChainID(ctx)
		if err != nil {
			return nil, fmt.Errorf("txmgr: chain ID: %w", err)
		}
		m.signer = types.LatestSignerForChainID(id)
	}
	nonce, err := m.client.PendingNonceAt(ctx, m.from)
	if err != nil {
		return nil, fmt.Errorf("txmgr: nonce: %w", err)
	}
	tip, feeCap, err := m.fees(ctx)
	if err != nil {
		return nil, err
	}
	gas, err := m.client.EstimateGas(ctx, ethereum.CallMsg{
		From: m.from, To: &to, Data: data, Value: value, GasTipCap: tip, GasFeeCap: feeCap,
	})
	if err != nil {
		return nil, fmt.Errorf("txmgr: estimate gas: %w", err)
	}
	gas = gas * gasMarginPercent / 100

	var sent []common.Hash
	send := func(tip, feeCap *big.Int) error {
		tx, err := types.SignNewTx(m.key, m.signer, &types.DynamicFeeTx{
			Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Value: value, Data: data,
		})
		if err != nil {
			return fmt.Errorf("txmgr: sign: %w", err)
		}
		if m.onSend != nil {
			m.onSend(tx)
		}
		sent = append(sent, tx.Hash())
		if err := m.client.SendTransaction(ctx, tx); err != nil {
			return fmt.Errorf("txmgr: send %v (nonce %d): %w", tx.Hash(), nonce, err)
		}
		log.Debug("Sent L1 transaction", "hash", tx.Hash(), "nonce", nonce, "tip", tip, "feeCap", feeCap, "gas", gas)
		return nil
	}
	if err := send(tip, feeCap); err != nil {
		return nil, err
	}
	lastSend := m.now()

	ticker := time.NewTicker(m.cfg.PollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ticker.C:
		}
		receipt, err := m.findReceipt(ctx, sent)
		if err != nil {
			return nil, err
		}
		if receipt != nil {
			done, err := m.confirmed(ctx, receipt)
			if err != nil {
				return nil, err
			}
			if !done {
				continue
			}
			if receipt.Status != types.ReceiptStatusSuccessful {
				return receipt, fmt.Errorf("%w: %v in block %d", ErrReverted, receipt.TxHash, receipt.BlockNumber)
			}
			return receipt, nil
		}
		// Not mined. If the nonce is used anyway, it was not by us.
		mined, err := m.client.NonceAt(ctx, m.from, nil)
		if err != nil {
			return nil, fmt.Errorf("txmgr: nonce: %w", err)
		}
		if mined > nonce {
			// Our transaction may have been mined between the receipt
			// lookup and this one: look once more before giving up.
			if receipt, err := m.findReceipt(ctx, sent); err != nil || receipt != nil {
				continue
			}
			return nil, fmt.Errorf("%w: nonce %d", ErrNonceTaken, nonce)
		}
		if m.now().Sub(lastSend) < m.cfg.ResubmitAfter {
			continue
		}
		newTip, newCap, err := m.bump(ctx, tip, feeCap)
		if err != nil {
			return nil, err
		}
		if newTip == nil {
			log.Warn("L1 transaction stuck at the fee cap limit", "nonce", nonce, "feeCap", feeCap)
			lastSend = m.now()
			continue
		}
		tip, feeCap = newTip, newCap
		// A failed replacement (e.g. the old one was just mined) is not
		// fatal: the receipts of every attempt are still being watched.
		if err := send(tip, feeCap); err != nil {
			log.Warn("Replacement not accepted", "err", err)
		}
		lastSend = m.now()
	}
}

// fees returns the tip suggested by eth_maxPriorityFeePerGas and a fee cap
// of twice the head's base fee plus the tip.
func (m *TxManager) fees(ctx context.Context) (tip, feeCap *big.Int, err error) {
	head, err := m.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("txmgr: head: %w", err)
	}
	tip, err = m.client.SuggestGasTipCap(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("txmgr: tip: %w", err)
	}
	base := new(big.Int)
	if head.BaseFee != nil {
		base.Set(head.BaseFee)
	}
	feeCap = new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(2)), tip)
	if m.cfg.MaxFeeCap != nil && feeCap.Cmp(m.cfg.MaxFeeCap) > 0 {
		feeCap = new(big.Int).Set(m.cfg.MaxFeeCap)
		if tip.Cmp(feeCap) > 0 {
			tip = new(big.Int).Set(feeCap)
		}
	}
	return tip, feeCap, nil
}

// bump returns the fees of a replacement: the current market fees, but at
// least bumpPercent above the previous attempt's tip and fee cap, as the
// txpool requires for a replacement. It returns nil fees when that would
// exceed MaxFeeCap.
func (m *TxManager) bump(ctx context.Context, oldTip, oldCap *big.Int) (tip, feeCap *big.Int, err error) {
	tip, feeCap, err = m.fees(ctx)
	if err != nil {
		return nil, nil, err
	}
	minTip, minCap := bumped(oldTip), bumped(oldCap)
	if tip.Cmp(minTip) < 0 {
		tip = minTip
	}
	if feeCap.Cmp(minCap) < 0 {
		feeCap = minCap
	}
	if feeCap.Cmp(tip) < 0 {
		feeCap = new(big.Int).Set(tip)
	}
	if m.cfg.MaxFeeCap != nil && feeCap.Cmp(m.cfg.MaxFeeCap) > 0 {
		return nil, nil, nil
	}
	return tip, feeCap, nil
}

// bumped returns x increased by bumpPercent, rounded up, and by at least 1.
func bumped(x *big.Int) *big.Int {
	y := new(big.Int).Mul(x, big.NewInt(100+bumpPercent))
	y.Add(y, big.NewInt(99))
	y.Div(y, big.NewInt(100))
	if y.Cmp(x) <= 0 {
		y.Add(x, big.NewInt(1))
	}
	return y
}

// findReceipt returns the receipt of whichever attempt was mined, if any.
func (m *TxManager) findReceipt(ctx context.Context, hashes []common.Hash) (*types.Receipt, error) {
	for _, h := range hashes {
		r, err := m.client.TransactionReceipt(ctx, h)
		if errors.Is(err, ethereum.NotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("txmgr: receipt %v: %w", h, err)
		}
		return r, nil
	}
	return nil, nil
}

// confirmed reports whether receipt's block has Confirmations blocks on top
// and is still canonical.
func (m *TxManager) confirmed(ctx context.Context, r *types.Receipt) (bool, error) {
	head, err := m.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("txmgr: head: %w", err)
	}
	if head.Number.Uint64() < r.BlockNumber.Uint64()+m.cfg.Confirmations {
		return false, nil
	}
	h, err := m.client.HeaderByNumber(ctx, r.BlockNumber)
	if err != nil {
		return false, fmt.Errorf("txmgr: header %d: %w", r.BlockNumber, err)
	}
	return h.Hash() == r.BlockHash, nil
}
