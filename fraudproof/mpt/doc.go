// Package mpt builds the witnesses that the Solidity library
// MerklePatriciaTrie (l1contracts/src/lib/MerklePatriciaTrie.sol) takes to
// read and write go-ethereum's secure Merkle-Patricia trie on L1: the account
// trie and the storage tries. The fraud proof's commit steps use it to move
// one account or slot into the state root at a time.
//
// # Keys and values
//
// A key is a 32-byte trie path: keccak256 of the address in the account
// trie, keccak256 of the slot in a storage trie. go-ethereum's
// trie.StateTrie hashes keys the same way, and its Prove already takes the
// hashed path. A value is the leaf's raw bytes: the RLP of
// [nonce, balance, storageRoot, codeHash] for an account, the RLP of the
// trimmed big-endian word for a slot. Every path is 64 nibbles long, so
// branches never hold values and every leaf ends at nibble 64.
//
// # Witness format
//
// A Witness has two parts:
//
//   - Proof: the key's proof in the pre-state root, exactly as eth_getProof
//     returns it and trie.Prove writes it: the RLP of each hashed node on the
//     key's path, root first. A node whose RLP is shorter than 32 bytes is
//     embedded in its parent and not listed (the root is always listed). The
//     last node either holds the key's leaf or proves the key absent: a
//     branch with an empty slot, or a leaf or extension whose path leaves
//     the key's. The proof of the empty trie has no nodes.
//   - Sibling: needed only when a deletion leaves a branch with one child,
//     and that child is referenced by hash. The branch then collapses into
//     that child (a leaf or extension absorbs the branch's nibble; a branch
//     gets an extension of one nibble above it), so L1 must see the child's
//     RLP. The library checks it against the hash the branch holds. In all
//     other cases Sibling is empty, and the library rejects one that is not.
//
// A deletion collapses at most one branch, the lowest one on the path, so
// one sibling is always enough. Reading a key (MerklePatriciaTrie.get) needs
// the proof only; writing (update, remove) needs the whole witness, built by
// UpdateWitness from the trie before the write.
//
// # Tests
//
// The tests run the compiled library inside go-ethereum's EVM (through the
// MPTHarness binding in l1contracts/bindings) and compare every root it
// computes with the root of a trie.StateTrie after the same operation.
//
// # Gas
//
// On a state of one million random accounts (proofs of 6 to 8 nodes, about
// 3.4 KB of calldata), over 300 keys, the execution gas of a call through
// MPTHarness, median / max: verify 56k / 65k, update 79k / 90k, insert
// 74k / 90k, delete 86k / 102k. A whole L1 transaction making the call,
// with 21000 and calldata priced under EIP-7623, costs 136k to 175k.
// Measured by
//
//	LANES_MPT_GAS=1 go test ./fraudproof/mpt -run TestGasMillionAccounts -v -timeout 30m
package mpt
