// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Rollup} from "../src/Rollup.sol";
import {RollupBase} from "./RollupBase.t.sol";

/// Random sequences of valid and invalid submissions, time jumps and
/// invalidations; after every step the Rollup's invariants must hold.
contract RollupFuzzTest is RollupBase {
    uint256 internal constant STEPS = 24;

    /// lastOutputRoot of every batch seen final, by index: never changes.
    mapping(uint256 => bytes32) internal finalRoot;
    uint256 internal maxFinalized;

    function testFuzz_randomSequence(uint256 seed) public {
        for (uint256 s = 0; s < STEPS; s++) {
            uint256 r = uint256(keccak256(abi.encode(seed, s)));
            uint256 op = r % 10;
            if (op < 4) {
                _validSubmit(r >> 8);
            } else if (op < 7) {
                _invalidSubmit(r >> 8);
            } else if (op < 9) {
                vm.warp(block.timestamp + (r >> 8) % (2 * WINDOW));
                vm.roll(block.number + 1);
            } else {
                _invalidate(r >> 8);
            }
            _checkInvariants();
        }
    }

    function _validSubmit(uint256 r) internal {
        if (rollup.bond() < BOND) {
            vm.prank(sequencer);
            rollup.depositBond{value: BOND}();
        }
        _advance(1 + r % 3);
        uint64 last = rollup.latestL2Block() + 1 + uint64((r >> 8) % 20);
        uint256 index = _submit(last);
        assertEq(rollup.batchCount(), index + 1);
        assertEq(rollup.latestL2Block(), last);
        assertEq(rollup.latestOutputRoot(), _root(last));
    }

    function _invalidSubmit(uint256 r) internal {
        if (rollup.bond() < BOND) {
            vm.prank(sequencer);
            rollup.depositBond{value: BOND}();
        }
        _advance(1);
        uint256 countBefore = rollup.batchCount();
        bytes32 prev = rollup.latestOutputRoot();
        uint64 head = rollup.latestL2Block();
        uint64 last = head + 1 + uint64((r >> 8) % 5);
        (uint64 n, bytes32 h) = _origin();
        uint256 kind = r % 5;
        if (kind == 0) {
            prev = keccak256(abi.encode(prev)); // not the last root
        } else if (kind == 1) {
            last = head == 0 ? 0 : uint64((r >> 16) % (uint256(head) + 1)); // does not advance
        } else if (kind == 2) {
            h = keccak256(abi.encode(h)); // not canonical
        } else if (kind == 3) {
            n = uint64(block.number); // not in the past
        } else {
            _advance(257);
            n = uint64(block.number - 257); // too old
            h = _setHash(n);
        }
        bytes32 outputs = _outputsRoot(head + 1, last);
        vm.expectRevert();
        vm.prank(sequencer);
        rollup.submitBatch("bad", prev, outputs, _root(last), last, n, h);
        assertEq(rollup.batchCount(), countBefore);
        assertEq(rollup.latestL2Block(), head);
    }

    function _invalidate(uint256 r) internal {
        uint256 count = rollup.batchCount();
        if (count == 0) return;
        uint256 index = r % count;
        bool wasFinal = rollup.isFinal(index);
        if (wasFinal) {
            vm.expectRevert(abi.encodeWithSelector(Rollup.BatchFinal.selector, index));
        }
        vm.prank(game);
        rollup.invalidateFrom(index, challenger);
        assertEq(rollup.batchCount(), wasFinal ? count : index);
    }

    function _checkInvariants() internal {
        uint256 count = rollup.batchCount();
        uint64 prevBlock = 0;
        uint64 prevOrigin = 0;
        uint64 prevTime = 0;
        bool prevFinal = true;
        for (uint256 i = 0; i < count; i++) {
            Rollup.Batch memory b = rollup.batch(i);
            assertGt(b.lastL2Block, prevBlock, "lastL2Block strictly increasing");
            assertGe(b.l1OriginNumber, prevOrigin, "l1 origin non-decreasing");
            assertGe(b.timestamp, prevTime, "timestamps non-decreasing");
            assertEq(b.lastOutputRoot, _root(b.lastL2Block), "root chaining");
            bool fin = rollup.isFinal(i);
            assertTrue(prevFinal || !fin, "finality is a prefix");
            if (fin) {
                if (finalRoot[i] == bytes32(0)) finalRoot[i] = b.lastOutputRoot;
                assertEq(finalRoot[i], b.lastOutputRoot, "final batches never change");
            }
            prevBlock = b.lastL2Block;
            prevOrigin = b.l1OriginNumber;
            prevTime = b.timestamp;
            prevFinal = fin;
        }
        uint256 finalized = rollup.finalizedBatchCount();
        assertGe(finalized, maxFinalized, "finalized count never decreases");
        maxFinalized = finalized;
        assertEq(rollup.latestOutputRoot(), count == 0 ? GENESIS : rollup.batch(count - 1).lastOutputRoot);
        assertEq(address(rollup).balance, rollup.bond() + rollup.totalBurnt(), "ETH accounted for");
    }

    function testFuzz_finalization(uint64[8] memory gaps, uint256 probe) public {
        uint256[8] memory times;
        for (uint256 i = 0; i < gaps.length; i++) {
            vm.warp(block.timestamp + gaps[i] % (WINDOW * 2));
            vm.roll(block.number + 1);
            _submit(uint64(i + 1));
            times[i] = block.timestamp;
        }
        vm.warp(block.timestamp + probe % (WINDOW * 3));
        uint256 want = 0;
        for (uint256 i = 0; i < times.length; i++) {
            bool fin = block.timestamp >= times[i] + WINDOW;
            assertEq(rollup.isFinal(i), fin);
            if (fin) want = i + 1;
        }
        assertEq(rollup.finalizedBatchCount(), want);
        if (want == 0) {
            vm.expectRevert(Rollup.NoFinalizedBatch.selector);
            rollup.lastFinalizedBatch();
            assertEq(rollup.finalizedOutputRoot(), GENESIS);
        } else {
            assertEq(rollup.lastFinalizedBatch(), want - 1);
            assertEq(rollup.finalizedOutputRoot(), _root(want));
        }
        assertEq(rollup.hasPendingBatches(), want < times.length);
    }

    function testFuzz_withdrawable(uint96 extra, bool pending) public {
        vm.deal(sequencer, uint256(extra) + 1);
        if (extra > 0) {
            vm.prank(sequencer);
            rollup.depositBond{value: extra}();
        }
        _advance(1);
        _submit(1);
        if (!pending) vm.warp(block.timestamp + WINDOW);
        uint256 want = pending ? extra : BOND + uint256(extra);
        assertEq(rollup.withdrawableBond(), want);
        if (want > 0) {
            vm.prank(sequencer);
            rollup.withdrawBond(want);
        }
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BondLocked.selector, 1, 0));
        rollup.withdrawBond(1);
    }
}
