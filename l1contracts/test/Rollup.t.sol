// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Rollup} from "../src/Rollup.sol";
import {Owned} from "../src/lib/Owned.sol";
import {RollupBase, EthRejecter} from "./RollupBase.t.sol";

contract RollupConfigTest is RollupBase {
    function test_constructor_config() public view {
        assertEq(rollup.owner(), address(this));
        assertEq(rollup.pendingOwner(), address(0));
        assertEq(rollup.sequencer(), sequencer);
        assertEq(rollup.disputeGame(), game);
        assertEq(rollup.challengeWindow(), WINDOW);
        assertEq(rollup.sequencerBond(), BOND);
        assertEq(rollup.genesisOutputRoot(), GENESIS);
        assertEq(rollup.l2ChainId(), CHAIN_ID);
        assertEq(rollup.batchCount(), 0);
        assertEq(rollup.latestOutputRoot(), GENESIS);
        assertEq(rollup.latestL2Block(), 0);
        assertEq(rollup.finalizedOutputRoot(), GENESIS);
        assertEq(rollup.bond(), BOND);
        assertEq(rollup.BURN_BPS(), 5_000);
        assertEq(rollup.MAX_BLOBS(), 6);
        assertEq(rollup.L1_ORIGIN_MAX_AGE(), 256);
    }

    function test_constructor_events() public {
        vm.expectEmit();
        emit Owned.OwnershipTransferred(address(0), address(this));
        vm.expectEmit();
        emit Rollup.RollupConfigured(sequencer, WINDOW, BOND, GENESIS, CHAIN_ID);
        vm.expectEmit();
        emit Rollup.DisputeGameSet(game);
        new Rollup(sequencer, game, WINDOW, BOND, GENESIS, CHAIN_ID);
    }

    function test_constructor_withoutGame() public {
        vm.recordLogs();
        Rollup r = new Rollup(sequencer, address(0), WINDOW, BOND, GENESIS, CHAIN_ID);
        assertEq(r.disputeGame(), address(0));
        assertEq(vm.getRecordedLogs().length, 2); // ownership + config, no DisputeGameSet
    }

    function test_constructor_reverts() public {
        vm.expectRevert(Rollup.ZeroAddress.selector);
        new Rollup(address(0), game, WINDOW, BOND, GENESIS, CHAIN_ID);
        vm.expectRevert(Rollup.InvalidConfig.selector);
        new Rollup(sequencer, game, 0, BOND, GENESIS, CHAIN_ID);
        vm.expectRevert(Rollup.InvalidConfig.selector);
        new Rollup(sequencer, game, WINDOW, 0, GENESIS, CHAIN_ID);
        vm.expectRevert(Rollup.InvalidConfig.selector);
        new Rollup(sequencer, game, WINDOW, BOND, bytes32(0), CHAIN_ID);
        vm.expectRevert(Rollup.InvalidConfig.selector);
        new Rollup(sequencer, game, WINDOW, BOND, GENESIS, 0);
    }

    function test_setDisputeGame_once() public {
        Rollup r = new Rollup(sequencer, address(0), WINDOW, BOND, GENESIS, CHAIN_ID);

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, stranger));
        r.setDisputeGame(game);

        vm.expectRevert(Rollup.ZeroAddress.selector);
        r.setDisputeGame(address(0));

        vm.expectEmit(address(r));
        emit Rollup.DisputeGameSet(game);
        r.setDisputeGame(game);
        assertEq(r.disputeGame(), game);

        vm.expectRevert(abi.encodeWithSelector(Rollup.DisputeGameAlreadySet.selector, game));
        r.setDisputeGame(stranger);
    }

    function test_ownership_twoStep() public {
        address next = makeAddr("next");

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, stranger));
        rollup.transferOwnership(next);

        vm.expectEmit(address(rollup));
        emit Owned.OwnershipTransferStarted(address(this), next);
        rollup.transferOwnership(next);
        assertEq(rollup.pendingOwner(), next);
        assertEq(rollup.owner(), address(this));

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotPendingOwner.selector, stranger));
        rollup.acceptOwnership();

        vm.expectEmit(address(rollup));
        emit Owned.OwnershipTransferred(address(this), next);
        vm.prank(next);
        rollup.acceptOwnership();
        assertEq(rollup.owner(), next);
        assertEq(rollup.pendingOwner(), address(0));

        // The old owner lost its rights.
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, address(this)));
        rollup.transferOwnership(address(this));
    }

    function test_ownership_cancel() public {
        address next = makeAddr("next");
        rollup.transferOwnership(next);
        rollup.transferOwnership(address(0));
        vm.prank(next);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotPendingOwner.selector, next));
        rollup.acceptOwnership();
    }
}

