package mpt

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// filledRef returns a StateTrie with n random accounts, and their keys.
func filledRef(t *testing.T, seed int64, n int) (*reference, [][]byte) {
	r := rand.New(rand.NewSource(seed))
	ref := newSecureRef(t)
	keys := make([][]byte, n)
	for i := range keys {
		keys[i] = randHash(r).Bytes()[:20]
		ref.set(keys[i], accountValue(r))
	}
	return ref, keys
}

func cloneProof(p [][]byte) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = common.CopyBytes(p[i])
	}
	return out
}

// TestTamperedProofs checks that a wrong root, a changed, missing, extra or
// reordered node makes both get and update revert with the exact error.
func TestTamperedProofs(t *testing.T) {
	h := newHarness(t)
	ref, keys := filledRef(t, 7, 500)
	path := ref.path(keys[0])
	root := ref.root()
	proof, err := Proof(ref, path)
	if err != nil {
		t.Fatal(err)
	}
	n := len(proof)
	if n < 3 {
		t.Fatalf("proof of %d nodes is too short for the test", n)
	}
	flip := func(i int) [][]byte {
		p := cloneProof(proof)
		p[i][len(p[i])/2] ^= 0x01
		return p
	}
	swapped := cloneProof(proof)
	swapped[1], swapped[2] = swapped[2], swapped[1]
	cases := []struct {
		name  string
		root  common.Hash
		key   common.Hash
		proof [][]byte
		want  string
	}{
		{"wrong root", common.Hash{1}, path, proof, "InvalidNodeHash(0)"},
		{"changed root node", root, path, flip(0), "InvalidNodeHash(0)"},
		{"changed inner node", root, path, flip(1), "InvalidNodeHash(1)"},
		{"changed leaf node", root, path, flip(n - 1), fmt.Sprintf("InvalidNodeHash(%d)", n-1)},
		{"truncated", root, path, proof[:n-1], fmt.Sprintf("TruncatedProof(%d)", n-1)},
		{"no nodes", root, path, nil, "TruncatedProof(0)"},
		{"extra node", root, path, append(cloneProof(proof), proof[n-1]), fmt.Sprintf("UnusedProofNodes(%d,%d)", n, n+1)},
		{"reordered", root, path, swapped, "InvalidNodeHash(1)"},
		{"nodes for the empty trie", emptyRoot, path, proof[:1], "UnusedProofNodes(0,1)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := h.get(tc.root, tc.key, tc.proof)
			if got := reason(t, err); got != tc.want {
				t.Errorf("get: got %s, want %s", got, tc.want)
			}
			_, _, err = h.update(tc.root, tc.key, []byte{1}, &Witness{Proof: tc.proof})
			if got := reason(t, err); got != tc.want {
				t.Errorf("update: got %s, want %s", got, tc.want)
			}
			_, _, err = h.remove(tc.root, tc.key, &Witness{Proof: tc.proof})
			if got := reason(t, err); got != tc.want {
				t.Errorf("remove: got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestTamperedSibling checks the sibling half of a deletion's witness.
func TestTamperedSibling(t *testing.T) {
	h := newHarness(t)
	ref, keys := filledRef(t, 8, 300)
	root := ref.root()
	var collapse, plain *Witness
	var collapsePath, plainPath common.Hash
	for _, k := range keys {
		path := ref.path(k)
		w, err := DeleteWitness(ref, path)
		if err != nil {
			t.Fatal(err)
		}
		if w.Sibling != nil && collapse == nil {
			collapse, collapsePath = w, path
		}
		if w.Sibling == nil && plain == nil {
			plain, plainPath = w, path
		}
	}
	if collapse == nil || plain == nil {
		t.Fatal("no deletion with and without a sibling")
	}
	absent := ref.path([]byte("absent"))
	absentProof, err := Proof(ref, absent)
	if err != nil {
		t.Fatal(err)
	}
	wrong := common.CopyBytes(collapse.Sibling)
	wrong[len(wrong)-1] ^= 1

	cases := []struct {
		name  string
		path  common.Hash
		value []byte
		w     *Witness
		want  string
	}{
		{"missing sibling", collapsePath, nil, &Witness{Proof: collapse.Proof}, "MissingSibling()"},
		{"changed sibling", collapsePath, nil, &Witness{Proof: collapse.Proof, Sibling: wrong}, "InvalidSibling()"},
		{"another node as sibling", collapsePath, nil, &Witness{Proof: collapse.Proof, Sibling: collapse.Proof[0]}, "InvalidSibling()"},
		{"sibling for a deletion without collapse", plainPath, nil, &Witness{Proof: plain.Proof, Sibling: collapse.Sibling}, "UnexpectedSibling()"},
		{"sibling for an absent key", absent, nil, &Witness{Proof: absentProof, Sibling: collapse.Sibling}, "UnexpectedSibling()"},
		{"sibling for an update", collapsePath, []byte{7}, &Witness{Proof: collapse.Proof, Sibling: collapse.Sibling}, "UnexpectedSibling()"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := h.update(root, tc.path, tc.value, tc.w)
			if got := reason(t, err); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
	// The honest witness works.
	got, _, err := h.remove(root, collapsePath, collapse)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if ref.path(k) == collapsePath {
			ref.set(k, nil)
		}
	}
	if want := ref.root(); got != want {
		t.Fatalf("root %x, want %x", got, want)
	}
}

// compact is the hex-prefix encoding of a path of nibbles.
func compact(nibbles []byte, leaf bool) []byte {
	flag := byte(0)
	if leaf {
		flag = 2
	}
	if len(nibbles)%2 == 1 {
		out := []byte{(flag+1)<<4 | nibbles[0]}
		for i := 1; i < len(nibbles); i += 2 {
			out = append(out, nibbles[i]<<4|nibbles[i+1])
		}
		return out
	}
	out := []byte{flag << 4}
	for i := 0; i < len(nibbles); i += 2 {
		out = append(out, nibbles[i]<<4|nibbles[i+1])
	}
	return out
}

func mustRLP(v any) []byte {
	enc, err := rlp.EncodeToBytes(v)
	if err != nil {
		panic(err)
	}
	return enc
}

// branchOf encodes a branch from 17 raw items (nil: the empty string).
func branchOf(items [17][]byte) []byte {
	raw := make([]rlp.RawValue, 17)
	for i, it := range items {
		if it == nil {
			it = []byte{0x80}
		}
		raw[i] = it
	}
	return mustRLP(raw)
}

// hashRef is the reference to a hashed node: the RLP string of its hash.
func hashRef(node []byte) []byte { return mustRLP(crypto.Keccak256(node)) }

// TestHostileNodes feeds nodes that hash correctly (the root is their hash)
// but are not what go-ethereum writes: bad RLP and malformed trie nodes.
// Each must revert with its error, never yield a value or a root.
func TestHostileNodes(t *testing.T) {
	h := newHarness(t)
	key := crypto.Keccak256Hash([]byte("key"))
	nibbles := make([]byte, 64)
	for i := range nibbles {
		nibbles[i] = byte(nibble(key, i))
	}
	value := mustRLP([]byte("a value long enough to be hashed"))
	goodLeaf := mustRLP([]rlp.RawValue{mustRLP(compact(nibbles, true)), value})
	leaf := func(n []byte) []byte { return mustRLP([]rlp.RawValue{mustRLP(compact(n, true)), value}) }
	twoLeaves := func(a, b []byte) [17][]byte {
		var items [17][]byte
		items[nibbles[0]] = a
		items[(nibbles[0]+1)%16] = b
		return items
	}
	tail := leaf(nibbles[1:])
	small := mustRLP([]rlp.RawValue{mustRLP(compact(nibbles[1:3], false)), {0x01}})
	withValue := twoLeaves(hashRef(tail), hashRef(tail))
	withValue[16] = mustRLP([]byte{1, 2})
	oneChild := twoLeaves(hashRef(tail), nil)
	fat := twoLeaves(hashRef(tail), hashRef(tail))
	fat[(nibbles[0]+2)%16] = mustRLP([]rlp.RawValue{mustRLP(make([]byte, 29)), {0x01}}) // 32 bytes embedded
	oddRef := twoLeaves(hashRef(tail), mustRLP([]byte{1, 2, 3, 4, 5}))
	longString := append([]byte{0xb8, 0x40}, make([]byte, 0x40)...)

	cases := []struct {
		name  string
		nodes [][]byte
		want  string
	}{
		{"sanity: a leaf", [][]byte{goodLeaf}, ""},
		{"not a list", [][]byte{longString}, "MalformedNode()"},
		{"list longer than the node", [][]byte{append([]byte{0xf8, 0x80}, goodLeaf[2:]...)}, "RLPTruncated()"},
		{"bytes after the list", [][]byte{append(common.CopyBytes(goodLeaf), 0x80)}, "MalformedNode()"},
		{"long form for a short list", [][]byte{append([]byte{0xf8, 0x21}, make([]byte, 0x21)...)}, "RLPNonCanonical()"},
		{"length with a leading zero", [][]byte{append([]byte{0xf9, 0x00, 0x40}, make([]byte, 0x40)...)}, "RLPNonCanonical()"},
		{"eight-byte length", [][]byte{append([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0x40}, make([]byte, 0x40)...)}, "RLPOversized()"},
		{"wrapped single byte", [][]byte{mustRLP([]rlp.RawValue{mustRLP(compact(nibbles, true)), {0x81, 0x05}})}, "RLPNonCanonical()"},
		{"three items", [][]byte{mustRLP([]rlp.RawValue{mustRLP(compact(nibbles, true)), value, value})}, "MalformedNode()"},
		{"path flag 4", [][]byte{mustRLP([]rlp.RawValue{mustRLP(append([]byte{0x40}, compact(nibbles, true)[1:]...)), value})}, "MalformedNode()"},
		{"even flag with a nibble", [][]byte{mustRLP([]rlp.RawValue{mustRLP(append([]byte{0x25}, compact(nibbles, true)[1:]...)), value})}, "MalformedNode()"},
		{"leaf ends before nibble 64", [][]byte{leaf(nibbles[:62])}, "MalformedNode()"},
		{"leaf with an empty value", [][]byte{mustRLP([]rlp.RawValue{mustRLP(compact(nibbles, true)), {0x80}})}, "MalformedNode()"},
		{"branch with a value", [][]byte{branchOf(withValue), tail}, "MalformedNode()"},
		{"branch with one child", [][]byte{branchOf(oneChild), tail}, "MalformedNode()"},
		{"embedded node of 32 bytes", [][]byte{branchOf(fat), tail}, "MalformedNode()"},
		{"five-byte reference", [][]byte{branchOf(oddRef), tail}, "MalformedNode()"},
		{"hashed node under 32 bytes", [][]byte{branchOf(twoLeaves(hashRef(small), hashRef(tail))), small}, "MalformedNode()"},
		{"extension to a leaf", [][]byte{mustRLP([]rlp.RawValue{mustRLP(compact(nibbles[:1], false)), hashRef(tail)}), tail}, "MalformedNode()"},
		{"empty extension", [][]byte{mustRLP([]rlp.RawValue{mustRLP(compact(nil, false)), hashRef(goodLeaf)}), goodLeaf}, "MalformedNode()"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := crypto.Keccak256Hash(tc.nodes[0])
			_, _, _, err := h.get(root, key, tc.nodes)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if got := reason(t, err); got != tc.want {
				t.Errorf("get: got %s, want %s", got, tc.want)
			}
			_, _, err = h.update(root, key, []byte{1}, &Witness{Proof: tc.nodes})
			if got := reason(t, err); got != tc.want {
				t.Errorf("update: got %s, want %s", got, tc.want)
			}
		})
	}
}
