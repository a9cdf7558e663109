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
//	   writer has run again. The fee recipient's balance is written as a
//	   delta and summed when a transaction reads it.
//	   ▼
//	planSettlement (settle.go)   the block gas pool in block order; Build mode
//	   │                         drops what does not fit and re-runs
//	   ▼
//	settle (settle.go)           PreExecution on the real state, then each
//	   │                         transaction's write set, logs and Finalise
//	   │                         in block order, receipts, PostExecution
//	   ▼
//	Result (executor.go)
//
// Anything that goes wrong during speculation (a panic, too many
// re-executions) leaves the caller's state untouched, and the block is run
// by Sequential instead. VerifyingExecutor runs two executors and reports
// the first difference (verify.go).
package parallel
