package step

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/core/vm"
)

// Class names the handler that executes an opcode. On L1 each class is a
// separate contract, to stay under the contract size limit.
type Class uint8

// The opcode classes. ClassNone marks an opcode outside the covered set.
const (
	ClassNone   Class = 0
	ClassArith  Class = 1 // arithmetic, comparison, bitwise (StepArith.sol)
	ClassFlow   Class = 2 // stack, control flow, environment, halting (StepFlow.sol)
	ClassMemory Class = 3 // memory, calldata, code, KECCAK256, logs (StepMemory.sol)
)

// String returns the class name.
func (c Class) String() string {
	return [...]string{"none", "arith", "flow", "memory"}[c]
}

// MaxSpanBytes bounds the byte length that KECCAK256, LOGn, CALLDATACOPY,
// CODECOPY and MCOPY may touch in tier 1. A longer span moves the state to
// unsupported, so the proof of such a step stays small. It is part of the
// covered set, like the opcodes themselves.
const MaxSpanBytes = 1024

// OpInfo is the covered-set entry of one opcode: its handler, its stack
// arguments and results, and its static gas.
type OpInfo struct {
	Name      string `json:"name"`
	Class     Class  `json:"class"`
	Pops      int    `json:"pops"`
	Pushes    int    `json:"pushes"`
	StaticGas uint64 `json:"staticGas"`
}

// Covered reports whether the opcode is in the covered set.
func (o OpInfo) Covered() bool { return o.Class != ClassNone }

// Table is the covered set of tier 1, indexed by opcode: the one source of
// truth. The Solidity prover's table (l1contracts/src/step/OpcodeTable.sol)
// and the JSON list (testdata/coverage.json) are generated from it; tests
// fail when either is stale.
var Table = func() (t [256]OpInfo) {
	set := func(op vm.OpCode, c Class, pops, pushes int, gas uint64) {
		t[op] = OpInfo{Name: op.String(), Class: c, Pops: pops, Pushes: pushes, StaticGas: gas}
	}
	for _, op := range []vm.OpCode{vm.ADD, vm.SUB, vm.LT, vm.GT, vm.SLT, vm.SGT, vm.EQ, vm.AND, vm.OR, vm.XOR, vm.BYTE, vm.SHL, vm.SHR, vm.SAR} {
		set(op, ClassArith, 2, 1, 3)
	}
	for _, op := range []vm.OpCode{vm.MUL, vm.DIV, vm.SDIV, vm.MOD, vm.SMOD, vm.SIGNEXTEND} {
		set(op, ClassArith, 2, 1, 5)
	}
	set(vm.ADDMOD, ClassArith, 3, 1, 8)
	set(vm.MULMOD, ClassArith, 3, 1, 8)
	set(vm.EXP, ClassArith, 2, 1, 10)
	set(vm.ISZERO, ClassArith, 1, 1, 3)
	set(vm.NOT, ClassArith, 1, 1, 3)
	set(vm.CLZ, ClassArith, 1, 1, 5) // EIP-7939, live from Osaka

	set(vm.STOP, ClassFlow, 0, 0, 0)
	set(vm.RETURN, ClassFlow, 2, 0, 0)
	set(vm.REVERT, ClassFlow, 2, 0, 0)
	set(vm.INVALID, ClassFlow, 0, 0, 0)
	set(vm.POP, ClassFlow, 1, 0, 2)
	set(vm.PUSH0, ClassFlow, 0, 1, 2)
	for n := 1; n <= 32; n++ {
		set(vm.PUSH1+vm.OpCode(n-1), ClassFlow, 0, 1, 3)
	}
	for n := 1; n <= 16; n++ {
		set(vm.DUP1+vm.OpCode(n-1), ClassFlow, n, n+1, 3)
		set(vm.SWAP1+vm.OpCode(n-1), ClassFlow, n+1, n+1, 3)
	}
	set(vm.JUMP, ClassFlow, 1, 0, 8)
	set(vm.JUMPI, ClassFlow, 2, 0, 10)
	set(vm.JUMPDEST, ClassFlow, 0, 0, 1)
	for _, op := range []vm.OpCode{vm.PC, vm.GAS, vm.MSIZE, vm.ADDRESS, vm.ORIGIN, vm.CALLER, vm.CALLVALUE,
		vm.GASPRICE, vm.COINBASE, vm.TIMESTAMP, vm.NUMBER, vm.PREVRANDAO, vm.GASLIMIT, vm.CHAINID, vm.BASEFEE,
		vm.CALLDATASIZE, vm.CODESIZE, vm.RETURNDATASIZE} {
		set(op, ClassFlow, 0, 1, 2)
	}

	set(vm.KECCAK256, ClassMemory, 2, 1, 30)
	set(vm.MLOAD, ClassMemory, 1, 1, 3)
	set(vm.MSTORE, ClassMemory, 2, 0, 3)
	set(vm.MSTORE8, ClassMemory, 2, 0, 3)
	set(vm.MCOPY, ClassMemory, 3, 0, 3)
	set(vm.CALLDATALOAD, ClassMemory, 1, 1, 3)
	set(vm.CALLDATACOPY, ClassMemory, 3, 0, 3)
	set(vm.CODECOPY, ClassMemory, 3, 0, 3)
	for n := 0; n <= 4; n++ {
		set(vm.LOG0+vm.OpCode(n), ClassMemory, 2+n, 0, 0)
	}
	return t
}()

