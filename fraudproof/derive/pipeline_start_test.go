package derive

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// resumeScenario: four batches, two of them in one L1 block, with deposits
// credited on both sides of every batch boundary.
//
//	L1 3: batch 0, L2 1-2 (origins 1, 2)
//	L1 5: batch 1, L2 3-4 (origins 2, 3) and batch 2, L2 5-6 (origins 4, 4)
//	L1 7: batch 3, L2 7-8 (origins 5, 6)
func resumeScenario() *scenario {
	return &scenario{
		head: 9,
		deposits: map[uint64][]deposit{
			1: {{0, common.HexToAddress("0xa1"), 5}},
			2: {{1, common.HexToAddress("0xb2"), 7}},
			4: {{2, common.HexToAddress("0xc3"), 9}, {3, common.HexToAddress("0xd4"), 11}},
			5: {{4, common.HexToAddress("0xe5"), 13}},
		},
		batches: map[uint64][]*batchSpec{
			3: {{index: 0, first: 1, last: 2, blocks: []l2Spec{{ts: 100, origin: 1}, {ts: 102, origin: 2}}}},
			5: {
				{index: 1, first: 3, last: 4, blocks: []l2Spec{{ts: 104, origin: 2}, {ts: 106, origin: 3}}},
				{index: 2, first: 5, last: 6, blocks: []l2Spec{{ts: 108, origin: 4}, {ts: 110, origin: 4}}},
			},
			7: {{index: 3, first: 7, last: 8, blocks: []l2Spec{{ts: 112, origin: 5}, {ts: 114, origin: 6}}}},
		},
	}
}

// derived is one run of the pipeline through Execution and OutputCheck on
// a fakeChain: every attributes and checked batch, in order.
type derived struct {
	attrs   []*Attributes
	batches []*CheckedBatch
}

// attrsRecorder passes attributes through and keeps them.
type attrsRecorder struct {
	prev AttributesSource
	seen []*Attributes
}

func (r *attrsRecorder) NextAttributes(ctx context.Context) (*Attributes, error) {
	a, err := r.prev.NextAttributes(ctx)
	if err == nil {
		r.seen = append(r.seen, a)
	}
	return a, err
}

// deriveAll runs the stages from start until ErrNotReady.
func deriveAll(t *testing.T, f *fakeL1, start Start) derived {
	t.Helper()
	p, err := NewPipelineAt(testConfig, start, f)
	if err != nil {
		t.Fatal(err)
	}
	rec := &attrsRecorder{prev: p}
	check := NewOutputCheck(NewExecution(rec, &fakeChain{headers: map[uint64]*types.Header{}}), fakeHeader(0, 0))
	check.ResumeAt(start)
	var out derived
	for {
		b, err := check.NextBatch(context.Background())
		if errors.Is(err, ErrNotReady) {
			out.attrs = rec.seen
			return out
		}
		if err != nil {
			t.Fatalf("derive from %+v: %v", start, err)
		}
		out.batches = append(out.batches, b)
	}
}

// startBefore returns the start before batch index of a run from genesis,
// as the verifier builds it from its chain: the parent block's header.
func startBefore(t *testing.T, f *fakeL1, genesis derived, index uint64, parentHash common.Hash) Start {
	t.Helper()
	b := genesis.batches[index]
	parent := b.Blocks[0].Attributes.Number - 1
	if index == 0 {
		return Start{}
	}
	prevBlock := genesis.batches[index-1].Blocks[len(genesis.batches[index-1].Blocks)-1]
	if prevBlock.Attributes.Number != parent {
		t.Fatalf("block before batch %d is %d, want %d", index, prevBlock.Attributes.Number, parent)
	}
	return Start{
		L1Block:      b.Commitment.L1Block,
		L1ParentHash: parentHash,
		BatchIndex:   index,
		L2Block:      parent,
		L2Origin:     prevBlock.Attributes.L1Origin,
		L2Time:       prevBlock.Attributes.Timestamp,
		OutputRoot:   prevBlock.OutputRoot,
	}
}

