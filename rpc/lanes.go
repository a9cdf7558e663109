package rpc

import (
	"context"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// LanesAPI serves the lanes namespace: the rollup's own view of the chain,
// for operators and monitoring rather than wallets.
type LanesAPI struct {
	chain    ChainReader
	verifier VerifierStatusSource // nil on a sequencer
}

// NewLanesAPI returns the lanes namespace; verifier may be nil.
func NewLanesAPI(chain ChainReader, verifier VerifierStatusSource) *LanesAPI {
	return &LanesAPI{chain: chain, verifier: verifier}
}

// BlockRef names a block.
type BlockRef struct {
	Number hexutil.Uint64 `json:"number"`
	Hash   common.Hash    `json:"hash"`
}

// OutputMismatch is a committed output root that differs from the one the
// verifier computed.
type OutputMismatch struct {
	Batch     hexutil.Uint64 `json:"batch"`
	L1Block   hexutil.Uint64 `json:"l1Block"`
	Field     string         `json:"field"`
	L2Block   hexutil.Uint64 `json:"l2Block"`
	Computed  common.Hash    `json:"computed"`
	Committed common.Hash    `json:"committed"`
}

// VerifierStatus is what a verifier has checked so far.
type VerifierStatus struct {
	// Batches is how many batches were checked; LastBatch the last one's
	// index (meaningless while Batches is zero).
	Batches   hexutil.Uint64 `json:"batches"`
	LastBatch hexutil.Uint64 `json:"lastBatch"`
	// Mismatches lists every committed root found wrong.
	Mismatches []OutputMismatch `json:"mismatches"`
	// InvalidBatch, when set, is why derivation stopped at a batch that
	// breaks the rules.
	InvalidBatch string `json:"invalidBatch,omitempty"`
}

// VerifierStatusSource reports a verifier's status; cmd/lanes adapts the
// verifier to it.
type VerifierStatusSource interface {
	VerifierStatus() VerifierStatus
}

// SyncStatus is the node's position: its heads by safety level and, on a
// verifier, what it has checked.
type SyncStatus struct {
	Latest    *BlockRef       `json:"latest"`
	Safe      *BlockRef       `json:"safe"`
	Finalized *BlockRef       `json:"finalized"`
	Verifier  *VerifierStatus `json:"verifier,omitempty"`
}

// SyncStatus returns the latest, safe and finalized blocks and, on a
// verifier, its status.
func (api *LanesAPI) SyncStatus(ctx context.Context) (*SyncStatus, error) {
	ref := func(tag gethrpc.BlockNumber) (*BlockRef, error) {
		h, err := api.chain.HeaderByNumber(ctx, tag)
		if err != nil || h == nil {
			return nil, err
		}
		return &BlockRef{Number: hexutil.Uint64(h.Number.Uint64()), Hash: h.Hash()}, nil
	}
	var (
		st  SyncStatus
		err error
	)
	if st.Latest, err = ref(gethrpc.LatestBlockNumber); err != nil {
		return nil, err
	}
	// A chain without a safe or finalized block yet reports them as null.
	st.Safe, _ = ref(gethrpc.SafeBlockNumber)
	st.Finalized, _ = ref(gethrpc.FinalizedBlockNumber)
	if api.verifier != nil {
		v := api.verifier.VerifierStatus()
		if v.Mismatches == nil {
			v.Mismatches = []OutputMismatch{}
		}
		st.Verifier = &v
	}
	return &st, nil
}
