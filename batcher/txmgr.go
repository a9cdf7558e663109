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
	"github.com/ethereum/go-ethereum/crypto/kzg4844"
	"github.com/ethereum/go-ethereum/log"
	"github.com/holiman/uint256"
)

// L1Client is what the transaction manager needs of an L1 node;
// *ethclient.Client implements it.
type L1Client interface {
	ChainID(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	BlobBaseFee(ctx context.Context) (*big.Int, error)
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
	// ErrReorgedBelow is returned when an L1 reorg removed our transaction
	// and earlier ones of the same account: this nonce cannot be mined
	// until they are sent again, which is the caller's business (the
	// batcher re-reads the contract and starts over from there).
	ErrReorgedBelow = errors.New("txmgr: L1 reorg removed earlier transactions of the account")
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
	// MaxBlobFeeCap bounds the blob fee cap (wei per blob gas) the same
	// way. Nil: no bound.
	MaxBlobFeeCap *big.Int
	// BlobProofs selects the sidecar of blob transactions: cell proofs
	// (types.BlobSidecarVersion1, what an L1 past Osaka accepts; the
	// default) or one proof per blob (types.BlobSidecarVersion0, before
	// Osaka).
	BlobProofs byte
	// OnSend, if set, is called with every attempt before it is sent
	// (for tests and diagnostics).
	OnSend func(*types.Transaction)
}

// gasMarginPercent is the margin added to eth_estimateGas.
const gasMarginPercent = 120

// bumpPercent is the minimum fee increase of a replacement, as go-ethereum's
// txpool requires (legacypool's default PriceBump).
const bumpPercent = 10

// blobBumpPercent is the minimum increase of every fee of a blob
// transaction's replacement: go-ethereum's blobpool wants the tip, the fee
// cap and the blob fee cap each doubled.
const blobBumpPercent = 100

// TxCandidate is one transaction for TxManager.SendTx to see through.
type TxCandidate struct {
	To    common.Address
	Data  []byte
	Value *big.Int // nil for none
	// Blobs, when set, make it a type-3 (EIP-4844) transaction carrying
	// them; the manager computes commitments and proofs.
	Blobs []kzg4844.Blob
}

// TxManager sends transactions from one key and sees each through to a
// confirmed receipt, replacing it with higher fees while it is not mined,
// and sending it again if an L1 reorg removes it before it is confirmed.
// Send calls are serialized: one nonce is in flight at a time.
type TxManager struct {
	client L1Client
	key    *ecdsa.PrivateKey
	from   common.Address
	cfg    TxManagerConfig
	now    func() time.Time

	mu     sync.Mutex
	signer types.Signer
}

// NewTxManager returns a manager sending from key through client.
func NewTxManager(client L1Client, key *ecdsa.PrivateKey, cfg TxManagerConfig) *TxManager {
	return &TxManager{client: client, key: key, from: crypto.PubkeyToAddress(key.PublicKey), cfg: cfg, now: time.Now}
}

// From returns the sending address.
func (m *TxManager) From() common.Address { return m.from }

// Send sends data with value to `to`; see SendTx.
func (m *TxManager) Send(ctx context.Context, to common.Address, data []byte, value *big.Int) (*types.Receipt, error) {
	return m.SendTx(ctx, TxCandidate{To: to, Data: data, Value: value})
}

// fees are the fee fields of one attempt; blob is nil for a type-2
// transaction.
type fees struct{ tip, feeCap, blob *big.Int }

// attempt is one signed attempt and the block it was last seen mined in.
type attempt struct {
	tx      *types.Transaction
	minedIn *types.Receipt
}

// SendTx sends c, waits until it is mined with Confirmations blocks on top,
// and returns the receipt. A reverted transaction returns its receipt and
// ErrReverted. Estimation failures (the call would revert) are returned
// before anything is sent.
//
// While it waits, the transaction is replaced with higher fees every
// ResubmitAfter, and sent again at once when a receipt it had seen
// disappears (an L1 reorg dropped the including block; see
// ErrNonceTaken for a nonce another transaction took meanwhile).
func (m *TxManager) SendTx(ctx context.Context, c TxCandidate) (*types.Receipt, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if c.Value == nil {
		c.Value = new(big.Int)
	}
	if m.signer == nil {
		id, err := m.client.ChainID(ctx)
		if err != nil {
			return nil, fmt.Errorf("txmgr: chain ID: %w", err)
		}
		m.signer = types.LatestSignerForChainID(id)
	}
	var sidecar *types.BlobTxSidecar
	if len(c.Blobs) > 0 {
		var err error
		if sidecar, err = MakeSidecar(c.Blobs, m.cfg.BlobProofs); err != nil {
			return nil, err
		}
	}
	nonce, err := m.client.PendingNonceAt(ctx, m.from)
	if err != nil {
		return nil, fmt.Errorf("txmgr: nonce: %w", err)
	}
	f, err := m.fees(ctx, sidecar != nil)
	if err != nil {
		return nil, err
	}
	msg := ethereum.CallMsg{From: m.from, To: &c.To, Data: c.Data, Value: c.Value, GasTipCap: f.tip, GasFeeCap: f.feeCap}
	if sidecar != nil {
		msg.BlobHashes, msg.BlobGasFeeCap = sidecar.BlobHashes(), f.blob
	}
	gas, err := m.client.EstimateGas(ctx, msg)
	if err != nil {
		return nil, fmt.Errorf("txmgr: estimate gas: %w", err)
	}
	gas = gas * gasMarginPercent / 100

	var sent []*attempt
	send := func(f fees) error {
		var inner types.TxData
		if sidecar == nil {
			inner = &types.DynamicFeeTx{Nonce: nonce, GasTipCap: f.tip, GasFeeCap: f.feeCap, Gas: gas, To: &c.To, Value: c.Value, Data: c.Data}
		} else {
			inner = &types.BlobTx{
				Nonce: nonce, GasTipCap: uint256.MustFromBig(f.tip), GasFeeCap: uint256.MustFromBig(f.feeCap), Gas: gas,
				To: c.To, Value: uint256.MustFromBig(c.Value), Data: c.Data,
				BlobFeeCap: uint256.MustFromBig(f.blob), BlobHashes: sidecar.BlobHashes(), Sidecar: sidecar,
			}
		}
		tx, err := types.SignNewTx(m.key, m.signer, inner)
		if err != nil {
			return fmt.Errorf("txmgr: sign: %w", err)
		}
		if m.cfg.OnSend != nil {
			m.cfg.OnSend(tx)
		}
		sent = append(sent, &attempt{tx: tx})
		if err := m.client.SendTransaction(ctx, tx); err != nil {
			return fmt.Errorf("txmgr: send %v (nonce %d): %w", tx.Hash(), nonce, err)
		}
		log.Debug("Sent L1 transaction", "hash", tx.Hash(), "nonce", nonce, "tip", f.tip, "feeCap", f.feeCap, "blobFeeCap", f.blob, "gas", gas, "blobs", len(c.Blobs))
		return nil
	}
	if err := send(f); err != nil {
		return nil, err
	}
	lastSend := m.now()
	// resend replaces the transaction with bumped fees; a failed
	// replacement (e.g. the old one was just mined) is not fatal: the
	// receipts of every attempt are still being watched.
	resend := func() error {
		next, err := m.bump(ctx, f)
		if err != nil {
			return err
		}
		lastSend = m.now()
		if next == nil {
			log.Warn("L1 transaction stuck at the fee cap limit", "nonce", nonce, "feeCap", f.feeCap, "blobFeeCap", f.blob)
			return nil
		}
		f = *next
		if err := send(f); err != nil {
			log.Warn("Replacement not accepted", "err", err)
		}
		return nil
	}

	ticker := time.NewTicker(m.cfg.PollInterval)
	defer ticker.Stop()
	var takenSince time.Time // when the nonce was first seen used with no receipt of ours
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
		if lost := m.reorged(sent); lost != nil {
			// A block that held our transaction left the canonical chain
			// and the transaction with it (a node may or may not put it
			// back in its pool): send it again now rather than waiting out
			// ResubmitAfter.
			reorgedTxsMeter.Inc(1)
			mined, err := m.client.NonceAt(ctx, m.from, nil)
			if err != nil {
				return nil, fmt.Errorf("txmgr: nonce: %w", err)
			}
			if mined < nonce {
				return nil, fmt.Errorf("%w: nonce %d, L1 account nonce now %d", ErrReorgedBelow, nonce, mined)
			}
			log.Warn("L1 reorg removed our transaction, sending it again", "hash", lost.TxHash, "block", lost.BlockNumber, "nonce", nonce)
			if err := resend(); err != nil {
				return nil, err
			}
			continue
		}
		// Not mined. If the nonce is used anyway, it was not by us.
		mined, err := m.client.NonceAt(ctx, m.from, nil)
		if err != nil {
			return nil, fmt.Errorf("txmgr: nonce: %w", err)
		}
		if mined > nonce {
			// Our transaction may have been mined between the receipt
			// lookup and the nonce read, and a node may expose a block's
			// state before its receipts (anvil does, under load): only a
			// nonce that stays taken without a receipt of ours for a while
			// was taken by someone else.
			if takenSince.IsZero() {
				takenSince = m.now()
			}
			if m.now().Sub(takenSince) < nonceTakenGrace(m.cfg.PollInterval) {
				continue
			}
			return nil, fmt.Errorf("%w: nonce %d", ErrNonceTaken, nonce)
		}
		takenSince = time.Time{}
		if m.now().Sub(lastSend) < m.cfg.ResubmitAfter {
			continue
		}
		if err := resend(); err != nil {
			return nil, err
		}
	}
}

