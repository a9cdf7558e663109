// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StepLib, StepHandler} from "./StepLib.sol";
import {OpcodeTable} from "./OpcodeTable.sol";

/// @title StepMemory
/// @notice One-step handler for the opcodes that read or write memory,
///         calldata or code: KECCAK256, MLOAD, MSTORE, MSTORE8, MCOPY,
///         CALLDATALOAD, CALLDATACOPY, CODECOPY and LOG0-LOG4. Spans longer
///         than OpcodeTable.MAX_SPAN_BYTES are outside tier 1 (UNSUPPORTED).
contract StepMemory is StepHandler {
    using StepLib for StepLib.Machine;


    function _exec(StepLib.Machine memory m) internal pure override returns (bool) {
        uint256 op = m.op;
        uint256[] memory a = new uint256[](m.pops);
        for (uint256 i = 0; i < a.length; i++) {
            a[i] = m.pop();
        }
        if (op == 0x20) return _keccak(m, a);
        if (op == 0x51) return _mload(m, a[0]);
        if (op == 0x52 || op == 0x53) return _mstore(m, op, a[0], a[1]);
        if (op == 0x35) return _calldataload(m, a[0]);
        if (op == 0x5e || op == 0x37 || op == 0x39) return _copy(m, op, a);
        return _log(m, op - 0xa0, a);
    }

    /// @dev Moves the state to UNSUPPORTED when a span is over the bound.
    function _tooLong(StepLib.Machine memory m, uint256 len) private pure returns (bool) {
        if (len > OpcodeTable.MAX_SPAN_BYTES) {
            m.s[StepLib.F_STATUS] = StepLib.UNSUPPORTED;
            return true;
        }
        return false;
    }

    function _words(uint256 len) private pure returns (uint256) {
        return (len + 31) / 32;
    }

    function _keccak(StepLib.Machine memory m, uint256[] memory a) private pure returns (bool) {
        if (_tooLong(m, a[1]) || !m.chargeMemory(a[0], a[1], 6 * _words(a[1]))) return false;
        uint256 buf = m.readSpan(StepLib.F_MEM_ROOT, m.s[StepLib.F_MEM_SIZE] * 32, a[0], a[1], false);
        uint256 len = a[1];
        uint256 h;
        assembly {
            h := keccak256(buf, len)
        }
        m.push(h);
        return true;
    }

    function _mload(StepLib.Machine memory m, uint256 off) private pure returns (bool) {
        if (!m.chargeMemory(off, 32, 0)) return false;
        uint256 buf = m.readSpan(StepLib.F_MEM_ROOT, m.s[StepLib.F_MEM_SIZE] * 32, off, 32, false);
        uint256 v;
        assembly {
            v := mload(buf)
        }
        m.push(v);
        return true;
    }

    function _mstore(StepLib.Machine memory m, uint256 op, uint256 off, uint256 v) private pure returns (bool) {
        uint256 len = op == 0x52 ? 32 : 1;
        if (!m.chargeMemory(off, len, 0)) return false;
        uint256 buf = StepLib.buffer(32);
        assembly {
            switch len
            case 32 { mstore(buf, v) }
            default { mstore8(buf, and(v, 0xff)) }
        }
        m.writeMemory(off, buf, len);
        return true;
    }

    function _calldataload(StepLib.Machine memory m, uint256 off) private pure returns (bool) {
        uint256 buf = m.readSpan(StepLib.F_CALLDATA_ROOT, m.s[StepLib.F_CALLDATA_SIZE], off, 32, false);
        uint256 v;
        assembly {
            v := mload(buf)
        }
        m.push(v);
        return true;
    }

    /// @dev MCOPY, CALLDATACOPY and CODECOPY: a = (dst, src, len). All source
    ///      words are read before memory is written.
    function _copy(StepLib.Machine memory m, uint256 op, uint256[] memory a) private pure returns (bool) {
        uint256 expandAt = a[0];
        if (op == 0x5e && a[1] > expandAt) expandAt = a[1];
        if (_tooLong(m, a[2]) || !m.chargeMemory(expandAt, a[2], 3 * _words(a[2]))) return false;
        if (a[2] == 0) return true;
        uint256 rootField = StepLib.F_MEM_ROOT;
        uint256 size = m.s[StepLib.F_MEM_SIZE] * 32;
        if (op == 0x37) {
            rootField = StepLib.F_CALLDATA_ROOT;
            size = m.s[StepLib.F_CALLDATA_SIZE];
        } else if (op == 0x39) {
            rootField = StepLib.F_CODE_ROOT;
            size = m.s[StepLib.F_CODE_SIZE];
        }
        uint256 buf = m.readSpan(rootField, size, a[1], a[2], false);
        m.writeMemory(a[0], buf, a[2]);
        return true;
    }

    /// @dev LOGn: a = (offset, length, topics...).
    function _log(StepLib.Machine memory m, uint256 n, uint256[] memory a) private pure returns (bool) {
        if (_tooLong(m, a[1]) || !m.chargeMemory(a[0], a[1], 375 + 375 * n + 8 * a[1])) return false;
        if (m.s[StepLib.F_STATIC] == 1) {
            m.s[StepLib.F_STATUS] = StepLib.ERROR;
            return false;
        }
        uint256 buf = m.readSpan(StepLib.F_MEM_ROOT, m.s[StepLib.F_MEM_SIZE] * 32, a[0], a[1], false);
        uint256 len = a[1];
        bytes32 dataHash;
        assembly {
            dataHash := keccak256(buf, len)
        }
        bytes memory enc = abi.encodePacked(m.s[StepLib.F_ADDRESS], n);
        for (uint256 i = 0; i < n; i++) {
            enc = abi.encodePacked(enc, a[2 + i]);
        }
        bytes32 logHash = keccak256(abi.encodePacked(enc, dataHash));
        m.s[StepLib.F_LOG_ACC] = uint256(keccak256(abi.encodePacked(m.s[StepLib.F_LOG_ACC], logHash)));
        return true;
    }
}
