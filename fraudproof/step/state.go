package step

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// Version is the version of the step-state encoding. It is the first word of
// every encoded state, so states of different versions never share a hash.
const Version = 1

// Status says whether the transaction is still executing and, if not, how it
// ended. Only a running state advances; every other status is a fixed point.
type Status uint8

// The statuses of a step state.
const (
	StatusRunning     Status = 0 // executing the current frame
	StatusReturned    Status = 1 // the top frame ended with STOP or RETURN
	StatusReverted    Status = 2 // the top frame ended with REVERT
	StatusError       Status = 3 // the top frame ended with an exceptional halt
	StatusUnsupported Status = 4 // the next step is outside the covered set
	StatusDone        Status = 5 // the transaction is finalised (later tiers)
)

// String returns the status name used in the documentation.
func (s Status) String() string {
	switch s {
	case StatusRunning:
		return "running"
	case StatusReturned:
		return "returned"
	case StatusReverted:
		return "reverted"
	case StatusError:
		return "error"
	case StatusUnsupported:
		return "unsupported"
	case StatusDone:
		return "done"
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Field indexes of the encoded state: each field is one 32-byte word, in this
// order. The Solidity prover (l1contracts/src/step/StepLib.sol) uses the same
// indexes.
const (
	fVersion = iota
	fStatus
	fPC
	fGas
	fCodeHash
	fCodeSize
	fCodeRoot
	fJumpdestRoot
	fStackHash
	fStackDepth
	fMemRoot
	fMemSize
	fCalldataRoot
	fCalldataSize
	fReturndataRoot
	fReturndataSize
	fCaller
	fAddress
	fValue
	fStatic
	fDepth
	fParentFrames
	fPreStateRoot
	fOverlayRoot
	fRefund
	fLogAcc
	fWarmRoot
	fGasUsed
	fContextHash
	numFields
)

// EncodedStateSize is the length in bytes of an encoded state.
const EncodedStateSize = numFields * 32

// State is the committed EVM execution state inside one transaction. Its hash
// (Hash) is what the bisection game and the one-step prover agree on. Large
// parts (code, stack, memory, calldata) are present only as commitments; the
// values a step needs arrive in its access log.
type State struct {
	Status Status

	// The current frame.
	PC             uint64
	Gas            uint64      // gas left in the frame
	CodeHash       common.Hash // keccak256 of the code
	CodeSize       uint64      // in bytes
	CodeRoot       common.Hash // word tree over the code
	JumpdestRoot   common.Hash // word tree over the jumpdest bitmap
	StackHash      common.Hash // hash chain: push is keccak(h ‖ v), empty is zero
	StackDepth     uint64
	MemRoot        common.Hash // word tree over memory
	MemSize        uint64      // in 32-byte words
	CalldataRoot   common.Hash // word tree over the calldata
	CalldataSize   uint64      // in bytes
	ReturndataRoot common.Hash // word tree over the last call's return data
	ReturndataSize uint64      // in bytes
	Caller         common.Address
	Address        common.Address
	Value          uint256.Int
	Static         bool
	Depth          uint64 // call depth; the top frame is 1

	// Above the frame.
	ParentFrames common.Hash // hash chain of the suspended parent frames
	PreStateRoot common.Hash // state root before the transaction
	OverlayRoot  common.Hash // sparse Merkle tree of touched accounts and slots
	Refund       uint64
	LogAcc       common.Hash // log accumulator: acc' = keccak(acc ‖ LogHash(log))
	WarmRoot     common.Hash // warm-address set
	GasUsed      uint64      // gas used by the transaction so far
	ContextHash  common.Hash // ContextHash of the block and transaction context
}

// ErrBadState means an encoded state is not canonical: a wrong version, or a
// field outside its range.
var ErrBadState = errors.New("step: non-canonical state encoding")

func u64Word(v uint64) (w common.Hash) {
	return common.Hash(uint256.NewInt(v).Bytes32())
}

func addrWord(a common.Address) common.Hash { return common.BytesToHash(a[:]) }

func boolWord(b bool) common.Hash {
	if b {
		return u64Word(1)
	}
	return common.Hash{}
}

// Words returns the state as its field words, in encoding order.
func (s *State) Words() [numFields]common.Hash {
	var w [numFields]common.Hash
	w[fVersion] = u64Word(Version)
	w[fStatus] = u64Word(uint64(s.Status))
	w[fPC] = u64Word(s.PC)
	w[fGas] = u64Word(s.Gas)
	w[fCodeHash] = s.CodeHash
	w[fCodeSize] = u64Word(s.CodeSize)
	w[fCodeRoot] = s.CodeRoot
	w[fJumpdestRoot] = s.JumpdestRoot
	w[fStackHash] = s.StackHash
	w[fStackDepth] = u64Word(s.StackDepth)
	w[fMemRoot] = s.MemRoot
	w[fMemSize] = u64Word(s.MemSize)
	w[fCalldataRoot] = s.CalldataRoot
	w[fCalldataSize] = u64Word(s.CalldataSize)
	w[fReturndataRoot] = s.ReturndataRoot
	w[fReturndataSize] = u64Word(s.ReturndataSize)
	w[fCaller] = addrWord(s.Caller)
	w[fAddress] = addrWord(s.Address)
	w[fValue] = s.Value.Bytes32()
	w[fStatic] = boolWord(s.Static)
	w[fDepth] = u64Word(s.Depth)
	w[fParentFrames] = s.ParentFrames
	w[fPreStateRoot] = s.PreStateRoot
	w[fOverlayRoot] = s.OverlayRoot
	w[fRefund] = u64Word(s.Refund)
	w[fLogAcc] = s.LogAcc
	w[fWarmRoot] = s.WarmRoot
	w[fGasUsed] = u64Word(s.GasUsed)
	w[fContextHash] = s.ContextHash
	return w
}

// Encode returns the canonical encoding: EncodedStateSize bytes, one word per
// field.
func (s *State) Encode() []byte {
	w := s.Words()
	out := make([]byte, 0, EncodedStateSize)
	for i := range w {
		out = append(out, w[i][:]...)
	}
	return out
}

// Hash returns keccak256 of the encoding.
func (s *State) Hash() common.Hash { return crypto.Keccak256Hash(s.Encode()) }

// DecodeState parses a canonical encoding. Like the Solidity prover, it
// rejects a wrong version and any field outside its range.
func DecodeState(b []byte) (State, error) {
	var s State
	if len(b) != EncodedStateSize {
		return s, fmt.Errorf("%w: length %d", ErrBadState, len(b))
	}
	word := func(i int) common.Hash { return common.BytesToHash(b[i*32 : i*32+32]) }
	var bad bool
	u64 := func(i int) uint64 {
		var v uint256.Int
		v.SetBytes32(b[i*32 : i*32+32])
		if !v.IsUint64() {
			bad = true
		}
		return v.Uint64()
	}
	addr := func(i int) common.Address {
		w := word(i)
		for _, c := range w[:12] {
			if c != 0 {
				bad = true
			}
		}
		return common.BytesToAddress(w[12:])
	}
	if u64(fVersion) != Version {
		return s, fmt.Errorf("%w: version", ErrBadState)
	}
	st := u64(fStatus)
	if st > uint64(StatusDone) {
		bad = true
	}
	s.Status = Status(st)
	s.PC = u64(fPC)
	s.Gas = u64(fGas)
	s.CodeHash = word(fCodeHash)
	s.CodeSize = u64(fCodeSize)
	s.CodeRoot = word(fCodeRoot)
	s.JumpdestRoot = word(fJumpdestRoot)
	s.StackHash = word(fStackHash)
	s.StackDepth = u64(fStackDepth)
	s.MemRoot = word(fMemRoot)
	s.MemSize = u64(fMemSize)
	s.CalldataRoot = word(fCalldataRoot)
	s.CalldataSize = u64(fCalldataSize)
	s.ReturndataRoot = word(fReturndataRoot)
	s.ReturndataSize = u64(fReturndataSize)
	s.Caller = addr(fCaller)
	s.Address = addr(fAddress)
	s.Value.SetBytes32(b[fValue*32 : fValue*32+32])
	static := u64(fStatic)
	if static > 1 {
		bad = true
	}
	s.Static = static == 1
	s.Depth = u64(fDepth)
	s.ParentFrames = word(fParentFrames)
	s.PreStateRoot = word(fPreStateRoot)
	s.OverlayRoot = word(fOverlayRoot)
	s.Refund = u64(fRefund)
	s.LogAcc = word(fLogAcc)
	s.WarmRoot = word(fWarmRoot)
	s.GasUsed = u64(fGasUsed)
	s.ContextHash = word(fContextHash)
	if bad {
		return s, ErrBadState
	}
	return s, nil
}

// clearFrame zeroes every frame field except the gas left. A frame that has
// halted keeps nothing else: later steps (finalisation, or the return to a
// parent frame in later tiers) need only its gas and the status.
func (s *State) clearFrame() {
	gas := s.Gas
	s.PC, s.CodeHash, s.CodeSize, s.CodeRoot, s.JumpdestRoot = 0, common.Hash{}, 0, common.Hash{}, common.Hash{}
	s.StackHash, s.StackDepth, s.MemRoot, s.MemSize = common.Hash{}, 0, common.Hash{}, 0
	s.CalldataRoot, s.CalldataSize, s.ReturndataRoot, s.ReturndataSize = common.Hash{}, 0, common.Hash{}, 0
	s.Caller, s.Address, s.Value, s.Static, s.Depth = common.Address{}, common.Address{}, uint256.Int{}, false, 0
	s.Gas = gas
}

// Context is the block and transaction context that the environment opcodes
// read. The state holds only its hash (ContextHash); a step that reads it
// carries the whole preimage in its access log.
type Context struct {
	Origin     common.Address
	GasPrice   uint256.Int
	Coinbase   common.Address
	Timestamp  uint64
	Number     uint64
	PrevRandao common.Hash
	GasLimit   uint64
	ChainID    uint256.Int
	BaseFee    uint256.Int
}

// numContextFields is the number of words in an encoded Context.
const numContextFields = 9

// Encode returns the context as numContextFields words, in field order.
func (c *Context) Encode() []byte {
	out := make([]byte, 0, numContextFields*32)
	for _, w := range []common.Hash{
		addrWord(c.Origin), c.GasPrice.Bytes32(), addrWord(c.Coinbase), u64Word(c.Timestamp),
		u64Word(c.Number), c.PrevRandao, u64Word(c.GasLimit), c.ChainID.Bytes32(), c.BaseFee.Bytes32(),
	} {
		out = append(out, w[:]...)
	}
	return out
}

// Hash returns keccak256 of the encoding, the value kept in State.ContextHash.
func (c *Context) Hash() common.Hash { return crypto.Keccak256Hash(c.Encode()) }

// LogHash is the hash a log contributes to the log accumulator:
// keccak256(address ‖ uint256(len(topics)) ‖ topics… ‖ keccak256(data)), each
// item one 32-byte word.
func LogHash(addr common.Address, topics []common.Hash, data []byte) common.Hash {
	buf := make([]byte, 0, 32*(3+len(topics)))
	a := addrWord(addr)
	n := u64Word(uint64(len(topics)))
	buf = append(buf, a[:]...)
	buf = append(buf, n[:]...)
	for _, t := range topics {
		buf = append(buf, t[:]...)
	}
	buf = append(buf, crypto.Keccak256(data)...)
	return crypto.Keccak256Hash(buf)
}

// hashPair is keccak256(a ‖ b), the node hash of every tree and chain here.
func hashPair(a, b common.Hash) common.Hash {
	var buf [64]byte
	copy(buf[:32], a[:])
	copy(buf[32:], b[:])
	return crypto.Keccak256Hash(buf[:])
}
