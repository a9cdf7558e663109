package codec

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// This file holds the commitments a batch posts next to its data: the output
// root of each L2 block and the outputsRoot, a binary Merkle root over a
// batch's output roots. The L1 Rollup contract verifies proofs against it
// with l1contracts/src/lib/MerkleRoot.sol, whose rule this code matches bit
// for bit:
//
//   - a tree has at least one leaf; a single leaf is its own root;
//   - leaves are padded on the right with zero hashes up to the next power
//     of two; a missing right child at height h is the root of an all-zero
//     subtree of that height;
//   - an inner node is keccak256(left ‖ right); leaves are not hashed again;
//   - a proof lists the siblings from the leaf up, and its length must equal
//     the tree's depth, ceil(log2(leaves)).

// OutputVersion is the version of the output root format: the OP Stack's
// version 0.
var OutputVersion = common.Hash{}

// Errors of the outputs tree.
var (
	// ErrEmptyOutputs is returned for a tree without leaves.
	ErrEmptyOutputs = errors.New("outputs tree has no leaves")
	// ErrOutputIndex is returned for a proof of a leaf the tree lacks.
	ErrOutputIndex = errors.New("output index out of range")
)

// OutputRoot returns the version 0 output root of an L2 block:
// keccak256(version ‖ stateRoot ‖ messagePasserStorageRoot ‖ blockHash).
// messagePasserStorageRoot is the storage root of the L2 withdrawal
// contract, or types.EmptyRootHash while that contract does not exist.
func OutputRoot(stateRoot, messagePasserStorageRoot, blockHash common.Hash) common.Hash {
	return crypto.Keccak256Hash(OutputVersion[:], stateRoot[:], messagePasserStorageRoot[:], blockHash[:])
}

// BlockOutputRoot returns the version 0 output root of an L2 block header.
// The L2 withdrawal contract does not exist yet, so its storage root is the
// empty root.
func BlockOutputRoot(h *types.Header) common.Hash {
	return OutputRoot(h.Root, types.EmptyRootHash, h.Hash())
}

// OutputsDepth returns ceil(log2(leaves)), the length of every proof in a
// tree of that many leaves.
func OutputsDepth(leaves int) int {
	depth := 0
	for 1<<depth < leaves {
		depth++
	}
	return depth
}

// OutputsRoot returns the Merkle root over a batch's per-block output roots.
func OutputsRoot(outputs []common.Hash) (common.Hash, error) {
	if len(outputs) == 0 {
		return common.Hash{}, ErrEmptyOutputs
	}
	level := append([]common.Hash(nil), outputs...)
	var zero common.Hash // the root of an all-zero subtree at this height
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, zero)
		}
		next := level[:len(level)/2]
		for i := range next {
			next[i] = hashPair(level[2*i], level[2*i+1])
		}
		level = next
		zero = hashPair(zero, zero)
	}
	return level[0], nil
}

// OutputsProof returns the siblings, from the bottom up, that prove
// outputs[index] against OutputsRoot(outputs).
func OutputsProof(outputs []common.Hash, index int) ([]common.Hash, error) {
	if len(outputs) == 0 {
		return nil, ErrEmptyOutputs
	}
	if index < 0 || index >= len(outputs) {
		return nil, fmt.Errorf("%w: %d of %d", ErrOutputIndex, index, len(outputs))
	}
	proof := make([]common.Hash, 0, OutputsDepth(len(outputs)))
	level := append([]common.Hash(nil), outputs...)
	var zero common.Hash
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, zero)
		}
		proof = append(proof, level[index^1])
		next := level[:len(level)/2]
		for i := range next {
			next[i] = hashPair(level[2*i], level[2*i+1])
		}
		level = next
		index /= 2
		zero = hashPair(zero, zero)
	}
	return proof, nil
}

// VerifyOutput checks a proof of the output root at index in a tree of
// leaves outputs against root, as the Rollup contract's verifyBlockOutput
// does: the proof must be exactly as long as the tree is deep.
func VerifyOutput(root common.Hash, leaves int, output common.Hash, index int, proof []common.Hash) bool {
	if leaves <= 0 || index < 0 || index >= leaves || len(proof) != OutputsDepth(leaves) {
		return false
	}
	node := output
	for _, sibling := range proof {
		if index%2 == 0 {
			node = hashPair(node, sibling)
		} else {
			node = hashPair(sibling, node)
		}
		index /= 2
	}
	return node == root
}

func hashPair(left, right common.Hash) common.Hash {
	return crypto.Keccak256Hash(left[:], right[:])
}
