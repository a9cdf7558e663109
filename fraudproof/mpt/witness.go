package mpt

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
)

// Prover writes the proof of a trie path the way go-ethereum's trie does.
// *trie.Trie and *trie.StateTrie both implement it; for a StateTrie the key
// is already the hashed path (that is how eth_getProof calls it).
type Prover interface {
	Prove(key []byte, proofDb ethdb.KeyValueWriter) error
}

// Witness is what MerklePatriciaTrie.update and .remove take besides the
// root, the key and the value. The package documentation describes it.
type Witness struct {
	// Proof is the key's proof in the pre-state root, root first.
	Proof [][]byte
	// Sibling is the RLP of the node a deletion's collapsing branch merges
	// into, when that node is referenced by hash; nil otherwise.
	Sibling []byte
}

var (
	// ErrBadProof means the trie's own proof could not be followed; the
	// Prover is broken or its nodes are corrupt.
	ErrBadProof = errors.New("mpt: unreadable proof")
	// ErrNoSibling means the Prover did not return the node that a deletion
	// needs as its sibling.
	ErrNoSibling = errors.New("mpt: sibling node not found")
)

// orderedProof collects what trie.Prove writes, in order: root first.
type orderedProof [][]byte

// Put appends a node; the key is its hash and is implied by the value.
func (p *orderedProof) Put(_ []byte, value []byte) error {
	*p = append(*p, common.CopyBytes(value))
	return nil
}

// Delete is never called by Prove.
func (p *orderedProof) Delete([]byte) error {
	return errors.New("mpt: delete on a proof list")
}

// Proof returns the proof of path in the format eth_getProof uses and
// MerklePatriciaTrie.get takes: the hashed nodes on the path, root first.
func Proof(t Prover, path common.Hash) ([][]byte, error) {
	var p orderedProof
	if err := t.Prove(path[:], &p); err != nil {
		return nil, fmt.Errorf("prove %x: %w", path, err)
	}
	return p, nil
}

// UpdateWitness returns the witness for setting path to value in the trie
// that t proves. An empty value deletes, as trie.Update does.
func UpdateWitness(t Prover, path common.Hash, value []byte) (*Witness, error) {
	proof, err := Proof(t, path)
	if err != nil {
		return nil, err
	}
	w := &Witness{Proof: proof}
	if len(value) != 0 {
		return w, nil
	}
	end, err := follow(proof, path)
	if err != nil {
		return nil, err
	}
	if !end.found || end.branch == nil {
		return w, nil // nothing deleted, or the leaf was the root
	}
	// The lowest branch loses the key's child. With one other child left it
	// collapses into that child, which L1 must then see.
	other, count := -1, 0
	for i, ref := range end.branch[:16] {
		if i != nibble(path, end.branchPos) && !isEmptyRef(ref) {
			other, count = i, count+1
		}
	}
	if count != 1 || isEmbedded(end.branch[other]) {
		return w, nil
	}
	hash := common.BytesToHash(refHash(end.branch[other]))
	// Any path through the sibling's slot proves the sibling itself.
	var siblingPath common.Hash
	for i := 0; i < end.branchPos; i++ {
		setNibble(&siblingPath, i, nibble(path, i))
	}
	setNibble(&siblingPath, end.branchPos, other)
	nodes, err := Proof(t, siblingPath)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		if crypto.Keccak256Hash(n) == hash {
			w.Sibling = n
			return w, nil
		}
	}
	return nil, fmt.Errorf("%w: %x under %x", ErrNoSibling, hash, path)
}

// DeleteWitness returns the witness for deleting path.
func DeleteWitness(t Prover, path common.Hash) (*Witness, error) {
	return UpdateWitness(t, path, nil)
}

// pathEnd is where a proof's path ends.
type pathEnd struct {
	found     bool     // the last node is the key's leaf
	branch    [][]byte // the lowest branch on the path (its 17 items), or nil
	branchPos int      // the nibble at which that branch sits
}

// follow walks proof along path and reports where it ends. It trusts the
// proof to come from go-ethereum, and checks only enough not to panic.
func follow(proof [][]byte, path common.Hash) (pathEnd, error) {
	var end pathEnd
	if len(proof) == 0 {
		return end, nil // the empty trie
	}
	next, pos := 1, 0
	cur := proof[0]
	for {
		items, err := splitNode(cur)
		if err != nil {
			return end, err
		}
		var ref []byte
		switch len(items) {
		case 17:
			if pos >= 64 {
				return end, fmt.Errorf("%w: branch below nibble 63", ErrBadProof)
			}
			end.branch, end.branchPos = items, pos
			ref = items[nibble(path, pos)]
			pos++
			if isEmptyRef(ref) {
				return end, nil
			}
		case 2:
			nibbles, leaf, err := decodePath(items[0])
			if err != nil {
				return end, err
			}
			if pos+len(nibbles) > 64 {
				return end, fmt.Errorf("%w: path past nibble 64", ErrBadProof)
			}
			for i, n := range nibbles {
				if nibble(path, pos+i) != int(n) {
					return end, nil // the path leaves the key's
				}
			}
			if leaf {
				end.found = true
				return end, nil
			}
			pos += len(nibbles)
			ref = items[1]
		default:
			return end, fmt.Errorf("%w: node of %d items", ErrBadProof, len(items))
		}
		switch {
		case isEmbedded(ref):
			cur = ref
		case next < len(proof) && bytes.Equal(crypto.Keccak256(proof[next]), refHash(ref)):
			cur = proof[next]
			next++
		default:
			return end, fmt.Errorf("%w: node %d missing or wrong", ErrBadProof, next)
		}
	}
}

// nibble returns nibble i of path.
func nibble(path common.Hash, i int) int {
	b := path[i/2]
	if i%2 == 0 {
		return int(b >> 4)
	}
	return int(b & 0x0f)
}

// setNibble sets nibble i of path to v.
func setNibble(path *common.Hash, i, v int) {
	if i%2 == 0 {
		path[i/2] = path[i/2]&0x0f | byte(v)<<4
	} else {
		path[i/2] = path[i/2]&0xf0 | byte(v)
	}
}
