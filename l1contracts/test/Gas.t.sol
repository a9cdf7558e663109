// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RollupBase} from "./RollupBase.t.sol";

/// Gas figures for the batcher: `forge test --match-contract RollupGasTest
/// --gas-report` or -vv for the logged numbers. Execution gas only; the
/// transaction also pays intrinsic calldata gas (EIP-7623 floor applies).
contract RollupGasTest is RollupBase {
    function _measure(uint256 size) internal returns (uint256 used) {
        bytes memory data = new bytes(size);
        for (uint256 i = 0; i < size; i += 32) {
            bytes32 word = keccak256(abi.encode(i));
            assembly ("memory-safe") {
                mstore(add(add(data, 0x20), i), word)
            }
        }
        _advance(1);
        (uint64 n, bytes32 h) = _origin();
        bytes32 prev = rollup.latestOutputRoot();
        uint64 last = rollup.latestL2Block() + 100;
        vm.prank(sequencer);
        uint256 before = gasleft();
        rollup.submitBatch(data, prev, keccak256("outputs"), _root(last), last, n, h);
        used = before - gasleft();
    }

    function test_gas_submitBatch_100KB() public {
        emit log_named_uint("submitBatch 100KB (call gas)", _measure(100_000));
    }

    function test_gas_submitBatch_1KB() public {
        emit log_named_uint("submitBatch 1KB (call gas)", _measure(1_000));
    }
}