// sameAttributes compares two attributes field by field, the batch
// commitment by value and the transactions by hash.
func sameAttributes(a, b *Attributes) error {
	if a.Number != b.Number || a.Timestamp != b.Timestamp || a.L1Origin != b.L1Origin {
		return fmt.Errorf("block %d ts %d origin %v, want block %d ts %d origin %v", a.Number, a.Timestamp, a.L1Origin, b.Number, b.Timestamp, b.L1Origin)
	}
	if !reflect.DeepEqual(a.Deposits, b.Deposits) {
		return fmt.Errorf("block %d: deposits %v, want %v", a.Number, a.Deposits, b.Deposits)
	}
	if *a.Batch != *b.Batch {
		return fmt.Errorf("block %d: batch %+v, want %+v", a.Number, *a.Batch, *b.Batch)
	}
	if len(a.Transactions) != len(b.Transactions) {
		return fmt.Errorf("block %d: %d transactions, want %d", a.Number, len(a.Transactions), len(b.Transactions))
	}
	for i := range a.Transactions {
		if a.Transactions[i].Hash() != b.Transactions[i].Hash() {
			return fmt.Errorf("block %d: transaction %d differs", a.Number, i)
		}
	}
	return nil
}

// TestPipelineResumesAtEveryBatch: a pipeline started before batch k yields
// exactly what the pipeline from genesis yields from batch k on, attributes
// and checked batches (with prevOutputRoot carried over), whether the start
// block's parent hash is given or read, and whether batch k shares its L1
// block with the batch before.
func TestPipelineResumesAtEveryBatch(t *testing.T) {
	f := resumeScenario().build(t, 0, 0)
	genesis := deriveAll(t, f, Start{})
	if len(genesis.attrs) != 8 || len(genesis.batches) != 4 {
		t.Fatalf("from genesis: %d blocks, %d batches; want 8, 4", len(genesis.attrs), len(genesis.batches))
	}
	if len(genesis.attrs[4].Deposits) != 2 || len(genesis.attrs[6].Deposits) != 1 {
		t.Fatal("the scenario's deposits are not credited at the batch boundaries")
	}
	checkResumes(t, f, genesis)
}

// TestPipelineResumesBeforeFirstOrigin: the sequencer may build blocks
// before it takes its first L1 origin (they name the zero origin); a start
// after such a block derives like the genesis run.
func TestPipelineResumesBeforeFirstOrigin(t *testing.T) {
	none := &common.Hash{}
	s := resumeScenario()
	s.batches[3][0].blocks = []l2Spec{{ts: 100, origin: 0, originHash: none}, {ts: 102, origin: 0, originHash: none}}
	s.batches[5][0].blocks = []l2Spec{{ts: 104, origin: 0, originHash: none}, {ts: 106, origin: 1}}
	s.batches[5][1].blocks = []l2Spec{{ts: 108, origin: 2}, {ts: 110, origin: 3}}
	s.batches[7][0].blocks = []l2Spec{{ts: 112, origin: 4}, {ts: 114, origin: 5}}
	f := s.build(t, 0, 0)
	genesis := deriveAll(t, f, Start{})
	if len(genesis.attrs) != 8 || genesis.attrs[2].L1Origin != (codec.L1Origin{}) || len(genesis.attrs[3].Deposits) != 1 {
		t.Fatalf("from genesis: %d blocks; block 3 origin %v, block 4 deposits %v", len(genesis.attrs), genesis.attrs[2].L1Origin, genesis.attrs[3].Deposits)
	}
	checkResumes(t, f, genesis)
}

// checkResumes derives from the start before every batch of the genesis
// run, with the start block's parent hash given and read, and compares
// with what the genesis run yielded from that batch on.
func checkResumes(t *testing.T, f *fakeL1, genesis derived) {
	t.Helper()
	for k := uint64(0); k < uint64(len(genesis.batches)); k++ {
		for _, given := range []bool{true, false} {
			t.Run(fmt.Sprintf("batch %d, parent hash given %v", k, given), func(t *testing.T) {
				var parentHash common.Hash
				if given && k > 0 {
					parentHash = f.blocks[genesis.batches[k].Commitment.L1Block-1].Hash()
				}
				start := startBefore(t, f, genesis, k, parentHash)
				got := deriveAll(t, f, start)
				first := genesis.batches[k].Blocks[0].Attributes.Number
				want := genesis.attrs[first-1:]
				if len(got.attrs) != len(want) {
					t.Fatalf("%d attributes, want %d", len(got.attrs), len(want))
				}
				for i := range want {
					if err := sameAttributes(got.attrs[i], want[i]); err != nil {
						t.Fatal(err)
					}
				}
				wantBatches := genesis.batches[k:]
				if len(got.batches) != len(wantBatches) {
					t.Fatalf("%d batches, want %d", len(got.batches), len(wantBatches))
				}
				for i, w := range wantBatches {
					g := got.batches[i]
					if *g.Commitment != *w.Commitment || g.PrevOutputRoot != w.PrevOutputRoot ||
						g.OutputsRoot != w.OutputsRoot || g.LastOutputRoot != w.LastOutputRoot || len(g.Blocks) != len(w.Blocks) {
						t.Fatalf("batch %d: got %+v, want %+v", w.Commitment.BatchIndex, g, w)
					}
				}
			})
		}
	}
}

