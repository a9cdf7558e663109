// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Probe is the contract the end-to-end tests deploy and call: a counter
/// with an indexed event, a settable value and two ways to revert.
contract Probe {
    error ProbeError(uint256 code);

    event Incremented(address indexed by, uint256 indexed count);
    event ValueSet(uint256 value);

    uint256 public count;
    uint256 public value;

    function increment() external {
        count += 1;
        emit Incremented(msg.sender, count);
    }

    function set(uint256 v) external {
        value = v;
        emit ValueSet(v);
    }

    function get() external view returns (uint256) {
        return count;
    }

    function failRequire() external pure {
        require(false, "probe: nope");
    }

    function failCustom(uint256 code) external pure {
        revert ProbeError(code);
    }
}
