// Package batcher posts the L2 chain to the L1 Rollup contract.
//
// # Data flow
//
//	L2Source ──► Builder (builder.go, pure) ──► Candidate ──► TxManager (txmgr.go) ──► Rollup.submitBatch
//	   ▲                                                                                   │
//	   └──────────── Batcher (batcher.go): each round reads the contract position ◄────────┘
//
// The parts:
//
//   - Builder holds the L2 blocks after the last posted one and cuts them
//     into batches: the longest prefix (at most MaxBlocks) whose
//     codec.Encode fits MaxBatchBytes, once the pending blocks are full or
//     the oldest has waited MaxDelay. Per block it computes the output root
//     (codec.OutputRoot with the empty message passer root); per batch the
//     outputsRoot, previous and last output roots. It does no I/O.
//   - TxManager sends one transaction at a time from the sequencer key:
//     EIP-1559 fees (tip from eth_maxPriorityFeePerGas, cap 2×base+tip),
//     gas estimate ×1.2, replacement with the same nonce and fees ≥10%
//     higher every ResubmitAfter, and a receipt Confirmations blocks deep.
//   - Batcher is the driver. Every round it reads its position from the
//     contract (latestL2Block, latestOutputRoot, the last batch's L1
//     origin, the bond), all at one L1 block Confirmations below the head.
//     It never trusts memory over the contract, so a restart, even after
//     kill -9, neither skips nor double-posts; a post that lost a race
//     reverts (PrevOutputRootMismatch, L2BlockNotAfterPrevious) and the
//     next round carries on from what landed. It halts (CriticalError) if
//     the output root on L1 differs from the one our L2 chain gives for the
//     same block.
//
// # L1 origin of a submission
//
// See ChooseL1Origin: the origin of the batch's last L2 block when the
// contract accepts it, else the parent of the L1 head.
//
// # Data availability
//
// Calldata only (submitBatch). Blobs (submitBatchBlobs) are not
// implemented.
package batcher
