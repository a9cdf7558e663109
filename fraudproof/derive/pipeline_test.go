package derive

import (
	"context"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// wantInvalid returns a check for an *InvalidBatchError with exact fields.
func wantInvalid(batch, l1Block, l2Block uint64, reason error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *InvalidBatchError
		if !errors.As(err, &e) || !errors.Is(err, reason) {
			t.Fatalf("error %v, want invalid batch: %v", err, reason)
		}
		if e.BatchIndex != batch || e.L1Block != l1Block || e.L2Block != l2Block {
			t.Fatalf("invalid batch %d, L1 %d, L2 %d; want %d, %d, %d", e.BatchIndex, e.L1Block, e.L2Block, batch, l1Block, l2Block)
		}
	}
}

// wantCritical returns a check for a *CriticalError at l1Block.
func wantCritical(l1Block uint64, reason error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		var e *CriticalError
		if !errors.As(err, &e) || !errors.Is(err, reason) {
			t.Fatalf("error %v, want critical: %v", err, reason)
		}
		if e.L1Block != l1Block {
			t.Fatalf("critical at L1 block %d, want %d", e.L1Block, l1Block)
		}
	}
}

func wantIs(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, target) {
			t.Fatalf("error %v, want %v", err, target)
		}
	}
}

func hashPtr(b byte) *common.Hash { h := common.Hash{b}; return &h }

func TestPipeline(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *scenario)
		ok     int // attributes returned before the error
		check  func(*testing.T, error)
	}{
		{"happy path", nil, 4, wantIs(ErrNotReady)},
		{"not ready", func(s *scenario) { s.head = 2 }, 0, wantIs(ErrNotReady)},
		{"data hash mismatch", func(s *scenario) { s.batches[4][0].corruptHash = true }, 2,
			wantCritical(4, ErrDataHashMismatch)},
		{"range longer than data", func(s *scenario) { s.batches[4][0].last = 5 }, 2,
			wantInvalid(1, 4, 0, ErrRangeMismatch)},
		{"range starts elsewhere", func(s *scenario) { s.batches[4][0].dataFirst = 4 }, 2,
			wantInvalid(1, 4, 0, ErrRangeMismatch)},
		{"batch leaves an L2 gap", func(s *scenario) { s.batches[4][0].first = 4; s.batches[4][0].last = 5 }, 2,
			wantInvalid(1, 4, 4, ErrL2NumberGap)},
		{"undecodable data", func(s *scenario) { s.batches[4][0].data = []byte{1, 2, 3} }, 2,
			wantInvalid(1, 4, 0, ErrBatchUndecodable)},
		{"timestamp decreases in batch", func(s *scenario) { s.batches[4][0].blocks[1].ts = 103 }, 2,
			wantInvalid(1, 4, 4, ErrTimestampDecreased)},
		{"timestamp decreases across batches", func(s *scenario) { s.batches[4][0].blocks[0].ts = 101 }, 2,
			wantInvalid(1, 4, 3, ErrTimestampDecreased)},
		{"origin decreases across batches", func(s *scenario) { s.batches[4][0].blocks[0].origin = 1 }, 2,
			wantInvalid(1, 4, 3, ErrOriginDecreased)},
		{"origin skips a block", func(s *scenario) {
			s.batches[3][0].blocks[1].origin = 1
			s.batches[4][0].blocks[0].origin = 3
			s.batches[4][0].blocks[1].origin = 3
		}, 2, wantInvalid(1, 4, 3, ErrOriginSkipped)},
		{"first origin is not the start block", func(s *scenario) { s.batches[3][0].blocks[0].origin = 2 }, 0,
			wantInvalid(0, 3, 1, ErrOriginSkipped)},
		{"origin hash not canonical", func(s *scenario) { s.batches[4][0].blocks[1].originHash = hashPtr(7) }, 3,
			wantInvalid(1, 4, 4, ErrOriginNotCanonical)},
		{"origin not before inclusion", func(s *scenario) {
			s.batches[2] = s.batches[3] // block 2's origin is then L1 block 2 itself
			delete(s.batches, 3)
		}, 1, wantInvalid(0, 2, 2, ErrOriginNotCanonical)},
		{"origin hash changes without number", func(s *scenario) { s.batches[4][0].blocks[0].originHash = hashPtr(9) }, 2,
			wantInvalid(1, 4, 3, ErrOriginHashMismatch)},
		{"origin newer than block", func(s *scenario) { s.batches[3][0].blocks[0].ts = 5 }, 0,
			wantInvalid(0, 3, 1, ErrOriginAfterBlock)},
		{"blob batch", func(s *scenario) { s.batches[4][0].blobs = true }, 2,
			wantCritical(4, ErrBlobsUnsupported)},
		{"calldata truncated", func(s *scenario) {
			s.batches[4][0].calldata = func(in []byte) []byte { return in[:4+40] }
		}, 2, wantCritical(4, ErrMalformedCalldata)},
		{"calldata garbage offsets", func(s *scenario) {
			s.batches[4][0].calldata = func(in []byte) []byte {
				out := append([]byte(nil), in...)
				for i := 4; i < 36; i++ {
					out[i] = 0xff // the data offset points far outside
				}
				return out
			}
		}, 2, wantCritical(4, ErrMalformedCalldata)},
		{"calldata too short for a selector", func(s *scenario) {
			s.batches[4][0].calldata = func([]byte) []byte { return []byte{0x01} }
		}, 2, wantCritical(4, ErrMalformedCalldata)},
		{"batch tx not sent to the Rollup", func(s *scenario) { a := common.HexToAddress("0x99"); s.batches[4][0].to = &a }, 2,
			wantCritical(4, ErrBatchTxNotFound)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := happyScenario()
			if tt.change != nil {
				tt.change(s)
			}
			p, err := NewPipeline(testConfig, s.build(t, 0, 0))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			for i := 0; i < tt.ok; i++ {
				if _, err := p.NextAttributes(ctx); err != nil {
					t.Fatalf("attributes %d: %v", i, err)
				}
			}
			_, err = p.NextAttributes(ctx)
			tt.check(t, err)
			_, again := p.NextAttributes(ctx) // halting errors stay, ErrNotReady stays too
			tt.check(t, again)
		})
	}
}

