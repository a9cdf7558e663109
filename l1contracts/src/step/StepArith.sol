// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StepLib} from "./StepLib.sol";

/// @title StepArith
/// @notice One-step library (inlined in OneStepProver) for arithmetic, comparison and bitwise opcodes
///         (0x01-0x0b, 0x10-0x1d), each computed with the EVM's own
///         instruction, and CLZ (0x1e), which the L1 EVM may lack, computed
///         by halving.
library StepArith {
    using StepLib for StepLib.Machine;

    /// @notice Executes m.op; returns whether pc moves to the next byte.
    function exec(StepLib.Machine memory m) internal pure returns (bool) {
        uint256 op = m.op;
        uint256 pops = m.pops;
        uint256 a = m.pop();
        uint256 b;
        uint256 c;
        if (pops > 1) b = m.pop();
        if (pops > 2) c = m.pop();
        if (op == 0x0a) {
            uint256 n;
            for (uint256 e = b; e != 0; e >>= 8) n++;
            if (!m.charge(50 * n)) return false;
        }
        uint256 r;
        assembly {
            switch op
            case 0x01 { r := add(a, b) }
            case 0x02 { r := mul(a, b) }
            case 0x03 { r := sub(a, b) }
            case 0x04 { r := div(a, b) }
            case 0x05 { r := sdiv(a, b) }
            case 0x06 { r := mod(a, b) }
            case 0x07 { r := smod(a, b) }
            case 0x08 { r := addmod(a, b, c) }
            case 0x09 { r := mulmod(a, b, c) }
            case 0x0a { r := exp(a, b) }
            case 0x0b { r := signextend(a, b) }
            case 0x10 { r := lt(a, b) }
            case 0x11 { r := gt(a, b) }
            case 0x12 { r := slt(a, b) }
            case 0x13 { r := sgt(a, b) }
            case 0x14 { r := eq(a, b) }
            case 0x15 { r := iszero(a) }
            case 0x16 { r := and(a, b) }
            case 0x17 { r := or(a, b) }
            case 0x18 { r := xor(a, b) }
            case 0x19 { r := not(a) }
            case 0x1a { r := byte(a, b) }
            case 0x1b { r := shl(a, b) }
            case 0x1c { r := shr(a, b) }
            case 0x1d { r := sar(a, b) }
            case 0x1e {
                // CLZ (EIP-7939): leading zero bits, by halving.
                r := 256
                if a {
                    r := 0
                    for { let w := 128 } w { w := shr(1, w) } {
                        if iszero(shr(sub(256, w), a)) {
                            r := add(r, w)
                            a := shl(w, a)
                        }
                    }
                }
            }
        }
        m.push(r);
        return true;
    }
}
