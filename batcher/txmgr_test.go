package batcher

import (
	"context"
	"errors"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// keepMining mines an anvil block every interval until the test ends.
func keepMining(t *testing.T, url string, interval time.Duration) {
	t.Helper()
	c, err := rpc.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(interval):
				c.Call(nil, "evm_mine")
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done; c.Close() })
}

func TestTxManagerSendConfirms(t *testing.T) {
	url, client := startAnvil(t)
	keepMining(t, url, 50*time.Millisecond)
	key := devKey(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := NewTxManager(client, key, TxManagerConfig{ResubmitAfter: 10 * time.Second, Confirmations: 2, PollInterval: 20 * time.Millisecond})
	to := common.Address{0xaa}
	r, err := m.Send(ctx, to, []byte{1, 2, 3}, big.NewInt(1234))
	if err != nil {
		t.Fatal(err)
	}
	head, err := client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != types.ReceiptStatusSuccessful || head < r.BlockNumber.Uint64()+2 {
		t.Fatalf("receipt status %d in block %d, head %d: want success with 2 blocks on top", r.Status, r.BlockNumber, head)
	}
	bal, err := client.BalanceAt(ctx, to, nil)
	if err != nil || bal.Int64() != 1234 {
		t.Fatalf("recipient balance %v, %v", bal, err)
	}
	tx, _, err := client.TransactionByHash(ctx, r.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	head1, _ := client.HeaderByNumber(ctx, r.BlockNumber)
	if tx.Type() != types.DynamicFeeTxType || tx.GasTipCap().Sign() <= 0 || tx.GasFeeCap().Cmp(head1.BaseFee) < 0 {
		t.Fatalf("tx fees: type %d tip %v cap %v", tx.Type(), tx.GasTipCap(), tx.GasFeeCap())
	}
	if want := r.GasUsed * gasMarginPercent / 100; tx.Gas() != want {
		t.Fatalf("gas limit %d, want estimate %d ×1.2 = %d", tx.Gas(), r.GasUsed, want)
	}

	// A call that would revert fails at estimation and sends nothing.
	nonce, _ := client.PendingNonceAt(ctx, m.From())
	if _, err := m.Send(ctx, common.Address{}, nil, nil); err != nil {
		t.Fatalf("plain send to the zero address: %v", err)
	}
	if _, err := m.Send(ctx, deployReverter(t, ctx, client, m), nil, nil); err == nil {
		t.Fatal("send to a reverting contract succeeded")
	}
	after, _ := client.PendingNonceAt(ctx, m.From())
	if after != nonce+2 { // the zero-address send and the deployment
		t.Fatalf("nonce %d after, want %d", after, nonce+2)
	}
}

// deployReverter deploys a contract whose every call reverts.
func deployReverter(t *testing.T, ctx context.Context, client *ethclient.Client, m *TxManager) common.Address {
	t.Helper()
	// Init code returning runtime code 0x60006000fd (revert(0, 0)).
	initCode := common.FromHex("0x6460006000fd6000526005601bf3")
	nonce, err := client.PendingNonceAt(ctx, m.From())
	if err != nil {
		t.Fatal(err)
	}
	chainID, _ := client.ChainID(ctx)
	head, _ := client.HeaderByNumber(ctx, nil)
	tx, err := types.SignNewTx(m.key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), big.NewInt(1e9)),
		Gas: 100_000, Data: initCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for {
		r, err := client.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			if r.Status != 1 {
				t.Fatal("reverter deployment failed")
			}
			return crypto.CreateAddress(m.From(), nonce)
		}
		if !errors.Is(err, ethereum.NotFound) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestTxManagerBump leaves a transaction unmined (anvil --no-mining) until
// the manager has replaced it, then mines: the replacement is mined with
// the same nonce and the original never is.
func TestTxManagerBump(t *testing.T) {
	url, client := startAnvil(t, "--no-mining")
	key := devKey(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := NewTxManager(client, key, TxManagerConfig{ResubmitAfter: 200 * time.Millisecond, Confirmations: 1, PollInterval: 20 * time.Millisecond})
	var mu sync.Mutex
	var sent []*types.Transaction
	m.cfg.OnSend = func(tx *types.Transaction) { mu.Lock(); sent = append(sent, tx); mu.Unlock() }
	nSent := func() int { mu.Lock(); defer mu.Unlock(); return len(sent) }

	startNonce, err := client.PendingNonceAt(ctx, m.From())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		r   *types.Receipt
		err error
	}
	res := make(chan result, 1)
	go func() {
		r, err := m.Send(ctx, common.Address{0xbb}, nil, big.NewInt(1))
		res <- result{r, err}
	}()
	for nSent() < 2 {
		time.Sleep(10 * time.Millisecond)
	}
	keepMining(t, url, 50*time.Millisecond)
	out := <-res
	if out.err != nil {
		t.Fatal(out.err)
	}
	mu.Lock()
	defer mu.Unlock()
	mined := 0
	for i, tx := range sent {
		if tx.Nonce() != startNonce {
			t.Errorf("attempt %d has nonce %d, want %d", i, tx.Nonce(), startNonce)
		}
		if i > 0 {
			prev := sent[i-1]
			if tx.GasTipCap().Cmp(bumped(prev.GasTipCap())) < 0 || tx.GasFeeCap().Cmp(bumped(prev.GasFeeCap())) < 0 {
				t.Errorf("attempt %d fees (%v, %v) not 10%% above (%v, %v)", i, tx.GasTipCap(), tx.GasFeeCap(), prev.GasTipCap(), prev.GasFeeCap())
			}
		}
		if _, err := client.TransactionReceipt(ctx, tx.Hash()); err == nil {
			mined++
			if tx.Hash() != out.r.TxHash {
				t.Errorf("attempt %d mined but Send returned %v", i, out.r.TxHash)
			}
		}
	}
	if mined != 1 || out.r.TxHash == sent[0].Hash() {
		t.Fatalf("%d of %d attempts mined (returned %v, first %v); want exactly one replacement", mined, len(sent), out.r.TxHash, sent[0].Hash())
	}
	if n, _ := client.NonceAt(ctx, m.From(), nil); n != startNonce+1 {
		t.Fatalf("nonce %d after, want %d", n, startNonce+1)
	}
}

func TestBumped(t *testing.T) {
	for _, tt := range []struct{ in, want int64 }{{0, 1}, {1, 2}, {10, 11}, {100, 110}, {101, 112}, {1e9, 1.1e9}} {
		if got := bumped(big.NewInt(tt.in)); got.Int64() != tt.want {
			t.Errorf("bumped(%d) = %v, want %d", tt.in, got, tt.want)
		}
	}
}