// TestPipelineHappyAttributes checks every field of the happy path: deposits
// are credited in the L2 block whose origin moves onto their L1 block, in log
// order, and nowhere else.
func TestPipelineHappyAttributes(t *testing.T) {
	f := happyScenario().build(t, 0, 0)
	p, err := NewPipeline(testConfig, f)
	if err != nil {
		t.Fatal(err)
	}
	w := func(nonce uint64, to string, gwei uint64) *types.Withdrawal {
		return &types.Withdrawal{Index: nonce, Address: common.HexToAddress(to), Amount: gwei}
	}
	want := []struct {
		number, ts, origin, batch, l1Block uint64
		deposits                           types.Withdrawals
	}{
		{1, 100, 1, 0, 3, types.Withdrawals{w(0, "0xa1", 5), w(1, "0xb2", 7)}},
		{2, 102, 2, 0, 3, types.Withdrawals{w(2, "0xc3", 9)}},
		{3, 104, 2, 1, 4, nil},
		{4, 106, 3, 1, 4, types.Withdrawals{w(3, "0xd4", 11)}},
	}
	for _, w := range want {
		a, err := p.NextAttributes(context.Background())
		if err != nil {
			t.Fatalf("block %d: %v", w.number, err)
		}
		if a.Number != w.number || a.Timestamp != w.ts || a.Batch.BatchIndex != w.batch || a.Batch.L1Block != w.l1Block {
			t.Fatalf("block %d: got number %d ts %d batch %d L1 %d", w.number, a.Number, a.Timestamp, a.Batch.BatchIndex, a.Batch.L1Block)
		}
		if a.L1Origin.Number != w.origin || a.L1Origin.Hash != f.blocks[w.origin].Hash() {
			t.Fatalf("block %d: origin %+v, want L1 block %d", w.number, a.L1Origin, w.origin)
		}
		if len(a.Deposits) != len(w.deposits) {
			t.Fatalf("block %d: %d deposits, want %d", w.number, len(a.Deposits), len(w.deposits))
		}
		for i := range w.deposits {
			if *a.Deposits[i] != *w.deposits[i] {
				t.Fatalf("block %d deposit %d: %+v, want %+v", w.number, i, a.Deposits[i], w.deposits[i])
			}
		}
		if len(a.Transactions) != 1 || a.Transactions[0].Nonce() != w.number || a.Transactions[0].ChainId().Cmp(l2ChainID) != 0 {
			t.Fatalf("block %d: transactions %v", w.number, a.Transactions)
		}
	}
}

// TestPipelineRetriesIO checks that an I/O error loses nothing: the same
// attributes come out on the next call.
func TestPipelineRetriesIO(t *testing.T) {
	f := happyScenario().build(t, 0, 0)
	p, err := NewPipeline(testConfig, f)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []uint64
	failures := 0
	for calls := 0; len(numbers) < 4; calls++ {
		if calls > 40 {
			t.Fatal("no progress")
		}
		if calls%2 == 0 {
			f.failFilters = 1 // in retrieval or in deposits, whichever reads first
		}
		a, err := p.NextAttributes(context.Background())
		if err != nil {
			if !errors.Is(err, errFakeIO) {
				t.Fatalf("error %v, want the fake's I/O error", err)
			}
			failures++
			continue
		}
		numbers = append(numbers, a.Number)
	}
	if failures == 0 {
		t.Fatal("no I/O error was injected")
	}
	for i, n := range numbers {
		if n != uint64(i+1) {
			t.Fatalf("blocks %v, want 1 2 3 4", numbers)
		}
	}
}

// TestPipelineBlockOneNotBeforeGenesis checks block 1 against the genesis
// time: a batch whose first block is older than the genesis is invalid,
// as any block older than its parent is.
func TestPipelineBlockOneNotBeforeGenesis(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		genesisTime uint64
		check       func(*testing.T, error)
	}{
		{100, nil}, // block 1 is at 100: the same second is allowed
		{101, wantInvalid(0, 3, 1, ErrTimestampDecreased)},
	} {
		cfg := testConfig
		cfg.GenesisTime = tc.genesisTime
		p, err := NewPipeline(cfg, happyScenario().build(t, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		a, err := p.NextAttributes(ctx)
		if tc.check == nil {
			if err != nil || a.Number != 1 {
				t.Fatalf("genesis time %d: block 1 refused: %v", tc.genesisTime, err)
			}
			continue
		}
		tc.check(t, err)
	}
}
