package derive

import (
	"context"
	"errors"
	"testing"
)

func TestL1Traversal(t *testing.T) {
	ctx := context.Background()
	s := &scenario{head: 5}
	f := s.build(t, 0, 0)
	tr := NewL1Traversal(f, 1, 2)
	for want := uint64(1); want <= 3; want++ {
		b, err := tr.NextL1Block(ctx)
		if err != nil || b.NumberU64() != want {
			t.Fatalf("block %d: got %v, %v", want, b, err)
		}
	}
	if _, err := tr.NextL1Block(ctx); err != ErrNotReady {
		t.Fatalf("past head-confirmations: %v, want ErrNotReady", err)
	}

	// L1 grows by one block: block 4 is now confirmed.
	s.head = 6
	f.blocks = s.build(t, 0, 0).blocks
	if b, err := tr.NextL1Block(ctx); err != nil || b.NumberU64() != 4 {
		t.Fatalf("block 4 after growth: %v, %v", b, err)
	}

	// L1 reorganises from block 4 on: block 5 no longer extends what we read.
	s.head = 8
	old4 := f.blocks[4].Hash()
	f.blocks = s.build(t, 1, 4).blocks
	for range 2 { // the traversal stays put: the reset repeats
		_, err := tr.NextL1Block(ctx)
		var reset *ResetError
		if !errors.As(err, &reset) {
			t.Fatalf("after reorg: %v, want *ResetError", err)
		}
		if reset.Number != 5 || reset.ExpectedHash != old4 || reset.ParentHash != f.blocks[4].Hash() {
			t.Fatalf("reset %+v", reset)
		}
	}
}

func TestL1TraversalHeadBelowConfirmations(t *testing.T) {
	f := (&scenario{head: 1}).build(t, 0, 0)
	if _, err := NewL1Traversal(f, 0, 5).NextL1Block(context.Background()); err != ErrNotReady {
		t.Fatalf("%v, want ErrNotReady", err)
	}
}

// TestPipelineReorg: a reorg under the blocks the pipeline read surfaces as
// a *ResetError from Next.
func TestPipelineReorg(t *testing.T) {
	ctx := context.Background()
	s := happyScenario()
	f := s.build(t, 0, 0)
	p, err := NewPipeline(testConfig, f)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if _, err := p.NextAttributes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s.head = 8
	f2 := s.build(t, 1, 4) // block 4 and later are replaced
	f.blocks, f.logs = f2.blocks, f2.logs
	_, err = p.NextAttributes(ctx)
	var reset *ResetError
	if !errors.As(err, &reset) || reset.Number != 5 {
		t.Fatalf("%v, want *ResetError at L1 block 5", err)
	}
}
