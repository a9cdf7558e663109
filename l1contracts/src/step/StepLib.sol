// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {OpcodeTable} from "./OpcodeTable.sol";

/// @title StepLib
/// @notice The step state, the access-log reader and the helpers shared by the
///         one-step prover and its handlers. The Go package fraudproof/step is
///         the reference: every read here happens in the same order as there
///         (see its doc.go for the encodings).
library StepLib {
    /// @notice The access log does not prove the step: an entry is missing,
    ///         fails its hash or Merkle check, or bytes are left over.
    error BadProof();
    /// @notice The pre state is not canonically encoded.
    error BadState();

    uint256 internal constant NUM_FIELDS = 29;
    uint256 internal constant STATE_BYTES = 928;
    uint256 internal constant STACK_LIMIT = 1024;
    uint256 internal constant MAX_MEMORY_BYTES = 0x1FFFFFFFE0;

    // Field indexes of the state; the order is the encoding order.
    uint256 internal constant F_VERSION = 0;
    uint256 internal constant F_STATUS = 1;
    uint256 internal constant F_PC = 2;
    uint256 internal constant F_GAS = 3;
    uint256 internal constant F_CODE_HASH = 4;
    uint256 internal constant F_CODE_SIZE = 5;
    uint256 internal constant F_CODE_ROOT = 6;
    uint256 internal constant F_JUMPDEST_ROOT = 7;
    uint256 internal constant F_STACK_HASH = 8;
    uint256 internal constant F_STACK_DEPTH = 9;
    uint256 internal constant F_MEM_ROOT = 10;
    uint256 internal constant F_MEM_SIZE = 11;
    uint256 internal constant F_CALLDATA_ROOT = 12;
    uint256 internal constant F_CALLDATA_SIZE = 13;
    uint256 internal constant F_RETURNDATA_ROOT = 14;
    uint256 internal constant F_RETURNDATA_SIZE = 15;
    uint256 internal constant F_CALLER = 16;
    uint256 internal constant F_ADDRESS = 17;
    uint256 internal constant F_VALUE = 18;
    uint256 internal constant F_STATIC = 19;
    uint256 internal constant F_DEPTH = 20;
    uint256 internal constant F_PARENT_FRAMES = 21;
    uint256 internal constant F_PRE_STATE_ROOT = 22;
    uint256 internal constant F_OVERLAY_ROOT = 23;
    uint256 internal constant F_REFUND = 24;
    uint256 internal constant F_LOG_ACC = 25;
    uint256 internal constant F_WARM_ROOT = 26;
    uint256 internal constant F_GAS_USED = 27;
    uint256 internal constant F_CONTEXT_HASH = 28;

    // Statuses.
    uint256 internal constant RUNNING = 0;
    uint256 internal constant RETURNED = 1;
    uint256 internal constant REVERTED = 2;
    uint256 internal constant ERROR = 3;
    uint256 internal constant UNSUPPORTED = 4;
    uint256 internal constant DONE = 5;

    /// @notice One step in progress.
    struct Machine {
        uint256[29] s; // the state being advanced
        uint256 base; // calldata offset of the proof's first byte
        uint256 cur; // proof bytes consumed
        uint256 end; // proof length
        uint256 op; // the opcode
        uint256 pops; // its stack arguments (OpcodeTable)
        uint256 haveOpWord; // 1 when opWord holds the code word of the opcode
        uint256 opWordIndex;
        uint256 opWord;
        uint256 sib; // memory: the 32 siblings of the last word read
        uint256 zeros; // memory: zero-subtree roots by height
    }

    // ---------------------------------------------------------------- state

    /// @notice Decodes the state at the start of the proof and checks that
    ///         every field is in range.
    function decodeState(bytes calldata proof) internal pure returns (uint256[29] memory s) {
        if (proof.length < STATE_BYTES) revert BadProof();
        assembly {
            calldatacopy(s, proof.offset, 928)
        }
        uint256 lim = 1 << 64;
        if (s[F_VERSION] != 1 || s[F_STATUS] > DONE || s[F_STATIC] > 1) revert BadState();
        if (
            s[F_PC] >= lim || s[F_GAS] >= lim || s[F_CODE_SIZE] >= lim || s[F_STACK_DEPTH] >= lim
                || s[F_MEM_SIZE] >= lim || s[F_CALLDATA_SIZE] >= lim || s[F_RETURNDATA_SIZE] >= lim
                || s[F_DEPTH] >= lim || s[F_REFUND] >= lim || s[F_GAS_USED] >= lim
        ) revert BadState();
        if (s[F_CALLER] >= (1 << 160) || s[F_ADDRESS] >= (1 << 160)) revert BadState();
    }

    /// @notice keccak256 of the state's encoding.
    function hashState(uint256[29] memory s) internal pure returns (bytes32 h) {
        assembly {
            h := keccak256(s, 928)
        }
    }

    /// @notice Zeroes every frame field but the gas: a halted frame keeps
    ///         nothing else.
    function clearFrame(uint256[29] memory s) internal pure {
        for (uint256 i = F_PC; i <= F_DEPTH; i++) {
            if (i != F_GAS) s[i] = 0;
        }
    }

    /// @notice A machine over state s, reading the proof from position cur.
    function newMachine(uint256[29] memory s, bytes calldata proof, uint256 cur)
        internal
        pure
        returns (Machine memory m)
    {
        m.s = s;
        uint256 base;
        assembly {
            base := proof.offset
        }
        m.base = base;
        m.cur = cur;
        m.end = proof.length;
        uint256 sib;
        assembly {
            sib := mload(0x40)
            mstore(0x40, add(sib, 1024))
        }
        m.sib = sib;
        bytes memory z = OpcodeTable.ZERO_HASHES;
        uint256 zeros;
        assembly {
            zeros := add(z, 32)
        }
        m.zeros = zeros;
    }

    /// @notice Moves the proof cursor n bytes on and returns the old position.
    function take(Machine memory m, uint256 n) internal pure returns (uint256 pos) {
        pos = m.cur;
        if (pos + n > m.end) revert BadProof();
        m.cur = pos + n;
    }

    // ---------------------------------------------------------------- gas

    /// @notice Takes cost from the gas left, or halts with ERROR.
    function charge(Machine memory m, uint256 cost) internal pure returns (bool) {
        if (m.s[F_GAS] < cost) {
            m.s[F_STATUS] = ERROR;
            return false;
        }
        m.s[F_GAS] -= cost;
        return true;
    }

    function memoryGas(uint256 words) internal pure returns (uint256) {
        return 3 * words + (words * words) / 512;
    }

    /// @notice Charges the memory expansion of an access to [off, off+len)
    ///         plus extra, and grows memory, as go-ethereum does.
    function chargeMemory(Machine memory m, uint256 off, uint256 len, uint256 extra) internal pure returns (bool) {
        uint256 words = m.s[F_MEM_SIZE];
        uint256 cost = extra;
        if (len != 0) {
            if (off >= (1 << 64) || len >= (1 << 64)) {
                m.s[F_STATUS] = ERROR;
                return false;
            }
            uint256 end = off + len;
            if (end >= (1 << 64) || end > MAX_MEMORY_BYTES) {
                m.s[F_STATUS] = ERROR;
                return false;
            }
            uint256 nw = (end + 31) / 32;
            if (nw > words) {
                cost += memoryGas(nw) - memoryGas(words);
                words = nw;
            }
        }
        if (!charge(m, cost)) return false;
        // Growing memory extends its root with zero subtrees: no proof.
        uint256 root = m.s[F_MEM_ROOT];
        uint256 zeros = m.zeros;
        uint256 from = depthOf(m.s[F_MEM_SIZE]);
        uint256 to = depthOf(words);
        assembly {
            for { let h := from } lt(h, to) { h := add(h, 1) } {
                mstore(0, root)
                mstore(32, mload(add(zeros, shl(5, h))))
                root := keccak256(0, 64)
            }
        }
        m.s[F_MEM_ROOT] = root;
        m.s[F_MEM_SIZE] = words;
        return true;
    }

    // ---------------------------------------------------------------- stack

    /// @notice Pops the top of the stack: the entry is (value, hash below).
    function pop(Machine memory m) internal pure returns (uint256 v) {
        uint256 p = m.base + take(m, 64);
        uint256 below;
        bytes32 h;
        assembly {
            v := calldataload(p)
            below := calldataload(add(p, 32))
            mstore(0, below)
            mstore(32, v)
            h := keccak256(0, 64)
        }
        if (uint256(h) != m.s[F_STACK_HASH]) revert BadProof();
        m.s[F_STACK_HASH] = below;
        m.s[F_STACK_DEPTH] -= 1;
    }

    function push(Machine memory m, uint256 v) internal pure {
        uint256 h = m.s[F_STACK_HASH];
        assembly {
            mstore(0, h)
            mstore(32, v)
            h := keccak256(0, 64)
        }
        m.s[F_STACK_HASH] = h;
        m.s[F_STACK_DEPTH] += 1;
    }

    // ---------------------------------------------------------------- trees

    /// @notice The depth of a tree of n words: the least d with 2^d >= n.
    function depthOf(uint256 n) internal pure returns (uint256 d) {
        // forge-lint: disable-next-line(incorrect-shift)
        while ((1 << d) < n) d++;
    }

    /// @notice The depth of the frame tree whose root is field rootField,
    ///         from the matching size field.
    function treeDepth(Machine memory m, uint256 rootField) internal pure returns (uint256) {
        uint256[29] memory s = m.s;
        if (rootField == F_MEM_ROOT) return depthOf(s[F_MEM_SIZE]);
        if (rootField == F_CODE_ROOT) return depthOf((s[F_CODE_SIZE] + 31) / 32);
        if (rootField == F_JUMPDEST_ROOT) return depthOf((s[F_CODE_SIZE] + 255) / 256);
        if (rootField == F_CALLDATA_ROOT) return depthOf((s[F_CALLDATA_SIZE] + 31) / 32);
        return depthOf((s[F_RETURNDATA_SIZE] + 31) / 32);
    }

    /// @notice Reads the word at index of the tree whose root is field
    ///         rootField, checking its path; the path stays in m.sib for a
    ///         following writeWord.
    function readWord(Machine memory m, uint256 rootField, uint256 index) internal pure returns (uint256 value) {
        uint256 depth = treeDepth(m, rootField);
        if (depth > OpcodeTable.TREE_DEPTH || index >> depth != 0) revert BadProof();
        uint256 pos = take(m, 36);
        uint256 base = m.base;
        uint256 end = m.end;
        uint256 sib = m.sib;
        uint256 zeros = m.zeros;
        bool bad;
        uint256 node;
        assembly {
            value := calldataload(add(base, pos))
            let mask := shr(224, calldataload(add(base, add(pos, 32))))
            let q := add(pos, 36)
            node := value
            for { let h := 0 } lt(h, depth) { h := add(h, 1) } {
                let sv := mload(add(zeros, shl(5, h)))
                if iszero(and(shr(h, mask), 1)) {
                    sv := calldataload(add(base, q))
                    q := add(q, 32)
                }
                mstore(add(sib, shl(5, h)), sv)
                let bit := and(shr(h, index), 1)
                mstore(shl(5, bit), node)
                mstore(shl(5, xor(bit, 1)), sv)
                node := keccak256(0, 64)
            }
            if gt(q, end) { bad := 1 }
            pos := q
        }
        if (bad) revert BadProof();
        m.cur = pos;
        if (node != m.s[rootField]) revert BadProof();
    }

    /// @notice Replaces the word just read by readWord at index.
    function writeWord(Machine memory m, uint256 rootField, uint256 index, uint256 value) internal pure {
        m.s[rootField] = climb(value, index, m.sib, treeDepth(m, rootField));
    }

    /// @notice The root of a depth-d word tree with leaf at index, given the
    ///         path at memory sib (siblings, leaf level first).
    function climb(uint256 leaf, uint256 index, uint256 sib, uint256 depth) internal pure returns (uint256 node) {
        node = leaf;
        assembly {
            for { let h := 0 } lt(h, depth) { h := add(h, 1) } {
                let bit := and(shr(h, index), 1)
                mstore(shl(5, bit), node)
                mstore(shl(5, xor(bit, 1)), mload(add(sib, shl(5, h))))
                node := keccak256(0, 64)
            }
        }
    }

    /// @notice A zeroed buffer of len bytes, with a word of slack after it.
    function buffer(uint256 len) internal pure returns (uint256 ptr) {
        assembly {
            ptr := mload(0x40)
            let size := add(and(add(len, 31), not(31)), 32)
            // Fresh memory past the free pointer may be dirty: zero it.
            for { let i := 0 } lt(i, size) { i := add(i, 32) } { mstore(add(ptr, i), 0) }
            mstore(0x40, add(ptr, size))
        }
    }

    /// @notice Returns a buffer of len bytes of a tree's data from offset
    ///         off, zero past size: one entry per word holding a byte below
    ///         size, ascending. With useOpWord the opcode's code word is
    ///         taken from the fetch instead of the log.
    function readSpan(Machine memory m, uint256 rootField, uint256 size, uint256 off, uint256 len, bool useOpWord)
        internal
        pure
        returns (uint256 out)
    {
        out = buffer(len);
        if (len == 0 || off >= size) return out;
        uint256 end = off + len;
        if (end > size) end = size;
        for (uint256 w = off / 32; w <= (end - 1) / 32; w++) {
            uint256 word;
            if (useOpWord && m.haveOpWord == 1 && w == m.opWordIndex) {
                word = m.opWord;
            } else {
                word = readWord(m, rootField, w);
            }
            uint256 lo = off > w * 32 ? off : w * 32;
            uint256 hi = end < w * 32 + 32 ? end : w * 32 + 32;
            assembly {
                let p := add(out, sub(lo, off))
                let chunk := shl(shl(3, sub(lo, mul(w, 32))), word)
                let keep := not(shr(shl(3, sub(hi, lo)), not(0)))
                mstore(p, or(mload(p), and(chunk, keep)))
            }
        }
    }

    /// @notice Stores len bytes from buffer data at memory offset off: each
    ///         touched word, ascending, is read, merged and written back.
    function writeMemory(Machine memory m, uint256 off, uint256 data, uint256 len) internal pure {
        if (len == 0) return;
        uint256 end = off + len;
        for (uint256 w = off / 32; w <= (end - 1) / 32; w++) {
            uint256 old = readWord(m, F_MEM_ROOT, w);
            uint256 lo = off > w * 32 ? off : w * 32;
            uint256 hi = end < w * 32 + 32 ? end : w * 32 + 32;
            uint256 nw;
            assembly {
                let sh := shl(3, sub(lo, mul(w, 32)))
                let chunk := shr(sh, mload(add(data, sub(lo, off))))
                let mask := shr(sh, not(shr(shl(3, sub(hi, lo)), not(0))))
                nw := or(and(old, not(mask)), and(chunk, mask))
            }
            writeWord(m, F_MEM_ROOT, w, nw);
        }
    }

    // ---------------------------------------------------------------- context

    /// @notice Reads the context entry (nine words) and returns a calldata
    ///         offset of its first word.
    function context(Machine memory m) internal pure returns (uint256 p) {
        p = m.base + take(m, 288);
        bytes32 h;
        uint256 ptr;
        assembly {
            ptr := mload(0x40)
            calldatacopy(ptr, p, 288)
            h := keccak256(ptr, 288)
        }
        if (uint256(h) != m.s[F_CONTEXT_HASH]) revert BadProof();
    }

    // ---------------------------------------------------------------- handlers

    /// @notice Rebuilds the machine in a handler from the dispatcher's call.
    function load(uint256[29] calldata s, bytes calldata proof, uint256 cur, uint256[5] calldata fetch)
        internal
        pure
        returns (Machine memory m)
    {
        uint256[29] memory st;
        assembly {
            calldatacopy(st, s, 928)
        }
        m = newMachine(st, proof, cur);
        m.op = fetch[0];
        m.haveOpWord = fetch[1];
        m.opWordIndex = fetch[2];
        m.opWord = fetch[3];
        m.pops = fetch[4];
    }

    /// @notice A handler's answer: the state words, then the proof position.
    function result(Machine memory m) internal pure returns (uint256[30] memory out) {
        uint256[29] memory s = m.s;
        assembly {
            mcopy(out, s, 928)
        }
        out[NUM_FIELDS] = m.cur;
    }

    /// @notice The table entry of an opcode: (class, pops, pushes, gas).
    function info(uint256 op) internal pure returns (uint256 class, uint256 pops, uint256 pushes, uint256 gas) {
        bytes memory t = OpcodeTable.TABLE;
        uint256 e;
        assembly {
            e := shr(224, mload(add(add(t, 32), shl(2, op))))
        }
        class = e >> 24;
        pops = (e >> 16) & 0xff;
        pushes = (e >> 8) & 0xff;
        gas = e & 0xff;
    }
}

