package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

// crashRecord is what the test saw before the kill.
type crashRecord struct {
	mu       sync.Mutex
	acked    []*types.Transaction           // sendRawTransaction returned a hash
	receipts map[common.Hash]*types.Receipt // receipts seen, by tx hash
	blocks   map[uint64]common.Hash         // block hashes seen, by number
	errs     []error                        // failures before the kill
}

func (r *crashRecord) block(num uint64, hash common.Hash) {
	if prev, ok := r.blocks[num]; ok && prev != hash {
		r.errs = append(r.errs, errors.New("block "+strconv.FormatUint(num, 10)+" seen with two hashes: "+prev.Hex()+" and "+hash.Hex()))
	}
	r.blocks[num] = hash
}

// TestCrashRecovery streams transfers from three senders into a lanes
// process and kills it with SIGKILL halfway through. The restarted node must
// keep every block and receipt anyone saw, include every transaction it
// acknowledged (the local journal is appended before the acknowledgement),
// and go on building blocks.
func TestCrashRecovery(t *testing.T) {
	ctx := testContext(t)
	datadir := t.TempDir()
	node := startLanes(t, datadir, "--block.time", "50ms")
	c := dial(t, node.url)

	const (
		senders   = 3
		perSender = 100
		killAfter = senders * perSender / 2 // acknowledgements
		// window bounds a sender's transactions without a seen receipt, so
		// the stream keeps pace with the blocks and the kill falls between
		// included, pending and unsent transactions.
		window = 20
	)
	rec := &crashRecord{receipts: make(map[common.Hash]*types.Receipt), blocks: make(map[uint64]common.Hash)}
	var killed atomic.Bool
	var ackCount atomic.Int64
	killNow := make(chan struct{})
	var killOnce sync.Once
	streamCtx, stopStream := context.WithCancel(ctx)
	defer stopStream()

	// fail records an error unless the node has been killed, which makes
	// errors expected.
	fail := func(err error) {
		if killed.Load() {
			return
		}
		rec.mu.Lock()
		rec.errs = append(rec.errs, err)
		rec.mu.Unlock()
	}
	// seeReceipt polls one receipt; it reports whether it is there.
	seeReceipt := func(tx *types.Transaction) (bool, error) {
		r, err := c.TransactionReceipt(streamCtx, tx.Hash())
		if errors.Is(err, ethereum.NotFound) || (err != nil && err.Error() == txIndexingMessage) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		rec.mu.Lock()
		rec.receipts[tx.Hash()] = r
		rec.block(r.BlockNumber.Uint64(), r.BlockHash)
		rec.mu.Unlock()
		return true, nil
	}

	var wg sync.WaitGroup
	for s := 0; s < senders; s++ {
		// Signed up front: t.Fatal is for the test goroutine only.
		key, _ := devKey(s)
		to := common.BigToAddress(big.NewInt(int64(0xe2e100 + s)))
		txs := make([]*types.Transaction, perSender)
		for nonce := range txs {
			txs[nonce] = sign(t, key, dynTx(uint64(nonce), &to, big.NewInt(1), params.TxGas, nil))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var unconfirmed []*types.Transaction
			for _, tx := range txs {
				for len(unconfirmed) >= window {
					ok, err := seeReceipt(unconfirmed[0])
					if err != nil {
						fail(err)
						return
					}
					if ok {
						unconfirmed = unconfirmed[1:]
						continue
					}
					select {
					case <-streamCtx.Done():
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
				if err := c.SendTransaction(streamCtx, tx); err != nil {
					fail(err)
					return
				}
				rec.mu.Lock()
				rec.acked = append(rec.acked, tx)
				rec.mu.Unlock()
				unconfirmed = append(unconfirmed, tx)
				if ackCount.Add(1) >= killAfter {
					killOnce.Do(func() { close(killNow) })
				}
			}
		}()
	}
	// Block hashes are also sampled from the head.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			h, err := c.HeaderByNumber(streamCtx, nil)
			if err != nil {
				fail(err)
				return
			}
			rec.mu.Lock()
			rec.block(h.Number.Uint64(), h.Hash())
			rec.mu.Unlock()
			select {
			case <-streamCtx.Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()

	select {
	case <-killNow:
	case <-ctx.Done():
		t.Fatalf("only %d transactions acknowledged before the hang guard", ackCount.Load())
	}
	killed.Store(true)
	node.proc.Kill9()
	stopStream()
	wg.Wait()

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, err := range rec.errs {
		t.Errorf("before the kill: %v", err)
	}
	if t.Failed() {
		t.FailNow()
	}
	var highest uint64
	for num := range rec.blocks {
		highest = max(highest, num)
	}
	t.Logf("killed after %d acknowledged transactions, %d receipts and %d blocks seen (highest %d)",
		len(rec.acked), len(rec.receipts), len(rec.blocks), highest)
	if len(rec.receipts) == 0 || highest == 0 {
		t.Fatal("no receipt seen before the kill: the test checks nothing")
	}

	// Restart on the same data directory.
	node2 := startLanes(t, datadir, "--block.time", "50ms")
	c2 := dial(t, node2.url)
	head, err := c2.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if head.Number.Uint64() < highest {
		t.Fatalf("restarted head %d below block %d seen before the kill", head.Number, highest)
	}
	for num, hash := range rec.blocks {
		h, err := c2.HeaderByNumber(ctx, new(big.Int).SetUint64(num))
		if err != nil {
			t.Fatalf("block %d after restart: %v", num, err)
		}
		if h.Hash() != hash {
			t.Errorf("block %d is %v after restart, was %v", num, h.Hash(), hash)
		}
	}
	for hash, before := range rec.receipts {
		after, err := c2.TransactionReceipt(ctx, hash)
		if err != nil {
			t.Errorf("receipt of %v after restart: %v", hash, err)
			continue
		}
		if after.BlockHash != before.BlockHash || after.Status != before.Status || after.TransactionIndex != before.TransactionIndex {
			t.Errorf("receipt of %v: block %v index %d status %d after restart, was %v %d %d",
				hash, after.BlockHash, after.TransactionIndex, after.Status, before.BlockHash, before.TransactionIndex, before.Status)
		}
	}
	// Every acknowledged transaction is included in the end: those not
	// mined before the kill come back from the journal.
	for _, tx := range rec.acked {
		mustSucceed(t, ctx, c2, tx)
	}
	// The chain goes on.
	key, _ := devKey(3)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e10")
	r := mustSucceed(t, ctx, c2, sendNew(t, ctx, c2, key, dynTx(0, &to, big.NewInt(1), params.TxGas, nil)))
	if r.BlockNumber.Uint64() <= head.Number.Uint64() {
		t.Errorf("new transaction in block %d, not above the restart head %d", r.BlockNumber, head.Number)
	}
}

// TestGracefulRestartKeepsQueuedTx stops the node with SIGTERM while a
// transaction that cannot be included yet (its nonce leaves a gap) waits in
// the pool, and checks that the restarted node has it back from the journal
// and includes it once the gap is filled.
func TestGracefulRestartKeepsQueuedTx(t *testing.T) {
	ctx := testContext(t)
	datadir := t.TempDir()
	node := startLanes(t, datadir, "--block.time", "50ms", "--http.api", "eth,net,web3,lanes,txpool")
	c := dial(t, node.url)
	key, from := devKey(4)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e11")

	mustSucceed(t, ctx, c, sendNew(t, ctx, c, key, dynTx(0, &to, big.NewInt(1), params.TxGas, nil)))
	gapped := sendNew(t, ctx, c, key, dynTx(2, &to, big.NewInt(2), params.TxGas, nil))
	if got := queuedHash(t, ctx, c, from, 2); got != gapped.Hash() {
		t.Fatalf("txpool_content queued[%v][2] = %v before the restart, want %v", from, got, gapped.Hash())
	}
	if err := node.proc.Stop(); err != nil {
		t.Fatalf("lanes did not exit cleanly on SIGTERM: %v\n%s", err, node.proc.Output())
	}

	node2 := startLanes(t, datadir, "--block.time", "50ms", "--http.api", "eth,net,web3,lanes,txpool")
	c2 := dial(t, node2.url)
	// The journal is loaded in the background after the RPC server starts.
	for queuedHash(t, ctx, c2, from, 2) != gapped.Hash() {
		select {
		case <-ctx.Done():
			t.Fatalf("queued transaction %v not back in the pool after restart", gapped.Hash())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tx, pending, err := c2.TransactionByHash(ctx, gapped.Hash())
	if err != nil || !pending || tx.Hash() != gapped.Hash() {
		t.Fatalf("eth_getTransactionByHash(%v) after restart: pending %v, %v", gapped.Hash(), pending, err)
	}
	filler := sendNew(t, ctx, c2, key, dynTx(1, &to, big.NewInt(3), params.TxGas, nil))
	r1 := mustSucceed(t, ctx, c2, filler)
	r2 := mustSucceed(t, ctx, c2, gapped)
	if r2.BlockNumber.Cmp(r1.BlockNumber) < 0 || (r2.BlockNumber.Cmp(r1.BlockNumber) == 0 && r2.TransactionIndex <= r1.TransactionIndex) {
		t.Errorf("nonce 2 (block %d index %d) ordered before nonce 1 (block %d index %d)", r2.BlockNumber, r2.TransactionIndex, r1.BlockNumber, r1.TransactionIndex)
	}
	if nonce, err := c2.NonceAt(ctx, from, nil); err != nil || nonce != 3 {
		t.Errorf("account nonce %d (%v), want 3", nonce, err)
	}
}

// queuedHash returns the hash txpool_content lists for sender's queued
// transaction with the given nonce, or the zero hash.
func queuedHash(t *testing.T, ctx context.Context, c *ethclient.Client, sender common.Address, nonce uint64) common.Hash {
	t.Helper()
	var content map[string]map[string]map[string]json.RawMessage
	if err := c.Client().CallContext(ctx, &content, "txpool_content"); err != nil {
		t.Fatalf("txpool_content: %v", err)
	}
	raw, ok := content["queued"][sender.Hex()][strconv.FormatUint(nonce, 10)]
	if !ok {
		return common.Hash{}
	}
	var tx struct {
		Hash common.Hash `json:"hash"`
	}
	if err := json.Unmarshal(raw, &tx); err != nil {
		t.Fatalf("txpool_content entry %s: %v", raw, err)
	}
	return tx.Hash
}
