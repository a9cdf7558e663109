// Package loadgen drives a node's eth_ JSON-RPC with pre-signed ETH or
// ERC20 transfers from many senders and measures what a user sees: how many
// transactions per second get included, and how long each one takes from
// submission to appearing in a block.
//
// A run has three phases:
//  1. setup: fund the senders (and, for ERC20, deploy a token and hand it
//     out), waiting for every setup transaction;
//  2. signing: every measured transaction is signed before the clock starts,
//     as a wallet would have done;
//  3. the measured phase: workers submit the transactions over HTTP or
//     WebSocket, either all at once (burst) or paced at a fixed rate, while a
//     watcher follows new blocks and timestamps each inclusion.
//
// It talks only the standard eth_ API, so the same run can be pointed at
// another client (go-ethereum in dev mode) for comparison.
package loadgen
