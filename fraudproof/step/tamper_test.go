package step

import (
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/holiman/uint256"
)

// stepOf returns the witness before the first step of p that executes op.
func stepOf(t *testing.T, p program, op vm.OpCode) *Witness {
	t.Helper()
	tr := record(t, p, 1)
	for i := 0; i < tr.Steps(); i++ {
		w, err := tr.WitnessAt(i)
		if err != nil {
			t.Fatal(err)
		}
		if opcodeAt(p.code, w.State.PC) == op {
			return w
		}
	}
	t.Fatalf("%s never executes %v", p.name, op)
	return nil
}

// TestTamperedProofs checks that a corrupted access log or pre state is
// rejected by both Go Step (ErrBadProof, ErrBadState) and the Solidity prover
// (BadProof, BadState), while the untouched proof passes.
func TestTamperedProofs(t *testing.T) {
	l1 := newL1Prover(t)
	cd := []byte("some calldata that spans more than one word of thirty-two bytes")
	progs := map[vm.OpCode]program{
		vm.ADD:          {name: "add", code: asm{}.pushU(3).pushU(4).op(vm.ADD, vm.STOP), gas: defaultGas},
		vm.MLOAD:        {name: "mload", code: asm{}.pushU(0xabcdef).pushU(40).op(vm.MSTORE).pushU(33).op(vm.MLOAD, vm.STOP), gas: defaultGas},
		vm.TIMESTAMP:    {name: "timestamp", code: asm{}.op(vm.TIMESTAMP, vm.STOP), gas: defaultGas},
		vm.JUMP:         {name: "jump", code: asm{}.pushU(4).op(vm.JUMP, vm.INVALID, vm.JUMPDEST, vm.STOP), gas: defaultGas},
		vm.CALLDATALOAD: {name: "calldataload", code: asm{}.pushU(40).op(vm.CALLDATALOAD, vm.STOP), calldata: cd, gas: defaultGas},
	}
	// Each case picks a step, then corrupts its proof.
	type tamper struct {
		name string
		op   vm.OpCode
		edit func(log []byte, entries []logEntry) []byte
	}
	find := func(entries []logEntry, kind string, tree treeKind, nth int) logEntry {
		for _, e := range entries {
			if e.kind == kind && (kind != "word" || e.tree == tree) {
				if nth == 0 {
					return e
				}
				nth--
			}
		}
		t.Fatalf("no %s entry", kind)
		return logEntry{}
	}
	flip := func(kind string, tree treeKind, nth, at int) func([]byte, []logEntry) []byte {
		return func(log []byte, entries []logEntry) []byte {
			e := find(entries, kind, tree, nth)
			log[e.offset+at] ^= 0x01
			return log
		}
	}
	cases := []tamper{
		{"wrong stack element", vm.ADD, flip("stack", 0, 0, 31)},
		{"wrong stack hash below", vm.ADD, flip("stack", 0, 1, 40)},
		{"stack entries swapped", vm.ADD, func(log []byte, entries []logEntry) []byte {
			a, b := find(entries, "stack", 0, 0), find(entries, "stack", 0, 1)
			x := append([]byte(nil), log[a.offset:a.offset+64]...)
			copy(log[a.offset:], log[b.offset:b.offset+64])
			copy(log[b.offset:], x)
			return log
		}},
		{"wrong memory word", vm.MLOAD, flip("word", treeMemory, 0, 5)},
		{"wrong memory sibling", vm.MLOAD, func(log []byte, entries []logEntry) []byte {
			for _, e := range entries {
				if e.kind == "word" && e.tree == treeMemory && e.length > 36 {
					log[e.offset+40] ^= 0x01
					return log
				}
			}
			t.Fatal("no memory entry with a sibling")
			return nil
		}},
		{"wrong sibling mask", vm.MLOAD, flip("word", treeMemory, 0, 35)},
		{"wrong code word", vm.ADD, flip("word", treeCode, 0, 0)},
		{"wrong calldata word", vm.CALLDATALOAD, flip("word", treeCalldata, 0, 2)},
		{"wrong context field", vm.TIMESTAMP, flip("context", 0, 0, 3*32+31)},
		{"wrong jumpdest bitmap", vm.JUMP, flip("word", treeJumpdest, 0, 0)},
		{"truncated by one byte", vm.MLOAD, func(log []byte, _ []logEntry) []byte { return log[:len(log)-1] }},
		{"last entry missing", vm.ADD, func(log []byte, entries []logEntry) []byte {
			return log[:entries[len(entries)-1].offset]
		}},
		{"entry left over", vm.ADD, func(log []byte, entries []logEntry) []byte {
			e := entries[len(entries)-1]
			return append(log, log[e.offset:e.offset+e.length]...)
		}},
		{"empty log", vm.ADD, func([]byte, []logEntry) []byte { return nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := stepOf(t, progs[c.op], c.op)
			pre := w.State
			log, entries, err := proveStep(w)
			if err != nil {
				t.Fatal(err)
			}
			want, err := Step(pre, log)
			if err != nil {
				t.Fatalf("untouched proof: %v", err)
			}
			if h, _, err := l1.step(pre.Hash(), EncodeProof(&pre, log)); err != nil || h != want.Hash() {
				t.Fatalf("untouched proof on L1: %v", err)
			}
			bad := c.edit(append([]byte(nil), log...), entries)
			if _, err := Step(pre, bad); !errors.Is(err, ErrBadProof) {
				t.Errorf("Go Step accepted the tampered proof (err %v)", err)
			}
			if _, _, err := l1.step(pre.Hash(), EncodeProof(&pre, bad)); !errors.Is(err, errL1Revert) || !strings.Contains(err.Error(), "BadProof") {
				t.Errorf("L1 prover: got %v, want a BadProof revert", err)
			}
		})
	}

	t.Run("wrong pre state hash", func(t *testing.T) {
		w := stepOf(t, progs[vm.ADD], vm.ADD)
		pre := w.State
		log, _ := ProveStep(w)
		if _, _, err := l1.step(common.Hash{1}, EncodeProof(&pre, log)); err == nil || !strings.Contains(err.Error(), "BadProof") {
			t.Errorf("got %v, want BadProof", err)
		}
	})
	t.Run("non-canonical pre state", func(t *testing.T) {
		w := stepOf(t, progs[vm.ADD], vm.ADD)
		pre := w.State
		log, _ := ProveStep(w)
		for _, field := range []int{fVersion, fStatus, fPC, fCaller, fStatic} {
			enc := pre.Encode()
			enc[field*32] = 0x80
			if _, err := DecodeState(enc); !errors.Is(err, ErrBadState) {
				t.Errorf("field %d: DecodeState: %v", field, err)
			}
			proof := append(enc, log...)
			if _, _, err := l1.step(hashBytes(enc), proof); err == nil || !strings.Contains(err.Error(), "BadState") {
				t.Errorf("field %d: L1: got %v, want BadState", field, err)
			}
		}
		if got, err := DecodeState(pre.Encode()); err != nil || got.Hash() != pre.Hash() {
			t.Errorf("DecodeState round trip: %v", err)
		}
	})
	t.Run("tree deeper than the greatest depth", func(t *testing.T) {
		// A state claiming 2^40 words of memory: its tree would be 40 deep.
		w := stepOf(t, progs[vm.MLOAD], vm.MLOAD)
		pre := w.State
		log, _ := ProveStep(w)
		pre.MemSize = 1 << 40
		if _, err := Step(pre, log); !errors.Is(err, ErrBadProof) {
			t.Errorf("Go Step: got %v, want ErrBadProof", err)
		}
		if _, _, err := l1.step(pre.Hash(), EncodeProof(&pre, log)); err == nil || !strings.Contains(err.Error(), "BadProof") {
			t.Errorf("L1: got %v, want BadProof", err)
		}
	})
	t.Run("non-canonical context words agree", func(t *testing.T) {
		// Go and L1 must agree even on a context no honest TxInit makes.
		w := stepOf(t, progs[vm.TIMESTAMP], vm.TIMESTAMP)
		pre := w.State
		log, entries, err := proveStep(w)
		if err != nil {
			t.Fatal(err)
		}
		e := find(entries, "context", 0, 0)
		ctx := log[e.offset : e.offset+e.length]
		ctx[3*32] = 0xff // high byte of the timestamp word
		pre.ContextHash = hashBytes(ctx)
		post, err := Step(pre, log)
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := l1.step(pre.Hash(), EncodeProof(&pre, log))
		if err != nil || h != post.Hash() {
			t.Errorf("L1 gives %x (%v), Go %x", h, err, post.Hash())
		}
	})
	t.Run("wrong stack value makes a different post state", func(t *testing.T) {
		// A witness whose stack differs from the committed hash cannot be
		// proven at all.
		w := stepOf(t, progs[vm.ADD], vm.ADD)
		w.Frame.Stack[len(w.Frame.Stack)-1] = *uint256.NewInt(99)
		if _, err := ProveStep(w); !errors.Is(err, ErrBadProof) {
			t.Errorf("got %v, want ErrBadProof", err)
		}
	})
}
