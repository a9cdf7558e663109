package derive

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// attrsList is an AttributesSource over a fixed list, then ErrNotReady.
type attrsList struct{ attrs []*Attributes }

func (l *attrsList) NextAttributes(context.Context) (*Attributes, error) {
	if len(l.attrs) == 0 {
		return nil, ErrNotReady
	}
	a := l.attrs[0]
	l.attrs = l.attrs[1:]
	return a, nil
}

// fakeChain builds headers whose state root depends on the number and
// timestamp only; it fails as told.
type fakeChain struct {
	headers    map[uint64]*types.Header
	unbuilding uint64 // a block number that cannot be built
	ioErrors   int    // how many calls fail with an I/O error first
}

func fakeHeader(number, timestamp uint64) *types.Header {
	return &types.Header{
		Number:     new(big.Int).SetUint64(number),
		Time:       timestamp,
		Root:       crypto.Keccak256Hash(fmt.Appendf(nil, "%d/%d", number, timestamp)),
		Difficulty: new(big.Int),
	}
}

func (c *fakeChain) ApplyBlock(_ context.Context, a *Attributes) (*types.Header, error) {
	if c.ioErrors > 0 {
		c.ioErrors--
		return nil, errors.New("disk hiccup")
	}
	if a.Number == c.unbuilding {
		return nil, fmt.Errorf("%w: nonce too high", ErrUnbuildable)
	}
	h := fakeHeader(a.Number, a.Timestamp)
	c.headers[a.Number] = h
	return h, nil
}

// honestBatches returns the attributes of blocks 1..n cut into batches of
// size per, with the commitments an honest sequencer would post.
func honestBatches(t *testing.T, n, per uint64) []*Attributes {
	t.Helper()
	var (
		out  []*Attributes
		prev = codec.BlockOutputRoot(fakeHeader(0, 0))
	)
	for first := uint64(1); first <= n; first += per {
		last := min(first+per-1, n)
		c := &BatchCommitment{BatchIndex: uint64(len(out)) / per, L1Block: 10 + first, FirstL2Block: first, LastL2Block: last, PrevOutputRoot: prev}
		var outputs []common.Hash
		for num := first; num <= last; num++ {
			out = append(out, &Attributes{Number: num, Timestamp: 100 + num, Batch: c})
			outputs = append(outputs, codec.BlockOutputRoot(fakeHeader(num, 100+num)))
		}
		root, err := codec.OutputsRoot(outputs)
		if err != nil {
			t.Fatal(err)
		}
		c.OutputsRoot, c.LastOutputRoot = root, outputs[len(outputs)-1]
		prev = c.LastOutputRoot
	}
	return out
}

func newCheck(attrs []*Attributes, chain *fakeChain) *OutputCheck {
	return NewOutputCheck(NewExecution(&attrsList{attrs}, chain), fakeHeader(0, 0))
}