/// @title IStepHandler
/// @notice A contract that executes one class of opcodes for OneStepProver
///         (the classes too large to inline: StepMemory).
///         It receives the state after the fetch and the static gas charge,
///         the proof and its position, and the fetch (opcode, whether the
///         opcode's code word is known, its index, the word, the opcode's
///         stack arguments). It returns the state after the step (words
///         0-28) and the proof position (word 29).
interface IStepHandler {
    function exec(uint256[29] calldata s, bytes calldata proof, uint256 cur, uint256[5] calldata fetch)
        external
        pure
        returns (uint256[30] memory result);
}

/// @title StepHandler
/// @notice The shared frame of the class handlers: rebuild the machine, run
///         the opcode, move pc on when it asks, answer.
abstract contract StepHandler is IStepHandler {
    /// @inheritdoc IStepHandler
    function exec(uint256[29] calldata s, bytes calldata proof, uint256 cur, uint256[5] calldata fetch)
        external
        pure
        returns (uint256[30] memory)
    {
        StepLib.Machine memory m = StepLib.load(s, proof, cur, fetch);
        if (_exec(m)) m.s[StepLib.F_PC] += 1;
        return StepLib.result(m);
    }

    /// @dev Executes m.op; returns whether pc moves to the next byte.
    function _exec(StepLib.Machine memory m) internal pure virtual returns (bool);
}
