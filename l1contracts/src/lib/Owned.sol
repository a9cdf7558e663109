// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Owned
/// @notice Single-owner access control with a two-step hand-over: the owner
///         names a successor, and the successor must accept before anything
///         changes. A mistyped address therefore never takes control.
abstract contract Owned {
    /// @notice The account allowed to call owner-only functions.
    address public owner;
    /// @notice The successor named by the owner, until it accepts (or zero).
    address public pendingOwner;

    /// @notice `newOwner` was named as successor by `previousOwner`.
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    /// @notice Ownership moved. `previousOwner` is zero at construction.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    /// @notice The caller is not the owner.
    error NotOwner(address caller);
    /// @notice The caller is not the pending owner.
    error NotPendingOwner(address caller);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor(address initialOwner) {
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    /// @notice Names `newOwner` as successor. Zero cancels a pending transfer.
    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(msg.sender, newOwner);
    }

    /// @notice Completes a transfer; only the named successor may call it.
    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner(msg.sender);
        address previous = owner;
        owner = msg.sender;
        pendingOwner = address(0);
        emit OwnershipTransferred(previous, msg.sender);
    }
}
