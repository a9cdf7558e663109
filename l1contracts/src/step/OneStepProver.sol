// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {StepLib, IStepHandler} from "./StepLib.sol";
import {StepArith} from "./StepArith.sol";
import {StepFlow} from "./StepFlow.sol";

/// @title OneStepProver
/// @notice Executes one EVM step from its witness: given the hash of the state
///         before the step and a proof (the encoded pre state followed by the
///         access log), it returns the hash of the state after. The opcode is
///         fetched and checked here (coverage, stack bounds, static gas); its
///         class executes it: the libraries StepArith and StepFlow inline (the
///         common steps pay no external call), the contract StepMemory
///         through a call. The Go function fraudproof/step.Step is the
///         reference implementation.
contract OneStepProver {
    using StepLib for StepLib.Machine;

    /// @notice Handler of class 3: memory, calldata, code, KECCAK256, logs.
    IStepHandler public immutable memoryOps;

    constructor(IStepHandler memory_) {
        memoryOps = memory_;
    }

    /// @notice Returns the hash of the state after one step from the state
    ///         whose hash is preStateHash. Reverts with StepLib.BadProof when
    ///         the proof does not match, and StepLib.BadState when the pre
    ///         state is not canonical.
    function step(bytes32 preStateHash, bytes calldata proof) external view returns (bytes32) {
        uint256[29] memory pre = StepLib.decodeState(proof);
        if (StepLib.hashState(pre) != preStateHash) revert StepLib.BadProof();
        if (pre[StepLib.F_STATUS] != StepLib.RUNNING) {
            // A halted state is a fixed point (the padding step).
            if (proof.length != StepLib.STATE_BYTES) revert StepLib.BadProof();
            return preStateHash;
        }
        uint256[29] memory post = _run(StepLib.decodeState(proof), proof);
        uint256 status = post[StepLib.F_STATUS];
        if (status == StepLib.UNSUPPORTED) {
            post = pre;
            post[StepLib.F_STATUS] = StepLib.UNSUPPORTED;
        } else if (status != StepLib.RUNNING) {
            if (status == StepLib.ERROR) post[StepLib.F_GAS] = 0;
            StepLib.clearFrame(post);
        }
        unchecked {
            post[StepLib.F_GAS_USED] =
                (pre[StepLib.F_GAS_USED] + pre[StepLib.F_GAS] - post[StepLib.F_GAS]) & type(uint64).max;
        }
        return StepLib.hashState(post);
    }

    /// @dev Fetches the opcode, checks it, runs its handler and checks the
    ///      whole log was used.
    function _run(uint256[29] memory s, bytes calldata proof) private view returns (uint256[29] memory) {
        StepLib.Machine memory m = StepLib.newMachine(s, proof, StepLib.STATE_BYTES);
        uint256 class = _fetch(m);
        bool advance;
        if (class == 1) {
            advance = StepArith.exec(m);
        } else if (class == 2) {
            advance = StepFlow.exec(m);
        } else if (class == 3) {
            uint256[5] memory fetch = [m.op, m.haveOpWord, m.opWordIndex, m.opWord, m.pops];
            uint256[30] memory out = memoryOps.exec(m.s, proof, m.cur, fetch);
            uint256[29] memory post = m.s;
            assembly {
                mcopy(post, out, 928)
            }
            m.cur = out[StepLib.NUM_FIELDS];
        }
        if (advance) m.s[StepLib.F_PC] += 1;
        return _done(m);
    }

    /// @dev Reads the opcode and applies the checks before its handler:
    ///      depth, coverage, stack bounds, static gas. Returns the handler
    ///      class, or 0 when the step already ended.
    function _fetch(StepLib.Machine memory m) private pure returns (uint256) {
        uint256[29] memory s = m.s;
        if (s[StepLib.F_DEPTH] != 1) {
            s[StepLib.F_STATUS] = StepLib.UNSUPPORTED; // tier 1: the top frame only
            return 0;
        }
        uint256 pc = s[StepLib.F_PC];
        if (pc < s[StepLib.F_CODE_SIZE]) {
            uint256 w = m.readWord(StepLib.F_CODE_ROOT, pc / 32);
            m.op = (w >> (8 * (31 - (pc % 32)))) & 0xff;
            m.haveOpWord = 1;
            m.opWordIndex = pc / 32;
            m.opWord = w;
        }
        (uint256 class, uint256 pops, uint256 pushes, uint256 gas) = StepLib.info(m.op);
        m.pops = pops;
        uint256 depth = s[StepLib.F_STACK_DEPTH];
        if (class == 0) {
            s[StepLib.F_STATUS] = StepLib.UNSUPPORTED;
            return 0;
        }
        if (depth < pops || depth - pops + pushes > StepLib.STACK_LIMIT) {
            s[StepLib.F_STATUS] = StepLib.ERROR;
            return 0;
        }
        if (!m.charge(gas)) return 0;
        return class;
    }

    function _done(StepLib.Machine memory m) private pure returns (uint256[29] memory) {
        if (m.cur != m.end) revert StepLib.BadProof();
        return m.s;
    }

    /// @notice The covered opcodes as a bitmap (bit i set: opcode i is
    ///         covered), for tests against the Go table.
    function coveredOpcodes() external pure returns (uint256 bitmap) {
        for (uint256 op = 0; op < 256; op++) {
            (uint256 class,,,) = StepLib.info(op);
            // forge-lint: disable-next-line(incorrect-shift)
            if (class != 0) bitmap |= 1 << op;
        }
    }
}
