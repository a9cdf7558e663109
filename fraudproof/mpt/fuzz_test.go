package mpt

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// fuzzDepths are the nibbles at which fuzzed paths part from a common base:
// shallow ones give hashed nodes, deep ones embedded leaves and branches.
var fuzzDepths = [8]int{0, 1, 2, 30, 55, 61, 62, 63}

// fuzzPath derives a path from one byte: the base path, changed from nibble
// fuzzDepths[b&7] on, where the nibble there is b>>4.
func fuzzPath(b byte) []byte {
	base := common.HexToHash("0x5a17c0ffee5a17c0ffee5a17c0ffee5a17c0ffee5a17c0ffee5a17c0ffee5a17")
	depth := fuzzDepths[b&7]
	setNibble(&base, depth, int(b>>4))
	for i := depth + 1; i < 64; i++ {
		setNibble(&base, i, (i*7+int(b))%16)
	}
	return base.Bytes()
}

// FuzzUpdate reads its input as operations, three bytes each: a path
// selector, an operation and a value byte. Every operation runs on a
// go-ethereum trie and through the library, and the roots must agree.
//
//	go test ./fraudproof/mpt -run '^$' -fuzz FuzzUpdate -fuzztime 5m
func FuzzUpdate(f *testing.F) {
	f.Add([]byte{0x00, 0, 1, 0x10, 0, 2, 0x00, 1, 0})
	f.Add([]byte{0x07, 0, 1, 0x17, 0, 1, 0x27, 0, 1, 0x17, 1, 0, 0x07, 1, 0, 0x27, 1, 0})
	f.Add([]byte{0x05, 0, 1, 0x15, 0, 1, 0x06, 0, 1, 0x16, 0, 1, 0x03, 0, 0x90, 0x05, 1, 0, 0x15, 1, 0})
	f.Add([]byte{0x04, 2, 7, 0x14, 2, 9, 0x03, 0, 1, 0x13, 0, 1, 0x04, 1, 0, 0x03, 1, 0, 0x13, 1, 0, 0x14, 1, 0})
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 3*64 {
			ops = ops[:3*64]
		}
		d := &differ{t: t, h: h, ref: newPlainRef(), name: "fuzz", live: map[string][]byte{}, cov: new(coverage)}
		for i := 0; i+2 < len(ops); i += 3 {
			key := fuzzPath(ops[i])
			switch ops[i+1] % 4 {
			case 1:
				d.set(key, nil)
			case 2:
				r := rand.New(rand.NewSource(int64(ops[i+2])))
				d.set(key, randomValue(r))
			default: // one byte, the smallest leaf
				enc, _ := rlp.EncodeToBytes(uint64(ops[i+2]) + 1)
				d.set(key, enc)
			}
		}
		d.drain(rand.New(rand.NewSource(1)))
	})
}

// FuzzHostileNode feeds arbitrary bytes as the root node of a proof (the
// root is their hash) and as a second node. The library may accept them
// only if go-ethereum's own proof check does; otherwise it must revert with
// one of its custom errors: never a panic, an invalid opcode or running out
// of gas.
//
//	go test ./fraudproof/mpt -run '^$' -fuzz FuzzHostileNode -fuzztime 5m
func FuzzHostileNode(f *testing.F) {
	key := common.HexToHash("0x5a17c0ffee5a17c0ffee5a17c0ffee5a17c0ffee5a17c0ffee5a17c0ffee5a17")
	f.Add([]byte{0xc2, 0x20, 0x01}, []byte{})
	f.Add(append([]byte{0xf8, 0x80}, make([]byte, 40)...), []byte{})
	f.Add(append([]byte{0xe3, 0xa1, 0x20}, append(key.Bytes(), 0x01)...), []byte{})
	f.Add(append([]byte{0xd1}, make([]byte, 17)...), []byte{0x80})
	h := newHarness(f)
	f.Fuzz(func(t *testing.T, node, second []byte) {
		if len(node) > 1024 || len(second) > 1024 {
			return
		}
		root := crypto.Keccak256Hash(node)
		for _, proof := range [][][]byte{{node}, {node, second}} {
			if _, _, _, err := h.get(root, key, proof); err != nil {
				checkCustomRevert(t, h, err)
			}
			if _, _, err := h.update(root, key, []byte{1}, &Witness{Proof: proof}); err != nil {
				checkCustomRevert(t, h, err)
			}
			if _, _, err := h.update(root, key, nil, &Witness{Proof: proof[:1], Sibling: second}); err != nil {
				checkCustomRevert(t, h, err)
			}
		}
	})
}

// checkCustomRevert fails unless err is a revert with one of the
// contract's custom errors.
func checkCustomRevert(t *testing.T, h *harness, err error) {
	t.Helper()
	var r *revertError
	if !errors.As(err, &r) {
		t.Fatalf("not a revert: %v", err)
	}
	name, _, _ := strings.Cut(r.reason, "(")
	if _, ok := h.errs.Errors[name]; !ok {
		t.Fatalf("not a custom error: %s", r.reason)
	}
}
