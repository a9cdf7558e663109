package step

import (
	"errors"
	"math/rand"
	"testing"
)

// TestAdversarialAgreement mutates one field of honest pre states (sizes,
// depths, pc, gas, the static flag) and keeps their logs: whatever the
// outcome, Go Step and the Solidity prover must agree on whether the proof
// is accepted and, if so, on the post state. No honest trace reaches such
// states, so this checks the mirror beyond the recorded traces.
func TestAdversarialAgreement(t *testing.T) {
	l1 := newL1Prover(t)
	var pool []stepProof
	groups := opcodePrograms()
	for _, name := range []string{"MSTORE", "MCOPY", "CALLDATACOPY", "KECCAK256", "JUMP", "DUP16", "LOG2", "ENV", "PUSH32", "EXP"} {
		for _, p := range groups[name] {
			pool = append(pool, proofs(t, p.name, record(t, p, 64))...)
		}
	}
	values := []uint64{0, 1, 2, 31, 32, 33, 1023, 1024, 1025, 1 << 32, 1<<32 + 1, 1 << 37, 1 << 63, 1<<64 - 1}
	rng := rand.New(rand.NewSource(11))
	fields := []func(s *State, v uint64){
		func(s *State, v uint64) { s.PC = v },
		func(s *State, v uint64) { s.Gas = v },
		func(s *State, v uint64) { s.CodeSize = v },
		func(s *State, v uint64) { s.StackDepth = v },
		func(s *State, v uint64) { s.MemSize = v },
		func(s *State, v uint64) { s.CalldataSize = v },
		func(s *State, v uint64) { s.ReturndataSize = v },
		func(s *State, v uint64) { s.Depth = v },
		func(s *State, v uint64) { s.GasUsed = v },
		func(s *State, v uint64) { s.Static = v%2 == 1 },
	}
	var accepted, rejected int
	for i := 0; i < 1500; i++ {
		sp := pool[rng.Intn(len(pool))]
		pre := sp.pre
		fields[rng.Intn(len(fields))](&pre, values[rng.Intn(len(values))])
		post, goErr := Step(pre, sp.log)
		h, _, l1Err := l1.step(pre.Hash(), EncodeProof(&pre, sp.log))
		switch {
		case goErr != nil && !errors.Is(goErr, ErrBadProof):
			t.Fatalf("case %d: unexpected Go error %v", i, goErr)
		case (goErr == nil) != (l1Err == nil):
			t.Fatalf("case %d: Go %v, L1 %v (pre %+v)", i, goErr, l1Err, pre)
		case goErr == nil && h != post.Hash():
			t.Fatalf("case %d: post states differ (pre %+v)", i, pre)
		case goErr == nil:
			accepted++
		default:
			rejected++
		}
	}
	t.Logf("%d mutated proofs accepted by both, %d rejected by both", accepted, rejected)
}