contract RollupBondTest is RollupBase {
    function test_depositBond_anyone() public {
        vm.deal(stranger, 1 ether);
        vm.expectEmit(address(rollup));
        emit Rollup.BondDeposited(stranger, 0.5 ether, BOND + 0.5 ether);
        vm.prank(stranger);
        rollup.depositBond{value: 0.5 ether}();
        assertEq(rollup.bond(), BOND + 0.5 ether);
        assertEq(address(rollup).balance, BOND + 0.5 ether);
    }

    function test_depositBond_zero() public {
        vm.expectRevert(Rollup.ZeroAmount.selector);
        rollup.depositBond();
    }

    function test_withdrawBond_whenIdle() public {
        uint256 before = sequencer.balance;
        assertEq(rollup.withdrawableBond(), BOND);
        vm.expectEmit(address(rollup));
        emit Rollup.BondWithdrawn(sequencer, BOND, 0);
        vm.prank(sequencer);
        rollup.withdrawBond(BOND);
        assertEq(rollup.bond(), 0);
        assertEq(sequencer.balance, before + BOND);
    }

    function test_withdrawBond_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, stranger));
        rollup.withdrawBond(1);

        vm.prank(sequencer);
        vm.expectRevert(Rollup.ZeroAmount.selector);
        rollup.withdrawBond(0);

        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BondLocked.selector, BOND + 1, BOND));
        rollup.withdrawBond(BOND + 1);
    }

    function test_withdrawBond_lockedWhilePending() public {
        vm.prank(sequencer);
        rollup.depositBond{value: 0.25 ether}();
        _advance(1);
        _submit(5);
        assertTrue(rollup.hasPendingBatches());
        assertEq(rollup.withdrawableBond(), 0.25 ether);

        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BondLocked.selector, 0.25 ether + 1, 0.25 ether));
        rollup.withdrawBond(0.25 ether + 1);

        vm.prank(sequencer);
        rollup.withdrawBond(0.25 ether); // the excess is free
        assertEq(rollup.withdrawableBond(), 0);

        vm.warp(block.timestamp + WINDOW);
        assertFalse(rollup.hasPendingBatches());
        assertEq(rollup.withdrawableBond(), BOND);
        vm.prank(sequencer);
        rollup.withdrawBond(BOND);
        assertEq(rollup.bond(), 0);
    }

    function test_withdrawBond_lockedWhenBelowRequired() public {
        _advance(1);
        _submit(1);
        vm.prank(game);
        rollup.invalidateFrom(0, challenger); // bond now 0
        vm.prank(sequencer);
        rollup.depositBond{value: 0.5 ether}(); // below BOND
        // No batch pending: all of it may go.
        assertEq(rollup.withdrawableBond(), 0.5 ether);
    }

    function test_withdrawBond_transferFailed() public {
        EthRejecter seq = new EthRejecter();
        Rollup r = new Rollup(address(seq), game, WINDOW, BOND, GENESIS, CHAIN_ID);
        r.depositBond{value: BOND}();
        vm.expectRevert(abi.encodeWithSelector(Rollup.TransferFailed.selector, address(seq), BOND));
        seq.call(address(r), abi.encodeCall(Rollup.withdrawBond, (BOND)));
        seq.setAccept(true);
        seq.call(address(r), abi.encodeCall(Rollup.withdrawBond, (BOND)));
        assertEq(address(seq).balance, BOND);
    }
}

