package codec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/core/types"
)

// ErrNoL1Origin is returned by HeaderL1Origin for a header that names no L1
// origin, such as the L2 genesis.
var ErrNoL1Origin = errors.New("L2 header carries no L1 origin")

// l1OriginNumberLen is the size of the L1 origin number in the extra-data.
const l1OriginNumberLen = 8

// HeaderL1Origin reads the L1 origin a Lanes L2 header names, as the
// sequencer writes it (sequencer/builder.go): the number as the 8-byte
// big-endian extra-data, the hash in the parent beacon root, where the
// EIP-4788 contract exposes it to L2 contracts. The batcher reads it to post
// blocks and derivation to resume from one.
func HeaderL1Origin(h *types.Header) (L1Origin, error) {
	if h.ParentBeaconRoot == nil || len(h.Extra) != l1OriginNumberLen {
		return L1Origin{}, fmt.Errorf("%w: block %v", ErrNoL1Origin, h.Number)
	}
	return L1Origin{Number: binary.BigEndian.Uint64(h.Extra), Hash: *h.ParentBeaconRoot}, nil
}
