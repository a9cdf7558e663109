package step

import (
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// naiveSparseRoot computes the root by hashing every level of the full
// tree, restricted to the non-empty paths: the definition, without the
// shortcuts SparseTree takes.
func naiveSparseRoot(leaves map[common.Hash]common.Hash) common.Hash {
	level := make(map[string]common.Hash) // path bits as a string of '0'/'1'
	for k, v := range leaves {
		path := make([]byte, SparseDepth)
		for i := range path {
			path[i] = '0'
			if bitAt(k, i) {
				path[i] = '1'
			}
		}
		level[string(path)] = v
	}
	for h := 0; h < SparseDepth; h++ {
		next := make(map[string]common.Hash)
		for path := range level {
			parent := path[:len(path)-1]
			if _, done := next[parent]; done {
				continue
			}
			l, ok := level[parent+"0"]
			if !ok {
				l = sparseZero[h]
			}
			r, ok := level[parent+"1"]
			if !ok {
				r = sparseZero[h]
			}
			next[parent] = crypto.Keccak256Hash(l[:], r[:])
		}
		level = next
	}
	if root, ok := level[""]; ok {
		return root
	}
	return EmptySparseRoot
}

func TestSparseTreeMatchesDefinitionAndProves(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	tree := NewSparseTree()
	if tree.Root() != EmptySparseRoot {
		t.Fatal("empty tree root")
	}
	addr := common.HexToAddress("0xabc")
	var keys []common.Hash
	for i := range 40 {
		var key common.Hash
		switch i % 3 {
		case 0:
			key = SlotKey(addr, common.BigToHash(common.Big1.Lsh(common.Big1, uint(i))))
		case 1:
			key = AccountFieldKey(common.BigToAddress(common.Big1.Lsh(common.Big1, uint(i))), FieldBalance)
		default:
			key = WarmKey(common.BigToAddress(common.Big1.Lsh(common.Big1, uint(i))))
		}
		if i%7 == 0 && len(keys) > 0 {
			key = keys[len(keys)-1]
			key[31] ^= 1 // a neighbour of the last key: they split at the last level
		}
		keys = append(keys, key)
		before := tree.Root()
		proof := tree.Prove(key)
		old := tree.Get(key)
		if got, err := SparseRootFromProof(key, old, proof); err != nil || got != before {
			t.Fatalf("op %d: proof of the old leaf gives %v (%v), root %v", i, got, err, before)
		}
		leaf := OverlayLeaf(common.Hash{byte(rng.Uint32())}, common.Hash{}, i%2 == 0)
		if i%5 == 4 {
			key, leaf = keys[rng.IntN(len(keys))], common.Hash{} // a removal
			proof, old = tree.Prove(key), tree.Get(key)
		}
		want, err := SparseRootFromProof(key, leaf, proof)
		if err != nil {
			t.Fatal(err)
		}
		tree.Set(key, leaf)
		if got := tree.Root(); got != want {
			t.Fatalf("op %d: root %v after set, proof predicts %v", i, got, want)
		}
		if got := naiveSparseRoot(tree.leaves); got != tree.Root() {
			t.Fatalf("op %d: root %v, definition gives %v", i, tree.Root(), got)
		}
	}
}

func TestSparseProofRejectsMalformed(t *testing.T) {
	tree := NewSparseTree()
	key := SlotKey(common.Address{1}, common.Hash{2})
	tree.Set(key, OverlayLeaf(common.Hash{3}, common.Hash{}, true))
	tree.Set(SlotKey(common.Address{1}, common.Hash{4}), WarmLeaf)
	p := tree.Prove(key)
	if len(p.Siblings) == 0 {
		t.Fatal("expected a non-empty sibling")
	}
	short := &SparseProof{Mask: p.Mask, Siblings: p.Siblings[:len(p.Siblings)-1]}
	if _, err := SparseRootFromProof(key, tree.Get(key), short); err == nil {
		t.Fatal("accepted a proof missing a sibling")
	}
	long := &SparseProof{Mask: p.Mask, Siblings: append(append([]common.Hash(nil), p.Siblings...), common.Hash{9})}
	if _, err := SparseRootFromProof(key, tree.Get(key), long); err == nil {
		t.Fatal("accepted a proof with an extra sibling")
	}
	wrong := &SparseProof{Mask: p.Mask, Siblings: []common.Hash{{0xee}}}
	if got, err := SparseRootFromProof(key, tree.Get(key), wrong); err != nil || got == tree.Root() {
		t.Fatalf("a wrong sibling proved the leaf: %v %v", got, err)
	}
}