contract RollupSubmitTest is RollupBase {
    function setUp() public override {
        super.setUp();
        _advance(10);
    }

    function test_submitBatch_first() public {
        (uint64 n, bytes32 h) = _origin();
        bytes memory data = hex"00112233";
        bytes32 outputs = keccak256("outputs");
        bytes32 last = _root(7);

        vm.expectEmit(address(rollup));
        emit Rollup.BatchSubmitted(0, 1, 7, outputs, last, keccak256(data), false);
        vm.prank(sequencer);
        rollup.submitBatch(data, GENESIS, outputs, last, 7, n, h);

        assertEq(rollup.batchCount(), 1);
        Rollup.Batch memory b = rollup.batch(0);
        assertEq(b.dataHash, keccak256(data));
        assertEq(b.outputsRoot, outputs);
        assertEq(b.lastOutputRoot, last);
        assertEq(b.lastL2Block, 7);
        assertEq(b.l1OriginNumber, n);
        assertEq(b.l1Block, block.number);
        assertEq(b.timestamp, block.timestamp);
        assertFalse(b.blobs);
        assertEq(rollup.latestOutputRoot(), last);
        assertEq(rollup.latestL2Block(), 7);
        assertEq(rollup.outputRootAt(0), last);
        (uint64 first, uint64 lastBlock) = rollup.l2BlockOfBatch(0);
        assertEq(first, 1);
        assertEq(lastBlock, 7);
    }

    function test_submitBatch_chains() public {
        _submit(3);
        _advance(2);
        (uint64 n, bytes32 h) = _origin();
        vm.expectEmit(address(rollup));
        emit Rollup.BatchSubmitted(1, 4, 4, _root(4), _root(4), keccak256("x"), false);
        vm.prank(sequencer);
        rollup.submitBatch("x", _root(3), _root(4), _root(4), 4, n, h);
        (uint64 first, uint64 last) = rollup.l2BlockOfBatch(1);
        assertEq(first, 4);
        assertEq(last, 4);
    }

    function test_submitBatch_notSequencer() public {
        (uint64 n, bytes32 h) = _origin();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, stranger));
        rollup.submitBatch("x", GENESIS, _root(1), _root(1), 1, n, h);
    }

    function test_submitBatch_insufficientBond() public {
        vm.prank(sequencer);
        rollup.withdrawBond(1);
        (uint64 n, bytes32 h) = _origin();
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InsufficientBond.selector, BOND - 1, BOND));
        rollup.submitBatch("x", GENESIS, _root(1), _root(1), 1, n, h);
    }

    function test_submitBatch_emptyData() public {
        (uint64 n, bytes32 h) = _origin();
        vm.prank(sequencer);
        vm.expectRevert(Rollup.EmptyBatchData.selector);
        rollup.submitBatch("", GENESIS, _root(1), _root(1), 1, n, h);
    }

    function test_submitBatch_prevRootMismatch() public {
        (uint64 n, bytes32 h) = _origin();
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.PrevOutputRootMismatch.selector, GENESIS, bytes32(uint256(1))));
        rollup.submitBatch("x", bytes32(uint256(1)), _root(1), _root(1), 1, n, h);

        _submit(2);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.PrevOutputRootMismatch.selector, _root(2), GENESIS));
        rollup.submitBatch("x", GENESIS, _root(3), _root(3), 3, n, h);
    }

    function test_submitBatch_l2BlockNotAfter() public {
        (uint64 n, bytes32 h) = _origin();
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotAfterPrevious.selector, 0, 0));
        rollup.submitBatch("x", GENESIS, _root(0), _root(0), 0, n, h);

        _submit(5);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotAfterPrevious.selector, 5, 5));
        rollup.submitBatch("x", _root(5), _root(5), _root(5), 5, n, h);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotAfterPrevious.selector, 5, 4));
        rollup.submitBatch("x", _root(5), _root(4), _root(4), 4, n, h);
    }

    function test_submitBatch_zeroRoots() public {
        (uint64 n, bytes32 h) = _origin();
        vm.startPrank(sequencer);
        vm.expectRevert(Rollup.ZeroOutputRoot.selector);
        rollup.submitBatch("x", GENESIS, bytes32(0), _root(3), 3, n, h);
        vm.expectRevert(Rollup.ZeroOutputRoot.selector);
        rollup.submitBatch("x", GENESIS, _root(3), bytes32(0), 3, n, h);
        vm.stopPrank();
    }

    function test_submitBatch_singleBlockOutputsRoot() public {
        (uint64 n, bytes32 h) = _origin();
        bytes32 other = keccak256("other");
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.OutputsRootMismatch.selector, other, _root(1)));
        rollup.submitBatch("x", GENESIS, other, _root(1), 1, n, h);
    }

    function test_submitBatch_l1OriginNotInPast() public {
        uint64 n = uint64(block.number);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1OriginNotInPast.selector, n, block.number));
        rollup.submitBatch("x", GENESIS, _root(1), _root(1), 1, n, bytes32(0));
    }

    function test_submitBatch_l1OriginDecreased() public {
        _submit(1); // origin = block.number - 1
        uint64 prevOrigin = uint64(block.number - 1);
        _advance(5);
        bytes32 h = _setHash(prevOrigin - 1);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1OriginDecreased.selector, prevOrigin, prevOrigin - 1));
        rollup.submitBatch("x", _root(1), _root(2), _root(2), 2, prevOrigin - 1, h);

        // The same origin again is fine.
        h = _setHash(prevOrigin);
        vm.prank(sequencer);
        rollup.submitBatch("x", _root(1), _root(2), _root(2), 2, prevOrigin, h);
    }

    function test_submitBatch_l1OriginAge() public {
        _advance(300);
        uint64 tooOld = uint64(block.number - 257);
        bytes32 h = _setHash(tooOld);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1OriginTooOld.selector, tooOld, block.number));
        rollup.submitBatch("x", GENESIS, _root(1), _root(1), 1, tooOld, h);

        uint64 oldest = uint64(block.number - 256);
        h = _setHash(oldest);
        vm.prank(sequencer);
        rollup.submitBatch("x", GENESIS, _root(1), _root(1), 1, oldest, h);
        assertEq(rollup.batch(0).l1OriginNumber, oldest);
    }

    function test_submitBatch_l1OriginHashMismatch() public {
        (uint64 n, bytes32 h) = _origin();
        bytes32 wrong = keccak256("reorged");
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L1OriginHashMismatch.selector, n, h, wrong));
        rollup.submitBatch("x", GENESIS, _root(1), _root(1), 1, n, wrong);
    }

    function _blobHashes(uint256 count) internal pure returns (bytes32[] memory hashes) {
        hashes = new bytes32[](count);
        for (uint256 i = 0; i < count; i++) {
            hashes[i] = bytes32((uint256(0x01) << 248) | uint256(keccak256(abi.encode("blob", i))) >> 8);
        }
    }

    function test_submitBatchBlobs() public {
        for (uint256 count = 1; count <= 6; count++) {
            bytes32[] memory hashes = _blobHashes(count);
            vm.blobhashes(hashes);
            (uint64 n, bytes32 h) = _origin();
            uint64 first = rollup.latestL2Block() + 1;
            uint64 last = first + uint64(count);
            bytes32 commitment = keccak256(abi.encodePacked(hashes));
            vm.expectEmit(address(rollup));
            emit Rollup.BatchSubmitted(count - 1, first, last, _outputsRoot(first, last), _root(last), commitment, true);
            bytes32 prev = rollup.latestOutputRoot();
            vm.prank(sequencer);
            rollup.submitBatchBlobs(count, prev, _outputsRoot(first, last), _root(last), last, n, h);
            Rollup.Batch memory b = rollup.batch(count - 1);
            assertTrue(b.blobs);
            assertEq(b.dataHash, commitment);
            _advance(1);
        }
        assertEq(rollup.batchCount(), 6);
    }

    function test_submitBatchBlobs_reverts() public {
        (uint64 n, bytes32 h) = _origin();
        vm.startPrank(sequencer);
        vm.blobhashes(_blobHashes(6));
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlobCount.selector, 0));
        rollup.submitBatchBlobs(0, GENESIS, _root(1), _root(1), 1, n, h);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InvalidBlobCount.selector, 7));
        rollup.submitBatchBlobs(7, GENESIS, _root(1), _root(1), 1, n, h);

        vm.blobhashes(_blobHashes(2));
        vm.expectRevert(abi.encodeWithSelector(Rollup.MissingBlob.selector, 2));
        rollup.submitBatchBlobs(3, GENESIS, _root(1), _root(1), 1, n, h);

        vm.blobhashes(_blobHashes(3));
        vm.expectRevert(abi.encodeWithSelector(Rollup.UnexpectedBlob.selector, 2));
        rollup.submitBatchBlobs(2, GENESIS, _root(1), _root(1), 1, n, h);

        vm.blobhashes(new bytes32[](0));
        vm.expectRevert(abi.encodeWithSelector(Rollup.MissingBlob.selector, 0));
        rollup.submitBatchBlobs(1, GENESIS, _root(1), _root(1), 1, n, h);

        // Continuity applies to blob batches too.
        vm.blobhashes(_blobHashes(1));
        vm.expectRevert(abi.encodeWithSelector(Rollup.PrevOutputRootMismatch.selector, GENESIS, _root(9)));
        rollup.submitBatchBlobs(1, _root(9), _root(1), _root(1), 1, n, h);
        vm.stopPrank();

        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotSequencer.selector, stranger));
        rollup.submitBatchBlobs(1, GENESIS, _root(1), _root(1), 1, n, h);

        vm.prank(sequencer);
        rollup.withdrawBond(BOND);
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InsufficientBond.selector, 0, BOND));
        rollup.submitBatchBlobs(1, GENESIS, _root(1), _root(1), 1, n, h);
    }
}