// nonceTakenGrace is how long the account nonce may be past ours with no
// receipt of ours before the nonce counts as taken by another transaction.
func nonceTakenGrace(poll time.Duration) time.Duration {
	return max(2*time.Second, 10*poll)
}

// MakeSidecar computes the KZG commitments and proofs of blobs: cell
// proofs for version types.BlobSidecarVersion1, one proof per blob for
// version 0.
func MakeSidecar(blobs []kzg4844.Blob, version byte) (*types.BlobTxSidecar, error) {
	commitments := make([]kzg4844.Commitment, len(blobs))
	var proofs []kzg4844.Proof
	for i := range blobs {
		c, err := kzg4844.BlobToCommitment(&blobs[i])
		if err != nil {
			return nil, fmt.Errorf("txmgr: blob %d commitment: %w", i, err)
		}
		commitments[i] = c
		switch version {
		case types.BlobSidecarVersion1:
			p, err := kzg4844.ComputeCellProofs(&blobs[i])
			if err != nil {
				return nil, fmt.Errorf("txmgr: blob %d cell proofs: %w", i, err)
			}
			proofs = append(proofs, p...)
		case types.BlobSidecarVersion0:
			p, err := kzg4844.ComputeBlobProof(&blobs[i], c)
			if err != nil {
				return nil, fmt.Errorf("txmgr: blob %d proof: %w", i, err)
			}
			proofs = append(proofs, p)
		default:
			return nil, fmt.Errorf("txmgr: unknown blob sidecar version %d", version)
		}
	}
	return types.NewBlobTxSidecar(version, blobs, commitments, proofs), nil
}

