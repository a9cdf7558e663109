// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

// Token is a plain OpenZeppelin ERC20 whose deployer receives the supply.
contract Token is ERC20 {
    constructor(uint256 supply) ERC20("Lanes Test Token", "LTT") {
        _mint(msg.sender, supply);
    }
}
