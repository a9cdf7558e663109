// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Rollup} from "../src/Rollup.sol";
import {MerkleRoot} from "../src/lib/MerkleRoot.sol";
import {RollupBase} from "./RollupBase.t.sol";

/// verifyBlockOutput against batches whose outputsRoot is built with
/// MerkleRoot in Solidity, the way the batcher builds it in Go.
contract RollupOutputsTest is RollupBase {
    /// @dev Posts a batch of `n` blocks after the current head with real
    ///      per-block output roots; returns them.
    function _postTree(uint256 n) internal returns (uint256 index, bytes32[] memory roots) {
        uint64 first = rollup.latestL2Block() + 1;
        roots = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            roots[i] = _root(first + i);
        }
        uint64 last = first + uint64(n) - 1;
        index = rollup.batchCount();
        _advance(1);
        (uint64 o, bytes32 h) = _origin();
        bytes32 prev = rollup.latestOutputRoot();
        vm.prank(sequencer);
        rollup.submitBatch("data", prev, MerkleRoot.root(roots), roots[n - 1], last, o, h);
    }

    function test_verifyBlockOutput_allBlocks() public {
        _postTree(3); // so the tested batch does not start at block 1
        (uint256 index, bytes32[] memory roots) = _postTree(13);
        assertEq(index, 1);
        for (uint256 i = 0; i < roots.length; i++) {
            bytes32[] memory proof = MerkleRoot.proof(roots, i);
            assertTrue(rollup.verifyBlockOutput(index, i, roots[i], proof), "valid proof");
            assertFalse(rollup.verifyBlockOutput(index, i, keccak256("wrong"), proof), "wrong root");
            // A proof for the right leaf at the wrong offset fails.
            assertFalse(rollup.verifyBlockOutput(index, (i + 1) % roots.length, roots[i], proof), "wrong offset");
        }
        bytes32[] memory p0 = MerkleRoot.proof(roots, 0);
        // Padding positions and out-of-range offsets are refused.
        assertFalse(rollup.verifyBlockOutput(index, 13, bytes32(0), p0));
        assertFalse(rollup.verifyBlockOutput(index, 15, bytes32(0), p0));
        // So are proofs of the wrong length.
        bytes32[] memory shorter = new bytes32[](p0.length - 1);
        for (uint256 i = 0; i < shorter.length; i++) {
            shorter[i] = p0[i];
        }
        assertFalse(rollup.verifyBlockOutput(index, 0, roots[0], shorter));
        // The other batch's leaves do not verify here.
        assertFalse(rollup.verifyBlockOutput(0, 0, roots[0], p0));
    }

    function test_verifyBlockOutput_singleBlock() public {
        (uint256 index, bytes32[] memory roots) = _postTree(1);
        assertTrue(rollup.verifyBlockOutput(index, 0, roots[0], new bytes32[](0)));
        assertFalse(rollup.verifyBlockOutput(index, 1, roots[0], new bytes32[](0)));
    }

    function testFuzz_verifyBlockOutput(uint8 rawCount, uint256 offset, bytes32 forged) public {
        uint256 n = bound(rawCount, 1, 40);
        offset = bound(offset, 0, n - 1);
        _postTree(2);
        (uint256 index, bytes32[] memory roots) = _postTree(n);
        bytes32[] memory proof = MerkleRoot.proof(roots, offset);
        assertTrue(rollup.verifyBlockOutput(index, offset, roots[offset], proof));
        vm.assume(forged != roots[offset]);
        assertFalse(rollup.verifyBlockOutput(index, offset, forged, proof));
    }
}
