// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {MerkleRoot} from "../../src/lib/MerkleRoot.sol";

/// @dev Exposes the internal library functions as external calls, so that
///      vm.expectRevert can see their reverts.
contract MerkleRootHarness {
    function root(bytes32[] memory leaves) external pure returns (bytes32) {
        return MerkleRoot.root(leaves);
    }

    function proof(bytes32[] memory leaves, uint256 index) external pure returns (bytes32[] memory) {
        return MerkleRoot.proof(leaves, index);
    }

    function depth(uint256 leafCount) external pure returns (uint256) {
        return MerkleRoot.depth(leafCount);
    }
}

contract MerkleRootTest is Test {
    MerkleRootHarness internal harness = new MerkleRootHarness();

    /// The largest tree the fuzz tests build: enough for several levels of
    /// odd widths, small enough to keep a run fast.
    uint256 internal constant MAX_FUZZ_LEAVES = 70;

    function _leaves(uint256 n, bytes32 seed) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            leaves[i] = keccak256(abi.encode(seed, i));
        }
    }

    /// The rule written out the slow way: pad with zero leaves to a power of
    /// two, then hash pairs level by level.
    function _referenceRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 width = 1;
        while (width < leaves.length) {
            width *= 2;
        }
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < leaves.length; i++) {
            level[i] = leaves[i];
        }
        while (width > 1) {
            width /= 2;
            bytes32[] memory next = new bytes32[](width);
            for (uint256 i = 0; i < width; i++) {
                next[i] = keccak256(abi.encodePacked(level[2 * i], level[2 * i + 1]));
            }
            level = next;
        }
        return level[0];
    }

    function test_depth() public view {
        uint256[2][9] memory cases =
            [[uint256(1), 0], [uint256(2), 1], [uint256(3), 2], [uint256(4), 2], [uint256(5), 3], [uint256(8), 3], [uint256(9), 4], [uint256(1024), 10], [uint256(1025), 11]];
        for (uint256 i = 0; i < cases.length; i++) {
            assertEq(harness.depth(cases[i][0]), cases[i][1], "depth");
        }
    }

    function test_zeroHash() public pure {
        assertEq(MerkleRoot.zeroHash(0), bytes32(0));
        assertEq(MerkleRoot.zeroHash(1), keccak256(abi.encodePacked(bytes32(0), bytes32(0))));
        bytes32 z1 = MerkleRoot.zeroHash(1);
        assertEq(MerkleRoot.zeroHash(2), keccak256(abi.encodePacked(z1, z1)));
    }

    function test_emptyTreeReverts() public {
        vm.expectRevert(MerkleRoot.EmptyTree.selector);
        harness.root(new bytes32[](0));
        vm.expectRevert(MerkleRoot.EmptyTree.selector);
        harness.depth(0);
    }

    function test_singleLeafIsRoot() public pure {
        bytes32[] memory leaves = new bytes32[](1);
        leaves[0] = keccak256("only");
        assertEq(MerkleRoot.root(leaves), leaves[0]);
        bytes32[] memory siblings = MerkleRoot.proof(leaves, 0);
        assertEq(siblings.length, 0);
        assertTrue(MerkleRoot.verifyInTree(leaves[0], 1, leaves[0], 0, siblings));
    }

    /// Golden vector, computed independently with cast:
    ///   leaves  = keccak256(0x00), keccak256(0x01), keccak256(0x02)
    ///   root    = keccak(keccak(l0 ‖ l1) ‖ keccak(l2 ‖ 0x00…00))
    /// The Go implementation must produce the same root for the same leaves.
    function test_goldenThreeLeaves() public pure {
        bytes32[] memory leaves = new bytes32[](3);
        leaves[0] = 0xbc36789e7a1e281436464229828f817d6612f7b477d66591ff96a9e064bcc98a;
        leaves[1] = 0x5fe7f977e71dba2ea1a68e21057beebb9be2ac30c6410aa38d4f3fbe41dcffd2;
        leaves[2] = 0xf2ee15ea639b73fa3db9b34a245bdfa015c260c598b211bf05a1ecc4b3e3b4f2;
        assertEq(leaves[0], keccak256(hex"00"));
        assertEq(MerkleRoot.root(leaves), 0xf68ec50114947b4e75aba65154eaffa8aacde4fafaab7f492a1e40efa4775769);
    }

    function test_rootDoesNotModifyLeaves() public pure {
        bytes32[] memory leaves = _leaves(7, "keep");
        bytes32[] memory copy = _leaves(7, "keep");
        MerkleRoot.root(leaves);
        assertEq(leaves, copy);
    }

    /// An inner node must not pass as a leaf of a shallower tree.
    function test_innerNodeIsNotALeaf() public pure {
        bytes32[] memory leaves = _leaves(4, "inner");
        bytes32 root = MerkleRoot.root(leaves);
        bytes32 left = keccak256(abi.encodePacked(leaves[0], leaves[1]));
        bytes32 right = keccak256(abi.encodePacked(leaves[2], leaves[3]));
        bytes32[] memory short = new bytes32[](1);
        short[0] = right;
        // Plain verify cannot tell: this is the reason verifyInTree exists.
        assertTrue(MerkleRoot.verify(root, left, 0, short));
        assertFalse(MerkleRoot.verifyInTree(root, 4, left, 0, short));
    }

    /// Padding positions hold zero leaves, but they are not leaves of the batch.
    function test_paddingIsNotALeaf() public pure {
        bytes32[] memory leaves = _leaves(3, "pad");
        bytes32 root = MerkleRoot.root(leaves);
        bytes32[] memory siblings = new bytes32[](2);
        siblings[0] = leaves[2];
        siblings[1] = keccak256(abi.encodePacked(leaves[0], leaves[1]));
        assertTrue(MerkleRoot.verify(root, bytes32(0), 3, siblings));
        assertFalse(MerkleRoot.verifyInTree(root, 3, bytes32(0), 3, siblings));
    }

    function test_proofIndexOutOfRangeReverts() public {
        vm.expectRevert(abi.encodeWithSelector(MerkleRoot.IndexOutOfRange.selector, 5, 5));
        harness.proof(_leaves(5, "oob"), 5);
    }

    function testFuzz_rootMatchesReference(uint256 n, bytes32 seed) public pure {
        n = bound(n, 1, MAX_FUZZ_LEAVES);
        bytes32[] memory leaves = _leaves(n, seed);
        assertEq(MerkleRoot.root(leaves), _referenceRoot(leaves));
    }

    function testFuzz_proofVerifies(uint256 n, uint256 index, bytes32 seed) public pure {
        n = bound(n, 1, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _leaves(n, seed);
        bytes32 root = MerkleRoot.root(leaves);
        bytes32[] memory siblings = MerkleRoot.proof(leaves, index);
        assertEq(siblings.length, MerkleRoot.depth(n));
        assertTrue(MerkleRoot.verify(root, leaves[index], index, siblings));
        assertTrue(MerkleRoot.verifyInTree(root, n, leaves[index], index, siblings));
    }

    function testFuzz_wrongLeafFails(uint256 n, uint256 index, bytes32 seed, bytes32 other) public pure {
        n = bound(n, 1, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _leaves(n, seed);
        vm.assume(other != leaves[index]);
        bytes32 root = MerkleRoot.root(leaves);
        bytes32[] memory siblings = MerkleRoot.proof(leaves, index);
        assertFalse(MerkleRoot.verifyInTree(root, n, other, index, siblings));
    }

    function testFuzz_wrongIndexFails(uint256 n, uint256 index, uint256 claimed, bytes32 seed) public pure {
        n = bound(n, 2, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        claimed = bound(claimed, 0, n - 1);
        vm.assume(claimed != index);
        bytes32[] memory leaves = _leaves(n, seed);
        bytes32 root = MerkleRoot.root(leaves);
        bytes32[] memory siblings = MerkleRoot.proof(leaves, index);
        assertFalse(MerkleRoot.verifyInTree(root, n, leaves[index], claimed, siblings));
    }

    function testFuzz_tamperedSiblingFails(uint256 n, uint256 index, uint256 which, bytes32 seed, bytes32 junk) public pure {
        n = bound(n, 2, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _leaves(n, seed);
        bytes32 root = MerkleRoot.root(leaves);
        bytes32[] memory siblings = MerkleRoot.proof(leaves, index);
        which = bound(which, 0, siblings.length - 1);
        vm.assume(junk != siblings[which]);
        siblings[which] = junk;
        assertFalse(MerkleRoot.verifyInTree(root, n, leaves[index], index, siblings));
    }

    function testFuzz_changedLeafChangesRoot(uint256 n, uint256 index, bytes32 seed, bytes32 other) public pure {
        n = bound(n, 1, MAX_FUZZ_LEAVES);
        index = bound(index, 0, n - 1);
        bytes32[] memory leaves = _leaves(n, seed);
        vm.assume(other != leaves[index]);
        bytes32 before = MerkleRoot.root(leaves);
        leaves[index] = other;
        assertTrue(MerkleRoot.root(leaves) != before);
    }
}
