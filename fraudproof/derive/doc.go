// Package derive is the first half of the verifier: it turns what L1 holds
// into the attributes of each L2 block, the input of re-execution. It is a
// pure core; all I/O goes through the small L1Reader interface, so the
// stages are tested against a hand-written in-memory L1.
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
//	   │ NextBatch                        submitBatch calldata, keccak(data) check
//	   ▼
//	BatchDecoder       batch_decode.go    codec.Decode, range and order checks
//	   │ NextBlockInput
//	   ▼
//	AttributesBuilder  attributes.go      L1 origin rules, Portal DepositETH
//	   │ NextAttributes                   logs → withdrawals list
//	   ▼
//	Pipeline.Next      pipeline.go        → rebuild, execute, compare outputs
//
// Error severity is a type (errors.go): ErrNotReady means wait, *ResetError
// means restart before the fork, *InvalidBatchError means challenge the batch,
// *CriticalError means stop. Anything else is I/O, and the stage that failed
// keeps what it had taken from the stage before, so the next call retries.
//
// Only calldata batches are read; blob batches halt with ErrBlobsUnsupported.
// The pipeline derives from the L2 genesis (block 1's origin is
// Config.StartBlock); starting from a later L2 block, and following
// BatchesInvalidated, are not built yet.
package derive