contract RollupReadTest is RollupBase {
    function setUp() public override {
        super.setUp();
        _advance(1);
        _submit(4); // batch 0: blocks 1..4
        _advance(1);
        _submit(5); // batch 1: block 5
        _advance(1);
        _submit(12); // batch 2: blocks 6..12
    }

    function test_batch_notFound() public {
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 3, 3));
        rollup.batch(3);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 3, 3));
        rollup.outputRootAt(3);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 3, 3));
        rollup.l2BlockOfBatch(3);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 3, 3));
        rollup.verifyBlockOutput(3, 0, bytes32(0), new bytes32[](0));
    }

    function test_outputRootAt() public view {
        assertEq(rollup.outputRootAt(0), _root(4));
        assertEq(rollup.outputRootAt(1), _root(5));
        assertEq(rollup.outputRootAt(2), _root(12));
        assertEq(rollup.latestOutputRoot(), _root(12));
        assertEq(rollup.latestL2Block(), 12);
    }

    function test_batchOfL2Block() public {
        uint256[13] memory want = [uint256(0), 0, 0, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2];
        for (uint64 b = 1; b <= 12; b++) {
            assertEq(rollup.batchOfL2Block(b), want[b], "batch of block");
        }
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotInBatches.selector, 0));
        rollup.batchOfL2Block(0);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotInBatches.selector, 13));
        rollup.batchOfL2Block(13);
    }

    function test_batchOfL2Block_empty() public {
        Rollup r = new Rollup(sequencer, game, WINDOW, BOND, GENESIS, CHAIN_ID);
        vm.expectRevert(abi.encodeWithSelector(Rollup.L2BlockNotInBatches.selector, 1));
        r.batchOfL2Block(1);
    }

    function test_finality() public {
        uint256 t0 = rollup.batch(0).timestamp;
        uint256 t2 = rollup.batch(2).timestamp;
        assertFalse(rollup.isFinal(0));
        assertEq(rollup.finalizedBatchCount(), 0);
        assertTrue(rollup.hasPendingBatches());
        vm.expectRevert(Rollup.NoFinalizedBatch.selector);
        rollup.lastFinalizedBatch();
        assertEq(rollup.finalizedOutputRoot(), GENESIS);

        vm.warp(t0 + WINDOW - 1);
        assertFalse(rollup.isFinal(0));
        vm.warp(t0 + WINDOW);
        assertTrue(rollup.isFinal(0));
        assertFalse(rollup.isFinal(1));
        assertEq(rollup.finalizedBatchCount(), 1);
        assertEq(rollup.lastFinalizedBatch(), 0);
        assertEq(rollup.finalizedOutputRoot(), _root(4));

        vm.warp(t2 + WINDOW);
        assertTrue(rollup.isFinal(2));
        assertEq(rollup.lastFinalizedBatch(), 2);
        assertEq(rollup.finalizedOutputRoot(), _root(12));
        assertFalse(rollup.hasPendingBatches());
        assertFalse(rollup.isFinal(3)); // never posted
    }
}

