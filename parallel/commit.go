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
	// contentionLimit is the number of conflicts (aborts and suspensions on
	// estimates) within one window beyond which the rest of the block runs
	// sequentially: most transactions then depend on the one before, and
	// speculation only adds work. Measured on 2000-transaction blocks with
	// two workers: a pool every transaction swaps on, or a token recipient
	// every transaction pays, exceeds it within the first window.
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
	windowStart, conflictsAtStart := 0, int64(0)
	drained := false
	for i := 0; i < n; {
		if err := ctx.Err(); err != nil {
			return i, tailStopped, err
		}
		if _, stopped := r.sched.stopped(); stopped {
			return i, tailStopped, nil
		}
		inc, executed := r.sched.executedIncarnation(i)
		if executed && r.mv.validate(i) && r.sched.tryCommit(i, inc) {
			err := s.applyOutcome(i, r.txs[i], r.msgs[i], r.outputs[i].Load())
			if errors.Is(err, errNeedsSequential) {
				return i, tailGas, nil
			}
			if err != nil {
				return i, tailStopped, err
			}
			i++
			if i-windowStart == contentionWindow {
				conflicts := r.sched.conflicts.Load()
				if conflicts-conflictsAtStart > contentionLimit {
					return i, tailContention, nil
				}
				windowStart, conflictsAtStart = i, conflicts
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
		select {
		case <-r.sched.executed:
		case <-ctx.Done():
		case <-workersDone:
			drained = true
		}
	}
	return n, tailNone, nil
}
