package step

import (
	"encoding/binary"
	"errors"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// AccessLog is the ordered list of values, with their proofs, that one step
// reads from the state (the Cartesi pattern). The Go recorder appends entries
// as it steps; Step and the Solidity prover consume them in the same order and
// reject a log that runs short, fails a proof, or has bytes left over. The
// entry kinds and their encodings:
//
//	stack pop: value (32) ‖ hash of the stack below it (32)
//	tree word: value (32) ‖ mask (4, big-endian) ‖ one 32-byte sibling for
//	           each level h below the tree's depth (leaf level first) whose
//	           mask bit h is clear; a set bit means the sibling is the
//	           all-zero subtree root of height h
//	context:   the nine Context words (288)
//
// No entry carries its kind or its index: the step knows what it reads next,
// so a reordered log fails a hash or Merkle check.
type AccessLog []byte

// ErrBadProof means an access log does not prove the reads of the step: an
// entry is missing or does not match the committed state, or entries are left
// over.
var ErrBadProof = errors.New("step: access log does not match the state")

// logReader consumes an AccessLog. It is the verifying source of a step.
type logReader struct {
	b   []byte
	pos int
}

func (r *logReader) take(n int) ([]byte, error) {
	if len(r.b)-r.pos < n {
		return nil, ErrBadProof
	}
	out := r.b[r.pos : r.pos+n]
	r.pos += n
	return out, nil
}

func (r *logReader) popEntry() (uint256.Int, common.Hash, error) {
	var v uint256.Int
	b, err := r.take(64)
	if err != nil {
		return v, common.Hash{}, err
	}
	v.SetBytes32(b[:32])
	return v, common.BytesToHash(b[32:]), nil
}

func (r *logReader) pushed(*uint256.Int) {}

func (r *logReader) wordEntry(_ treeKind, _ uint64, depth int) (common.Hash, *Siblings, error) {
	b, err := r.take(36)
	if err != nil {
		return common.Hash{}, nil, err
	}
	value := common.BytesToHash(b[:32])
	mask := binary.BigEndian.Uint32(b[32:36])
	var sib Siblings
	for h := 0; h < depth; h++ {
		if mask>>h&1 == 1 {
			sib[h] = zeroHashes[h]
			continue
		}
		s, err := r.take(32)
		if err != nil {
			return common.Hash{}, nil, err
		}
		sib[h] = common.BytesToHash(s)
	}
	return value, &sib, nil
}

func (r *logReader) wroteWord(treeKind, uint64, common.Hash) {}

func (r *logReader) contextEntry() ([numContextFields]common.Hash, common.Hash, error) {
	var c [numContextFields]common.Hash
	b, err := r.take(numContextFields * 32)
	if err != nil {
		return c, common.Hash{}, err
	}
	for i := range c {
		c[i] = common.BytesToHash(b[i*32 : i*32+32])
	}
	return c, crypto.Keccak256Hash(b), nil
}

func (r *logReader) done() error {
	if r.pos != len(r.b) {
		return ErrBadProof
	}
	return nil
}

// appendStackEntry encodes a stack-pop entry.
func appendStackEntry(log []byte, v *uint256.Int, below common.Hash) []byte {
	b := v.Bytes32()
	log = append(log, b[:]...)
	return append(log, below[:]...)
}

// appendWordEntry encodes a tree-word entry of a depth-d tree, leaving out
// the siblings that are all-zero subtree roots.
func appendWordEntry(log []byte, value common.Hash, sib *Siblings, depth int) []byte {
	log = append(log, value[:]...)
	var mask uint32
	for h := 0; h < depth; h++ {
		if sib[h] == zeroHashes[h] {
			mask |= 1 << h
		}
	}
	log = binary.BigEndian.AppendUint32(log, mask)
	for h := 0; h < depth; h++ {
		if mask>>h&1 == 0 {
			log = append(log, sib[h][:]...)
		}
	}
	return log
}
