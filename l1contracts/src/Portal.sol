// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Owned} from "./lib/Owned.sol";

/// @title Portal
/// @notice L1 → L2 ETH deposits. A deposit locks ETH here and emits
///         DepositETH; the sequencer credits it on L2 in the first L2 block
///         whose L1 origin is (or passes) the L1 block of the deposit, as an
///         EIP-4895 withdrawal entry (index = nonce, address = to, amount in
///         gwei). That is why amounts are whole gwei and fit in a uint64.
///
///         Deposits made by contracts (including through receive()) are
///         credited to the same address on L2; a contract sender must be
///         sure it controls that address there.
///
///         receive() needs more than the 2300 gas that Solidity's
///         transfer/send forward; send with a plain call instead.
///
///         Limits: MIN_DEPOSIT = 0.0001 ether keeps dust deposits from
///         filling L2 blocks with withdrawal entries; MAX_DEPOSIT =
///         1000 ether (1e12 gwei, far below the uint64 limit of ~1.8e19 gwei)
///         caps what one deposit can move.
///
///         The owner can pause deposits in an emergency. Withdrawals (L2 →
///         L1, proven against finalized output roots in Rollup) come later
///         and will release the ETH held here; pausing will never apply to
///         them.
contract Portal is Owned {
    /// @notice Smallest deposit, in wei.
    uint256 public constant MIN_DEPOSIT = 0.0001 ether;
    /// @notice Largest deposit, in wei.
    uint256 public constant MAX_DEPOSIT = 1000 ether;

    /// @notice Whether deposits are paused.
    bool public paused;
    /// @notice Number of deposits made; the next deposit gets this nonce.
    uint256 public depositCount;

    /// @notice A deposit of `amountGwei` gwei from `from` to `to` on L2.
    ///         Nonces start at 0 and increase by one per deposit.
    event DepositETH(uint256 indexed nonce, address indexed from, address indexed to, uint64 amountGwei);
    /// @notice Deposits were paused by `account`.
    event Paused(address indexed account);
    /// @notice Deposits were resumed by `account`.
    event Unpaused(address indexed account);

    /// @notice Deposits are paused.
    error DepositsPaused();
    /// @notice The recipient was the zero address.
    error ZeroRecipient();
    /// @notice The amount is not a whole number of gwei.
    error NotWholeGwei(uint256 amount);
    /// @notice The amount is below MIN_DEPOSIT.
    error DepositTooSmall(uint256 amount, uint256 min);
    /// @notice The amount is above MAX_DEPOSIT.
    error DepositTooLarge(uint256 amount, uint256 max);
    /// @notice pause() while paused, or unpause() while not paused.
    error PauseUnchanged(bool paused);

    constructor() Owned(msg.sender) {}

    /// @notice Deposits msg.value to `to` on L2.
    function depositETH(address to) external payable {
        _deposit(to);
    }

    /// @notice Plain transfers deposit to the sender's own address on L2.
    receive() external payable {
        _deposit(msg.sender);
    }

    /// @notice Stops deposits. Owner only.
    function pause() external onlyOwner {
        if (paused) revert PauseUnchanged(true);
        paused = true;
        emit Paused(msg.sender);
    }

    /// @notice Resumes deposits. Owner only.
    function unpause() external onlyOwner {
        if (!paused) revert PauseUnchanged(false);
        paused = false;
        emit Unpaused(msg.sender);
    }

    function _deposit(address to) private {
        if (paused) revert DepositsPaused();
        if (to == address(0)) revert ZeroRecipient();
        uint256 amount = msg.value;
        if (amount % 1 gwei != 0) revert NotWholeGwei(amount);
        if (amount < MIN_DEPOSIT) revert DepositTooSmall(amount, MIN_DEPOSIT);
        if (amount > MAX_DEPOSIT) revert DepositTooLarge(amount, MAX_DEPOSIT);
        uint256 nonce = depositCount;
        depositCount = nonce + 1;
        // forge-lint: disable-next-line(unsafe-typecast) -- amount <= MAX_DEPOSIT, so amount / 1 gwei < 2**64
        emit DepositETH(nonce, msg.sender, to, uint64(amount / 1 gwei));
    }
}