// fees returns the tip suggested by eth_maxPriorityFeePerGas, a fee cap of
// twice the head's base fee plus the tip, and for a blob transaction a blob
// fee cap of twice the current blob base fee.
func (m *TxManager) fees(ctx context.Context, blobs bool) (fees, error) {
	l, err := readL1Fees(ctx, m.client, blobs)
	if err != nil {
		return fees{}, fmt.Errorf("txmgr: %w", err)
	}
	tip := l.Tip
	f := fees{tip: tip, feeCap: new(big.Int).Add(new(big.Int).Mul(l.BaseFee, big.NewInt(2)), tip)}
	if m.cfg.MaxFeeCap != nil && f.feeCap.Cmp(m.cfg.MaxFeeCap) > 0 {
		f.feeCap = new(big.Int).Set(m.cfg.MaxFeeCap)
		if f.tip.Cmp(f.feeCap) > 0 {
			f.tip = new(big.Int).Set(f.feeCap)
		}
	}
	if blobs {
		f.blob = new(big.Int).Mul(l.BlobBaseFee, big.NewInt(2))
		if f.blob.Sign() == 0 {
			f.blob.SetInt64(1)
		}
		if m.cfg.MaxBlobFeeCap != nil && f.blob.Cmp(m.cfg.MaxBlobFeeCap) > 0 {
			f.blob = new(big.Int).Set(m.cfg.MaxBlobFeeCap)
		}
	}
	return f, nil
}

