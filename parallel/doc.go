// Package parallel executes the transactions of a block, framed by
// go-ethereum's PreExecution and PostExecution, either one by one
// (Sequential, the reference) or with Block-STM (Parallel), with identical
// results: receipts, logs, gas, dropped transactions, requests, write set
// and post-state root.
//
// Data flow of Parallel.Execute:
//
//	gate (parallel.go: sequentialReason)   small blocks, one worker, tracers,
//	   │                                   pre-Cancun or Amsterdam rules and
//	   │                                   one-sender blocks run Sequential
//	   ▼
//	pre-state copy + PreExecution ──► baseState (cached thread-safe reader of
//	   │                              the parent state; the system-call
//	   │                              accounts from the copy under a lock)
//	   ▼
//	Block-STM (scheduler.go, mvmemory.go, txstate.go)
//	   workers take execution/validation tasks from the collaborative
//	   scheduler; each incarnation runs go-ethereum's core.ApplyMessage on a
//	   txState, a vm.StateDB that reads from multi-version memory (keys:
//	   balance, nonce, code, existence, each storage slot) and records reads
//	   and writes. Reading an ESTIMATE suspends the transaction until the
//	   writer has run again. A key once read stale is "hot": reading it
//	   suspends the transaction on the nearest lower one not yet executed.
//	   When the transaction waited for is running on another worker, the
//	   reader blocks until it is done and reads again, keeping its work.
//	   An account's four fields share one entry, loaded from the pre-state
//	   once. The fee recipient's balance is written as a delta and summed
//	   when a transaction reads it.
//	   │
//	   │ meanwhile, on the calling goroutine:
//	   ▼
//	commit (commit.go)           the commit index: transaction i is final once
//	   │                         0..i-1 are settled and its read set still
//	   │                         validates (a worker's validation that began
//	   │                         after their final executions were recorded
//	   │                         stands); it is marked committed (never
//	   │                         aborted again) and settled at once
//	   ▼
//	settlement (settle.go)       PreExecution on the real state, then each
//	   │                         transaction's write set, logs and receipt in
//	   │                         block order against the real gas pool
//	   ▼
//	sequential tail (settle.go)  whatever stopped speculation (a panic, the
//	   │                         incarnation budget, heavy contention, a
//	   │                         transaction over the gas left in Build mode,
//	   │                         one removing an account that holds storage
//	   │                         in the pre-state) leaves a final settled
//	   │                         prefix; the rest of the block runs with
//	   │                         go-ethereum's own transaction application
//	   │                         on top of it
//	   ▼
//	PostExecution, write set, Result (executor.go)
//
// The settled prefix is always final, so stopping speculation never changes
// the result: a panic, the budget or such a removal counts as a fallback
// (Stats.Fallback), contention and gas do not. VerifyingExecutor runs two
// executors and reports the first difference (verify.go).
package parallel
