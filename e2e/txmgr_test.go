package e2e

import (
	"context"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
)

// attempts records every transaction a TxManager signs.
type attempts struct {
	mu  sync.Mutex
	txs []*types.Transaction
}

func (a *attempts) add(tx *types.Transaction) { a.mu.Lock(); a.txs = append(a.txs, tx); a.mu.Unlock() }

func (a *attempts) list() []*types.Transaction {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]*types.Transaction(nil), a.txs...)
}

// waitAttempts waits until at least n attempts were sent.
func (a *attempts) wait(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	for len(a.list()) < n {
		select {
		case <-ctx.Done():
			t.Fatalf("only %d attempts sent, want %d", len(a.list()), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// miner mines an anvil block every interval while it is not paused, until
// the test ends.
type miner struct {
	url     string
	mu      sync.Mutex
	paused  bool
	stopped chan struct{}
	done    chan struct{}
}

func startMiner(t *testing.T, url string, interval time.Duration) *miner {
	m := &miner{url: url, stopped: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		for {
			select {
			case <-m.stopped:
				return
			case <-time.After(interval):
			}
			m.mu.Lock()
			if !m.paused {
				var out any
				_ = proc.Call(m.url, "evm_mine", nil, &out)
			}
			m.mu.Unlock()
		}
	}()
	t.Cleanup(func() { close(m.stopped); <-m.done })
	return m
}

// pause stops mining until resume; when it returns no block is being mined.
func (m *miner) pause()  { m.mu.Lock(); m.paused = true; m.mu.Unlock() }
func (m *miner) resume() { m.mu.Lock(); m.paused = false; m.mu.Unlock() }

type sendResult struct {
	r   *types.Receipt
	err error
}

// TestTxManagerBumpsStuckBlobTx leaves a blob transaction unmined (anvil
// --no-mining) until the manager has replaced it, then mines. Every
// replacement doubles the tip, the fee cap and the blob fee cap (the
// blobpool's rule), anvil takes the replacement, and exactly one attempt is
// mined.
func TestTxManagerBumpsStuckBlobTx(t *testing.T) {
	ctx := testContext(t)
	url := proc.StartAnvil(t, "--no-mining")
	l1 := dial(t, url)
	key, _ := devKey(0) // anvil funds the same dev accounts
	var sent attempts
	m := batcher.NewTxManager(l1, key, batcher.TxManagerConfig{
		ResubmitAfter: 300 * time.Millisecond, Confirmations: 1, PollInterval: 20 * time.Millisecond,
		BlobProofs: types.BlobSidecarVersion1, OnSend: sent.add,
	})
	blobs, err := codec.EncodeBlobs([]byte("stuck blob"), 1)
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan sendResult, 1)
	go func() {
		r, err := m.SendTx(ctx, batcher.TxCandidate{To: common.Address{0xb1}, Blobs: blobs})
		res <- sendResult{r, err}
	}()
	sent.wait(t, ctx, 3)
	startMiner(t, url, 50*time.Millisecond)
	out := <-res
	if out.err != nil {
		t.Fatal(out.err)
	}
	txs := sent.list()
	mined := 0
	for i, tx := range txs {
		if tx.Type() != types.BlobTxType || tx.Nonce() != txs[0].Nonce() {
			t.Fatalf("attempt %d: type %d nonce %d", i, tx.Type(), tx.Nonce())
		}
		if i > 0 {
			prev := txs[i-1]
			double := func(x *big.Int) *big.Int { return new(big.Int).Mul(x, big.NewInt(2)) }
			if tx.GasTipCap().Cmp(double(prev.GasTipCap())) < 0 || tx.GasFeeCap().Cmp(double(prev.GasFeeCap())) < 0 ||
				tx.BlobGasFeeCap().Cmp(double(prev.BlobGasFeeCap())) < 0 {
				t.Fatalf("attempt %d fees (%v, %v, %v) not double (%v, %v, %v)", i, tx.GasTipCap(), tx.GasFeeCap(), tx.BlobGasFeeCap(),
					prev.GasTipCap(), prev.GasFeeCap(), prev.BlobGasFeeCap())
			}
		}
		if _, err := l1.TransactionReceipt(ctx, tx.Hash()); err == nil {
			mined++
		}
	}
	if mined != 1 || out.r.TxHash == txs[0].Hash() {
		t.Fatalf("%d of %d attempts mined, returned %v (first %v): want one replacement mined", mined, len(txs), out.r.TxHash, txs[0].Hash())
	}
	if out.r.BlobGasUsed != 131072 {
		t.Fatalf("blob gas used %d", out.r.BlobGasUsed)
	}
}

// TestTxManagerResendsAfterReorg mines a transaction, then rolls its block
// back before it has its confirmations. anvil drops a rolled-back
// transaction, so it is only mined again if the manager sends it again;
// Send must end with a receipt from the canonical chain and the nonce used
// once.
func TestTxManagerResendsAfterReorg(t *testing.T) {
	ctx := testContext(t)
	url := proc.StartAnvil(t, "--no-mining")
	l1 := dial(t, url)
	key, from := devKey(1)
	var sent attempts
	m := batcher.NewTxManager(l1, key, batcher.TxManagerConfig{
		ResubmitAfter: 2 * time.Second, Confirmations: 3, PollInterval: 20 * time.Millisecond, OnSend: sent.add,
	})
	nonce, err := l1.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan sendResult, 1)
	go func() {
		r, err := m.Send(ctx, common.Address{0xb2}, []byte{1, 2, 3}, big.NewInt(5))
		res <- sendResult{r, err}
	}()
	sent.wait(t, ctx, 1)
	first := sent.list()[0]
	var out any
	if err := proc.Call(url, "evm_mine", nil, &out); err != nil {
		t.Fatal(err)
	}
	if r := waitReceipt(t, ctx, l1, first.Hash()); r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("first attempt failed")
	}
	if err := proc.Call(url, "anvil_rollback", []any{1}, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := l1.TransactionReceipt(ctx, first.Hash()); err == nil {
		t.Fatal("the rolled back transaction still has a receipt")
	}
	sent.wait(t, ctx, 2) // the manager noticed and sent it again
	startMiner(t, url, 50*time.Millisecond)
	got := <-res
	if got.err != nil {
		t.Fatal(got.err)
	}
	canon, err := l1.HeaderByNumber(ctx, got.r.BlockNumber)
	if err != nil || canon.Hash() != got.r.BlockHash {
		t.Fatalf("receipt block %v is not canonical (%v)", got.r.BlockHash, err)
	}
	if n, _ := l1.NonceAt(ctx, from, nil); n != nonce+1 {
		t.Fatalf("nonce %d after, want %d", n, nonce+1)
	}
	if bal, _ := l1.BalanceAt(ctx, common.Address{0xb2}, nil); bal.Int64() != 5 {
		t.Fatalf("recipient holds %v, want 5 (sent once)", bal)
	}
	t.Logf("%d attempts; mined %v in block %d", len(sent.list()), got.r.TxHash, got.r.BlockNumber)
}