// bump returns the fees of a replacement: the current market fees, but at
// least the replacement rule's percentage above the previous attempt's (10%
// for a plain transaction, 100% for every fee of a blob transaction, as
// the txpool and blobpool require). It returns nil when that would exceed
// MaxFeeCap or MaxBlobFeeCap.
func (m *TxManager) bump(ctx context.Context, old fees) (*fees, error) {
	f, err := m.fees(ctx, old.blob != nil)
	if err != nil {
		return nil, err
	}
	percent := int64(bumpPercent)
	if old.blob != nil {
		percent = blobBumpPercent
	}
	f.tip = maxBig(f.tip, bumpedBy(old.tip, percent))
	f.feeCap = maxBig(f.feeCap, bumpedBy(old.feeCap, percent))
	f.feeCap = maxBig(f.feeCap, f.tip)
	if m.cfg.MaxFeeCap != nil && f.feeCap.Cmp(m.cfg.MaxFeeCap) > 0 {
		return nil, nil
	}
	if old.blob != nil {
		f.blob = maxBig(f.blob, bumpedBy(old.blob, percent))
		if m.cfg.MaxBlobFeeCap != nil && f.blob.Cmp(m.cfg.MaxBlobFeeCap) > 0 {
			return nil, nil
		}
	}
	return &f, nil
}

func maxBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// bumped returns x increased by bumpPercent, rounded up, and by at least 1.
func bumped(x *big.Int) *big.Int { return bumpedBy(x, bumpPercent) }

// bumpedBy returns x increased by percent, rounded up, and by at least 1.
func bumpedBy(x *big.Int, percent int64) *big.Int {
	y := new(big.Int).Mul(x, big.NewInt(100+percent))
	y.Add(y, big.NewInt(99))
	y.Div(y, big.NewInt(100))
	if y.Cmp(x) <= 0 {
		y.Add(x, big.NewInt(1))
	}
	return y
}

// findReceipt returns the receipt of whichever attempt was mined, if any,
// and records where each attempt was seen mined.
func (m *TxManager) findReceipt(ctx context.Context, sent []*attempt) (*types.Receipt, error) {
	for _, a := range sent {
		r, err := m.client.TransactionReceipt(ctx, a.tx.Hash())
		if errors.Is(err, ethereum.NotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("txmgr: receipt %v: %w", a.tx.Hash(), err)
		}
		a.minedIn = r
		return r, nil
	}
	return nil, nil
}

// reorged returns the last receipt seen of an attempt that no longer has
// one (findReceipt just found none), and forgets it.
func (m *TxManager) reorged(sent []*attempt) *types.Receipt {
	var lost *types.Receipt
	for _, a := range sent {
		if a.minedIn != nil {
			lost, a.minedIn = a.minedIn, nil
		}
	}
	return lost
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
