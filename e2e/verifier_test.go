package e2e

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// The rollup's promise, end to end on a real anvil: a deposit and 500
// transactions of mixed kinds go through the sequencer and the batcher to
// L1, and a verifier started from an empty directory rebuilds the same chain
// from L1 alone, block hash and state root equal at every height, with every
// committed output root checked. The batcher is then killed with SIGKILL
// mid-stream and restarted, posting blobs this time; the verifier follows,
// and L1 holds every block once.
func TestVerifierRebuildsChainFromL1(t *testing.T) {
	ctx := testContext(t)
	env := startRollupEnv(t, ctx, 0, "--block-time", "1")
	bin := proc.BuildLanes(t)
	l1, l2, cfg := env.l1, env.l2, env.cfg
	startBatcher := func(da string) *proc.Process {
		return proc.Start(t, bin, "batcher", "--rollup", env.cfgPath, "--l1.rpc", env.l1URL, "--l2.rpc", env.node.url, "--da", da,
			"--batcher.key", devKey0Hex, "--batcher.max-delay", "500ms", "--batcher.poll-interval", "200ms")
	}
	batcher := startBatcher("calldata")

	// A deposit on L1, seen on L2.
	depositTo := common.HexToAddress("0x00000000000000000000000000000000000de901")
	depositKey, _ := devKey(9)
	l1ChainID, err := l1.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	portal := bindings.NewPortal()
	opts := bind.NewKeyedTransactor(depositKey, l1ChainID)
	opts.Value = big.NewInt(params.Ether)
	depositTx, err := bind.Transact(portal.Instance(l1, cfg.Portal), opts, portal.PackDepositETH(depositTo))
	if err != nil {
		t.Fatalf("deposit: %v", err)
	}
	if r, err := bind.WaitMined(ctx, l1, depositTx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("deposit receipt: %v %v", r, err)
	}
	waitBalance(t, ctx, l2, depositTo, opts.Value)

	// 500 transactions of mixed kinds from five senders.
	const firstRun = 500
	last := waitMixed(t, ctx, l2, sendMixed(t, ctx, l2, firstRun, 0))
	waitTag(t, ctx, l2, rpc.SafeBlockNumber, last, batcher)

	// A verifier from an empty directory, reading L1 only.
	verifier := startLanesCommand(t, []string{"verifier"}, t.TempDir(), "--rollup", env.cfgPath, "--l1.rpc", env.l1URL)
	v := dial(t, verifier.url)
	waitHead(t, ctx, v, last, verifier)
	compareChains(t, ctx, l2, v, last)
	if bal, err := v.BalanceAt(ctx, depositTo, new(big.Int).SetUint64(last)); err != nil || bal.Cmp(opts.Value) != 0 {
		t.Fatalf("verifier: deposit recipient holds %v (%v), want %v", bal, err, opts.Value)
	}
	if _, err := v.PendingNonceAt(ctx, depositTo); err != nil {
		t.Fatalf("verifier RPC: %v", err)
	}
	key, _ := devKey(1)
	to := common.HexToAddress("0x0000000000000000000000000000000000000bad")
	if err := v.SendTransaction(ctx, sign(t, key, dynTx(0, &to, big.NewInt(1), params.TxGas, nil))); err == nil || !strings.Contains(err.Error(), "does not accept transactions") {
		t.Fatalf("verifier accepted a transaction: %v", err)
	}

	// Kill the batcher mid-stream and restart it; the verifier follows.
	more := sendMixed(t, ctx, l2, 60, firstRun)
	time.Sleep(700 * time.Millisecond)
	batcher.Kill9()
	<-batcher.Done()
	batcher = startBatcher("blobs") // the verifier reads blobs through anvil's beacon API
	more = append(more, sendMixed(t, ctx, l2, 20, firstRun+len(more))...)
	last = waitMixed(t, ctx, l2, more)
	waitTag(t, ctx, l2, rpc.SafeBlockNumber, last, batcher)
	waitHead(t, ctx, v, last, verifier)
	compareChains(t, ctx, l2, v, last)
	count, covered := env.checkBatches(t, ctx)
	if covered < last {
		t.Fatalf("batches cover L2 blocks up to %d, the last transaction is in %d", covered, last)
	}
	blobs := 0
	for i := range count {
		if rollupCall(t, env, env.rollup.PackBatch(new(big.Int).SetUint64(i)), env.rollup.UnpackBatch).Blobs {
			blobs++
		}
	}
	if blobs == 0 {
		t.Fatal("the restarted batcher posted no blob batch")
	}

	out := verifier.proc.Output()
	if strings.Contains(out, "Committed output root differs") || strings.Contains(out, "breaks the derivation rules") {
		t.Fatalf("verifier reported a problem with an honest sequencer:\n%s", out)
	}
	if !strings.Contains(out, "Batch verified") {
		t.Fatalf("verifier checked no batch:\n%s", out)
	}
}

