package batcher

import (
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

// L1OriginMaxAge is the Rollup contract's L1_ORIGIN_MAX_AGE: blockhash only
// reaches 256 blocks back.
const L1OriginMaxAge = 256

// L1OriginMargin is how many of those 256 blocks are kept free for the
// submission to be mined, resubmitted with higher fees and confirmed.
const L1OriginMargin = 64

// ChooseL1Origin picks the L1 origin named by a submitBatch.
//
// The preferred origin is that of the batch's last L2 block. The contract
// requires an origin that is before the including block, at most 256 blocks
// old, not below the previous batch's (prevOrigin) and canonical
// (blockhash). The preferred origin fails this when it is the L1 head
// itself (the sequencer follows L1 closely), too old (the batcher was down),
// or no longer canonical (L1 reorg). Then the parent of the L1 head is used:
// it is canonical, before any block that can include the transaction, and
// not below prevOrigin (which is below the block that included the previous
// batch, hence at most the head). The contract checks only canonicality and
// monotonicity, not any relation to the L2 blocks' own origins, so this
// choice is always valid; the blocks keep their own origins in the data.
//
// preferredCanonical says whether preferred.Hash is the canonical hash of
// block preferred.Number on L1.
func ChooseL1Origin(preferred codec.L1Origin, preferredCanonical bool, prevOrigin uint64, head *types.Header) codec.L1Origin {
	headNum := head.Number.Uint64()
	if preferredCanonical &&
		preferred.Number < headNum &&
		preferred.Number >= prevOrigin &&
		headNum-preferred.Number <= L1OriginMaxAge-L1OriginMargin {
		return preferred
	}
	return codec.L1Origin{Number: headNum - 1, Hash: head.ParentHash}
}
