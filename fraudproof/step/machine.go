package step

import (
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/holiman/uint256"
)

// treeKind names one of the word trees of the frame.
type treeKind uint8

const (
	treeCode treeKind = iota
	treeJumpdest
	treeMemory
	treeCalldata
	treeReturndata
)

// StackLimit is the EVM stack limit.
const StackLimit = 1024

// maxMemoryBytes is go-ethereum's memory bound: larger sizes fail with a gas
// overflow.
const maxMemoryBytes = 0x1FFFFFFFE0

// source supplies the values a step reads. The verifying source (logReader)
// takes them from an access log; the recording source (witnessSource) takes
// them from a full Witness and writes the log. The machine checks every value
// against the committed state in both cases.
type source interface {
	popEntry() (uint256.Int, common.Hash, error)
	pushed(v *uint256.Int)
	wordEntry(kind treeKind, index uint64, depth int) (common.Hash, *Siblings, error)
	wroteWord(kind treeKind, index uint64, v common.Hash)
	contextEntry() ([numContextFields]common.Hash, common.Hash, error)
	done() error
}

// machine executes one step over a State, reading through a source.
type machine struct {
	s   State
	src source
	op  vm.OpCode

	// The code word that holds the opcode; PUSH data in the same word is
	// read from it instead of from a second log entry.
	opWordIndex uint64
	opWord      common.Hash
	haveOpWord  bool
}

// Step executes one instruction: it returns the state after pre, reading the
// values the instruction needs from log. It mirrors OneStepProver.step
// exactly: the same reads in the same order, the same gas, the same post
// state. An error means the log does not prove the step (ErrBadProof); EVM
// failures are not errors but the post state's status.
func Step(pre State, log AccessLog) (State, error) {
	return run(pre, &logReader{b: log})
}

func run(pre State, src source) (State, error) {
	if pre.Status != StatusRunning {
		// A halted state is a fixed point: the padding step of the game.
		if err := src.done(); err != nil {
			return State{}, err
		}
		return pre, nil
	}
	m := &machine{s: pre, src: src}
	if err := m.step(); err != nil {
		return State{}, err
	}
	if err := src.done(); err != nil {
		return State{}, err
	}
	post := m.s
	switch post.Status {
	case StatusUnsupported:
		post = pre
		post.Status = StatusUnsupported
	case StatusError:
		post.Gas = 0
		post.clearFrame()
	case StatusReturned, StatusReverted:
		post.clearFrame()
	}
	post.GasUsed = pre.GasUsed + (pre.Gas - post.Gas)
	return post, nil
}

func (m *machine) step() error {
	s := &m.s
	if s.Depth != 1 {
		s.Status = StatusUnsupported // tier 1: the top frame only
		return nil
	}
	m.op = vm.STOP
	if s.PC < s.CodeSize {
		idx := s.PC / 32
		w, _, err := m.readWord(treeCode, idx)
		if err != nil {
			return err
		}
		m.op = vm.OpCode(w[s.PC%32])
		m.opWordIndex, m.opWord, m.haveOpWord = idx, w, true
	}
	info := Table[m.op]
	if !info.Covered() {
		s.Status = StatusUnsupported
		return nil
	}
	// Written so that no adversarial depth wraps around (Solidity does not).
	if s.StackDepth < uint64(info.Pops) || s.StackDepth-uint64(info.Pops) > StackLimit-uint64(info.Pushes) {
		s.Status = StatusError
		return nil
	}
	if !m.charge(info.StaticGas) {
		return nil
	}
	var err error
	switch info.Class {
	case ClassArith:
		err = m.execArith()
	case ClassFlow:
		err = m.execFlow()
	case ClassMemory:
		err = m.execMemory()
	default:
		panic(fmt.Sprintf("step: opcode %v has no class", m.op))
	}
	if err != nil {
		return fmt.Errorf("%v at pc %d: %w", m.op, s.PC, err)
	}
	return nil
}

// charge takes cost from the gas left, or halts with an error when there is
// not enough. It reports whether execution continues.
func (m *machine) charge(cost uint64) bool {
	if m.s.Gas < cost {
		m.s.Status = StatusError
		return false
	}
	m.s.Gas -= cost
	return true
}

func (m *machine) root(kind treeKind) *common.Hash {
	switch kind {
	case treeCode:
		return &m.s.CodeRoot
	case treeJumpdest:
		return &m.s.JumpdestRoot
	case treeMemory:
		return &m.s.MemRoot
	case treeCalldata:
		return &m.s.CalldataRoot
	default:
		return &m.s.ReturndataRoot
	}
}

// treeDepth is the depth of a tree of the frame, from its size.
func (s *State) treeDepth(kind treeKind) int {
	switch kind {
	case treeCode:
		return depthOf(wordsOf(s.CodeSize))
	case treeJumpdest:
		return depthOf((s.CodeSize + 255) / 256)
	case treeMemory:
		return depthOf(s.MemSize)
	case treeCalldata:
		return depthOf(wordsOf(s.CalldataSize))
	default:
		return depthOf(wordsOf(s.ReturndataSize))
	}
}

