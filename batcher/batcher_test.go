package batcher

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
)

// l1Env is an anvil with the Lanes contracts and a fake L2 chain whose
// blocks name anvil blocks as their L1 origins.
type l1Env struct {
	url    string
	client *ethclient.Client
	l2     *fakeL2
	rollup common.Address
	bond   *big.Int
}

func newL1Env(t *testing.T, l2Blocks int, genesisRoot *common.Hash) *l1Env {
	t.Helper()
	url, client := startAnvil(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// L2 block i names anvil block i/5 as its origin.
	hashes := mineOrigins(t, ctx, url, client, max(10, uint64(l2Blocks/5)))
	l2 := makeChain(t, chainSpec{
		blocks: l2Blocks, startTime: uint64(time.Now().Unix()) - 1000,
		origin: func(i int) codec.L1Origin { return codec.L1Origin{Number: uint64(i / 5), Hash: hashes[i/5]} },
		txs:    func(i int) int { return i % 4 }, txData: 40, seed: 7,
	})
	root := codec.BlockOutputRoot(l2.blocks[0].Header())
	if genesisRoot != nil {
		root = *genesisRoot
	}
	key := devKey(t)
	bond := big.NewInt(params.Ether)
	d, err := deploy.Deploy(ctx, client, key, deploy.Params{
		Sequencer: crypto.PubkeyToAddress(key.PublicKey), ChallengeWindow: time.Hour,
		SequencerBond: bond, GenesisOutputRoot: root, L2ChainID: testL2ChainID,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Automine mines only on transactions; confirmations need more blocks.
	keepMining(t, url, 50*time.Millisecond)
	return &l1Env{url: url, client: client, l2: l2, rollup: d.Rollup, bond: bond}
}

func (e *l1Env) config(t *testing.T) Config {
	cfg := DefaultConfig()
	cfg.L1RPC = e.url
	cfg.Rollup = e.rollup
	cfg.Key = devKey(t)
	cfg.MaxBlocksPerBatch = 7
	cfg.MaxDelay = 200 * time.Millisecond
	cfg.PollInterval = 50 * time.Millisecond
	cfg.ResubmitAfter = 5 * time.Second
	return cfg
}

func (e *l1Env) start(t *testing.T) *Batcher {
	t.Helper()
	return e.startWith(t, e.config(t))
}

// startWith starts a batcher with cfg and stops it when the test ends.
func (e *l1Env) startWith(t *testing.T, cfg Config) *Batcher {
	t.Helper()
	b, err := New(cfg, e.l2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(context.Background()); err != nil { // idempotent
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop(context.Background()) })
	return b
}

func (e *l1Env) latestL2Block(t *testing.T) uint64 {
	t.Helper()
	r := bindings.NewRollup()
	n, err := bind.Call(r.Instance(e.client, e.rollup), nil, r.PackLatestL2Block(), r.UnpackLatestL2Block)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond for up to 40 seconds.
func waitFor(t *testing.T, what string, b *Batcher, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(40 * time.Second)
	for !cond() {
		if err := b.Err(); err != nil {
			t.Fatalf("waiting for %s: batcher halted: %v", what, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkPosted reads every BatchSubmitted event and its transaction and
// checks that the batches cover blocks 1..last contiguously and carry
// exactly our blocks, output roots and data, all in calldata. It returns the
// batch ranges.
func (e *l1Env) checkPosted(t *testing.T, last uint64) [][2]uint64 {
	t.Helper()
	ranges, blobs := e.checkPostedDA(t, last)
	for i, b := range blobs {
		if b {
			t.Fatalf("batch %d was posted in blobs", i)
		}
	}
	return ranges
}

// checkPostedDA is checkPosted for batches in calldata or blobs (read back
// from anvil's beacon API); it also says which batches used blobs.
func (e *l1Env) checkPostedDA(t *testing.T, last uint64) ([][2]uint64, []bool) {
	t.Helper()
	ctx := context.Background()
	r := bindings.NewRollup()
	abi := r.GetABI()
	logs, err := e.client.FilterLogs(ctx, ethereum.FilterQuery{
		Addresses: []common.Address{e.rollup}, Topics: [][]common.Hash{{abi.Events["BatchSubmitted"].ID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	count, err := bind.Call(r.Instance(e.client, e.rollup), nil, r.PackBatchCount(), r.UnpackBatchCount)
	if err != nil || count.Uint64() != uint64(len(logs)) {
		t.Fatalf("batchCount %v (%v), %d events", count, err, len(logs))
	}
	var ranges [][2]uint64
	var blobs []bool
	next := uint64(1)
	prevOrigin := uint64(0)
	for i, lg := range logs {
		ev, err := r.UnpackBatchSubmittedEvent(&lg)
		if err != nil {
			t.Fatal(err)
		}
		if ev.BatchIndex.Uint64() != uint64(i) || ev.FirstL2Block != next {
			t.Fatalf("batch %d: index %v covers %d..%d, want to start at %d", i, ev.BatchIndex, ev.FirstL2Block, ev.LastL2Block, next)
		}
		ranges = append(ranges, [2]uint64{ev.FirstL2Block, ev.LastL2Block})
		tx, _, err := e.client.TransactionByHash(ctx, lg.TxHash)
		if err != nil {
			t.Fatal(err)
		}
		method := map[bool]string{false: "submitBatch", true: "submitBatchBlobs"}[ev.Blobs]
		args, err := abi.Methods[method].Inputs.Unpack(tx.Data()[4:])
		if err != nil {
			t.Fatal(err)
		}
		var data []byte
		dataHash := crypto.Keccak256Hash(nil)
		if ev.Blobs {
			if tx.Type() != types.BlobTxType || args[0].(*big.Int).Int64() != int64(len(tx.BlobHashes())) {
				t.Fatalf("batch %d: tx type %d with %d blobs, blobCount %v", i, tx.Type(), len(tx.BlobHashes()), args[0])
			}
			data = beaconBatch(t, e.url, lg.BlockHash, tx.BlobHashes())
			dataHash = crypto.Keccak256Hash(bytes.Join(hashBytes(tx.BlobHashes()), nil))
		} else {
			data = args[0].([]byte)
			dataHash = crypto.Keccak256Hash(data)
		}
		blobs = append(blobs, ev.Blobs)
		prev := common.Hash(args[1].([32]byte))
		lastL2, origin := args[4].(uint64), args[5].(uint64)
		batch, err := codec.Decode(data, codec.DefaultLimits)
		if err != nil {
			t.Fatalf("batch %d: decode: %v", i, err)
		}
		want := codec.Batch{FirstBlock: ev.FirstL2Block}
		var roots []common.Hash
		for n := ev.FirstL2Block; n <= ev.LastL2Block; n++ {
			blk := e.l2.blocks[n]
			want.Blocks = append(want.Blocks, codecBlock(t, blk))
			roots = append(roots, codec.BlockOutputRoot(blk.Header()))
		}
		if !sameBatch(batch, &want) {
			t.Fatalf("batch %d: decoded data differs from blocks %d..%d:\n%+v\n%+v", i, ev.FirstL2Block, ev.LastL2Block, *batch, want)
		}
		outputs, _ := codec.OutputsRoot(roots)
		if ev.OutputsRoot != outputs || ev.LastOutputRoot != roots[len(roots)-1] || ev.DataHash != dataHash ||
			lastL2 != ev.LastL2Block || prev != codec.BlockOutputRoot(e.l2.blocks[ev.FirstL2Block-1].Header()) {
			t.Fatalf("batch %d: commitments differ from our blocks", i)
		}
		if origin < prevOrigin {
			t.Fatalf("batch %d: L1 origin %d below the previous %d", i, origin, prevOrigin)
		}
		prevOrigin = origin
		next = ev.LastL2Block + 1
	}
	if next != last+1 {
		t.Fatalf("batches end at %d, want %d", next-1, last)
	}
	return ranges, blobs
}

func TestBatcherPostsChain(t *testing.T) {
	e := newL1Env(t, 30, nil)
	batches := batchesMeter.Snapshot().Count()
	b := e.start(t)
	waitFor(t, "block 30 on L1", b, func() bool { return e.latestL2Block(t) == 30 })
	waitFor(t, "safe head 30", b, func() bool { return b.SafeHead() == 30 })
	if err := b.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := b.Stop(context.Background()); err != nil { // idempotent
		t.Fatal(err)
	}
	ranges := e.checkPosted(t, 30)
	want := [][2]uint64{{1, 7}, {8, 14}, {15, 21}, {22, 28}, {29, 30}}
	if !reflect.DeepEqual(ranges, want) {
		t.Fatalf("batch ranges %v, want %v", ranges, want)
	}
	r := bindings.NewRollup()
	bond, err := bind.Call(r.Instance(e.client, e.rollup), nil, r.PackBond(), r.UnpackBond)
	if err != nil || bond.Cmp(e.bond) != 0 {
		t.Fatalf("bond %v (%v), want %v topped up", bond, err, e.bond)
	}
	if got := batchesMeter.Snapshot().Count() - batches; got != 5 {
		t.Fatalf("batcher/batches grew by %d, want 5", got)
	}

	// Re-posting the last batch is refused at estimation, and the error
	// names the contract's reason.
	m := NewTxManager(e.client, devKey(t), TxManagerConfig{ResubmitAfter: time.Second, PollInterval: 20 * time.Millisecond})
	last := codec.BlockOutputRoot(e.l2.blocks[30].Header())
	_, err = m.Send(context.Background(), e.rollup, r.PackSubmitBatch([]byte{1}, codec.BlockOutputRoot(e.l2.blocks[28].Header()), last, last, 30, 1, common.Hash{}), nil)
	if reason := b.revertReason(err); err == nil || !strings.Contains(reason, "PrevOutputRootMismatch") {
		t.Fatalf("stale post: err %v, reason %q", err, reason)
	}
}

// TestBatcherRestart stops the batcher after its first batch and starts a
// new one from the same config: it continues from the contract's position,
// with no gap and no block posted twice.
func TestBatcherRestart(t *testing.T) {
	e := newL1Env(t, 30, nil)
	e.l2.setHead(10)
	b1 := e.start(t)
	waitFor(t, "the first batch", b1, func() bool { return e.latestL2Block(t) >= 7 })
	if err := b1.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	mid := e.latestL2Block(t)
	if mid >= 30 {
		t.Fatalf("first batcher posted up to %d", mid)
	}
	e.l2.setHead(30)
	b2 := e.start(t)
	waitFor(t, "block 30 on L1", b2, func() bool { return e.latestL2Block(t) == 30 })
	if err := b2.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	ranges := e.checkPosted(t, 30)
	if ranges[0] != [2]uint64{1, 7} {
		t.Fatalf("first batch %v, want 1..7", ranges[0])
	}
	t.Logf("batches across the restart (stopped at %d): %v", mid, ranges)
}

// TestBatcherHaltsOnForeignChain: the contract's genesis output root is not
// our genesis, so the L2 chain is not the one being posted; the batcher
// must halt instead of posting on top.
func TestBatcherHaltsOnForeignChain(t *testing.T) {
	wrong := common.Hash{0xde, 0xad}
	e := newL1Env(t, 5, &wrong)
	b := e.start(t)
	deadline := time.Now().Add(20 * time.Second)
	for b.Err() == nil && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	err := b.Stop(context.Background())
	var critical *CriticalError
	if !errors.As(err, &critical) || !errors.Is(err, ErrOutputMismatch) {
		t.Fatalf("Stop = %v, want a CriticalError wrapping ErrOutputMismatch", err)
	}
	if n := e.latestL2Block(t); n != 0 {
		t.Fatalf("posted up to %d on a foreign chain", n)
	}
}

func TestConfigCheck(t *testing.T) {
	good := DefaultConfig()
	good.Rollup = common.Address{1}
	good.Key = devKey(t)
	if err := good.Check(); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for name, mutate := range map[string]func(*Config){
		"no rollup":     func(c *Config) { c.Rollup = common.Address{} },
		"no key":        func(c *Config) { c.Key = nil },
		"huge batches":  func(c *Config) { c.MaxBatchBytes = 200_000 },
		"tiny batches":  func(c *Config) { c.MaxBatchBytes = 10 },
		"no blocks":     func(c *Config) { c.MaxBlocksPerBatch = 0 },
		"zero delay":    func(c *Config) { c.MaxDelay = 0 },
		"zero poll":     func(c *Config) { c.PollInterval = 0 },
		"zero resubmit": func(c *Config) { c.ResubmitAfter = 0 },
		"deep confirms": func(c *Config) { c.Confirmations = 1000 },
		"zero fee cap":  func(c *Config) { c.MaxFeeCap = new(big.Int) },
		"no DA":         func(c *Config) { c.DA = "" },
		"unknown DA":    func(c *Config) { c.DA = "ipfs" },
		"no blobs":      func(c *Config) { c.MaxBlobsPerTx = 0 },
		"seven blobs":   func(c *Config) { c.MaxBlobsPerTx = 7 },
		"zero blob cap": func(c *Config) { c.MaxBlobFeeCap = new(big.Int) },
	} {
		c := good
		mutate(&c)
		if err := c.Check(); err == nil {
			t.Errorf("%s: Check passed", name)
		}
	}
	if _, err := New(good, &fakeL2{}, nil); err == nil {
		t.Error("New without client or URL succeeded")
	}
}

// sameBatch compares batches treating nil and empty transaction lists alike.
func sameBatch(a, b *codec.Batch) bool {
	if a.FirstBlock != b.FirstBlock || len(a.Blocks) != len(b.Blocks) {
		return false
	}
	for i := range a.Blocks {
		x, y := a.Blocks[i], b.Blocks[i]
		if x.Timestamp != y.Timestamp || x.L1Origin != y.L1Origin || len(x.Transactions) != len(y.Transactions) {
			return false
		}
		for j := range x.Transactions {
			if !bytes.Equal(x.Transactions[j], y.Transactions[j]) {
				return false
			}
		}
	}
	return true
}

// TestBatcherTwoInstances runs two batchers with the same key against the
// same contract. Each keeps finding the other's batches on L1 (skip
// forward) or its own post rejected (re-read): together they post every
// block exactly once.
func TestBatcherTwoInstances(t *testing.T) {
	e := newL1Env(t, 30, nil)
	b1, b2 := e.start(t), e.start(t)
	waitFor(t, "block 30 on L1", b1, func() bool { return e.latestL2Block(t) == 30 && b2.Err() == nil })
	for _, b := range []*Batcher{b1, b2} {
		if err := b.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("batches: %v", e.checkPosted(t, 30))
}
