// Package derive rebuilds the L2 chain from what L1 holds: it turns the
// posted batches into the attributes of each L2 block, builds the blocks,
// and computes the output roots each batch commits to. It is a pure core;
// all I/O goes through small interfaces (L1Reader, BlobSource, L2Chain), so
// the stages are tested against hand-written in-memory fakes.
//
// Each stage pulls from the one before through a one-method interface, one
// stage per file:
//
//	L1Reader (ethclient or fake)
//	   │ HeaderByNumber, BlockByNumber
//	   ▼
//	L1Traversal        l1_traversal.go    confirmed L1 blocks, one at a time;
//	   │ NextL1Block                      reorg → *ResetError, none → ErrNotReady
//	   ▼
//	BatchRetrieval     batch_retrieval.go Rollup BatchSubmitted logs (FilterLogs),
//	   │ NextBatch                        submitBatch calldata, keccak(data) check,
//	   │                  blob_*.go       or blobs from the beacon API, each
//	   │                                  checked against its versioned hash
//	   ▼
//	BatchDecoder       batch_decode.go    codec.Decode, range and order checks
//	   │ NextBlockInput
//	   ▼
//	AttributesBuilder  attributes.go      L1 origin rules, Portal DepositETH
//	   │ NextAttributes                   logs → withdrawals list
//	   ▼
//	Pipeline           pipeline.go        the four stages above, from a Start
//	   │ NextAttributes                   (start.go), halting on a bad batch
//	   ▼
//	Execution          execution.go       builds each block on the L2Chain
//	   │ NextBlock                        (a sequencer in replica mode)
//	   ▼
//	OutputCheck        output_check.go    per batch: prevOutputRoot,
//	     NextBatch                        outputsRoot, lastOutputRoot computed
//	                                      beside the committed ones
//
// Error severity is a type (errors.go): ErrNotReady means wait, *ResetError
// means restart before the fork, *InvalidBatchError means challenge the batch,
// *CriticalError means stop. Anything else is I/O, and the stage that failed
// keeps what it had taken from the stage before, so the next call retries.
//
// The pipeline starts at a batch boundary (start.go): a Start names the L1
// block that included batch k, k itself, and the L2 block before the
// batch's first (number, L1 origin, timestamp, output root). Each stage
// takes from it, through ResumeAt, the state it would hold had it derived
// everything before: L1Traversal the start block and its parent's hash
// (read from L1 when not given), so a reorg under the start is a
// *ResetError; BatchRetrieval skips the start block's batches below k;
// BatchDecoder and AttributesBuilder check the first block against the
// one before; OutputCheck takes its output root as prevOutputRoot. The
// zero Start is the L2 genesis (block 1's origin is Config.StartBlock).
//
// fraudproof/verifier runs the pipeline against a live L1, resuming from
// the batch that holds its chain's head, and after a reorg from a batch
// below it. Following BatchesInvalidated is not built yet.
package derive
