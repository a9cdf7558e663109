package batcher

import (
	"errors"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

var t0 = time.Unix(1_800_000_000, 0)

func originN(i int) codec.L1Origin {
	return codec.L1Origin{Number: uint64(100 + i/3), Hash: crypto.Keccak256Hash([]byte{byte(i / 3)})}
}

func testChain(t *testing.T, blocks, txs, txData int) *fakeL2 {
	return makeChain(t, chainSpec{
		blocks: blocks, startTime: uint64(t0.Unix()), origin: originN,
		txs: func(int) int { return txs }, txData: txData, seed: 1,
	})
}

// newTestBuilder returns a builder at genesis of l2, fed blocks 1..n.
func newTestBuilder(t *testing.T, cfg BuilderConfig, clock *fakeClock, l2 *fakeL2, n int) *Builder {
	t.Helper()
	g := l2.blocks[0]
	b := NewBuilder(cfg, clock.now)
	b.Reset(0, g.Hash(), codec.BlockOutputRoot(g.Header()))
	for i := 1; i <= n; i++ {
		if err := b.Add(l2.blocks[i]); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestBuilderCandidateExact(t *testing.T) {
	l2 := testChain(t, 3, 2, 10)
	clock := &fakeClock{t0.Add(time.Hour)} // blocks are an hour old: due
	b := newTestBuilder(t, BuilderConfig{MaxBatchBytes: 120_000, MaxBlocks: 100, MaxDelay: 2 * time.Second}, clock, l2, 3)
	c, err := b.Next()
	if err != nil || c == nil {
		t.Fatalf("Next = %v, %v", c, err)
	}
	want := codec.Batch{FirstBlock: 1}
	var roots []common.Hash
	for i := 1; i <= 3; i++ {
		blk := l2.blocks[i]
		want.Blocks = append(want.Blocks, codecBlock(t, blk))
		roots = append(roots, crypto.Keccak256Hash(make([]byte, 32), blk.Root().Bytes(), types.EmptyRootHash.Bytes(), blk.Hash().Bytes()))
	}
	outputs, _ := codec.OutputsRoot(roots)
	data, err := codec.Encode(&want, codec.DefaultVersion)
	if err != nil {
		t.Fatal(err)
	}
	g := l2.blocks[0]
	if !reflect.DeepEqual(c.Batch, want) {
		t.Errorf("batch = %+v, want %+v", c.Batch, want)
	}
	if !reflect.DeepEqual(c.OutputRoots, roots) {
		t.Errorf("output roots = %v, want %v", c.OutputRoots, roots)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"data", common.Bytes2Hex(c.Data), common.Bytes2Hex(data)},
		{"prev", c.PrevOutputRoot, codec.OutputRoot(g.Root(), types.EmptyRootHash, g.Hash())},
		{"outputsRoot", c.OutputsRoot, outputs},
		{"last", c.LastOutputRoot, roots[2]},
		{"lastL2Block", c.LastL2Block, uint64(3)},
		{"lastOrigin", c.LastOrigin, originN(3)},
		{"rawSize", c.RawSize, 3*48 + sumTxSizes(l2, 1, 3)},
	}
	for _, ch := range checks {
		if !reflect.DeepEqual(ch.got, ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	// Posting blocks 1..2 keeps block 3 pending; the next batch starts there.
	if known, err := b.Advance(2, roots[1]); !known || err != nil {
		t.Fatalf("Advance(2) = %v, %v", known, err)
	}
	c, err = b.Next()
	if err != nil || c == nil || c.Batch.FirstBlock != 3 || c.PrevOutputRoot != roots[1] || c.OutputsRoot != roots[2] {
		t.Fatalf("after Advance: %+v, %v", c, err)
	}
}

func sumTxSizes(l2 *fakeL2, from, to int) int {
	n := 0
	for i := from; i <= to; i++ {
		for _, tx := range l2.blocks[i].Transactions() {
			n += int(tx.Size())
		}
	}
	return n
}

func TestBuilderMaxDelay(t *testing.T) {
	l2 := testChain(t, 2, 1, 0)
	clock := &fakeClock{t0.Add(time.Second)} // block 1's header time is t0+1s
	b := newTestBuilder(t, BuilderConfig{MaxBatchBytes: 120_000, MaxBlocks: 100, MaxDelay: 2 * time.Second}, clock, l2, 1)
	clock.t = clock.t.Add(1999 * time.Millisecond)
	if err := b.Add(l2.blocks[2]); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Next(); c != nil || err != nil {
		t.Fatalf("at 1.999s: Next = %+v, %v; want nothing", c, err)
	}
	clock.t = clock.t.Add(time.Millisecond)
	c, err := b.Next()
	if err != nil || c == nil || c.Batch.FirstBlock != 1 || c.LastL2Block != 2 {
		t.Fatalf("at 2s: Next = %+v, %v; want blocks 1..2", c, err)
	}
	// Nothing pending: nothing due.
	if _, err := b.Advance(2, c.LastOutputRoot); err != nil {
		t.Fatal(err)
	}
	if c, err := b.Next(); c != nil || err != nil {
		t.Fatalf("empty: Next = %+v, %v", c, err)
	}
}

func TestBuilderCountLimit(t *testing.T) {
	l2 := testChain(t, 5, 1, 0)
	clock := &fakeClock{t0} // no block is due by time
	b := newTestBuilder(t, BuilderConfig{MaxBatchBytes: 120_000, MaxBlocks: 2, MaxDelay: time.Hour}, clock, l2, 5)
	if !b.Full() {
		t.Fatal("not full at the count limit")
	}
	c, err := b.Next()
	if err != nil || c == nil || c.Batch.FirstBlock != 1 || c.LastL2Block != 2 || len(c.Batch.Blocks) != 2 {
		t.Fatalf("Next = %+v, %v; want blocks 1..2", c, err)
	}
}

func TestBuilderSizeCut(t *testing.T) {
	// 10 blocks of one 10 kB random (incompressible) transaction each.
	l2 := testChain(t, 10, 1, 10_000)
	const max = 35_000
	clock := &fakeClock{t0}
	b := newTestBuilder(t, BuilderConfig{MaxBatchBytes: max, MaxBlocks: 100, MaxDelay: time.Hour}, clock, l2, 10)
	if !b.Full() {
		t.Fatal("not full past the size limit")
	}
	c, err := b.Next()
	if err != nil || c == nil {
		t.Fatalf("Next = %v, %v", c, err)
	}
	if c.LastL2Block != 3 || len(c.Data) > max {
		t.Fatalf("batch of blocks 1..%d, %d bytes; want 1..3 within %d", c.LastL2Block, len(c.Data), max)
	}
	four := codec.Batch{FirstBlock: 1}
	for i := 1; i <= 4; i++ {
		four.Blocks = append(four.Blocks, codecBlock(t, l2.blocks[i]))
	}
	data, _ := codec.Encode(&four, codec.DefaultVersion)
	if len(data) <= max {
		t.Fatalf("4 blocks encode to %d bytes, within the limit: the cut is not the longest prefix", len(data))
	}

	// One block alone over the limit can never be posted.
	big := testChain(t, 1, 1, 30_000)
	b = newTestBuilder(t, BuilderConfig{MaxBatchBytes: 20_000, MaxBlocks: 100, MaxDelay: time.Hour}, clock, big, 1)
	if _, err := b.Next(); !errors.Is(err, ErrBlockTooLarge) {
		t.Fatalf("oversized block: err = %v, want ErrBlockTooLarge", err)
	}
}

// TestBuilderCutsAtDecoderLimits checks that a batch small enough to post
// but too large for the verifier's decoder is cut: 68 blocks of 1 MB of
// zeros compress to a few kilobytes and inflate past codec.DefaultLimits.
func TestBuilderCutsAtDecoderLimits(t *testing.T) {
	const blocks = 68
	l2 := makeChain(t, chainSpec{
		blocks: blocks, startTime: uint64(t0.Unix()), origin: originN,
		txs: func(int) int { return 1 }, txData: 1_000_000, zeroData: true, seed: 1,
	})
	clock := &fakeClock{t0.Add(time.Hour)}
	b := newTestBuilder(t, BuilderConfig{MaxBatchBytes: 1_000_000, MaxBlocks: 100, MaxDelay: time.Minute}, clock, l2, blocks)
	c, err := b.Next()
	if err != nil || c == nil {
		t.Fatalf("Next = %v, %v", c, err)
	}
	if c.LastL2Block >= blocks {
		t.Fatalf("batch holds all %d blocks, %d bytes: beyond the decoder's limits", blocks, len(c.Data))
	}
	if _, err := codec.Decode(c.Data, codec.DefaultLimits); err != nil {
		t.Fatalf("batch of blocks 1..%d does not decode: %v", c.LastL2Block, err)
	}
}

func TestBuilderErrors(t *testing.T) {
	l2 := testChain(t, 3, 1, 0)
	other := makeChain(t, chainSpec{blocks: 3, startTime: 5, origin: originN, txs: func(int) int { return 0 }, seed: 2})
	clock := &fakeClock{t0}
	cfg := BuilderConfig{MaxBatchBytes: 120_000, MaxBlocks: 100, MaxDelay: time.Hour}
	b := newTestBuilder(t, cfg, clock, l2, 1)

	if err := b.Add(l2.blocks[3]); !errors.Is(err, ErrNotContiguous) {
		t.Errorf("gap: err = %v", err)
	}
	if err := b.Add(other.blocks[2]); !errors.Is(err, ErrNotContiguous) {
		t.Errorf("other parent: err = %v", err)
	}
	noOrigin := types.NewBlockWithHeader(&types.Header{Number: big.NewInt(2), ParentHash: l2.blocks[1].Hash(), Extra: []byte{1, 2, 3}})
	if err := b.Add(noOrigin); !errors.Is(err, ErrBadOrigin) {
		t.Errorf("bad origin: err = %v", err)
	}
	if known, err := b.Advance(1, common.Hash{0xbb}); !known || !errors.Is(err, ErrOutputMismatch) {
		t.Errorf("wrong output root: %v, %v", known, err)
	}
	if known, err := b.Advance(0, common.Hash{0xbb}); !known || !errors.Is(err, ErrOutputMismatch) {
		t.Errorf("wrong base output root: %v, %v", known, err)
	}
	if known, err := b.Advance(7, common.Hash{}); known || err != nil {
		t.Errorf("unknown block: %v, %v", known, err)
	}
}

func TestChooseL1Origin(t *testing.T) {
	head := &types.Header{Number: big.NewInt(1000), ParentHash: common.Hash{0x99}}
	parent := codec.L1Origin{Number: 999, Hash: common.Hash{0x99}}
	o := func(n uint64) codec.L1Origin { return codec.L1Origin{Number: n, Hash: common.Hash{byte(n)}} }
	tests := []struct {
		name      string
		preferred codec.L1Origin
		canonical bool
		prev      uint64
		want      codec.L1Origin
	}{
		{"recent", o(990), true, 980, o(990)},
		{"head's parent", o(999), true, 0, o(999)},
		{"equal to previous", o(980), true, 980, o(980)},
		{"is the head", o(1000), true, 0, parent},
		{"beyond the head", o(1001), false, 0, parent},
		{"too old", o(1000 - (L1OriginMaxAge - L1OriginMargin) - 1), true, 0, parent},
		{"oldest allowed", o(1000 - (L1OriginMaxAge - L1OriginMargin)), true, 0, o(1000 - (L1OriginMaxAge - L1OriginMargin))},
		{"not canonical", o(990), false, 0, parent},
		{"below previous batch's", o(990), true, 995, parent},
	}
	for _, tt := range tests {
		if got := ChooseL1Origin(tt.preferred, tt.canonical, tt.prev, head); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

// TestBuilderFullLearnsRatio: Full first assumes no compression, then uses
// the ratio of the last batch, so batches of compressible blocks fill up to
// the size limit instead of stopping at its raw equivalent.
func TestBuilderFullLearnsRatio(t *testing.T) {
	l2 := testChain(t, 200, 3, 0)
	clock := &fakeClock{t0}
	b := newTestBuilder(t, BuilderConfig{MaxBatchBytes: 5_000, MaxBlocks: 1_000, MaxDelay: time.Hour}, clock, l2, 0)
	fill := func() int {
		n := 0
		for !b.Full() {
			if err := b.Add(l2.blocks[b.NextNumber()]); err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	first := fill()
	c, err := b.Next()
	if err != nil || c == nil || len(c.Data) > 5_000 {
		t.Fatalf("first batch: %v, %v", c, err)
	}
	if _, err := b.Advance(c.LastL2Block, c.LastOutputRoot); err != nil {
		t.Fatal(err)
	}
	if b.ratio <= 1 {
		t.Fatalf("ratio %v after a compressible batch", b.ratio)
	}
	second := fill()
	c, err = b.Next()
	if err != nil || c == nil || len(c.Data) > 5_000 {
		t.Fatalf("second batch: %v, %v", c, err)
	}
	if second <= first || len(c.Batch.Blocks) <= first {
		t.Fatalf("first fill %d blocks, second %d (batch of %d): the ratio was not used", first, second, len(c.Batch.Blocks))
	}
}
