package sequencer

import (
	"context"

	"github.com/ethereum/go-ethereum/core/types"
)

// DepositSource is where L1 deposits enter block building. Before each
// block the sequencer asks it for the block's L1 origin, given the parent's;
// when the origin advances, the deposits of every L1 block it moved past
// are credited in the new block, in L1 order.
//
// Without an L1 (dev mode) there is no source and the origin stays zero.
type DepositSource interface {
	// NextOrigin returns the L1 origin of the block following one whose
	// origin is parent, to be built at the given timestamp, and the deposits
	// that block must credit.
	NextOrigin(ctx context.Context, parent L1Origin, timestamp uint64) (L1Origin, types.Withdrawals, error)
}