contract RollupInvalidateTest is RollupBase {
    function setUp() public override {
        super.setUp();
        for (uint64 i = 1; i <= 4; i++) {
            _advance(1);
            _submit(i * 10); // batch i-1 covers blocks (i-1)*10+1 .. i*10
        }
    }

    function test_invalidateFrom() public {
        uint256 before = challenger.balance;
        vm.expectEmit(address(rollup));
        emit Rollup.BatchesInvalidated(1, 3, challenger, BOND / 2, BOND / 2);
        vm.prank(game);
        rollup.invalidateFrom(1, challenger);

        assertEq(rollup.batchCount(), 1);
        assertEq(rollup.latestOutputRoot(), _root(10));
        assertEq(rollup.latestL2Block(), 10);
        assertEq(challenger.balance, before + BOND / 2);
        assertEq(rollup.bond(), 0);
        assertEq(rollup.totalBurnt(), BOND / 2);
        assertEq(address(rollup).balance, BOND / 2);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 1, 1));
        rollup.batch(1);
        assertFalse(rollup.isFinal(1));

        // The sequencer must top up, then re-post from the last good root.
        _advance(1);
        (uint64 n, bytes32 h) = _origin();
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.InsufficientBond.selector, 0, BOND));
        rollup.submitBatch("x", _root(10), _root(11), _root(11), 11, n, h);

        vm.prank(sequencer);
        rollup.depositBond{value: BOND}();
        vm.prank(sequencer);
        vm.expectRevert(abi.encodeWithSelector(Rollup.PrevOutputRootMismatch.selector, _root(10), _root(40)));
        rollup.submitBatch("x", _root(40), _root(41), _root(41), 41, n, h);

        vm.expectEmit(address(rollup));
        emit Rollup.BatchSubmitted(1, 11, 11, _root(11), _root(11), keccak256("x"), false);
        vm.prank(sequencer);
        rollup.submitBatch("x", _root(10), _root(11), _root(11), 11, n, h);
        assertEq(rollup.batchCount(), 2);
    }

    function test_invalidateFrom_excessBondStays() public {
        vm.prank(sequencer);
        rollup.depositBond{value: 3 ether}();
        vm.prank(game);
        rollup.invalidateFrom(0, challenger);
        assertEq(rollup.batchCount(), 0);
        assertEq(rollup.latestOutputRoot(), GENESIS);
        assertEq(rollup.bond(), 3 ether);
    }

    function test_invalidateFrom_emptyBond() public {
        vm.prank(game);
        rollup.invalidateFrom(3, challenger);
        // Bond is gone; a second game on an earlier batch still removes it.
        vm.expectEmit(address(rollup));
        emit Rollup.BatchesInvalidated(0, 3, challenger, 0, 0);
        vm.prank(game);
        rollup.invalidateFrom(0, challenger);
        assertEq(rollup.batchCount(), 0);
    }

    function test_invalidateFrom_reverts() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotDisputeGame.selector, stranger));
        rollup.invalidateFrom(0, challenger);

        vm.prank(game);
        vm.expectRevert(Rollup.ZeroAddress.selector);
        rollup.invalidateFrom(0, address(0));

        vm.prank(game);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchNotFound.selector, 4, 4));
        rollup.invalidateFrom(4, challenger);

        vm.warp(rollup.batch(0).timestamp + WINDOW);
        vm.prank(game);
        vm.expectRevert(abi.encodeWithSelector(Rollup.BatchFinal.selector, 0));
        rollup.invalidateFrom(0, challenger);
        // Later, not yet final batches can still go.
        vm.prank(game);
        rollup.invalidateFrom(1, challenger);
    }

    function test_invalidateFrom_noGameSet() public {
        Rollup r = new Rollup(sequencer, address(0), WINDOW, BOND, GENESIS, CHAIN_ID);
        vm.prank(address(0));
        vm.expectRevert(abi.encodeWithSelector(Rollup.NotDisputeGame.selector, address(0)));
        r.invalidateFrom(0, challenger);
    }

    function test_invalidateFrom_deferredPayout() public {
        EthRejecter rec = new EthRejecter();
        vm.expectEmit(address(rollup));
        emit Rollup.BatchesInvalidated(2, 2, address(rec), BOND / 2, BOND / 2);
        vm.expectEmit(address(rollup));
        emit Rollup.PayoutDeferred(address(rec), BOND / 2);
        vm.prank(game);
        rollup.invalidateFrom(2, address(rec));
        assertEq(rollup.unclaimedPayout(address(rec)), BOND / 2);
        assertEq(rollup.batchCount(), 2);

        vm.expectRevert(abi.encodeWithSelector(Rollup.TransferFailed.selector, address(rec), BOND / 2));
        rec.call(address(rollup), abi.encodeCall(Rollup.claimPayout, ()));

        rec.setAccept(true);
        vm.expectEmit(address(rollup));
        emit Rollup.PayoutClaimed(address(rec), BOND / 2);
        rec.call(address(rollup), abi.encodeCall(Rollup.claimPayout, ()));
        assertEq(address(rec).balance, BOND / 2);
        assertEq(rollup.unclaimedPayout(address(rec)), 0);

        vm.expectRevert(Rollup.NothingToClaim.selector);
        rec.call(address(rollup), abi.encodeCall(Rollup.claimPayout, ()));
    }
}
