package parallel

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
)

// Mode says how an executor treats a transaction that cannot be applied in
// block order (bad nonce, insufficient funds, gas above what is left).
type Mode uint8

const (
	// Build is the sequencer's mode: an inapplicable transaction is dropped
	// from the block and execution carries on with the next one.
	Build Mode = iota
	// Validate is the mode of a replica or the verifier: the block is fixed,
	// so any inapplicable transaction makes the whole block invalid.
	Validate
)

// String returns the mode's name, for logs and errors.
func (m Mode) String() string {
	switch m {
	case Build:
		return "build"
	case Validate:
		return "validate"
	default:
		return "unknown"
	}
}

// ErrInvalidBlock is wrapped by the error Execute returns in Validate mode
// when a transaction of the block cannot be applied.
var ErrInvalidBlock = errors.New("invalid block")

// Env is what an executor needs to know about the block besides its
// transactions and its pre-state.
type Env struct {
	// Config holds the chain's fork rules.
	Config *params.ChainConfig
	// Chain resolves ancestor headers (BLOCKHASH) and the engine's author.
	Chain core.ChainContext
	// Header is the block being executed. Number, Time, Coinbase, GasLimit,
	// BaseFee, ParentHash, ParentBeaconRoot and MixDigest must be set; Root,
	// GasUsed, Bloom and ReceiptHash are outputs and are not read.
	Header *types.Header
	// Parent is the parent block's header, used by the EIP-2935 system call.
	Parent *types.Header
	// Withdrawals are credited after the transactions by PostExecution. Lanes
	// carries L1 deposits in them.
	Withdrawals types.Withdrawals
	// VMConfig configures the interpreter. A tracer set here sees every
	// transaction; executors may run sequentially when one is set.
	VMConfig vm.Config
	// ParentReader, when set, reads the parent state through the cache of
	// the StateDB passed to Execute (see OpenState). It must be safe for
	// concurrent use. The parallel executor's workers read through it, so
	// settlement finds what they read already cached.
	ParentReader state.Reader
}

// Dropped is a transaction that Build mode left out of the block, with the
// reason it could not be applied at its place in block order.
type Dropped struct {
	Tx  *types.Transaction
	Err error
}

// Stats counts what an execution cost beyond one pass over the block.
type Stats struct {
	// Incarnations is the number of transaction executions, including the
	// first; it equals the transaction count when nothing was re-executed.
	Incarnations int
	// Validations is the number of read-set validations performed.
	Validations int
	// Fallback is set when the block was finished sequentially after the
	// parallel path gave up (panic or too many re-executions).
	Fallback bool
	// FallbackReason says why the fallback happened.
	FallbackReason string
	// SequentialTxs is how many transactions at the end of the block were
	// executed sequentially on the settled prefix instead of speculatively:
	// after a fallback, under heavy contention, or after a transaction that
	// did not fit the remaining gas in Build mode.
	SequentialTxs int
}

// Result is the outcome of executing one block.
type Result struct {
	// Transactions are the transactions applied, in block order. In Validate
	// mode they are all of the input.
	Transactions types.Transactions
	// Receipts correspond one to one with Transactions. Their BlockHash and
	// their logs' BlockHash are those of the header as given, which is not
	// final; callers that seal the block must set the final hash.
	Receipts types.Receipts
	// Logs are all logs of the block, in order.
	Logs []*types.Log
	// Requests are the EIP-7685 requests PostExecution produced.
	Requests [][]byte
	// GasUsed is the block's gas used.
	GasUsed uint64
	// Dropped lists the transactions Build mode left out, in input order.
	Dropped []Dropped
	// WriteSet is the net effect of the block on state. Applying it to the
	// pre-state yields the post-state; the node uses it to import a block it
	// has just built without executing it again.
	WriteSet *WriteSet
	// Stats describes the work the executor did.
	Stats Stats
}

// Executor applies a block's transactions, framed by go-ethereum's
// PreExecution and PostExecution, to a state. On success statedb holds the
// post-block state (finalised, not committed) and the result describes it.
// On error statedb must be discarded.
type Executor interface {
	Execute(ctx context.Context, env *Env, txs []*types.Transaction, statedb *state.StateDB, mode Mode) (*Result, error)
}