// readWord takes the next word entry and checks it against the tree's root.
func (m *machine) readWord(kind treeKind, index uint64) (common.Hash, *Siblings, error) {
	depth := m.s.treeDepth(kind)
	if depth > TreeDepth || index>>depth != 0 {
		return common.Hash{}, nil, ErrBadProof
	}
	v, sib, err := m.src.wordEntry(kind, index, depth)
	if err != nil {
		return common.Hash{}, nil, err
	}
	if rootFromPath(v, index, sib, depth) != *m.root(kind) {
		return common.Hash{}, nil, ErrBadProof
	}
	return v, sib, nil
}

// writeWord replaces a word just read with readWord, using its path.
func (m *machine) writeWord(kind treeKind, index uint64, sib *Siblings, v common.Hash) {
	*m.root(kind) = rootFromPath(v, index, sib, m.s.treeDepth(kind))
	m.src.wroteWord(kind, index, v)
}

// pop takes the top of the stack from the next stack entry.
func (m *machine) pop() (uint256.Int, error) {
	v, below, err := m.src.popEntry()
	if err != nil {
		return v, err
	}
	if hashPair(below, common.Hash(v.Bytes32())) != m.s.StackHash {
		return v, ErrBadProof
	}
	m.s.StackHash = below
	m.s.StackDepth--
	return v, nil
}

// popN pops n values; the top of the stack comes first.
func (m *machine) popN(n int) ([]uint256.Int, error) {
	vals := make([]uint256.Int, n)
	for i := range vals {
		v, err := m.pop()
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}

func (m *machine) push(v *uint256.Int) {
	m.s.StackHash = hashPair(m.s.StackHash, common.Hash(v.Bytes32()))
	m.s.StackDepth++
	m.src.pushed(v)
}

// readSpan returns length bytes of a tree's data from offset off, zero past
// size. It reads one entry per word that holds a byte below size, in
// ascending order; with useOpWord, the word that holds the opcode is taken
// from the fetch instead.
func (m *machine) readSpan(kind treeKind, size uint64, off *uint256.Int, length uint64, useOpWord bool) ([]byte, error) {
	out := make([]byte, length)
	if length == 0 || !off.IsUint64() || off.Uint64() >= size {
		return out, nil
	}
	start := off.Uint64()
	end := size // min(start+length, size), without wrapping
	if length < size-start {
		end = start + length
	}
	for w := start / 32; w <= (end-1)/32; w++ {
		var word common.Hash
		if useOpWord && m.haveOpWord && w == m.opWordIndex {
			word = m.opWord
		} else {
			v, _, err := m.readWord(kind, w)
			if err != nil {
				return nil, err
			}
			word = v
		}
		// Copy the bytes of this word that fall inside [start, end).
		lo, hi := max(start, w*32), min(end, w*32+32)
		copy(out[lo-start:hi-start], word[lo-w*32:hi-w*32])
	}
	return out, nil
}

// writeMemory stores data at memory offset off: for each word it touches, in
// ascending order, one entry that is read, merged and written back.
func (m *machine) writeMemory(off uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	end := off + uint64(len(data))
	for w := off / 32; w <= (end-1)/32; w++ {
		old, sib, err := m.readWord(treeMemory, w)
		if err != nil {
			return err
		}
		lo, hi := max(off, w*32), min(end, w*32+32)
		copy(old[lo-w*32:hi-w*32], data[lo-off:hi-off])
		m.writeWord(treeMemory, w, sib, old)
	}
	return nil
}

// memoryGas is the total cost of a memory of the given size in words.
func memoryGas(words uint64) uint64 { return 3*words + words*words/512 }

// memoryExpansion returns the memory size in words after an access to
// [off, off+length), and the gas of growing to it, as go-ethereum computes
// them. ok is false where go-ethereum fails with a gas overflow.
func (m *machine) memoryExpansion(off, length *uint256.Int) (words, cost uint64, ok bool) {
	words = m.s.MemSize
	if length.IsZero() {
		return words, 0, true
	}
	if !off.IsUint64() || !length.IsUint64() {
		return 0, 0, false
	}
	end := off.Uint64() + length.Uint64()
	if end < off.Uint64() || end > maxMemoryBytes {
		return 0, 0, false
	}
	if nw := (end + 31) / 32; nw > words {
		return nw, memoryGas(nw) - memoryGas(words), true
	}
	return words, 0, true
}

// chargeMemory charges the memory expansion of an access plus extra gas and
// grows memory, extending the memory root when its depth grows. It reports
// whether execution continues.
func (m *machine) chargeMemory(off, length *uint256.Int, extra uint64) bool {
	words, cost, ok := m.memoryExpansion(off, length)
	if !ok {
		m.s.Status = StatusError
		return false
	}
	if !m.charge(cost + extra) {
		return false
	}
	m.s.MemRoot = extendRoot(m.s.MemRoot, depthOf(m.s.MemSize), depthOf(words))
	m.s.MemSize = words
	return true
}

// context reads the block and transaction context words (in Context.Encode
// order) from the next entry.
func (m *machine) context() ([numContextFields]common.Hash, error) {
	c, h, err := m.src.contextEntry()
	if err != nil {
		return c, err
	}
	if h != m.s.ContextHash {
		return c, ErrBadProof
	}
	return c, nil
}
