// Package rpc serves the JSON-RPC API of a Lanes sequencer node over HTTP and
// WebSocket.
//
// Data flow: a [Server] owns one go-ethereum rpc.Server and two listeners
// (HTTP and WebSocket). Each namespace is a small receiver type in its own
// file (eth_chain.go, eth_state.go, eth_send.go, eth_call.go, eth_fees.go,
// net.go, web3.go, txpool.go, debug.go, and lanes.go for the rollup's own
// lanes_syncStatus). They read the chain through the
// narrow interfaces declared in backend.go, which the sequencer node
// implements on top of go-ethereum's core.BlockChain and txpool.TxPool.
//
// Filtering and subscriptions (eth_getLogs, eth_newFilter, eth_subscribe),
// fee history and tracing are not rewritten here: the package adapts the node
// backend to go-ethereum's eth/filters, eth/gasprice and eth/tracers and
// registers their APIs. JSON-RPC error codes are assigned in errors.go only,
// using the codes go-ethereum returns for the same failures.
package rpc
