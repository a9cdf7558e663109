package step

import (
	"bytes"
	"errors"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// The transaction-local overlay and the warm-address set are sparse Merkle
// trees of depth 256 (the step state's OverlayRoot and WarmRoot):
//
//   - a key is a 32-byte hash, read as a path from the root, most
//     significant bit first (0 goes left);
//   - an inner node is keccak256(left ‖ right); an absent leaf is the zero
//     word, so an empty subtree of height h has the fixed root Z[h], with
//     Z[0] = 0 and Z[h+1] = keccak256(Z[h] ‖ Z[h]);
//   - the empty tree's root is Z[256] (EmptySparseRoot).
//
// Overlay keys and leaves:
//
//	account field  keccak256(0x00 ‖ address ‖ field)   field: 1 balance, 2 nonce, 3 code hash
//	storage slot   keccak256(0x01 ‖ address ‖ slot)
//	leaf           keccak256(current ‖ original ‖ warm)  each a 32-byte word; warm is 0 or 1
//
// Warm-set keys are keccak256(0x02 ‖ address) with the leaf 1.
//
// A proof of one key is a 256-bit mask, bit i set when the sibling at
// height i (leaf level 0) differs from Z[i], followed by those siblings,
// lowest first. Tier 1 only carries both roots; the storage tier reads and
// writes them with these proofs.

// SparseDepth is the depth of the overlay and warm-set trees.
const SparseDepth = 256

// Account fields of overlay keys.
const (
	FieldBalance  byte = 1
	FieldNonce    byte = 2
	FieldCodeHash byte = 3
)

// sparseZero[h] is the root of an empty subtree of height h.
var sparseZero = func() (z [SparseDepth + 1]common.Hash) {
	for h := 1; h <= SparseDepth; h++ {
		z[h] = crypto.Keccak256Hash(z[h-1][:], z[h-1][:])
	}
	return z
}()

// EmptySparseRoot is the root of an empty overlay or warm set: the value
// both have at the start of a transaction.
var EmptySparseRoot = sparseZero[SparseDepth]

// AccountFieldKey is the overlay key of one field of an account.
func AccountFieldKey(addr common.Address, field byte) common.Hash {
	return crypto.Keccak256Hash([]byte{0x00}, addr[:], []byte{field})
}

// SlotKey is the overlay key of a storage slot.
func SlotKey(addr common.Address, slot common.Hash) common.Hash {
	return crypto.Keccak256Hash([]byte{0x01}, addr[:], slot[:])
}

// WarmKey is the warm-set key of an address.
func WarmKey(addr common.Address) common.Hash {
	return crypto.Keccak256Hash([]byte{0x02}, addr[:])
}

// OverlayLeaf is the leaf of an overlay entry.
func OverlayLeaf(current, original common.Hash, warm bool) common.Hash {
	var w common.Hash
	if warm {
		w[31] = 1
	}
	return crypto.Keccak256Hash(current[:], original[:], w[:])
}

// WarmLeaf is the leaf of a warm address.
var WarmLeaf = common.Hash{31: 1}

// SparseTree is a sparse Merkle tree of depth 256 held as its leaves.
// Roots and proofs are computed from the leaves on demand: the trees of one
// transaction hold a few hundred entries at most.
type SparseTree struct {
	leaves map[common.Hash]common.Hash
}

// NewSparseTree returns an empty tree.
func NewSparseTree() *SparseTree {
	return &SparseTree{leaves: make(map[common.Hash]common.Hash)}
}

// Set sets the leaf at key; the zero leaf removes it.
func (t *SparseTree) Set(key, leaf common.Hash) {
	if leaf == (common.Hash{}) {
		delete(t.leaves, key)
		return
	}
	t.leaves[key] = leaf
}

// Get returns the leaf at key, zero when absent.
func (t *SparseTree) Get(key common.Hash) common.Hash { return t.leaves[key] }

// sortedKeys returns the keys in path order.
func (t *SparseTree) sortedKeys() []common.Hash {
	keys := make([]common.Hash, 0, len(t.leaves))
	for k := range t.leaves {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b common.Hash) int { return bytes.Compare(a[:], b[:]) })
	return keys
}

// Root returns the tree's root.
func (t *SparseTree) Root() common.Hash {
	return t.subtree(t.sortedKeys(), 0)
}

// subtree returns the root of the subtree at depth (from the root) holding
// keys, which share their first depth bits and are sorted.
func (t *SparseTree) subtree(keys []common.Hash, depth int) common.Hash {
	height := SparseDepth - depth
	switch {
	case len(keys) == 0:
		return sparseZero[height]
	case height == 0:
		return t.leaves[keys[0]]
	}
	split, _ := slices.BinarySearchFunc(keys, true, func(k common.Hash, _ bool) int {
		if bitAt(k, depth) {
			return 0
		}
		return -1
	})
	left, right := t.subtree(keys[:split], depth+1), t.subtree(keys[split:], depth+1)
	return crypto.Keccak256Hash(left[:], right[:])
}

// bitAt returns bit i of key, most significant first.
func bitAt(key common.Hash, i int) bool { return key[i/8]>>(7-uint(i%8))&1 == 1 }

// SparseProof is the proof of one key: the mask of non-empty siblings and
// those siblings, leaf level first.
type SparseProof struct {
	Mask     [32]byte // bit i (of the big-endian word) for height i
	Siblings []common.Hash
}

// Prove returns the proof of key, present or not.
func (t *SparseTree) Prove(key common.Hash) *SparseProof {
	keys := t.sortedKeys()
	sib := make([]common.Hash, SparseDepth) // by height
	for depth := 0; depth < SparseDepth; depth++ {
		// Split keys at this depth; the sibling is the other side.
		split, _ := slices.BinarySearchFunc(keys, true, func(k common.Hash, _ bool) int {
			if bitAt(k, depth) {
				return 0
			}
			return -1
		})
		if bitAt(key, depth) {
			sib[SparseDepth-1-depth] = t.subtree(keys[:split], depth+1)
			keys = keys[split:]
		} else {
			sib[SparseDepth-1-depth] = t.subtree(keys[split:], depth+1)
			keys = keys[:split]
		}
	}
	p := &SparseProof{}
	for h, s := range sib {
		if s != sparseZero[h] {
			p.Mask[31-h/8] |= 1 << uint(h%8)
			p.Siblings = append(p.Siblings, s)
		}
	}
	return p
}

// ErrBadSparseProof is returned for a proof that does not fit its mask.
var ErrBadSparseProof = errors.New("step: malformed sparse Merkle proof")

// SparseRootFromProof returns the root of a tree whose leaf at key is leaf
// and whose other leaves the proof summarises. Checking a leaf is
// comparing the result with a known root; updating one is computing the
// result with the new leaf.
func SparseRootFromProof(key, leaf common.Hash, p *SparseProof) (common.Hash, error) {
	node, next := leaf, 0
	for h := 0; h < SparseDepth; h++ {
		sibling := sparseZero[h]
		if p.Mask[31-h/8]>>(uint(h%8))&1 == 1 {
			if next == len(p.Siblings) {
				return common.Hash{}, ErrBadSparseProof
			}
			sibling, next = p.Siblings[next], next+1
		}
		if bitAt(key, SparseDepth-1-h) {
			node = crypto.Keccak256Hash(sibling[:], node[:])
		} else {
			node = crypto.Keccak256Hash(node[:], sibling[:])
		}
	}
	if next != len(p.Siblings) {
		return common.Hash{}, ErrBadSparseProof
	}
	return node, nil
}
