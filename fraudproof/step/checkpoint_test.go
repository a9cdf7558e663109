package step

import (
	"flag"
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/core/vm"
)

var longIterations = flag.Int("step.long", 10_000, "loop iterations of TestLongTrace (about 11 steps each)")

// loopProgram counts down from n, storing the counter in memory and logging
// every iteration's word, so that stack, memory and the log accumulator all
// change along a long trace.
func loopProgram(n uint64) program {
	code := asm{}.pushU(n)
	loop := len(code)
	code = code.op(vm.JUMPDEST).pushU(1).op(vm.SWAP1, vm.SUB, vm.DUP1).pushU(0).op(vm.MSTORE).pushU(32).pushU(0).op(vm.LOG0, vm.DUP1).pushU(uint64(loop)).op(vm.JUMPI, vm.STOP)
	return program{name: "loop", code: code, gas: n*3000 + 100_000}
}

// TestLongTrace records a long transaction with sparse checkpoints and checks
// that random steps rebuilt from them agree with the trace, in Go and on L1.
func TestLongTrace(t *testing.T) {
	p := loopProgram(uint64(*longIterations))
	const every = 4096
	tr := record(t, p, every)
	if tr.Final().Status != StatusReturned {
		t.Fatalf("final status %v", tr.Final().Status)
	}
	if want := (tr.Steps() + every - 1) / every; len(tr.checkpoints) != want {
		t.Fatalf("%d checkpoints for %d steps, want %d", len(tr.checkpoints), tr.Steps(), want)
	}
	l1 := newL1Prover(t)
	rng := rand.New(rand.NewSource(7))
	idx := []int{0, every - 1, every, tr.Steps() - 1}
	for i := 0; i < 12; i++ {
		idx = append(idx, rng.Intn(tr.Steps()))
	}
	for _, i := range idx {
		pre, log, err := tr.Proof(i)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if pre.Hash() != tr.StateHash(i) {
			t.Fatalf("step %d: rebuilt pre state differs", i)
		}
		post, err := Step(pre, log)
		if err != nil || post.Hash() != tr.StateHash(i+1) {
			t.Fatalf("step %d: Go Step disagrees (%v)", i, err)
		}
		if h, _, err := l1.step(pre.Hash(), EncodeProof(&pre, log)); err != nil || h != tr.StateHash(i+1) {
			t.Fatalf("step %d: L1 disagrees (%v)", i, err)
		}
	}
	t.Logf("%d steps, %d checkpoints", tr.Steps(), len(tr.checkpoints))
}
