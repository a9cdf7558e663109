// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleRoot} from "./lib/MerkleRoot.sol";
import {Owned} from "./lib/Owned.sol";

/// @title Rollup
/// @notice The sequencer inbox of the Lanes L2 and the record of its output
///         commitments. The bonded sequencer posts batches (runs of
///         consecutive L2 blocks) as calldata or EIP-4844 blobs, each with
///         the output root it starts from, the output root of its last
///         block, and `outputsRoot`, the MerkleRoot (see lib/MerkleRoot.sol)
///         over the output roots of every block in the batch.
///
///         A batch is final `challengeWindow` seconds after it was posted,
///         unless the dispute game removed it first. Removing batch i also
///         removes every later batch and slashes the sequencer's bond; the
///         sequencer then posts again from batch i-1's last output root.
///
/// Numbering: the L2 genesis block is block 0 and its output root is
/// `genesisOutputRoot`. Batch 0 starts at L2 block 1; batch i starts at the
/// block after batch i-1's `lastL2Block`.
///
/// Bond: one standing bond of the sequencer, held here. Submitting needs at
/// least `sequencerBond`. While any batch is not final, `sequencerBond` of it
/// is locked and only the excess can be withdrawn; once every batch is final
/// all of it can. An invalidation slashes min(bond, sequencerBond): half is
/// paid to the recipient named by the dispute game, the other half is burnt
/// by staying locked in this contract for ever (counted in `totalBurnt`).
contract Rollup is Owned {
    /// @notice What is stored for each batch (five storage slots).
    struct Batch {
        /// keccak256(data) for a calldata batch; for a blob batch,
        /// keccak256 of the concatenated blob versioned hashes, in order.
        bytes32 dataHash;
        /// MerkleRoot over the output roots of blocks firstL2Block..lastL2Block.
        bytes32 outputsRoot;
        /// Output root of block lastL2Block.
        bytes32 lastOutputRoot;
        /// Last L2 block of the batch (the first is implied, see above).
        uint64 lastL2Block;
        /// L1 origin the sequencer named for the batch (checked against
        /// blockhash at submission).
        uint64 l1OriginNumber;
        /// L1 block number that included the batch.
        uint64 l1Block;
        /// L1 timestamp that included the batch; finality counts from it.
        uint64 timestamp;
        /// Whether the data was posted as blobs (else calldata).
        bool blobs;
    }

    /// @notice Share of a slashed bond that is burnt, in basis points.
    uint256 public constant BURN_BPS = 5_000;
    /// @notice Most blobs one blob batch may reference.
    uint256 public constant MAX_BLOBS = 6;
    /// @notice How far back blockhash reaches; older L1 origins are refused.
    uint256 public constant L1_ORIGIN_MAX_AGE = 256;

    /// @notice The only account allowed to submit batches.
    address public immutable sequencer;
    /// @notice Seconds after submission at which a batch becomes final.
    uint64 public immutable challengeWindow;
    /// @notice Bond (wei) the sequencer must hold to submit.
    uint256 public immutable sequencerBond;
    /// @notice Output root of L2 block 0.
    bytes32 public immutable genesisOutputRoot;
    /// @notice Chain ID of the L2.
    uint64 public immutable l2ChainId;

    /// @notice The contract allowed to invalidate batches; set once.
    address public disputeGame;
    /// @notice The sequencer's current bond (wei).
    uint256 public bond;
    /// @notice Wei burnt by slashing, locked here for ever.
    uint256 public totalBurnt;
    /// @notice Slash payouts whose transfer failed, claimable by the recipient.
    mapping(address => uint256) public unclaimedPayout;

    /// Batches 0..batchCount()-1. Entries at or beyond the count are stale
    /// leftovers of an invalidation and are never read.
    mapping(uint256 => Batch) private _batches;
    uint256 private _count;

    /// @notice Emitted once at construction with the immutable configuration.
    event RollupConfigured(
        address indexed sequencer,
        uint64 challengeWindow,
        uint256 sequencerBond,
        bytes32 genesisOutputRoot,
        uint64 l2ChainId
    );
    /// @notice The dispute game address was set (once).
    event DisputeGameSet(address indexed disputeGame);
    /// @notice `from` added `amount` to the sequencer's bond, now `bond`.
    event BondDeposited(address indexed from, uint256 amount, uint256 bond);
    /// @notice The sequencer withdrew `amount` of its bond, now `bond`.
    event BondWithdrawn(address indexed to, uint256 amount, uint256 bond);
    /// @notice Batch `batchIndex` was recorded.
    event BatchSubmitted(
        uint256 indexed batchIndex,
        uint64 firstL2Block,
        uint64 lastL2Block,
        bytes32 outputsRoot,
        bytes32 lastOutputRoot,
        bytes32 dataHash,
        bool blobs
    );
    /// @notice Batches fromIndex..fromIndex+count-1 were removed and the bond slashed.
    event BatchesInvalidated(uint256 fromIndex, uint256 count, address recipient, uint256 paid, uint256 burnt);
    /// @notice Paying a slash reward failed; `recipient` can claim it with claimPayout.
    event PayoutDeferred(address indexed recipient, uint256 amount);
    /// @notice A deferred slash reward was claimed.
    event PayoutClaimed(address indexed recipient, uint256 amount);

    /// @notice An address argument was zero.
    error ZeroAddress();
    /// @notice A constructor value was zero.
    error InvalidConfig();
    /// @notice Only the sequencer may call this.
    error NotSequencer(address caller);
    /// @notice Only the dispute game may call this.
    error NotDisputeGame(address caller);
    /// @notice The dispute game address is already set.
    error DisputeGameAlreadySet(address current);
    /// @notice The amount was zero.
    error ZeroAmount();
    /// @notice The sequencer's bond is below the required amount.
    error InsufficientBond(uint256 bond, uint256 required);
    /// @notice More was requested than may be withdrawn now.
    error BondLocked(uint256 requested, uint256 available);
    /// @notice Sending ETH failed.
    error TransferFailed(address to, uint256 amount);
    /// @notice Nothing to claim.
    error NothingToClaim();
    /// @notice A calldata batch had no data.
    error EmptyBatchData();
    /// @notice blobCount must be 1..MAX_BLOBS.
    error InvalidBlobCount(uint256 blobCount);
    /// @notice The transaction carries no blob at `index` although blobCount says so.
    error MissingBlob(uint256 index);
    /// @notice The transaction carries more blobs than blobCount.
    error UnexpectedBlob(uint256 index);
    /// @notice prevOutputRoot is not the last recorded output root.
    error PrevOutputRootMismatch(bytes32 expected, bytes32 given);
    /// @notice lastL2Block does not advance past the previous batch.
    error L2BlockNotAfterPrevious(uint64 previous, uint64 given);
    /// @notice outputsRoot or lastOutputRoot was zero.
    error ZeroOutputRoot();
    /// @notice A one-block batch's outputsRoot must equal its lastOutputRoot.
    error OutputsRootMismatch(bytes32 outputsRoot, bytes32 lastOutputRoot);
    /// @notice The L1 origin is not before the current L1 block.
    error L1OriginNotInPast(uint64 l1OriginNumber, uint256 blockNumber);
    /// @notice The L1 origin is below the previous batch's.
    error L1OriginDecreased(uint64 previous, uint64 given);
    /// @notice The L1 origin is older than blockhash can check.
    error L1OriginTooOld(uint64 l1OriginNumber, uint256 blockNumber);
    /// @notice The L1 origin hash is not the canonical hash of that block.
    error L1OriginHashMismatch(uint64 l1OriginNumber, bytes32 expected, bytes32 given);
    /// @notice No batch with this index.
    error BatchNotFound(uint256 batchIndex, uint256 batchCount);
    /// @notice The batch is final and can no longer be invalidated.
    error BatchFinal(uint256 batchIndex);
    /// @notice No batch is final yet.
    error NoFinalizedBatch();
    /// @notice No recorded batch contains this L2 block.
    error L2BlockNotInBatches(uint64 l2Block);

    modifier onlySequencer() {
        if (msg.sender != sequencer) revert NotSequencer(msg.sender);
        _;
    }

    /// @param sequencer_ the batch submitter.
    /// @param disputeGame_ the dispute game, or zero to set later with setDisputeGame.
    /// @param challengeWindow_ seconds until a batch is final (nonzero).
    /// @param sequencerBond_ wei the sequencer must hold to submit (nonzero).
    /// @param genesisOutputRoot_ output root of L2 block 0 (nonzero).
    /// @param l2ChainId_ the L2 chain ID (nonzero).
    constructor(
        address sequencer_,
        address disputeGame_,
        uint64 challengeWindow_,
        uint256 sequencerBond_,
        bytes32 genesisOutputRoot_,
        uint64 l2ChainId_
    ) Owned(msg.sender) {
        if (sequencer_ == address(0)) revert ZeroAddress();
        if (challengeWindow_ == 0 || sequencerBond_ == 0 || genesisOutputRoot_ == bytes32(0) || l2ChainId_ == 0) {
            revert InvalidConfig();
        }
        sequencer = sequencer_;
        challengeWindow = challengeWindow_;
        sequencerBond = sequencerBond_;
        genesisOutputRoot = genesisOutputRoot_;
        l2ChainId = l2ChainId_;
        emit RollupConfigured(sequencer_, challengeWindow_, sequencerBond_, genesisOutputRoot_, l2ChainId_);
        if (disputeGame_ != address(0)) {
            disputeGame = disputeGame_;
            emit DisputeGameSet(disputeGame_);
        }
    }

    // ---------------------------------------------------------------------
    // Configuration
    // ---------------------------------------------------------------------

    /// @notice Sets the dispute game. Owner only, and only while it is unset.
    function setDisputeGame(address disputeGame_) external onlyOwner {
        if (disputeGame != address(0)) revert DisputeGameAlreadySet(disputeGame);
        if (disputeGame_ == address(0)) revert ZeroAddress();
        disputeGame = disputeGame_;
        emit DisputeGameSet(disputeGame_);
    }

    // ---------------------------------------------------------------------
    // Bond
    // ---------------------------------------------------------------------

    /// @notice Adds msg.value to the sequencer's bond. Anyone may fund it;
    ///         only the sequencer can withdraw it.
    function depositBond() external payable {
        if (msg.value == 0) revert ZeroAmount();
        uint256 newBond = bond + msg.value;
        bond = newBond;
        emit BondDeposited(msg.sender, msg.value, newBond);
    }

    /// @notice What the sequencer may withdraw now: all of the bond when no
    ///         batch is pending, else only the excess over sequencerBond.
    function withdrawableBond() public view returns (uint256) {
        uint256 b = bond;
        if (!hasPendingBatches()) return b;
        return b > sequencerBond ? b - sequencerBond : 0;
    }

    /// @notice Sends `amount` of the bond to the sequencer.
    function withdrawBond(uint256 amount) external onlySequencer {
        if (amount == 0) revert ZeroAmount();
        uint256 available = withdrawableBond();
        if (amount > available) revert BondLocked(amount, available);
        uint256 newBond = bond - amount;
        bond = newBond;
        emit BondWithdrawn(msg.sender, amount, newBond);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    /// @notice Claims a slash payout whose direct transfer failed.
    function claimPayout() external {
        uint256 amount = unclaimedPayout[msg.sender];
        if (amount == 0) revert NothingToClaim();
        unclaimedPayout[msg.sender] = 0;
        emit PayoutClaimed(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed(msg.sender, amount);
    }

    // ---------------------------------------------------------------------
    // Submission
    // ---------------------------------------------------------------------

    /// @notice Records a batch whose data is this call's `data` (calldata DA).
    /// @param data the encoded batch (version byte + compressed RLP); nonempty.
    /// @param prevOutputRoot must equal latestOutputRoot().
    /// @param outputsRoot MerkleRoot over the batch's per-block output roots.
    /// @param lastOutputRoot output root of block lastL2Block.
    /// @param lastL2Block last L2 block of the batch; > the previous batch's.
    /// @param l1OriginNumber an L1 block < block.number, at most 256 blocks
    ///        old, not below the previous batch's.
    /// @param l1OriginHash blockhash(l1OriginNumber).
    function submitBatch(
        bytes calldata data,
        bytes32 prevOutputRoot,
        bytes32 outputsRoot,
        bytes32 lastOutputRoot,
        uint64 lastL2Block,
        uint64 l1OriginNumber,
        bytes32 l1OriginHash
    ) external onlySequencer {
        if (data.length == 0) revert EmptyBatchData();
        _record(
            _newBatch(keccak256(data), false, outputsRoot, lastOutputRoot, lastL2Block, l1OriginNumber),
            prevOutputRoot,
            l1OriginHash
        );
    }

    /// @notice Records a batch whose data is the first `blobCount` blobs of
    ///         this transaction (EIP-4844). The transaction must carry exactly
    ///         blobCount blobs. Other parameters as in submitBatch.
    function submitBatchBlobs(
        uint256 blobCount,
        bytes32 prevOutputRoot,
        bytes32 outputsRoot,
        bytes32 lastOutputRoot,
        uint64 lastL2Block,
        uint64 l1OriginNumber,
        bytes32 l1OriginHash
    ) external onlySequencer {
        if (blobCount == 0 || blobCount > MAX_BLOBS) revert InvalidBlobCount(blobCount);
        bytes32[] memory hashes = new bytes32[](blobCount);
        for (uint256 i = 0; i < blobCount; i++) {
            bytes32 h = blobhash(i);
            if (h == bytes32(0)) revert MissingBlob(i);
            hashes[i] = h;
        }
        if (blobhash(blobCount) != bytes32(0)) revert UnexpectedBlob(blobCount);
        _record(
            _newBatch(
                keccak256(abi.encodePacked(hashes)), true, outputsRoot, lastOutputRoot, lastL2Block, l1OriginNumber
            ),
            prevOutputRoot,
            l1OriginHash
        );
    }

    function _newBatch(
        bytes32 dataHash,
        bool blobs,
        bytes32 outputsRoot,
        bytes32 lastOutputRoot,
        uint64 lastL2Block,
        uint64 l1OriginNumber
    ) private view returns (Batch memory) {
        return Batch({
            dataHash: dataHash,
            outputsRoot: outputsRoot,
            lastOutputRoot: lastOutputRoot,
            lastL2Block: lastL2Block,
            l1OriginNumber: l1OriginNumber,
            l1Block: uint64(block.number),
            timestamp: uint64(block.timestamp),
            blobs: blobs
        });
    }

    function _record(Batch memory b, bytes32 prevOutputRoot, bytes32 l1OriginHash) private {
        if (bond < sequencerBond) revert InsufficientBond(bond, sequencerBond);

        uint256 index = _count;
        bytes32 expectedPrev = genesisOutputRoot;
        uint64 prevL2Block = 0;
        uint64 prevOrigin = 0;
        if (index > 0) {
            Batch storage prev = _batches[index - 1];
            expectedPrev = prev.lastOutputRoot;
            prevL2Block = prev.lastL2Block;
            prevOrigin = prev.l1OriginNumber;
        }
        if (prevOutputRoot != expectedPrev) revert PrevOutputRootMismatch(expectedPrev, prevOutputRoot);
        if (b.lastL2Block <= prevL2Block) revert L2BlockNotAfterPrevious(prevL2Block, b.lastL2Block);
        if (b.outputsRoot == bytes32(0) || b.lastOutputRoot == bytes32(0)) revert ZeroOutputRoot();
        if (b.lastL2Block == prevL2Block + 1 && b.outputsRoot != b.lastOutputRoot) {
            revert OutputsRootMismatch(b.outputsRoot, b.lastOutputRoot);
        }
        _checkL1Origin(prevOrigin, b.l1OriginNumber, l1OriginHash);

        _batches[index] = b;
        _count = index + 1;
        emit BatchSubmitted(index, prevL2Block + 1, b.lastL2Block, b.outputsRoot, b.lastOutputRoot, b.dataHash, b.blobs);
    }

    function _checkL1Origin(uint64 prevOrigin, uint64 l1OriginNumber, bytes32 l1OriginHash) private view {
        if (l1OriginNumber >= block.number) revert L1OriginNotInPast(l1OriginNumber, block.number);
        if (l1OriginNumber < prevOrigin) revert L1OriginDecreased(prevOrigin, l1OriginNumber);
        if (block.number - l1OriginNumber > L1_ORIGIN_MAX_AGE) revert L1OriginTooOld(l1OriginNumber, block.number);
        bytes32 canonical = blockhash(l1OriginNumber);
        if (canonical != l1OriginHash) revert L1OriginHashMismatch(l1OriginNumber, canonical, l1OriginHash);
    }

    // ---------------------------------------------------------------------
    // Invalidation
    // ---------------------------------------------------------------------

    /// @notice Removes batch `batchIndex` and every later batch, and slashes
    ///         the bond: min(bond, sequencerBond) is taken, BURN_BPS of it is
    ///         burnt (locked here) and the rest paid to `recipient` (or made
    ///         claimable by it if the transfer fails). Dispute game only; the
    ///         batch must not be final. The caller must make sure the index
    ///         still names the batch it judged (an earlier invalidation may
    ///         have removed it and the sequencer re-posted at that index).
    function invalidateFrom(uint256 batchIndex, address recipient) external {
        if (disputeGame == address(0) || msg.sender != disputeGame) revert NotDisputeGame(msg.sender);
        if (recipient == address(0)) revert ZeroAddress();
        uint256 count = _count;
        if (batchIndex >= count) revert BatchNotFound(batchIndex, count);
        if (_isFinal(_batches[batchIndex])) revert BatchFinal(batchIndex);

        _count = batchIndex;
        uint256 b = bond;
        uint256 slashed = b < sequencerBond ? b : sequencerBond;
        uint256 burnt = slashed * BURN_BPS / 10_000;
        uint256 paid = slashed - burnt;
        bond = b - slashed;
        totalBurnt += burnt;
        emit BatchesInvalidated(batchIndex, count - batchIndex, recipient, paid, burnt);

        if (paid > 0) {
            (bool ok,) = recipient.call{value: paid}("");
            if (!ok) {
                unclaimedPayout[recipient] += paid;
                emit PayoutDeferred(recipient, paid);
            }
        }
    }

    // ---------------------------------------------------------------------
    // Reading
    // ---------------------------------------------------------------------

    /// @notice Number of recorded (not invalidated) batches.
    function batchCount() external view returns (uint256) {
        return _count;
    }

    /// @notice The record of batch `batchIndex`.
    function batch(uint256 batchIndex) external view returns (Batch memory) {
        return _get(batchIndex);
    }

    /// @notice First and last L2 block of batch `batchIndex`.
    function l2BlockOfBatch(uint256 batchIndex) external view returns (uint64 firstL2Block, uint64 lastL2Block) {
        Batch storage b = _get(batchIndex);
        return (_firstL2Block(batchIndex), b.lastL2Block);
    }

    /// @notice The batch containing L2 block `l2Block` (>= 1).
    function batchOfL2Block(uint64 l2Block) external view returns (uint256 batchIndex) {
        uint256 count = _count;
        if (l2Block == 0 || count == 0 || _batches[count - 1].lastL2Block < l2Block) {
            revert L2BlockNotInBatches(l2Block);
        }
        uint256 lo = 0;
        uint256 hi = count - 1;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (_batches[mid].lastL2Block < l2Block) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// @notice Last L2 block covered by a batch (0 if none).
    function latestL2Block() external view returns (uint64) {
        uint256 count = _count;
        return count == 0 ? 0 : _batches[count - 1].lastL2Block;
    }

    /// @notice Output root the next batch must start from: the last batch's
    ///         lastOutputRoot, or genesisOutputRoot when there is none.
    function latestOutputRoot() external view returns (bytes32) {
        uint256 count = _count;
        return count == 0 ? genesisOutputRoot : _batches[count - 1].lastOutputRoot;
    }

    /// @notice lastOutputRoot of batch `batchIndex`.
    function outputRootAt(uint256 batchIndex) external view returns (bytes32) {
        return _get(batchIndex).lastOutputRoot;
    }

    /// @notice Whether batch `batchIndex` exists and its challenge window is
    ///         over. False for indexes that were never posted or were removed.
    function isFinal(uint256 batchIndex) external view returns (bool) {
        return batchIndex < _count && _isFinal(_batches[batchIndex]);
    }

    /// @notice Whether some batch is not final yet.
    function hasPendingBatches() public view returns (bool) {
        uint256 count = _count;
        return count > 0 && !_isFinal(_batches[count - 1]);
    }

    /// @notice Number of final batches; they are always batches 0..n-1,
    ///         since timestamps never decrease. O(log n).
    function finalizedBatchCount() public view returns (uint256) {
        uint256 lo = 0;
        uint256 hi = _count;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (_isFinal(_batches[mid])) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// @notice Index of the last final batch. Reverts NoFinalizedBatch when
    ///         none is final (use finalizedBatchCount to avoid the revert).
    function lastFinalizedBatch() external view returns (uint256) {
        uint256 n = finalizedBatchCount();
        if (n == 0) revert NoFinalizedBatch();
        return n - 1;
    }

    /// @notice Output root of the last block of the last final batch, or
    ///         genesisOutputRoot if none is final.
    function finalizedOutputRoot() external view returns (bytes32) {
        uint256 n = finalizedBatchCount();
        return n == 0 ? genesisOutputRoot : _batches[n - 1].lastOutputRoot;
    }

    /// @notice Whether `outputRoot` is the output root of block
    ///         firstL2Block + blockOffset of batch `batchIndex`, by a Merkle
    ///         proof against its outputsRoot (siblings bottom-up, exactly
    ///         ceil(log2(blockCount)) of them). False for offsets outside the
    ///         batch. Reverts BatchNotFound for unknown batches.
    function verifyBlockOutput(uint256 batchIndex, uint256 blockOffset, bytes32 outputRoot, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        Batch storage b = _get(batchIndex);
        uint256 leafCount = uint256(b.lastL2Block) - _firstL2Block(batchIndex) + 1;
        return MerkleRoot.verifyInTree(b.outputsRoot, leafCount, outputRoot, blockOffset, proof);
    }

    function _get(uint256 batchIndex) private view returns (Batch storage) {
        uint256 count = _count;
        if (batchIndex >= count) revert BatchNotFound(batchIndex, count);
        return _batches[batchIndex];
    }

    function _firstL2Block(uint256 batchIndex) private view returns (uint64) {
        return batchIndex == 0 ? 1 : _batches[batchIndex - 1].lastL2Block + 1;
    }

    function _isFinal(Batch storage b) private view returns (bool) {
        // Finality is a time rule by design; a proposer's few seconds of
        // timestamp leeway are negligible against the window.
        // forge-lint: disable-next-line(block-timestamp)
        return block.timestamp >= uint256(b.timestamp) + challengeWindow;
    }
}
