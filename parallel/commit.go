package parallel

import (
	"context"
	"errors"
	"fmt"
)

const (
	// contentionWindow is how many settled transactions the settler looks
	// back on to judge whether speculation pays.
	contentionWindow = 32
	// contentionLimit is the number of transactions within one window that
	// were aborted, suspended on a lower one, or depended on one early (see
	// txState.dependedEarly), beyond which the rest of the block runs
	// sequentially: most transactions then depend on the one before, and
	// speculation only adds work. Measured on 2000-transaction blocks with
	// two workers: a pool every transaction swaps on exceeds it within the
	// first window; a token recipient that every transfer, or 40% of them,
	// pays does not, since the transfers depend on each other only late.
	contentionLimit = contentionWindow * 3 / 4
)

// tailReason says why the settler stopped before the end of the block.
type tailReason uint8

const (
	tailNone       tailReason = iota // every transaction was settled
	tailStopped                      // the run was stopped (panic, budget)
	tailContention                   // the block is too contended
	tailGas                          // Build mode: a transaction does not fit
)

// commit settles transactions in block order while the workers execute
// them: Block-STM's commit index. Transaction i is final once 0..i-1 are
// settled (their writes in multi-version memory can no longer change) and
// a validation of its executed incarnation against them passes; the
// settler runs that validation itself, and marks the transaction committed
// so that no worker aborts it afterwards. It returns the index of the first
// transaction not settled and why it stopped there; the caller settles the
// rest sequentially. workersDone is closed once every worker has returned.
func (r *blockRun) commit(ctx context.Context, s *settlement, workersDone <-chan struct{}) (int, tailReason, error) {
	n := len(r.txs)
	windowStart, conflicted := 0, 0
	drained := false
	// settledMark is the highest record mark of the settled transactions:
	// their writes are final, and a validation that began at or after it
	// saw all of them.
	var settledMark uint64
	for i := 0; i < n; {
		if err := ctx.Err(); err != nil {
			return i, tailStopped, err
		}
		if _, stopped := r.sched.stopped(); stopped {
			return i, tailStopped, nil
		}
		inc, executed := r.sched.executedIncarnation(i)
		if executed && r.finalValidation(i, inc, settledMark) {
			committed, hadConflict := r.sched.tryCommit(i, inc)
			if !committed {
				continue
			}
			if hadConflict {
				conflicted++
			}
			msg, _ := r.message(i)
			err := s.applyOutcome(i, r.txs[i], msg, r.outputs[i].Load())
			if errors.Is(err, errNeedsSequential) {
				return i, tailGas, nil
			}
			if err != nil {
				return i, tailStopped, err
			}
			settledMark = max(settledMark, r.mv.recordMark[i].Load())
			r.release(i)
			i++
			r.settled.Store(int64(i))
			// The count only grows within a window: once over the limit,
			// the window has failed, and the sooner the tail starts the
			// less speculation is wasted.
			if conflicted > contentionLimit {
				return i, tailContention, nil
			}
			if i-windowStart == contentionWindow {
				windowStart, conflicted = i, 0
			}
			continue
		}
		if !executed {
			inc = -1
		}
		if drained {
			// Every transaction has a validated outcome once the workers
			// are done, so this one should have settled.
			r.sched.stop(fmt.Sprintf("no final outcome for transaction %d", i))
			return i, tailStopped, nil
		}
		if r.sched.watch(i, inc) {
			continue
		}
		// Finalise what is settled while waiting, rather than all of it
		// at the end when the workers are idle.
		s.flush()
		select {
		case <-r.sched.executed:
		case <-ctx.Done():
		case <-workersDone:
			drained = true
		}
	}
	return n, tailNone, nil
}

// checkSkippedValidations makes finalValidation validate even when it may
// skip, and panic if the validation fails. Tests set it.
var checkSkippedValidations bool

// finalValidation reports whether incarnation inc of transaction i, the
// lowest one not settled, still validates, so that it can be settled.
// A worker's validation that began after the settled transactions' final
// records (settledMark) saw the values they leave, which can no longer
// change, so its success stands and the read set need not be checked
// again.
func (r *blockRun) finalValidation(i, inc int, settledMark uint64) bool {
	if !r.sched.validatedSince(i, inc, settledMark) {
		return r.mv.validate(i)
	}
	if checkSkippedValidations && !r.mv.validate(i) {
		panic(fmt.Sprintf("transaction %d incarnation %d: skipped final validation fails", i, inc))
	}
	return true
}

// release drops what only the speculation of settled transaction i needed:
// its outcome, its message and its read and write sets. A committed
// transaction is never executed, aborted or validated against again, and
// freeing them as the block goes keeps the live heap, which every garbage
// collection during the block has to mark, from growing with the block.
func (r *blockRun) release(i int) {
	r.outputs[i].Store(nil)
	r.msgs[i].Store(nil)
	r.mv.last[i].Store(nil)
}
