// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RLP} from "./RLP.sol";

/// @title MerklePatriciaTrie
/// @notice Reads and writes go-ethereum's secure Merkle-Patricia trie, the
///         trie of the account state and of every storage, from proofs.
///
/// Keys are 32-byte trie paths: keccak256 of the address for the account
/// trie, keccak256 of the slot for a storage trie (`accountKey`,
/// `storageKey`). Values are the raw leaf values (the RLP of an account, or
/// of a trimmed storage word). Because every path is 64 nibbles long, no
/// branch holds a value and every leaf ends at nibble 64.
///
/// Witness format (built in Go by package fraudproof/mpt):
///   - `proof` is the key's proof as eth_getProof returns it: the RLP of the
///     hashed nodes on the key's path, root first. A node shorter than 32
///     bytes is not listed; it is read inside its parent. The last node is
///     the one that holds the key or proves it absent. The proof of an empty
///     trie has no nodes.
///   - `sibling` is needed only when a deletion leaves a branch with a single
///     child that is referenced by hash: it is the RLP of that child, which
///     the branch collapses into. It is empty otherwise.
/// Every node is checked against the hash its parent (or the root) holds,
/// every node read must be one go-ethereum could have written (embedded
/// children off the key's path are checked for shape only), and every node
/// supplied must be used: anything else reverts with a custom error.
library MerklePatriciaTrie {
    /// @notice The root of the empty trie: keccak256(rlp("")).
    bytes32 internal constant EMPTY_ROOT = 0x56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421;

    /// @notice proof[index] does not hash to the reference that the root or
    ///         its parent holds.
    error InvalidNodeHash(uint256 index);
    /// @notice The key's path goes on past the last node of the proof.
    error TruncatedProof(uint256 length);
    /// @notice The path ended before the proof did.
    error UnusedProofNodes(uint256 used, uint256 supplied);
    /// @notice A node is valid RLP but not a node go-ethereum writes: wrong
    ///         item count, bad path prefix, a reference that is neither a
    ///         hash nor an embedded node under 32 bytes, a branch value, a
    ///         path that does not end at nibble 64, or a branch with one child.
    error MalformedNode();
    /// @notice A deletion collapses a branch into a hashed child, and the
    ///         witness does not carry that child.
    error MissingSibling();
    /// @notice The sibling does not hash to the branch's remaining child.
    error InvalidSibling();
    /// @notice A sibling was supplied but the operation does not need one.
    error UnexpectedSibling();

    uint256 private constant KEY_NIBBLES = 64;

    // How the descent along a key ends.
    uint256 private constant END_EMPTY = 0; // the trie is empty
    uint256 private constant END_LEAF = 1; // at the key's leaf
    uint256 private constant END_OTHER_LEAF = 2; // at a leaf with another key
    uint256 private constant END_EXTENSION = 3; // at an extension that leaves the key's path
    uint256 private constant END_BRANCH = 4; // at a branch whose slot for the key is empty

    // Kinds of a rebuilt subtree on the way back up.
    uint256 private constant NONE = 0; // deleted
    uint256 private constant SHORT = 1; // a leaf or extension, not yet encoded
    uint256 private constant NODE = 2; // an encoded branch

    // Frame kinds, in the low byte of a packed frame.
    uint256 private constant FRAME_BRANCH = 0;
    uint256 private constant FRAME_EXTENSION = 1;

    /// @dev A decoded node, pointing into the memory that holds its RLP.
    struct Node {
        bool branch;
        // Leaf or extension: the path (left-aligned nibbles) and the second
        // item (the value, or the child reference), as a memory range.
        bool leaf;
        uint256 bits;
        uint256 len;
        uint256 item;
        uint256 itemEnd;
        // Branch: the payload range and the 16 child offsets from `payload`,
        // 16 bits each, child 0 in the top bits.
        uint256 payload;
        uint256 payloadEnd;
        uint256 offsets;
    }

    /// @dev Where the descent along a key ended.
    struct Descent {
        uint256 end; // one of END_*
        uint256 pos; // nibbles of the key consumed above the final node
        uint256 bits; // final leaf or extension: its path
        uint256 len;
        uint256 item; // final leaf or extension: its second item
        uint256 itemEnd;
        uint256 depth; // frames recorded
    }

    /// @dev A rebuilt subtree on its way up to the root.
    struct Subtree {
        uint256 kind; // one of NONE, SHORT, NODE
        bool leaf;
        uint256 bits;
        uint256 len;
        bytes item; // SHORT: its second item as RLP; NODE: the node's RLP
    }

    /// @notice The trie path of an account: keccak256(address).
    function accountKey(address account) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(account));
    }

    /// @notice The trie path of a storage slot: keccak256(slot).
    function storageKey(bytes32 slot) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(slot));
    }

    /// @notice Proves `key` present or absent in the trie `root`.
    /// @return found whether the key is in the trie.
    /// @return value its value, or empty when absent.
    function get(bytes32 root, bytes32 key, bytes[] memory proof)
        internal
        pure
        returns (bool found, bytes memory value)
    {
        Descent memory d = _descend(root, key, proof, new uint256[](0), new uint256[](0));
        if (d.end != END_LEAF) return (false, "");
        (, uint256 payload, uint256 payloadEnd) = RLP.header(d.item, d.itemEnd);
        return (true, _copy(payload, payloadEnd));
    }

    /// @notice The root after setting `key` to `value`, as go-ethereum's
    ///         Trie.Update does: a non-empty value inserts or replaces, an
    ///         empty value deletes (and deleting an absent key changes nothing).
    /// @param proof the key's proof in `root` (eth_getProof format).
    /// @param sibling the collapsing branch's remaining child, for a deletion
    ///        that needs it; empty otherwise.
    function update(bytes32 root, bytes32 key, bytes memory value, bytes[] memory proof, bytes memory sibling)
        internal
        pure
        returns (bytes32)
    {
        uint256[] memory frames = new uint256[](KEY_NIBBLES);
        uint256[] memory paths = new uint256[](KEY_NIBBLES);
        Descent memory d = _descend(root, key, proof, frames, paths);

        Subtree memory s;
        if (value.length == 0) {
            if (d.end != END_LEAF) {
                if (sibling.length != 0) revert UnexpectedSibling();
                return root;
            }
            // s.kind == NONE: the leaf is gone.
        } else {
            if (sibling.length != 0) revert UnexpectedSibling();
            s = _insert(d, key, value);
        }

        bool siblingUsed;
        for (uint256 i = d.depth; i > 0;) {
            unchecked {
                --i;
            }
            uint256 frame = frames[i];
            if (frame & 0xff == FRAME_EXTENSION) {
                s = _underExtension(s, paths[i], (frame >> 8) & 0xff);
            } else if (s.kind != NONE) {
                s = Subtree(NODE, false, 0, 0, _replaceChild(frame, _ref(_encode(s))));
            } else {
                (s, siblingUsed) = _deleteChild(frame, sibling);
            }
        }
        if (sibling.length != 0 && !siblingUsed) revert UnexpectedSibling();
        if (s.kind == NONE) return EMPTY_ROOT;
        return keccak256(_encode(s));
    }

    /// @notice The root after deleting `key`; see `update`.
    function remove(bytes32 root, bytes32 key, bytes[] memory proof, bytes memory sibling)
        internal
        pure
        returns (bytes32)
    {
        return update(root, key, "", proof, sibling);
    }

    // ---------------------------------------------------------------------
    // Descent

    /// @dev Follows `key` from `root` through `proof`. When `frames` is not
    ///      empty, records every branch and extension passed (see _branchFrame
    ///      for the packing; an extension's path goes to `paths`).
    function _descend(bytes32 root, bytes32 key, bytes[] memory proof, uint256[] memory frames, uint256[] memory paths)
        private
        pure
        returns (Descent memory d)
    {
        if (root == EMPTY_ROOT) {
            if (proof.length != 0) revert UnusedProofNodes(0, proof.length);
            return d; // END_EMPTY
        }
        bool record = frames.length != 0;
        uint256 used;
        uint256 pos;
        bytes32 want = root;
        bool hashed = true;
        bool afterExtension;
        uint256 ptr;
        uint256 end;
        while (true) {
            if (hashed) {
                if (used == proof.length) revert TruncatedProof(proof.length);
                bytes memory enc = proof[used];
                if (keccak256(enc) != want) revert InvalidNodeHash(used);
                // Only the root may be hashed when under 32 bytes.
                if (enc.length < 32 && used != 0) revert MalformedNode();
                assembly ("memory-safe") {
                    ptr := add(enc, 32)
                    end := add(ptr, mload(enc))
                }
                used++;
            }
            Node memory n = _node(ptr, end);
            if (n.branch) {
                // An extension leaves at least one nibble, so pos < 64 here
                // unless a leaf-less branch hangs below nibble 63.
                if (pos >= KEY_NIBBLES) revert MalformedNode();
                uint256 nibble = _nibble(uint256(key), pos);
                (uint256 child, uint256 childEnd) = _child(n, nibble);
                if (record) {
                    frames[d.depth] = _branchFrame(n, child, childEnd, nibble, pos);
                    d.depth++;
                }
                pos++;
                if (childEnd - child == 1) {
                    // 0x80, the empty slot (_node checked every child).
                    d.end = END_BRANCH;
                    d.pos = pos;
                    break;
                }
                (hashed, want, ptr, end) = _follow(child, childEnd);
                afterExtension = false;
            } else {
                // An extension always points at a branch.
                if (afterExtension) revert MalformedNode();
                uint256 rest = uint256(key) << (4 * pos);
                bool matches = _commonPrefix(rest, n.bits, n.len) == n.len;
                if (n.leaf) {
                    if (pos + n.len != KEY_NIBBLES) revert MalformedNode();
                    d.end = matches ? END_LEAF : END_OTHER_LEAF;
                } else {
                    if (pos + n.len >= KEY_NIBBLES) revert MalformedNode();
                    if (matches) {
                        if (record) {
                            frames[d.depth] = FRAME_EXTENSION | (n.len << 8);
                            paths[d.depth] = n.bits;
                            d.depth++;
                        }
                        pos += n.len;
                        (hashed, want, ptr, end) = _follow(n.item, n.itemEnd);
                        afterExtension = true;
                        continue;
                    }
                    d.end = END_EXTENSION;
                }
                d.pos = pos;
                d.bits = n.bits;
                d.len = n.len;
                d.item = n.item;
                d.itemEnd = n.itemEnd;
                break;
            }
        }
        if (used != proof.length) revert UnusedProofNodes(used, proof.length);
    }

    /// @dev Where a (checked, non-empty) reference leads: a hash to look up
    ///      in the proof, or an embedded node in place.
    function _follow(uint256 ref, uint256 refEnd)
        private
        pure
        returns (bool hashed, bytes32 hash, uint256 ptr, uint256 end)
    {
        (bool isList, uint256 payload,) = RLP.header(ref, refEnd);
        if (isList) return (false, 0, ref, refEnd);
        assembly ("memory-safe") {
            hash := mload(payload)
        }
        return (true, hash, 0, 0);
    }

    /// @dev Decodes and checks the node whose RLP is exactly [ptr, end).
    function _node(uint256 ptr, uint256 end) private pure returns (Node memory n) {
        (bool isList, uint256 cur, uint256 payloadEnd) = RLP.header(ptr, end);
        if (!isList || payloadEnd != end) revert MalformedNode();
        uint256 payload = cur;

        (bool pathIsList, uint256 path, uint256 pathEnd) = RLP.header(cur, payloadEnd);
        (bool secondIsList, uint256 second, uint256 secondEnd) = RLP.header(pathEnd, payloadEnd);
        if (secondEnd == payloadEnd) {
            // A leaf or an extension: [hex-prefix path, value or reference].
            if (pathIsList) revert MalformedNode();
            (n.leaf, n.bits, n.len) = _decodePath(path, pathEnd);
            if (n.leaf) {
                if (secondIsList || secondEnd == second) revert MalformedNode();
            } else {
                if (n.len == 0) revert MalformedNode();
                _checkReference(pathEnd, secondIsList, second, secondEnd);
            }
            n.item = pathEnd;
            n.itemEnd = secondEnd;
            return n;
        }

        // A branch: 16 references and an empty value. A reference can only
        // be 0x80 (empty), 0xa0 and a 32-byte hash, or an embedded node: a
        // list of at least two bytes and under 32 bytes in all, so a header
        // byte in 0xc2..0xde. One pass reads them all.
        n.branch = true;
        n.payload = payload;
        n.payloadEnd = payloadEnd;
        bool bad;
        uint256 offsets;
        uint256 nonEmpty;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, 16) { i := add(i, 1) } {
                let b := byte(0, mload(cur))
                let size := 1
                switch b
                case 0x80 {}
                case 0xa0 { size := 33 }
                default {
                    switch or(lt(b, 0xc2), gt(b, 0xde))
                    case 0 { size := sub(b, 0xbf) }
                    default { bad := 1 }
                }
                nonEmpty := add(nonEmpty, iszero(eq(b, 0x80)))
                offsets := or(shl(16, offsets), sub(cur, payload))
                cur := add(cur, size)
            }
            // The value slot: the empty string, and the last item. A child
            // that ran past the payload leaves `cur` beyond this point, at
            // most 16 * 33 bytes on: only memory reads, never a write.
            bad := or(bad, or(iszero(eq(add(cur, 1), payloadEnd)), iszero(eq(byte(0, mload(cur)), 0x80))))
        }
        if (bad || nonEmpty < 2) revert MalformedNode();
        n.offsets = offsets;
    }

    /// @dev Checks an extension's reference to its child: a 32-byte hash,
    ///      or an embedded node (a list of two items or more) under 32 bytes.
    function _checkReference(uint256 start, bool isList, uint256 payload, uint256 end) private pure {
        if (isList ? end - payload < 2 || end - start >= 32 : end - payload != 32) revert MalformedNode();
    }

    /// @dev Decodes a hex-prefix path: its flag and nibbles, left-aligned.
    function _decodePath(uint256 ptr, uint256 end) private pure returns (bool leaf, uint256 bits, uint256 len) {
        uint256 size = end - ptr;
        if (size == 0 || size > 33) revert MalformedNode();
        uint256 first;
        uint256 rest;
        assembly ("memory-safe") {
            first := byte(0, mload(ptr))
            rest := mload(add(ptr, 1))
        }
        uint256 flag = first >> 4;
        if (flag > 3) revert MalformedNode();
        leaf = flag >= 2;
        if (flag & 1 == 1) {
            len = 2 * size - 1;
            bits = ((first & 0x0f) << 252) | (rest >> 4);
        } else {
            if (first & 0x0f != 0) revert MalformedNode();
            len = 2 * size - 2;
            bits = rest;
        }
        bits = _mask(bits, len);
    }

    /// @dev The memory range of a branch's child `i`.
    function _child(Node memory n, uint256 i) private pure returns (uint256 start, uint256 end) {
        start = n.payload + ((n.offsets >> (240 - 16 * i)) & 0xffff);
        end = i == 15 ? n.payloadEnd - 1 : n.payload + ((n.offsets >> (224 - 16 * i)) & 0xffff);
    }

    /// @dev Packs what the way back up needs of a branch passed at nibble
    ///      `pos`: its payload range, the range of the child taken and the
    ///      child's index. Memory addresses fit in 32 bits.
    function _branchFrame(Node memory n, uint256 child, uint256 childEnd, uint256 nibble, uint256 pos)
        private
        pure
        returns (uint256)
    {
        return FRAME_BRANCH | (nibble << 8) | (pos << 16) | (n.payload << 24) | (n.payloadEnd << 56) | (child << 88)
            | (childEnd << 120);
    }

    // ---------------------------------------------------------------------
    // Rebuilding

    /// @dev The new subtree where the descent ended, holding `value` at `key`.
    function _insert(Descent memory d, bytes32 key, bytes memory value) private pure returns (Subtree memory) {
        bytes memory valueItem = RLP.encodeBytes(value);
        uint256 rest = uint256(key) << (4 * d.pos);
        uint256 restLen = KEY_NIBBLES - d.pos;
        if (d.end == END_EMPTY || d.end == END_LEAF || d.end == END_BRANCH) {
            return Subtree(SHORT, true, rest, restLen, valueItem);
        }
        return _split(d, rest, restLen, valueItem);
    }

    /// @dev The subtree that replaces a leaf or extension whose path leaves
    ///      the key's (`rest`, `restLen` nibbles) at nibble c: a branch there,
    ///      under an extension for the c shared nibbles.
    function _split(Descent memory d, uint256 rest, uint256 restLen, bytes memory valueItem)
        private
        pure
        returns (Subtree memory)
    {
        uint256 c = _commonPrefix(rest, d.bits, d.len);
        bytes memory old;
        if (d.end == END_OTHER_LEAF || c + 1 < d.len) {
            bytes memory item = _copy(d.item, d.itemEnd);
            old = _ref(_encodeShort(d.end == END_OTHER_LEAF, d.bits << (4 * (c + 1)), d.len - c - 1, item));
        } else {
            old = _copy(d.item, d.itemEnd); // the extension's child moves into the branch
        }
        bytes memory added = _ref(_encodeShort(true, rest << (4 * (c + 1)), restLen - c - 1, valueItem));
        bytes memory branch = _branch2(_nibble(d.bits, c), old, _nibble(rest, c), added);
        if (c == 0) return Subtree(NODE, false, 0, 0, branch);
        return Subtree(SHORT, false, _mask(rest, c), c, _ref(branch));
    }

    /// @dev The subtree that replaces an extension with path `bits` (`len`
    ///      nibbles) whose child became `s`.
    function _underExtension(Subtree memory s, uint256 bits, uint256 len) private pure returns (Subtree memory) {
        // A branch under an extension loses at most one child of two or more.
        if (s.kind == NONE) revert MalformedNode();
        if (s.kind == SHORT) {
            s.bits = bits | (s.bits >> (4 * len));
            s.len += len;
            return s;
        }
        return Subtree(SHORT, false, bits, len, _ref(s.item));
    }

    /// @dev The subtree that replaces a branch whose child on the key's path
    ///      was deleted: the branch without it or, if one child is left, that
    ///      child under the branch's nibble.
    function _deleteChild(uint256 frame, bytes memory sibling) private pure returns (Subtree memory, bool used) {
        (uint256 count, uint256 last, uint256 start, uint256 end) =
            _otherChildren((frame >> 24) & 0xffffffff, (frame >> 56) & 0xffffffff, (frame >> 8) & 0xff);
        if (count >= 2) {
            return (Subtree(NODE, false, 0, 0, _replaceChild(frame, hex"80")), false);
        }
        // count == 1: _node rejects branches with fewer than two children.
        bytes memory ref = _copy(start, end);
        uint256 ptr = start;
        (bool isList, uint256 hashPtr,) = RLP.header(start, end);
        if (!isList) {
            if (sibling.length == 0) revert MissingSibling();
            bytes32 hash;
            assembly ("memory-safe") {
                hash := mload(hashPtr)
            }
            if (keccak256(sibling) != hash) revert InvalidSibling();
            if (sibling.length < 32) revert MalformedNode();
            assembly ("memory-safe") {
                ptr := add(sibling, 32)
                end := add(ptr, mload(sibling))
            }
            used = true;
        }
        Node memory n = _node(ptr, end);
        if (n.branch) return (Subtree(SHORT, false, last << 252, 1, ref), used);
        // The child's own depth: one below the branch.
        uint256 depth = ((frame >> 16) & 0xff) + 1;
        if (n.leaf ? depth + n.len != KEY_NIBBLES : depth + n.len >= KEY_NIBBLES) revert MalformedNode();
        return (Subtree(SHORT, n.leaf, (last << 252) | (n.bits >> 4), n.len + 1, _copy(n.item, n.itemEnd)), used);
    }

    /// @dev Counts the non-empty children of a (checked) branch payload other
    ///      than child `taken`, and returns the index and range of the last.
    function _otherChildren(uint256 payload, uint256 payloadEnd, uint256 taken)
        private
        pure
        returns (uint256 count, uint256 last, uint256 start, uint256 end)
    {
        uint256 cur = payload;
        for (uint256 i = 0; i < 16; i++) {
            (,, uint256 childEnd) = RLP.header(cur, payloadEnd);
            if (i != taken && childEnd - cur != 1) {
                count++;
                last = i;
                start = cur;
                end = childEnd;
            }
            cur = childEnd;
        }
    }

    /// @dev The RLP of a subtree's root node.
    function _encode(Subtree memory s) private pure returns (bytes memory) {
        if (s.kind == SHORT) return _encodeShort(s.leaf, s.bits, s.len, s.item);
        return s.item;
    }

    /// @dev How a parent refers to `node`: the node itself under 32 bytes,
    ///      else the RLP of its hash.
    function _ref(bytes memory node) private pure returns (bytes memory ref) {
        if (node.length < 32) return node;
        ref = new bytes(33);
        bytes32 hash = keccak256(node);
        assembly ("memory-safe") {
            mstore8(add(ref, 32), 0xa0)
            mstore(add(ref, 33), hash)
        }
    }

    /// @dev The RLP of a leaf or extension: [hex-prefix(path), item], where
    ///      `item` is already RLP (the value string, or a reference).
    function _encodeShort(bool leaf, uint256 bits, uint256 len, bytes memory item)
        private
        pure
        returns (bytes memory out)
    {
        uint256 pathSize = len / 2 + 1;
        uint256 pathItem = pathSize == 1 ? 1 : 1 + pathSize;
        uint256 payloadLen = pathItem + item.length;
        out = new bytes(RLP.listHeaderLength(payloadLen) + payloadLen);
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(out, 32)
        }
        ptr = RLP.writeListHeader(ptr, payloadLen);
        uint256 flag = leaf ? 0x20 : 0;
        uint256 first;
        uint256 rest;
        if (len & 1 == 1) {
            first = flag | 0x10 | (bits >> 252);
            rest = bits << 4;
        } else {
            first = flag;
            rest = bits;
        }
        assembly ("memory-safe") {
            if gt(pathSize, 1) {
                mstore8(ptr, add(0x80, pathSize))
                ptr := add(ptr, 1)
            }
            mstore8(ptr, first)
            // `rest` is zero past the path; the item is copied over the tail.
            mstore(add(ptr, 1), rest)
            ptr := add(ptr, pathSize)
            mcopy(ptr, add(item, 32), mload(item))
        }
    }

    /// @dev The RLP of a branch with two children, `ra` at `a` and `rb` at `b`.
    function _branch2(uint256 a, bytes memory ra, uint256 b, bytes memory rb) private pure returns (bytes memory out) {
        uint256 payloadLen = 15 + ra.length + rb.length;
        out = new bytes(RLP.listHeaderLength(payloadLen) + payloadLen);
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(out, 32)
        }
        ptr = RLP.writeListHeader(ptr, payloadLen);
        for (uint256 i = 0; i < 17; i++) {
            if (i == a) {
                ptr = _put(ptr, ra);
            } else if (i == b) {
                ptr = _put(ptr, rb);
            } else {
                assembly ("memory-safe") {
                    mstore8(ptr, 0x80)
                }
                ptr++;
            }
        }
    }

    /// @dev The branch of `frame` with the child taken replaced by `child`.
    function _replaceChild(uint256 frame, bytes memory child) private pure returns (bytes memory out) {
        uint256 payload = (frame >> 24) & 0xffffffff;
        uint256 payloadEnd = (frame >> 56) & 0xffffffff;
        uint256 start = (frame >> 88) & 0xffffffff;
        uint256 end = (frame >> 120) & 0xffffffff;
        uint256 payloadLen = payloadEnd - payload - (end - start) + child.length;
        out = new bytes(RLP.listHeaderLength(payloadLen) + payloadLen);
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := add(out, 32)
        }
        ptr = RLP.writeListHeader(ptr, payloadLen);
        assembly ("memory-safe") {
            mcopy(ptr, payload, sub(start, payload))
            ptr := add(ptr, sub(start, payload))
        }
        ptr = _put(ptr, child);
        assembly ("memory-safe") {
            mcopy(ptr, end, sub(payloadEnd, end))
        }
    }

    // ---------------------------------------------------------------------
    // Small helpers

    /// @dev Copies `b` to `ptr` and returns the address past it.
    function _put(uint256 ptr, bytes memory b) private pure returns (uint256) {
        assembly ("memory-safe") {
            mcopy(ptr, add(b, 32), mload(b))
            ptr := add(ptr, mload(b))
        }
        return ptr;
    }

    /// @dev A copy of the memory range [start, end).
    function _copy(uint256 start, uint256 end) private pure returns (bytes memory out) {
        out = new bytes(end - start);
        assembly ("memory-safe") {
            mcopy(add(out, 32), start, sub(end, start))
        }
    }

    /// @dev Nibble `i` of the left-aligned nibble string `bits`.
    function _nibble(uint256 bits, uint256 i) private pure returns (uint256) {
        return (bits >> (252 - 4 * i)) & 0x0f;
    }

    /// @dev `bits` with everything after the first `len` nibbles cleared.
    function _mask(uint256 bits, uint256 len) private pure returns (uint256) {
        if (len >= KEY_NIBBLES) return bits;
        return bits & ~(type(uint256).max >> (4 * len));
    }

    /// @dev How many leading nibbles `a` and `b` share, at most `max`.
    function _commonPrefix(uint256 a, uint256 b, uint256 max) private pure returns (uint256 n) {
        uint256 x = a ^ b;
        if (x == 0) return max;
        // Count leading zero bits by halving.
        uint256 zeros;
        if (x >> 128 == 0) (zeros, x) = (zeros + 128, x << 128);
        if (x >> 192 == 0) (zeros, x) = (zeros + 64, x << 64);
        if (x >> 224 == 0) (zeros, x) = (zeros + 32, x << 32);
        if (x >> 240 == 0) (zeros, x) = (zeros + 16, x << 16);
        if (x >> 248 == 0) (zeros, x) = (zeros + 8, x << 8);
        if (x >> 252 == 0) zeros += 4;
        n = zeros / 4;
        if (n > max) n = max;
    }
}