// sendMixed sends n transactions of mixed kinds without waiting for them.
// base is the number of transactions an earlier call sent, from which the
// senders' nonces continue.
//
// The kinds, in turn: a plain transfer to a fresh address, a contract
// creation, a call that writes storage and logs, a call that reverts (and
// is included with status 0), and a call setting a value. Each of the five
// senders (dev accounts 1 to 5) sends every fifth transaction.
func sendMixed(t *testing.T, ctx context.Context, c *ethclient.Client, n, base int) []*types.Transaction {
	t.Helper()
	p := loadProbe(t)
	const senders = 5
	keys := make([]*ecdsa.PrivateKey, senders)
	addrs := make([]common.Address, senders)
	for i := range senders {
		keys[i], addrs[i] = devKey(i + 1)
	}
	// Every sender deploys its own probe with its first transaction of a
	// run, so calls have a target whatever the order of inclusion.
	var txs []*types.Transaction
	probes := make([]common.Address, senders)
	for i := range n {
		s := i % senders
		nonce := uint64((base + i) / senders)
		var tx types.TxData
		switch {
		case i < senders:
			tx = dynTx(nonce, nil, nil, 1_000_000, p.initCode)
			probes[s] = crypto.CreateAddress(addrs[s], nonce)
		case i%4 == 0:
			to := common.BigToAddress(big.NewInt(int64(0x7e0000 + base + i)))
			tx = dynTx(nonce, &to, big.NewInt(int64(i+1)), params.TxGas, nil)
		case i%4 == 1:
			tx = dynTx(nonce, &probes[s], nil, 200_000, p.pack(t, "increment"))
		case i%4 == 2:
			tx = dynTx(nonce, &probes[s], nil, 200_000, p.pack(t, "failCustom", big.NewInt(int64(i))))
		default:
			tx = dynTx(nonce, &probes[s], nil, 200_000, p.pack(t, "set", big.NewInt(int64(i))))
		}
		signed := sign(t, keys[s], tx)
		send(t, ctx, c, signed)
		txs = append(txs, signed)
	}
	return txs
}

// waitMixed waits for the receipts of what sendMixed sent and returns the
// last block that includes one.
func waitMixed(t *testing.T, ctx context.Context, c *ethclient.Client, txs []*types.Transaction) uint64 {
	t.Helper()
	var last uint64
	reverted := 0
	for _, tx := range txs {
		r := waitReceipt(t, ctx, c, tx.Hash())
		if r.Status != types.ReceiptStatusSuccessful {
			reverted++
		}
		last = max(last, r.BlockNumber.Uint64())
	}
	if reverted == 0 || reverted == len(txs) {
		t.Fatalf("%d of %d transactions reverted; the mix expects some, not all", reverted, len(txs))
	}
	return last
}

// waitBalance waits until addr holds want on c.
func waitBalance(t *testing.T, ctx context.Context, c *ethclient.Client, addr common.Address, want *big.Int) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		bal, err := c.BalanceAt(ctx, addr, nil)
		if err == nil && bal.Cmp(want) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("balance of %v is %v (%v), want %v", addr, bal, err, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitTag waits until the block tag on c reaches number.
func waitTag(t *testing.T, ctx context.Context, c *ethclient.Client, tag rpc.BlockNumber, number uint64, watch *proc.Process) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		h, err := c.HeaderByNumber(ctx, big.NewInt(int64(tag)))
		if err == nil && h.Number.Uint64() >= number {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v did not reach %d (last: %v, %v); output:\n%s", tag, number, h, err, watch.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitHead waits until node's head reaches number.
func waitHead(t *testing.T, ctx context.Context, c *ethclient.Client, number uint64, node *lanesNode) {
	t.Helper()
	deadline := time.Now().Add(hangGuard)
	for {
		head, err := c.BlockNumber(ctx)
		if err == nil && head >= number {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("head %d (%v) did not reach %d; output:\n%s", head, err, number, node.proc.Output())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// compareChains checks that two nodes agree on the hash and state root of
// every block from the genesis to last.
func compareChains(t *testing.T, ctx context.Context, a, b *ethclient.Client, last uint64) {
	t.Helper()
	for n := uint64(0); n <= last; n++ {
		num := new(big.Int).SetUint64(n)
		ha, err := a.HeaderByNumber(ctx, num)
		if err != nil {
			t.Fatalf("sequencer block %d: %v", n, err)
		}
		hb, err := b.HeaderByNumber(ctx, num)
		if err != nil {
			t.Fatalf("verifier block %d: %v", n, err)
		}
		if ha.Hash() != hb.Hash() || ha.Root != hb.Root {
			t.Fatalf("block %d: sequencer %v root %v, verifier %v root %v", n, ha.Hash(), ha.Root, hb.Hash(), hb.Root)
		}
	}
}