func TestOutputCheckHonestBatches(t *testing.T) {
	chain := &fakeChain{headers: map[uint64]*types.Header{}, ioErrors: 2}
	check := newCheck(honestBatches(t, 7, 3), chain)
	ctx := context.Background()
	var got [][2]uint64
	for {
		b, err := check.NextBatch(ctx)
		if errors.Is(err, ErrNotReady) {
			break
		}
		if err != nil && err.Error() != "execute L2 block 1: disk hiccup" {
			t.Fatal(err)
		}
		if err != nil {
			continue // an I/O error: the same block is retried
		}
		if m := b.Mismatches(); len(m) != 0 {
			t.Fatalf("honest batch %d: mismatches %v", b.Commitment.BatchIndex, m)
		}
		got = append(got, [2]uint64{b.Commitment.FirstL2Block, uint64(len(b.Blocks))})
	}
	want := [][2]uint64{{1, 3}, {4, 3}, {7, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	if len(chain.headers) != 7 {
		t.Fatalf("built %d blocks, want 7", len(chain.headers))
	}
}

func TestOutputCheckReportsEveryWrongRoot(t *testing.T) {
	wrong := common.HexToHash("0xbad")
	tests := []struct {
		name   string
		tamper func(c *BatchCommitment)
		want   []string // fields reported, in order
		block  uint64   // the block of the last reported field
	}{
		{"last output", func(c *BatchCommitment) { c.LastOutputRoot = wrong }, []string{"lastOutputRoot"}, 6},
		{"outputs root", func(c *BatchCommitment) { c.OutputsRoot = wrong }, []string{"outputsRoot"}, 0},
		{"previous output", func(c *BatchCommitment) { c.PrevOutputRoot = wrong }, []string{"prevOutputRoot"}, 3},
		{"all three", func(c *BatchCommitment) { c.PrevOutputRoot, c.OutputsRoot, c.LastOutputRoot = wrong, wrong, wrong },
			[]string{"prevOutputRoot", "outputsRoot", "lastOutputRoot"}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			attrs := honestBatches(t, 9, 3)
			tt.tamper(attrs[3].Batch) // the second batch: blocks 4..6
			check := newCheck(attrs, &fakeChain{headers: map[uint64]*types.Header{}})
			for i := range 3 {
				b, err := check.NextBatch(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				m := b.Mismatches()
				if i != 1 {
					if len(m) != 0 {
						t.Fatalf("batch %d: unexpected mismatches %v", i, m)
					}
					continue
				}
				if len(m) != len(tt.want) {
					t.Fatalf("mismatches %v, want fields %v", m, tt.want)
				}
				for j, f := range tt.want {
					if m[j].Field != f || m[j].Committed != wrong || m[j].Computed == wrong || m[j].BatchIndex != 1 {
						t.Fatalf("mismatch %d: %+v, want field %s", j, m[j], f)
					}
				}
				if last := m[len(m)-1]; last.Block != tt.block {
					t.Fatalf("reported block %d, want %d", last.Block, tt.block)
				}
			}
		})
	}
}

func TestExecutionUnbuildableIsInvalidBatch(t *testing.T) {
	attrs := honestBatches(t, 6, 3)
	check := newCheck(attrs, &fakeChain{headers: map[uint64]*types.Header{}, unbuilding: 5})
	if _, err := check.NextBatch(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := check.NextBatch(context.Background())
	wantInvalid(1, attrs[4].Batch.L1Block, 5, ErrUnbuildable)(t, err)
}

// oneBlock is an L1BlockSource that hands over one block, then ErrNotReady.
type oneBlock struct{ block *types.Block }

func (o *oneBlock) NextL1Block(context.Context) (*types.Block, error) {
	if o.block == nil {
		return nil, ErrNotReady
	}
	b := o.block
	o.block = nil
	return b, nil
}

// A block that L1 replaced after the traversal handed it over can no longer
// be read by hash: retrieval reports a reset instead of retrying forever,
// while a read failure on a block still canonical stays a retryable error.
func TestBatchRetrievalResetsOnReplacedBlock(t *testing.T) {
	f := happyScenario().build(t, 0, 0)
	stale := f.blocks[3]
	delete(f.logs, stale.Hash()) // the node no longer knows the block
	f.blocks[3] = types.NewBlockWithHeader(&types.Header{
		Number: big.NewInt(3), ParentHash: stale.ParentHash(), Time: stale.Time() + 1, Difficulty: new(big.Int),
	})
	r := NewBatchRetrieval(&oneBlock{stale}, f, testConfig.Rollup)
	_, err := r.NextBatch(context.Background())
	var reset *ResetError
	if !errors.As(err, &reset) || reset.Number != 3 {
		t.Fatalf("error %v, want a reset at L1 block 3", err)
	}

	g := happyScenario().build(t, 0, 0)
	g.failFilters = 1
	r = NewBatchRetrieval(&oneBlock{g.blocks[3]}, g, testConfig.Rollup)
	if _, err := r.NextBatch(context.Background()); err == nil || errors.As(err, &reset) {
		t.Fatalf("error %v, want the I/O error", err)
	}
	if b, err := r.NextBatch(context.Background()); err != nil || b == nil {
		t.Fatalf("retry: %v %v", b, err)
	}
}
