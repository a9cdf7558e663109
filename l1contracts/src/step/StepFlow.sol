// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StepLib} from "./StepLib.sol";

/// @title StepFlow
/// @notice One-step library (inlined in OneStepProver) for stack, control-flow, environment and halting
///         opcodes: POP, PUSH0-32, DUP, SWAP, JUMP, JUMPI, JUMPDEST, PC, GAS,
///         MSIZE, the frame and context reads, STOP, RETURN, REVERT, INVALID.
library StepFlow {
    using StepLib for StepLib.Machine;


    /// @notice Executes m.op; returns whether pc moves to the next byte.
    function exec(StepLib.Machine memory m) internal pure returns (bool) {
        uint256 op = m.op;
        uint256[29] memory st = m.s;
        if (op == 0x00) {
            st[StepLib.F_STATUS] = StepLib.RETURNED;
            return false;
        }
        if (op == 0xf3 || op == 0xfd) {
            uint256 off = m.pop();
            uint256 len = m.pop();
            if (!m.chargeMemory(off, len, 0)) return false;
            st[StepLib.F_STATUS] = op == 0xf3 ? StepLib.RETURNED : StepLib.REVERTED;
            return false;
        }
        if (op == 0xfe) {
            st[StepLib.F_STATUS] = StepLib.ERROR;
            return false;
        }
        if (op == 0x50) {
            m.pop();
            return true;
        }
        if (op >= 0x5f && op <= 0x7f) {
            uint256 n = op - 0x5f;
            uint256 v;
            if (n > 0) {
                uint256 buf = m.readSpan(StepLib.F_CODE_ROOT, st[StepLib.F_CODE_SIZE], st[StepLib.F_PC] + 1, n, true);
                assembly {
                    v := shr(shl(3, sub(32, n)), mload(buf))
                }
                st[StepLib.F_PC] += n;
            }
            m.push(v);
            return true;
        }
        if (op >= 0x80 && op <= 0x8f) {
            uint256 n = op - 0x7f;
            uint256[] memory a = _popN(m, n);
            for (uint256 i = n; i > 0; i--) {
                m.push(a[i - 1]);
            }
            m.push(a[n - 1]);
            return true;
        }
        if (op >= 0x90 && op <= 0x9f) {
            uint256 n = op - 0x8f;
            uint256[] memory a = _popN(m, n + 1);
            (a[0], a[n]) = (a[n], a[0]);
            for (uint256 i = n + 1; i > 0; i--) {
                m.push(a[i - 1]);
            }
            return true;
        }
        if (op == 0x56) {
            return _jump(m, m.pop());
        }
        if (op == 0x57) {
            uint256 dest = m.pop();
            uint256 cond = m.pop();
            if (cond != 0) return _jump(m, dest);
            return true;
        }
        if (op == 0x5b) return true;
        m.push(_read(m, op));
        return true;
    }

    /// @dev The value a PC, GAS, MSIZE or environment opcode pushes.
    function _read(StepLib.Machine memory m, uint256 op) private pure returns (uint256) {
        uint256[29] memory st = m.s;
        if (op == 0x58) return st[StepLib.F_PC];
        if (op == 0x5a) return st[StepLib.F_GAS];
        if (op == 0x59) return st[StepLib.F_MEM_SIZE] * 32;
        if (op == 0x30) return st[StepLib.F_ADDRESS];
        if (op == 0x33) return st[StepLib.F_CALLER];
        if (op == 0x34) return st[StepLib.F_VALUE];
        if (op == 0x36) return st[StepLib.F_CALLDATA_SIZE];
        if (op == 0x38) return st[StepLib.F_CODE_SIZE];
        if (op == 0x3d) return st[StepLib.F_RETURNDATA_SIZE];
        // Context words: origin, gasprice, coinbase, timestamp, number,
        // prevrandao, gaslimit, chainid, basefee.
        uint256 i;
        if (op == 0x32) i = 0;
        else if (op == 0x3a) i = 1;
        else if (op == 0x41) i = 2;
        else if (op == 0x42) i = 3;
        else if (op == 0x43) i = 4;
        else if (op == 0x44) i = 5;
        else if (op == 0x45) i = 6;
        else if (op == 0x46) i = 7;
        else i = 8; // 0x48 BASEFEE
        uint256 p = m.context();
        uint256 v;
        assembly {
            v := calldataload(add(p, shl(5, i)))
        }
        return v;
    }

    /// @dev Jumps to dest when the jumpdest bitmap proves it; else ERROR.
    function _jump(StepLib.Machine memory m, uint256 dest) private pure returns (bool) {
        uint256[29] memory st = m.s;
        if (dest >= st[StepLib.F_CODE_SIZE]) {
            st[StepLib.F_STATUS] = StepLib.ERROR;
            return false;
        }
        uint256 w = m.readWord(StepLib.F_JUMPDEST_ROOT, dest / 256);
        if ((w >> (255 - (dest % 256))) & 1 == 0) {
            st[StepLib.F_STATUS] = StepLib.ERROR;
            return false;
        }
        st[StepLib.F_PC] = dest;
        return false;
    }

    function _popN(StepLib.Machine memory m, uint256 n) private pure returns (uint256[] memory a) {
        a = new uint256[](n);
        for (uint256 i = 0; i < n; i++) {
            a[i] = m.pop();
        }
    }
}
