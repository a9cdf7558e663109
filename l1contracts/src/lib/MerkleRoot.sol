// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MerkleRoot
/// @notice Binary Merkle trees over bytes32 leaves. A batch commits to its
///         per-block output roots with `outputsRoot = root(outputRoots)`, so
///         any block in the batch can be pointed at with one proof.
///
/// The tree rule (the Go side must match it bit for bit):
///   - There is at least one leaf. A single leaf is its own root (depth 0).
///   - The leaves are padded on the right with bytes32(0) up to the next
///     power of two, 2**depth, where depth = ceil(log2(leafCount)).
///   - An inner node is keccak256(abi.encodePacked(left, right)). Leaves are
///     not hashed again; they are already hashes (output roots).
///   Padding is never materialised: a missing right child at height h is the
///   root of an all-zero subtree of height h, zeroHash(h), where
///   zeroHash(0) = bytes32(0) and zeroHash(h) = keccak256(zeroHash(h-1) ‖ zeroHash(h-1)).
///
/// A proof is the list of siblings from the leaf up to the root. Because
/// leaves are not domain-separated from inner nodes, the proof's length must
/// be the tree's depth: otherwise an inner node could pose as a leaf of a
/// shallower tree. `verifyInTree` checks that against the leaf count; use it
/// whenever the leaf count is known (it is, for every posted batch).
library MerkleRoot {
    /// @notice There were no leaves; a tree has at least one.
    error EmptyTree();
    /// @notice The index does not name one of the tree's leaves.
    error IndexOutOfRange(uint256 index, uint256 leafCount);

    /// @notice ceil(log2(leafCount)): the number of levels above the leaves.
    function depth(uint256 leafCount) internal pure returns (uint256 d) {
        if (leafCount == 0) revert EmptyTree();
        while ((uint256(1) << d) < leafCount) {
            d++;
        }
    }

    /// @notice The root of an all-zero subtree of the given height.
    function zeroHash(uint256 height) internal pure returns (bytes32 z) {
        for (uint256 h = 0; h < height; h++) {
            z = _hashPair(z, z);
        }
    }

    /// @notice The Merkle root of `leaves` under the rule above. Reverts on
    ///         an empty list. Does not modify `leaves`.
    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 width = leaves.length;
        if (width == 0) revert EmptyTree();
        if (width == 1) return leaves[0];

        bytes32[] memory level = new bytes32[]((width + 1) / 2);
        bytes32[] memory from = leaves;
        bytes32 zero; // zeroHash(height of the level being read)
        while (width > 1) {
            uint256 pairs = width / 2;
            for (uint256 i = 0; i < pairs; i++) {
                level[i] = _hashPair(from[2 * i], from[2 * i + 1]);
            }
            if (width % 2 == 1) {
                level[pairs] = _hashPair(from[width - 1], zero);
            }
            width = (width + 1) / 2;
            from = level; // later levels are computed in place
            zero = _hashPair(zero, zero);
        }
        return level[0];
    }

    /// @notice The proof for leaf `index`: its siblings from the bottom up,
    ///         depth(leaves.length) of them. Meant for tests and tooling; on
    ///         chain, proofs arrive as calldata.
    function proof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory siblings) {
        uint256 width = leaves.length;
        if (index >= width) revert IndexOutOfRange(index, width);
        siblings = new bytes32[](depth(width));

        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < width; i++) {
            level[i] = leaves[i];
        }
        bytes32 zero;
        for (uint256 d = 0; d < siblings.length; d++) {
            uint256 sibling = index ^ 1;
            siblings[d] = sibling < width ? level[sibling] : zero;
            uint256 pairs = width / 2;
            for (uint256 i = 0; i < pairs; i++) {
                level[i] = _hashPair(level[2 * i], level[2 * i + 1]);
            }
            if (width % 2 == 1) {
                level[pairs] = _hashPair(level[width - 1], zero);
            }
            width = (width + 1) / 2;
            index /= 2;
            zero = _hashPair(zero, zero);
        }
    }

    /// @notice Whether `leaf` sits at `index` of a tree of depth
    ///         proof.length with the given root. It does not know the leaf
    ///         count: prefer verifyInTree (see the library comment).
    function verify(bytes32 root_, bytes32 leaf, uint256 index, bytes32[] memory siblings)
        internal
        pure
        returns (bool)
    {
        if (siblings.length < 256 && index >> siblings.length != 0) return false;
        bytes32 node = leaf;
        for (uint256 d = 0; d < siblings.length; d++) {
            node = (index >> d) & 1 == 0 ? _hashPair(node, siblings[d]) : _hashPair(siblings[d], node);
        }
        return node == root_;
    }

    /// @notice Whether `leaf` is leaf number `index` of a tree of `leafCount`
    ///         leaves with the given root. Padding positions
    ///         (index >= leafCount) and proofs of the wrong length are refused.
    function verifyInTree(bytes32 root_, uint256 leafCount, bytes32 leaf, uint256 index, bytes32[] memory siblings)
        internal
        pure
        returns (bool)
    {
        if (leafCount == 0 || index >= leafCount) return false;
        if (siblings.length != depth(leafCount)) return false;
        return verify(root_, leaf, index, siblings);
    }

    function _hashPair(bytes32 left, bytes32 right) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            h := keccak256(0x00, 0x40)
        }
    }
}
