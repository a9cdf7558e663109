package step

import (
	"math/bits"

	"github.com/ethereum/go-ethereum/common"
)

// TreeDepth is the greatest depth of a word tree (code, jumpdest bitmap,
// memory, calldata, return data). 2^32 words is 128 GiB, more than any of
// them can reach: go-ethereum caps memory at 0x1FFFFFFFE0 bytes, which is
// below 2^32 words.
const TreeDepth = 32

// depthOf is the depth of the word tree of n words: the least d with
// 2^d >= n (0 for zero or one word). It follows from the size fields of the
// state, so a tree's depth is never part of a proof.
func depthOf(words uint64) int {
	if words <= 1 {
		return 0
	}
	return bits.Len64(words - 1)
}

// wordsOf is the number of 32-byte words that hold n bytes.
func wordsOf(n uint64) uint64 { return n/32 + min(n%32, 1) }

// extendRoot returns the root of the depth-to tree whose leftmost depth-from
// subtree has the given root and whose other words are zero. Growing memory
// only extends its root this way; no word is read.
func extendRoot(root common.Hash, from, to int) common.Hash {
	for h := from; h < to; h++ {
		root = hashPair(root, zeroHashes[h])
	}
	return root
}

// zeroHashes[h] is the root of an all-zero subtree of height h.
var zeroHashes = func() (z [TreeDepth + 1]common.Hash) {
	for h := 1; h <= TreeDepth; h++ {
		z[h] = hashPair(z[h-1], z[h-1])
	}
	return z
}()

// EmptyTreeRoot is the root of an empty word tree (depth 0, one zero word):
// the root of empty memory, empty calldata and empty return data.
var EmptyTreeRoot = zeroHashes[0]

// Siblings is a Merkle path from a leaf to the root, leaf level first; a tree
// of depth d uses the first d.
type Siblings [TreeDepth]common.Hash

// rootFromPath returns the root of a depth-d tree with leaf at index, given
// its path.
func rootFromPath(leaf common.Hash, index uint64, sib *Siblings, depth int) common.Hash {
	node := leaf
	for h := 0; h < depth; h++ {
		if index>>h&1 == 0 {
			node = hashPair(node, sib[h])
		} else {
			node = hashPair(sib[h], node)
		}
	}
	return node
}

// Tree is a binary Merkle tree over 32-byte words, kept in full so that paths
// can be produced and single words updated in O(TreeDepth). The leaves are the
// words themselves; an inner node is keccak256(left ‖ right); words past the
// stored ones are zero. It is kept to the greatest depth, and read at the
// depth its size calls for (Root, Path): the depth-d tree is its leftmost
// depth-d subtree.
type Tree struct {
	levels [TreeDepth + 1][]common.Hash // levels[0] are the words
}

// NewTreeFromBytes builds the tree of data, right-padded with zeros to whole
// words.
func NewTreeFromBytes(data []byte) *Tree {
	t := new(Tree)
	n := (len(data) + 31) / 32
	t.levels[0] = make([]common.Hash, n)
	for i := 0; i < n; i++ {
		copy(t.levels[0][i][:], data[i*32:min(len(data), i*32+32)])
	}
	for h := 1; h <= TreeDepth; h++ {
		below := t.levels[h-1]
		cur := make([]common.Hash, (len(below)+1)/2)
		for j := range cur {
			cur[j] = hashPair(t.node(h-1, uint64(2*j)), t.node(h-1, uint64(2*j+1)))
		}
		t.levels[h] = cur
	}
	return t
}

// node returns the node at height h and position j.
func (t *Tree) node(h int, j uint64) common.Hash {
	if j < uint64(len(t.levels[h])) {
		return t.levels[h][j]
	}
	return zeroHashes[h]
}

// Root returns the root of the depth-d tree.
func (t *Tree) Root(depth int) common.Hash { return t.node(depth, 0) }

// Word returns the word at index.
func (t *Tree) Word(index uint64) common.Hash { return t.node(0, index) }

// Path returns the siblings of the word at index in the depth-d tree.
func (t *Tree) Path(index uint64, depth int) *Siblings {
	var s Siblings
	for h := 0; h < depth; h++ {
		s[h] = t.node(h, (index>>h)^1)
	}
	return &s
}

// Set replaces the word at index and updates the path above it.
func (t *Tree) Set(index uint64, w common.Hash) {
	for h := 0; h <= TreeDepth; h++ {
		j := index >> h
		for uint64(len(t.levels[h])) <= j {
			t.levels[h] = append(t.levels[h], zeroHashes[h])
		}
	}
	t.levels[0][index] = w
	for h := 1; h <= TreeDepth; h++ {
		j := index >> h
		t.levels[h][j] = hashPair(t.node(h-1, 2*j), t.node(h-1, 2*j+1))
	}
}

// JumpdestBitmap returns the jumpdest bitmap of code: bit i (counting from the
// most significant bit of byte 0) is set when code[i] is JUMPDEST and is not
// inside PUSH data. Word k of the bitmap covers code bytes [256k, 256k+256).
func JumpdestBitmap(code []byte) []byte {
	bm := make([]byte, (len(code)+255)/256*32)
	for i := 0; i < len(code); i++ {
		op := code[i]
		switch {
		case op == 0x5b:
			bm[i/8] |= 0x80 >> (i % 8)
		case op >= 0x60 && op <= 0x7f:
			i += int(op - 0x5f)
		}
	}
	return bm
}

// clone returns a deep copy of t.
func (t *Tree) clone() *Tree {
	c := new(Tree)
	for h := range t.levels {
		c.levels[h] = append([]common.Hash(nil), t.levels[h]...)
	}
	return c
}