// TestPipelineResumeChecksTheBoundary: the first batch after a start is
// checked against the block before it, as from genesis: a start whose
// parent disagrees with the batch is caught by the same rule.
func TestPipelineResumeChecksTheBoundary(t *testing.T) {
	f := resumeScenario().build(t, 0, 0)
	genesis := deriveAll(t, f, Start{})
	tests := []struct {
		name  string
		tweak func(s *Start)
		check func(*testing.T, error)
	}{
		{"timestamp decreases", func(s *Start) { s.L2Time = 109 }, wantInvalid(2, 5, 5, ErrTimestampDecreased)},
		{"origin skips", func(s *Start) { s.L2Origin = codec.L1Origin{Number: 2, Hash: f.blocks[2].Hash()} }, wantInvalid(2, 5, 5, ErrOriginSkipped)},
		{"origin hash differs", func(s *Start) { s.L2Origin.Hash = common.Hash{1} }, func(t *testing.T, err error) {
			t.Helper()
			var reset *ResetError
			if !errors.As(err, &reset) || reset.Number != 4 || reset.ExpectedHash != (common.Hash{1}) {
				t.Fatalf("%v, want *ResetError at L1 block 4", err)
			}
		}},
		{"number gap", func(s *Start) { s.L2Block = 3 }, wantInvalid(2, 5, 5, ErrL2NumberGap)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := startBefore(t, f, genesis, 2, common.Hash{})
			tt.tweak(&start)
			p, err := NewPipelineAt(testConfig, start, f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.NextAttributes(context.Background())
			tt.check(t, err)
		})
	}
}

// TestPipelineResumeDetectsReorgBelowStart: L1 reorganised under the start
// block after the start was chosen; the first block read is a reset, not a
// batch built on the old chain.
func TestPipelineResumeDetectsReorgBelowStart(t *testing.T) {
	s := resumeScenario()
	old := s.build(t, 0, 0)
	genesis := deriveAll(t, old, Start{})
	start := startBefore(t, old, genesis, 3, old.blocks[6].Hash()) // batch 3, L1 block 7
	f := s.build(t, 1, 6)                                          // blocks 6 and later replaced
	p, err := NewPipelineAt(testConfig, start, f)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.NextAttributes(context.Background())
	var reset *ResetError
	if !errors.As(err, &reset) || reset.Number != 7 || reset.ExpectedHash != old.blocks[6].Hash() || reset.ParentHash != f.blocks[6].Hash() {
		t.Fatalf("%v, want *ResetError at L1 block 7", err)
	}
}

func TestPipelineRejectsBadStart(t *testing.T) {
	origin := codec.L1Origin{Number: 2, Hash: common.Hash{2}}
	for _, s := range []Start{
		{L1Block: 5, BatchIndex: 1},                                                             // genesis with fields set
		{L1Block: 2, BatchIndex: 1, L2Block: 2, L2Origin: origin},                               // batch not after the origin
		{L1Block: 5, BatchIndex: 1, L2Block: 2, L2Origin: codec.L1Origin{Hash: common.Hash{2}}}, // origin before the rollup
	} {
		if _, err := NewPipelineAt(testConfig, s, &fakeL1{}); err == nil {
			t.Errorf("start %+v accepted", s)
		}
	}
}

func TestHeaderOrigin(t *testing.T) {
	hash := common.HexToHash("0x1234")
	h := &types.Header{Number: common.Big1, Extra: []byte{0, 0, 0, 0, 0, 0, 1, 2}, ParentBeaconRoot: &hash}
	got, err := codec.HeaderL1Origin(h)
	if err != nil || got != (codec.L1Origin{Number: 0x102, Hash: hash}) {
		t.Fatalf("origin %+v, %v", got, err)
	}
	for _, bad := range []*types.Header{
		{Number: common.Big0},
		{Number: common.Big1, Extra: []byte{1}, ParentBeaconRoot: &hash},
		{Number: common.Big1, Extra: h.Extra},
	} {
		if _, err := codec.HeaderL1Origin(bad); !errors.Is(err, codec.ErrNoL1Origin) {
			t.Errorf("header %+v: %v, want codec.ErrNoL1Origin", bad, err)
		}
	}
}