// CoveredOpcodes returns the covered opcodes in ascending order.
func CoveredOpcodes() []vm.OpCode {
	var ops []vm.OpCode
	for op, info := range Table {
		if info.Covered() {
			ops = append(ops, vm.OpCode(op))
		}
	}
	return ops
}

// coverageEntry is one line of the JSON coverage list.
type coverageEntry struct {
	Opcode string `json:"opcode"`
	OpInfo
}

// CoverageJSON returns the covered set as JSON: the tier, the span bound and
// one entry per covered opcode.
func CoverageJSON() ([]byte, error) {
	doc := struct {
		Version      int             `json:"version"`
		Tier         int             `json:"tier"`
		MaxSpanBytes int             `json:"maxSpanBytes"`
		Opcodes      []coverageEntry `json:"opcodes"`
	}{Version: Version, Tier: 1, MaxSpanBytes: MaxSpanBytes}
	for _, op := range CoveredOpcodes() {
		doc.Opcodes = append(doc.Opcodes, coverageEntry{Opcode: fmt.Sprintf("0x%02x", byte(op)), OpInfo: Table[op]})
	}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// SolidityTable returns the source of l1contracts/src/step/OpcodeTable.sol:
// four bytes per opcode (class, pops, pushes, static gas), and the zero-subtree
// roots of the word trees.
func SolidityTable() []byte {
	var hex strings.Builder
	for _, info := range Table {
		fmt.Fprintf(&hex, "%02x%02x%02x%02x", byte(info.Class), byte(info.Pops), byte(info.Pushes), byte(info.StaticGas))
	}
	var zeros strings.Builder
	for h := 0; h < TreeDepth; h++ {
		fmt.Fprintf(&zeros, "%x", zeroHashes[h][:])
	}
	var b strings.Builder
	b.WriteString(`// SPDX-License-Identifier: MIT
// Code generated by fraudproof/step (SolidityTable) from step.Table. DO NOT EDIT;
// run ` + "`go test ./fraudproof/step -run TestGenerated -update`" + `.
pragma solidity ^0.8.28;

/// @title OpcodeTable
/// @notice The covered opcode set of the one-step prover, tier 1. Four bytes
///         per opcode: handler class (0 = not covered, 1 = arith, 2 = flow,
///         3 = memory), stack pops, stack pushes, static gas. It also
///         carries the word-tree constants, so that the Go side (package
///         fraudproof/step) is their one source.
library OpcodeTable {
    /// @notice Greatest depth of a word tree (code, jumpdests, memory,
    ///         calldata); a tree of n words has depth ceil(log2(n)).
    uint256 internal constant TREE_DEPTH = ` + fmt.Sprint(TreeDepth) + `;

    /// @notice Roots of all-zero subtrees of heights 0..TREE_DEPTH-1.
    bytes internal constant ZERO_HASHES =
        hex"` + zeros.String() + `";

    /// @notice Longest byte span KECCAK256, LOGn and the copies may touch.
    uint256 internal constant MAX_SPAN_BYTES = ` + fmt.Sprint(MaxSpanBytes) + `;

    /// @notice The table, indexed by opcode.
    bytes internal constant TABLE =
        hex"` + hex.String() + `";
}
`)
	return []byte(b.String())
}
