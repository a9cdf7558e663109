// Package batcher posts the L2 chain to the L1 Rollup contract.
//
// # Data flow
//
//	L2Source ──► Builder (builder.go, pure) ──► Candidate ──► DA choice (da.go) ──► TxManager (txmgr.go) ──► Rollup.submitBatch
//	                                                                                                           or submitBatchBlobs
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
//     EIP-1559 fees (tip from eth_maxPriorityFeePerGas, cap 2×base+tip;
//     blob fee cap 2×blob base fee), gas estimate ×1.2, replacement with the
//     same nonce every ResubmitAfter with fees ≥10% higher (every fee
//     doubled for a blob transaction, the blobpool's rule), and a receipt
//     Confirmations blocks deep on the canonical chain. If a receipt it had
//     seen disappears (an L1 reorg dropped the block), it sends the
//     transaction again at once; if the reorg also dropped earlier
//     transactions of the account it gives up (ErrReorgedBelow) and the
//     next round starts over from the contract.
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
// # L1 reorgs
//
// Nothing the batcher remembers outlives a reorg: the next round reads the
// contract at the new chain's confirmed block, finds the removed batches
// missing, rebuilds from the L2 chain and posts them again (see
// e2e/batcher_reorg_test.go). A reorg deeper than Confirmations is handled
// the same way, only later.
//
// # Data availability
//
// Config.DA (lanes batcher --da):
//
//   - calldata: submitBatch(data, …); batches up to MaxBatchBytes.
//   - blobs: submitBatchBlobs(n, …) in a type-3 transaction carrying n ≤
//     MaxBlobsPerTx blobs; batches up to what they hold
//     (codec.BlobDataCapacity). The packing, 31 data bytes per 32-byte field
//     element behind a version and length header, is described in
//     codec/blob.go and decoded by the verifier with the same codec. The
//     sidecar carries cell proofs (Osaka and later; anvil's default
//     hardfork) unless PreOsakaBlobs asks for one proof per blob.
//   - auto: batches are cut to MaxBatchBytes, which fits calldata and one
//     blob, and each is posted the cheaper way at the L1 head's fees
//     (ChooseDA): calldata pays max(21000 + 4·tokens + execution,
//     21000 + 10·tokens) gas (EIP-7623) at base fee + tip; blobs pay the
//     small call's gas plus 131072 blob gas per blob at the blob base fee.
//     The choice and both costs are logged.
//
// # Metrics
//
// batcher/batches, batcher/batches_calldata, batcher/batches_blobs,
// batcher/blobs, batcher/bytes, batcher/compression_ratio (raw/encoded
// ×1000), batcher/l1_gas, batcher/l1_blob_gas, batcher/l1_fee_gwei,
// batcher/l1_reorged_txs and batcher/lag_blocks (L2 head minus the last
// posted block).
//
// # L1 cost per L2 transaction
//
// TestMeasureL1Gas (LANES_MEASURE_L1GAS=1) posts full batches of realistic
// transfers and ERC20 transfers to anvil. Steady-state batches:
//
//	                calldata (120 kB batch)        blobs (6 blobs)
//	transfers       3,716 gas/tx  (1,250 txs)      18.2 gas + 93.6 blob gas/tx (8,400 txs)
//	ERC20           3,933 gas/tx  (1,200 txs)      19.4 gas + 99.5 blob gas/tx (7,900 txs)
//
// Calldata batches are priced by the EIP-7623 floor (10 gas per token, ~40
// per compressed byte): about 92-98 bytes per transaction after
// compression, mostly the signature.
package batcher
