// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Portal} from "../src/Portal.sol";
import {Owned} from "../src/lib/Owned.sol";

contract PortalTest is Test {
    Portal internal portal;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        portal = new Portal();
        vm.deal(alice, 10_000 ether);
    }

    function test_constructor() public {
        assertEq(portal.owner(), address(this));
        assertFalse(portal.paused());
        assertEq(portal.depositCount(), 0);
        assertEq(portal.MIN_DEPOSIT(), 0.0001 ether);
        assertEq(portal.MAX_DEPOSIT(), 1000 ether);
        assertLt(portal.MAX_DEPOSIT() / 1 gwei, uint256(type(uint64).max));
        vm.expectEmit();
        emit Owned.OwnershipTransferred(address(0), address(this));
        new Portal();
    }

    function test_depositETH() public {
        vm.expectEmit(address(portal));
        emit Portal.DepositETH(0, alice, bob, 1e9);
        vm.prank(alice);
        portal.depositETH{value: 1 ether}(bob);

        vm.expectEmit(address(portal));
        emit Portal.DepositETH(1, alice, alice, 123_456);
        vm.prank(alice);
        portal.depositETH{value: 123_456 gwei}(alice);

        assertEq(portal.depositCount(), 2);
        assertEq(address(portal).balance, 1 ether + 123_456 gwei);
    }

    function test_receive() public {
        vm.expectEmit(address(portal));
        emit Portal.DepositETH(0, alice, alice, 2e9);
        vm.prank(alice);
        (bool ok,) = address(portal).call{value: 2 ether}("");
        assertTrue(ok);
        assertEq(portal.depositCount(), 1);
    }

    function test_receive_reverts() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Portal.NotWholeGwei.selector, 1 ether + 1));
        (bool ok,) = address(portal).call{value: 1 ether + 1}("");
        ok;
        portal.pause();
        vm.prank(alice);
        vm.expectRevert(Portal.DepositsPaused.selector);
        (ok,) = address(portal).call{value: 1 ether}("");
    }

    /// transfer/send forward only 2300 gas, too little to record a deposit.
    function test_receive_needsMoreThanStipend() public {
        vm.prank(alice);
        vm.expectRevert();
        payable(address(portal)).transfer(1 ether);
    }

    function test_limits() public {
        vm.startPrank(alice);
        portal.depositETH{value: 0.0001 ether}(bob);
        portal.depositETH{value: 1000 ether}(bob);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositTooSmall.selector, 0.0001 ether - 1 gwei, 0.0001 ether));
        portal.depositETH{value: 0.0001 ether - 1 gwei}(bob);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositTooSmall.selector, 0, 0.0001 ether));
        portal.depositETH{value: 0}(bob);
        vm.expectRevert(abi.encodeWithSelector(Portal.DepositTooLarge.selector, 1000 ether + 1 gwei, 1000 ether));
        portal.depositETH{value: 1000 ether + 1 gwei}(bob);
        vm.expectRevert(abi.encodeWithSelector(Portal.NotWholeGwei.selector, 1 ether + 1));
        portal.depositETH{value: 1 ether + 1}(bob);
        vm.expectRevert(Portal.ZeroRecipient.selector);
        portal.depositETH{value: 1 ether}(address(0));
        vm.stopPrank();
        assertEq(portal.depositCount(), 2);
    }

    function test_pause() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, alice));
        portal.pause();

        vm.expectRevert(abi.encodeWithSelector(Portal.PauseUnchanged.selector, false));
        portal.unpause();

        vm.expectEmit(address(portal));
        emit Portal.Paused(address(this));
        portal.pause();
        assertTrue(portal.paused());

        vm.expectRevert(abi.encodeWithSelector(Portal.PauseUnchanged.selector, true));
        portal.pause();

        vm.prank(alice);
        vm.expectRevert(Portal.DepositsPaused.selector);
        portal.depositETH{value: 1 ether}(bob);

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, alice));
        portal.unpause();

        vm.expectEmit(address(portal));
        emit Portal.Unpaused(address(this));
        portal.unpause();
        assertFalse(portal.paused());

        vm.prank(alice);
        portal.depositETH{value: 1 ether}(bob);
        assertEq(portal.depositCount(), 1);
    }

    function test_ownership() public {
        portal.transferOwnership(alice);
        vm.expectEmit(address(portal));
        emit Owned.OwnershipTransferred(address(this), alice);
        vm.prank(alice);
        portal.acceptOwnership();
        vm.prank(alice);
        portal.pause();
        vm.expectRevert(abi.encodeWithSelector(Owned.NotOwner.selector, address(this)));
        portal.unpause();
    }

    /// Whole-gwei amounts within the limits are accepted and reported
    /// exactly; every other amount is refused.
    function testFuzz_depositAmount(uint256 amount) public {
        amount = bound(amount, 0, 2000 ether);
        vm.deal(alice, amount);
        vm.prank(alice);
        if (amount % 1 gwei != 0) {
            vm.expectRevert(abi.encodeWithSelector(Portal.NotWholeGwei.selector, amount));
        } else if (amount < 0.0001 ether) {
            vm.expectRevert(abi.encodeWithSelector(Portal.DepositTooSmall.selector, amount, 0.0001 ether));
        } else if (amount > 1000 ether) {
            vm.expectRevert(abi.encodeWithSelector(Portal.DepositTooLarge.selector, amount, 1000 ether));
        } else {
            vm.expectEmit(address(portal));
            emit Portal.DepositETH(0, alice, bob, uint64(amount / 1 gwei));
        }
        portal.depositETH{value: amount}(bob);
        bool ok = amount % 1 gwei == 0 && amount >= 0.0001 ether && amount <= 1000 ether;
        assertEq(portal.depositCount(), ok ? 1 : 0);
        assertEq(address(portal).balance, ok ? amount : 0);
    }

    /// Whole-gwei amounts in range, drawn directly in gwei.
    function testFuzz_depositGwei(uint64 gwei_, address to) public {
        vm.assume(to != address(0));
        uint256 g = bound(gwei_, 100_000, 1e12);
        vm.deal(alice, g * 1 gwei);
        vm.expectEmit(address(portal));
        emit Portal.DepositETH(0, alice, to, uint64(g));
        vm.prank(alice);
        portal.depositETH{value: g * 1 gwei}(to);
    }

    function testFuzz_nonceIncreases(uint8 n) public {
        for (uint256 i = 0; i < n % 32; i++) {
            vm.expectEmit(address(portal));
            emit Portal.DepositETH(i, alice, bob, 100_000);
            vm.prank(alice);
            portal.depositETH{value: 0.0001 ether}(bob);
        }
        assertEq(portal.depositCount(), n % 32);
    }
}
