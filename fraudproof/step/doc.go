// Package step is the one-step fraud-proof machinery: the committed EVM step
// state, the access log that proves one step's reads, the pure Go Step
// function, and a recorder that turns a go-ethereum execution into a trace of
// step states. OneStepProver.step in l1contracts/src/step is the Solidity
// mirror of Step; tests hold the two, and go-ethereum, to the same answer at
// every step.
//
// # Data flow
//
//	go-ethereum EVM ──tracing hooks──► Recorder ──► Trace: hash of every state,
//	                                                 a Witness every N steps
//	Trace.Proof(i) ── replay from checkpoint (ProveStep) ──► (pre State, AccessLog)
//	Step(pre, log)                           ──► post State   (Go)
//	OneStepProver.step(hash(pre), pre ‖ log) ──► hash(post)    (L1)
//
// The recorder derives each state from what the EVM reports (pc, gas, stack,
// memory, logs, the frame's exit), not from Step, so the recorded hashes are
// an independent reference. It records message calls; a contract-creation
// frame (code deposit on RETURN) belongs to a later tier and is refused. ProveStep runs the same machine as Step over a
// full Witness and writes the log as it reads.
//
// # The step state (version 1)
//
// A state is 29 words of 32 bytes, hashed with keccak256; every field has one
// encoding (integers big-endian in a word, addresses right-aligned, booleans
// 0 or 1), and DecodeState and the prover reject anything else (ErrBadState,
// BadState). In order:
//
//	0 version (1)          10 memory root            20 depth (top frame = 1)
//	1 status               11 memory size in words   21 parent frames hash
//	2 pc                   12 calldata root          22 pre-transaction state root
//	3 gas left             13 calldata size (bytes)  23 overlay root
//	4 code hash            14 returndata root        24 refund counter
//	5 code size (bytes)    15 returndata size        25 log accumulator
//	6 code root            16 caller                 26 warm-address root
//	7 jumpdest root        17 address                27 gas used
//	8 stack hash           18 call value             28 context hash
//	9 stack depth          19 static flag
//
// Status is running, returned, reverted, error, unsupported or done. The
// stack is a hash chain, push(h, v) = keccak256(h ‖ v) from the empty stack
// 0. The log accumulator is acc' = keccak256(acc ‖ LogHash(log)). The
// context hash is keccak256 of nine words: origin, gas price, coinbase,
// timestamp, number, prevrandao, gas limit, chain ID, base fee. The overlay
// and warm roots are sparse Merkle trees defined in overlay.go; a
// transaction starts with both at EmptySparseRoot, and tier 1 carries them
// unchanged.
//
// # Word trees
//
// Code, the jumpdest bitmap, memory, calldata and return data are each
// committed by a binary Merkle tree over 32-byte words: a leaf is the word
// itself, an inner node keccak256(left ‖ right), and absent words are zero.
// A tree of n words has depth ⌈log2 n⌉ (0 for n ≤ 1, where the root is the
// one word), taken from the size fields of the state, so a proof never
// claims a depth and a leaf can never pose as an inner node. The depth grows
// with memory: expanding from depth d to d' replaces the root r with
// H(…H(H(r, Z_d), Z_d+1)…, Z_d'-1), where Z_h is the root of an all-zero
// subtree of height h, so expansion reads no word. Depths stop at 32
// (TreeDepth): go-ethereum bounds memory at 0x1FFFFFFFE0 bytes, below 2^32
// words. A proof costs one hash per level, about log2 of the data's size,
// which keeps small programs cheap on L1; the access log also leaves out
// siblings that are all-zero subtree roots (a 32-bit mask says which).
//
// The jumpdest bitmap has bit i (most significant bit first) set when code
// byte i is JUMPDEST and not PUSH data; word k covers code bytes
// [256k, 256k+256). A jump proves its destination with one entry of this
// tree, so the prover never scans code for PUSH data. The bitmap root, like
// the code root, is fixed when a frame is created (TxInit, and CALL/CREATE in
// later tiers), where the code is analysed once.
//
// # The access log
//
// A step reads values in a fixed order, and each read takes the next entry
// of the log (see AccessLog for the encodings): a stack pop is (value, hash
// below); a tree word is (value, mask, siblings); the context is its nine
// words. A write to memory reuses the path of the read just before it, and
// the next entry is proven against the root after the write. The log must be
// used to its last byte. A missing, reordered, altered or surplus entry fails
// (ErrBadProof in Go, BadProof on L1).
//
// # One step
//
// Step and OneStepProver.step do, in this order:
//
//  1. A state whose status is not running is a fixed point: the step returns
//     it unchanged and the log must be empty (the padding of the game).
//  2. Depth other than 1 is unsupported in tier 1.
//  3. Fetch: the opcode at pc comes from one code-tree entry, or is STOP when
//     pc is past the code.
//  4. An opcode outside Table is unsupported.
//  5. Stack underflow or overflow (go-ethereum's limits) is an error.
//  6. Static gas (Table) is charged; too little gas is an error.
//  7. The class handler pops its arguments (one entry each, top first), then
//     for spans (KECCAK256, LOGn, the copies) longer than MaxSpanBytes moves
//     to unsupported, then charges dynamic gas (memory expansion exactly as
//     go-ethereum, copy words, EXP bytes, log bytes and topics) and
//     executes: source words are read, then memory words read and written,
//     all in ascending order.
//
// After the handler: an unsupported step leaves the pre state with status
// unsupported (nothing else changes, so the step itself is provable). A halt
// (STOP, RETURN, REVERT, INVALID or any exceptional halt) clears the frame
// fields, keeping only the gas left, which is zero after an error. Every step
// adds the gas it consumed to gas used. In tier 1 a revert at depth 1 keeps
// the log accumulator; finalisation drops the logs of a failed transaction.
//
// # Coverage
//
// Table is the covered set and its one source: OpcodeTable.sol and
// testdata/coverage.json are generated from it (TestGenerated), and the
// Forge tests compare the prover's coveredOpcodes() with it. Tier 1 covers
// arithmetic, comparison and bitwise opcodes (0x01-0x0b, 0x10-0x1d) and CLZ
// (0x1e, EIP-7939, live from Osaka),
// KECCAK256, POP, PUSH0-PUSH32, DUP1-16, SWAP1-16, JUMP, JUMPI, JUMPDEST,
// PC, GAS, MSIZE, MLOAD, MSTORE, MSTORE8, MCOPY, CALLDATALOAD, CALLDATASIZE,
// CALLDATACOPY, CODESIZE, CODECOPY, RETURNDATASIZE, ADDRESS, ORIGIN, CALLER,
// CALLVALUE, GASPRICE, COINBASE, TIMESTAMP, NUMBER, PREVRANDAO, GASLIMIT,
// CHAINID, BASEFEE, LOG0-LOG4, STOP, RETURN, REVERT and INVALID, in the top
// frame, with spans up to MaxSpanBytes. Anything else (undefined opcodes
// other than INVALID included) moves the state to unsupported.
//
// # Tests
//
// TestDifferential runs the edge-case table (programs grouped by opcode) and
// seeded random programs in go-ethereum and checks, at every step, that the
// recorded post-state hash, Go Step and the Solidity prover (compiled
// bytecode deployed in an in-memory go-ethereum state) agree; with -v it
// prints the L1 gas of step per class. TestTamperedProofs corrupts stack,
// memory, code, calldata, jumpdest and context entries and truncates logs.
// TestLongTrace checks checkpoint replay on a long trace. TestGolden writes
// l1contracts/test/StepGolden.t.sol, the same vectors for Forge.
package step
