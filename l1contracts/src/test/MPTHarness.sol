// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerklePatriciaTrie} from "../lib/MerklePatriciaTrie.sol";

/// @title MPTHarness
/// @notice External entry points to the MerklePatriciaTrie library, so that
///         Go tests can run the compiled library inside go-ethereum's EVM and
///         measure its gas. Not deployed on any chain. The function names
///         carry a prefix so that the Go types abigen derives from them
///         (MptGetOutput) cannot clash with other contracts' bindings.
contract MPTHarness {
    /// @notice See MerklePatriciaTrie.get.
    function mptGet(bytes32 root, bytes32 key, bytes[] memory proof)
        external
        pure
        returns (bool found, bytes memory value)
    {
        return MerklePatriciaTrie.get(root, key, proof);
    }

    /// @notice See MerklePatriciaTrie.update.
    function mptUpdate(bytes32 root, bytes32 key, bytes memory value, bytes[] memory proof, bytes memory sibling)
        external
        pure
        returns (bytes32)
    {
        return MerklePatriciaTrie.update(root, key, value, proof, sibling);
    }

    /// @notice See MerklePatriciaTrie.remove.
    function mptRemove(bytes32 root, bytes32 key, bytes[] memory proof, bytes memory sibling)
        external
        pure
        returns (bytes32)
    {
        return MerklePatriciaTrie.remove(root, key, proof, sibling);
    }
}
