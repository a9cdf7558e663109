// Package sequencer is the Lanes node that orders transactions.
//
// It owns the L2 chain and everything that writes to it:
//
//	genesis.go    chain config (every mainnet fork through Osaka, from
//	              genesis), the genesis block and the dev accounts
//	engine.go     the rollup consensus engine: header rules, no seals
//	node.go       opening LevelDB and go-ethereum's BlockChain, the txpool
//	              and its journal; Start and Stop
//	processor.go  the core.Processor installed in BlockChain
//	builder.go    block attributes, header derivation and assembly
//	loop.go       the block-building loop and transaction selection
//	deposits.go   the seam where L1 deposits enter block building
//	l1deposits.go the L1 Portal follower that fills it
//	backend.go    the reads the RPC layer makes
//
// Data flow of one block: a transaction enters through SendTx into
// go-ethereum's txpool. The loop wakes, takes pending transactions by
// priority fee then nonce, and asks the executor (package parallel) to run
// them on the parent state in Build mode, which drops any that cannot be
// applied. The builder computes the state root and seals the block, then
// hands it to BlockChain.InsertChain. The Processor recognises the block
// it was just told about and applies the executor's write set instead of
// executing again; go-ethereum's validator still checks the root, receipts,
// bloom and gas before the block is written. Blocks that were not built
// here (a replica's import, a replay) run the executor in Validate mode.
//
// The loop is the only writer of the chain. The RPC layer reads through
// backend.go and writes only through SendTx.
package sequencer
