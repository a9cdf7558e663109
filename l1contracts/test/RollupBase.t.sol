// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Rollup} from "../src/Rollup.sol";

/// @dev Rejects ETH until told otherwise; forwards calls so it can act as
///      sequencer or payout recipient.
contract EthRejecter {
    bool public accept;

    function setAccept(bool a) external {
        accept = a;
    }

    function call(address target, bytes calldata data) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        require(accept);
    }
}

/// @dev Shared setup and helpers for the Rollup tests.
abstract contract RollupBase is Test {
    Rollup internal rollup;

    address internal sequencer = makeAddr("sequencer");
    address internal game = makeAddr("game");
    address internal stranger = makeAddr("stranger");
    address internal challenger = makeAddr("challenger");

    uint64 internal constant WINDOW = 60;
    uint256 internal constant BOND = 1 ether;
    bytes32 internal constant GENESIS = keccak256("genesis output root");
    uint64 internal constant CHAIN_ID = 901;

    uint256 internal constant START_BLOCK = 1_000;
    uint256 internal constant START_TIME = 1_700_000_000;

    function setUp() public virtual {
        vm.roll(START_BLOCK);
        vm.warp(START_TIME);
        rollup = new Rollup(sequencer, game, WINDOW, BOND, GENESIS, CHAIN_ID);
        vm.deal(sequencer, 100 ether);
        vm.prank(sequencer);
        rollup.depositBond{value: BOND}();
    }

    /// @dev A deterministic canonical hash for L1 block n, installed in the VM.
    function _setHash(uint256 n) internal returns (bytes32 h) {
        h = keccak256(abi.encode("l1 block", n));
        vm.setBlockhash(n, h);
    }

    /// @dev The latest possible L1 origin: the parent of the current block.
    function _origin() internal returns (uint64 n, bytes32 h) {
        n = uint64(block.number - 1);
        h = _setHash(n);
    }

    function _root(uint256 l2Block) internal pure returns (bytes32) {
        return keccak256(abi.encode("output root", l2Block));
    }

    /// @dev outputsRoot stand-in for a batch; a one-block batch must use the
    ///      block's output root itself.
    function _outputsRoot(uint64 first, uint64 last) internal pure returns (bytes32) {
        if (first == last) return _root(last);
        return keccak256(abi.encode("outputs", first, last));
    }

    /// @dev Submits a valid calldata batch extending the chain to `last`.
    function _submit(uint64 last) internal returns (uint256 index) {
        index = rollup.batchCount();
        uint64 first = rollup.latestL2Block() + 1;
        (uint64 n, bytes32 h) = _origin();
        bytes32 prev = rollup.latestOutputRoot();
        vm.prank(sequencer);
        rollup.submitBatch(abi.encodePacked("batch", last), prev, _outputsRoot(first, last), _root(last), last, n, h);
    }

    /// @dev Moves L1 forward by `blocks` blocks of 12 seconds.
    function _advance(uint256 blocks) internal {
        vm.roll(block.number + blocks);
        vm.warp(block.timestamp + blocks * 12);
    }
}
