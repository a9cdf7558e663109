package derive

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// ErrNotReady is returned, like io.EOF, when the pipeline has nothing more to
// give until L1 grows: no new L1 block is past the confirmation depth. The
// caller retries later; no stage has lost any state.
var ErrNotReady = errors.New("derive: no new confirmed L1 block")

// Reasons a batch breaks the derivation rules. They are wrapped in an
// *InvalidBatchError, which says which batch and L2 block broke them.
var (
	// ErrBatchUndecodable is returned when codec.Decode rejects the data; the
	// codec's own error is wrapped as well.
	ErrBatchUndecodable = errors.New("batch data does not decode")
	// ErrRangeMismatch is returned when the decoded first block or block count
	// disagrees with the L2 range the Rollup recorded in BatchSubmitted.
	ErrRangeMismatch = errors.New("decoded blocks disagree with the submitted L2 range")
	// ErrTimestampDecreased is returned for an L2 block older than its parent.
	ErrTimestampDecreased = errors.New("L2 block timestamp decreased")
	// ErrOriginDecreased is returned for an L2 block whose L1 origin number is
	// below its parent's.
	ErrOriginDecreased = errors.New("L1 origin decreased")
	// ErrOriginSkipped is returned when the L1 origin advances by more than
	// one block (or the first origin is not the rollup's start block): the
	// deposits of the skipped L1 blocks would never be credited.
	ErrOriginSkipped = errors.New("L1 origin skipped a block")
	// ErrOriginHashMismatch is returned when an L2 block keeps its parent's
	// origin number but names another hash.
	ErrOriginHashMismatch = errors.New("L1 origin hash changed without the number")
	// ErrOriginNotCanonical is returned for an origin that is not the
	// canonical L1 block of that number, or not older than the L1 block that
	// included the batch.
	ErrOriginNotCanonical = errors.New("L1 origin is not a canonical past L1 block")
	// ErrOriginAfterBlock is returned when the origin's L1 timestamp is later
	// than the L2 block's: the sequencer never builds such a block.
	ErrOriginAfterBlock = errors.New("L1 origin is newer than the L2 block")
	// ErrL2NumberGap is returned when a batch does not start right after the
	// last derived L2 block.
	ErrL2NumberGap = errors.New("L2 block number does not follow its parent")
	// ErrUnbuildable is returned when the L2 chain cannot build a block from
	// its attributes: a transaction that cannot be included (nonce, funds,
	// gas), which the sequencer would have left out.
	ErrUnbuildable = errors.New("block cannot be built from the batch")
	// ErrInvalidTransaction is returned for a transaction that does not
	// unmarshal (the codec already refuses these; kept as a guard).
	ErrInvalidTransaction = errors.New("invalid L2 transaction")
)

// Reasons the verifier cannot go on. They are wrapped in a *CriticalError.
var (
	// ErrBlobsUnsupported is returned for a batch posted in EIP-4844 blobs
	// when the pipeline has no blob source (Config.Blobs).
	ErrBlobsUnsupported = errors.New("blob batch, and no beacon API to read blobs from")
	// ErrBatchTxNotFound is returned when the transaction of a BatchSubmitted
	// log is not in the block, or is not a direct call of the Rollup.
	ErrBatchTxNotFound = errors.New("batch transaction not found or not a direct Rollup call")
	// ErrMalformedCalldata is returned when the transaction's input is not a
	// submitBatch call that unpacks.
	ErrMalformedCalldata = errors.New("malformed submitBatch calldata")
	// ErrDataHashMismatch is returned when keccak256 of the calldata's batch
	// data is not the dataHash the Rollup recorded.
	ErrDataHashMismatch = errors.New("batch data hash mismatch")
	// ErrBadLog is returned for an L1 log of the Rollup or Portal that does
	// not decode or does not belong to the block it was asked for.
	ErrBadLog = errors.New("malformed L1 log")
)

// ResetError reports an L1 reorg under the pipeline: the L1 block at Number
// no longer extends the block the pipeline derived from. The caller must
// rebuild the pipeline from a block before the fork; retrying does not help.
type ResetError struct {
	Number       uint64 // the L1 block that no longer fits
	ParentHash   common.Hash
	ExpectedHash common.Hash // the hash of the block the pipeline read before it
}

func (e *ResetError) Error() string {
	return fmt.Sprintf("derive: L1 reorg at block %d: parent %v, derived from %v", e.Number, e.ParentHash, e.ExpectedHash)
}

// InvalidBatchError reports a batch whose content breaks the derivation
// rules: the verifier should challenge it. L2Block is the first offending
// L2 block, or 0 when the batch as a whole is at fault.
type InvalidBatchError struct {
	BatchIndex uint64
	L1Block    uint64 // the L1 block that included the batch
	L2Block    uint64
	Err        error // one of the reasons above, possibly wrapping more
}

func (e *InvalidBatchError) Error() string {
	if e.L2Block != 0 {
		return fmt.Sprintf("derive: invalid batch %d (L1 block %d), L2 block %d: %v", e.BatchIndex, e.L1Block, e.L2Block, e.Err)
	}
	return fmt.Sprintf("derive: invalid batch %d (L1 block %d): %v", e.BatchIndex, e.L1Block, e.Err)
}

func (e *InvalidBatchError) Unwrap() error { return e.Err }

// CriticalError reports that the verifier cannot derive further: the data L1
// committed to cannot be found or read. Neither retrying nor challenging
// helps; an operator must look.
type CriticalError struct {
	L1Block uint64
	Err     error
}

func (e *CriticalError) Error() string {
	return fmt.Sprintf("derive: critical at L1 block %d: %v", e.L1Block, e.Err)
}

func (e *CriticalError) Unwrap() error { return e.Err }
