package mpt

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// splitNode returns the raw RLP items of a trie node: 17 for a branch, 2 for
// a leaf or extension.
func splitNode(enc []byte) ([][]byte, error) {
	content, rest, err := rlp.SplitList(enc)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: node is not one list: %v", ErrBadProof, err)
	}
	var items [][]byte
	for len(content) > 0 {
		_, _, tail, err := rlp.Split(content)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadProof, err)
		}
		items = append(items, content[:len(content)-len(tail)])
		content = tail
	}
	return items, nil
}

// decodePath decodes the hex-prefix path item of a leaf or extension.
func decodePath(item []byte) (nibbles []byte, leaf bool, err error) {
	compact, _, err := rlp.SplitString(item)
	if err != nil || len(compact) == 0 {
		return nil, false, fmt.Errorf("%w: bad node path", ErrBadProof)
	}
	flag := compact[0] >> 4
	if flag > 3 {
		return nil, false, fmt.Errorf("%w: bad path flag %d", ErrBadProof, flag)
	}
	if flag&1 == 1 {
		nibbles = append(nibbles, compact[0]&0x0f)
	}
	for _, b := range compact[1:] {
		nibbles = append(nibbles, b>>4, b&0x0f)
	}
	return nibbles, flag >= 2, nil
}

// isEmptyRef reports whether a branch slot is empty (the empty string).
func isEmptyRef(ref []byte) bool {
	return len(ref) == 1 && ref[0] == 0x80
}

// isEmbedded reports whether a reference is a node embedded in its parent
// (a list) rather than the RLP string of a hash.
func isEmbedded(ref []byte) bool {
	return len(ref) > 0 && ref[0] >= 0xc0
}

// refHash returns the hash a hashed reference holds (nil if it holds none).
func refHash(ref []byte) []byte {
	if len(ref) != 33 || ref[0] != 0xa0 {
		return nil
	}
	return ref[1:]
}
