package step

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// RecorderConfig is what the recorder needs beyond what the tracing hooks
// report: the fields of the transaction scope and the context.
type RecorderConfig struct {
	Context      Context
	PreStateRoot common.Hash
	OverlayRoot  common.Hash
	WarmRoot     common.Hash
	TxGasLimit   uint64 // the transaction's gas limit; GasUsed = TxGasLimit - gas left
	// CheckpointEvery is the distance in steps between the full witnesses
	// kept for WitnessAt; zero means DefaultCheckpointEvery.
	CheckpointEvery int
}

// DefaultCheckpointEvery is the default checkpoint distance.
const DefaultCheckpointEvery = 1024

// Recorder builds the step trace of one transaction from go-ethereum's
// tracing hooks. It derives every state from what the EVM reports (pc, gas,
// stack, memory, logs, the frame's exit) and not from Step, so that the two
// can be compared. It keeps the hash of every state and a full witness every
// CheckpointEvery steps; WitnessAt rebuilds any other state from the nearest
// checkpoint with ProveStep, checking each hash on the way.
type Recorder struct {
	cfg RecorderConfig

	hashes      []common.Hash
	checkpoints []*Witness
	final       *State
	err         error

	// The frame as last observed, kept to update the commitments
	// incrementally between opcodes.
	started   bool
	startGas  uint64
	frame     Frame
	memTree   *Tree
	stackPref []common.Hash
	base      State // frame fields that do not change between opcodes
	logAcc    common.Hash
}

// NewRecorder returns a recorder for one transaction.
func NewRecorder(cfg RecorderConfig) *Recorder {
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = DefaultCheckpointEvery
	}
	return &Recorder{cfg: cfg}
}

// Hooks returns the tracing hooks to install in the EVM (vm.Config.Tracer).
// Logs are reported by the state (state.NewHookedState) through OnLog.
func (r *Recorder) Hooks() *tracing.Hooks {
	return &tracing.Hooks{
		OnEnter:  r.onEnter,
		OnOpcode: r.onOpcode,
		OnExit:   r.onExit,
		OnLog:    r.onLog,
	}
}

// ErrTraceIncomplete means the recorder has not seen the end of the top frame.
var ErrTraceIncomplete = errors.New("step: trace incomplete")

// ErrCreationFrame means the top frame creates a contract: its RETURN
// deposits code, which the covered set does not model yet.
var ErrCreationFrame = errors.New("step: contract creation is not in the covered set")

func (r *Recorder) onEnter(depth int, typ byte, from, to common.Address, input []byte, gas uint64, value *big.Int) {
	if depth != 0 || r.started {
		return
	}
	r.started = true
	if op := vm.OpCode(typ); op == vm.CREATE || op == vm.CREATE2 {
		r.err = ErrCreationFrame
		return
	}
	r.startGas = gas
	v, _ := uint256.FromBig(value)
	r.base = State{
		Caller: from, Address: to, Depth: 1,
		PreStateRoot: r.cfg.PreStateRoot, OverlayRoot: r.cfg.OverlayRoot, WarmRoot: r.cfg.WarmRoot,
		ContextHash: r.cfg.Context.Hash(),
	}
	if v != nil {
		r.base.Value = *v
	}
	r.frame.Calldata = append([]byte(nil), input...)
	r.base.CalldataSize = uint64(len(input))
	r.base.CalldataRoot = NewTreeFromBytes(input).Root(r.base.treeDepth(treeCalldata))
	r.base.ReturndataRoot = EmptyTreeRoot
	r.memTree = NewTreeFromBytes(nil)
	r.stackPref = []common.Hash{{}}
}

func (r *Recorder) onLog(l *types.Log) {
	if r.final == nil {
		r.logAcc = hashPair(r.logAcc, LogHash(l.Address, l.Topics, l.Data))
	}
}

func (r *Recorder) onOpcode(pc uint64, op byte, gas, cost uint64, scope tracing.OpContext, rData []byte, depth int, err error) {
	if r.final != nil || r.err != nil || !r.started || depth != 1 {
		return
	}
	if r.frame.Code == nil {
		code := scope.ContractCode()
		r.frame.Code = append([]byte{}, code...)
		r.base.CodeHash = crypto.Keccak256Hash(code)
		r.base.CodeSize = uint64(len(code))
		r.base.CodeRoot = NewTreeFromBytes(code).Root(r.base.treeDepth(treeCode))
		r.base.JumpdestRoot = NewTreeFromBytes(JumpdestBitmap(code)).Root(r.base.treeDepth(treeJumpdest))
	}
	r.observeMemory(scope.MemoryData())
	r.observeStack(scope.StackData())

	st := r.base
	st.PC, st.Gas = pc, gas
	st.StackHash, st.StackDepth = r.stackPref[len(r.frame.Stack)], uint64(len(r.frame.Stack))
	st.MemSize = uint64(len(r.frame.Memory)) / 32
	st.MemRoot = r.memTree.Root(st.treeDepth(treeMemory))
	st.LogAcc = r.logAcc
	st.GasUsed = r.cfg.TxGasLimit - gas
	i := len(r.hashes)
	r.hashes = append(r.hashes, st.Hash())
	if i%r.cfg.CheckpointEvery == 0 {
		frame := r.frame
		frame.Stack = append([]uint256.Int(nil), frame.Stack...)
		frame.Memory = append([]byte(nil), frame.Memory...)
		w := NewWitness(st, frame, r.cfg.Context)
		if w.State.Hash() != st.Hash() {
			r.err = fmt.Errorf("step %d: witness commitments differ from the observed state", i)
			return
		}
		r.checkpoints = append(r.checkpoints, w)
	}
	if r.leavesCoveredSet(vm.OpCode(op), &st, scope.StackData()) {
		fin := st
		fin.Status = StatusUnsupported
		r.finish(fin)
	}
}

// leavesCoveredSet reports whether the step is outside the covered set, in
// the order the prover checks: depth, opcode, then (only when the stack and
// the static gas admit the opcode) the span bound.
func (r *Recorder) leavesCoveredSet(op vm.OpCode, st *State, stack []uint256.Int) bool {
	info := Table[op]
	if st.Depth != 1 || !info.Covered() {
		return true
	}
	n := len(stack)
	if n < info.Pops || n-info.Pops+info.Pushes > StackLimit || st.Gas < info.StaticGas {
		return false
	}
	lengthArg := -1
	switch {
	case op == vm.KECCAK256 || (op >= vm.LOG0 && op <= vm.LOG4):
		lengthArg = 1
	case op == vm.CALLDATACOPY || op == vm.CODECOPY || op == vm.MCOPY:
		lengthArg = 2
	}
	return lengthArg >= 0 && stack[n-1-lengthArg].GtUint64(MaxSpanBytes)
}

func (r *Recorder) observeMemory(mem []byte) {
	old := r.frame.Memory
	for w := 0; w*32 < len(mem); w++ {
		cur := mem[w*32 : w*32+32]
		if w*32 < len(old) && string(old[w*32:w*32+32]) == string(cur) {
			continue
		}
		r.memTree.Set(uint64(w), common.BytesToHash(cur))
	}
	r.frame.Memory = append(r.frame.Memory[:0], mem...)
}

func (r *Recorder) observeStack(stack []uint256.Int) {
	same := 0
	for same < len(stack) && same < len(r.frame.Stack) && stack[same] == r.frame.Stack[same] {
		same++
	}
	r.stackPref = r.stackPref[:same+1]
	for i := same; i < len(stack); i++ {
		r.stackPref = append(r.stackPref, hashPair(r.stackPref[i], common.Hash(stack[i].Bytes32())))
	}
	r.frame.Stack = append(r.frame.Stack[:0], stack...)
}

func (r *Recorder) onExit(depth int, output []byte, gasUsed uint64, err error, reverted bool) {
	if depth != 0 || r.final != nil || r.err != nil {
		return
	}
	fin := State{
		PreStateRoot: r.cfg.PreStateRoot, OverlayRoot: r.cfg.OverlayRoot, WarmRoot: r.cfg.WarmRoot,
		ContextHash: r.cfg.Context.Hash(), LogAcc: r.logAcc,
	}
	switch {
	case err == nil:
		fin.Status = StatusReturned
	case errors.Is(err, vm.ErrExecutionReverted):
		fin.Status = StatusReverted
	default:
		fin.Status = StatusError
	}
	fin.Gas = r.startGas - gasUsed
	fin.GasUsed = r.cfg.TxGasLimit - fin.Gas
	r.finish(fin)
}

func (r *Recorder) finish(fin State) {
	r.final = &fin
	r.hashes = append(r.hashes, fin.Hash())
}

// Trace returns the recorded trace, once the top frame has ended (or left the
// covered set).
func (r *Recorder) Trace() (*Trace, error) {
	if r.err != nil {
		return nil, r.err
	}
	if r.final == nil {
		return nil, ErrTraceIncomplete
	}
	return &Trace{hashes: r.hashes, checkpoints: r.checkpoints, every: r.cfg.CheckpointEvery, final: *r.final}, nil
}

// Trace is the step trace of one transaction: the hash of the state before
// each step and of the last state, with checkpoints to rebuild any state.
type Trace struct {
	hashes      []common.Hash
	checkpoints []*Witness
	every       int
	final       State
}

// Steps returns the number of steps; there are Steps()+1 states.
func (t *Trace) Steps() int { return len(t.hashes) - 1 }

// StateHash returns the hash of state i: the state before step i, or for
// i == Steps(), the last state.
func (t *Trace) StateHash(i int) common.Hash { return t.hashes[i] }

// Final returns the last state.
func (t *Trace) Final() State { return t.final }

// ErrDiverged means replaying from a checkpoint produced a state whose hash
// differs from the one recorded from the EVM.
var ErrDiverged = errors.New("step: replay diverged from the recorded trace")

// WitnessAt returns the full state before step i (i < Steps()), replayed
// from the nearest checkpoint; each replayed state is checked against the
// recorded hash.
func (t *Trace) WitnessAt(i int) (*Witness, error) {
	if i < 0 || i >= t.Steps() {
		return nil, fmt.Errorf("step: index %d outside trace of %d steps", i, t.Steps())
	}
	w := t.checkpoints[i/t.every].Clone()
	for j := i / t.every * t.every; j < i; j++ {
		if _, err := ProveStep(w); err != nil {
			return nil, fmt.Errorf("replay step %d: %w", j, err)
		}
		if w.State.Hash() != t.hashes[j+1] {
			return nil, fmt.Errorf("%w at state %d", ErrDiverged, j+1)
		}
	}
	return w, nil
}

// Proof returns the pre state of step i and the access log that proves it.
func (t *Trace) Proof(i int) (State, AccessLog, error) {
	w, err := t.WitnessAt(i)
	if err != nil {
		return State{}, nil, err
	}
	pre := w.State
	log, err := ProveStep(w)
	return pre, log, err
}

// EncodeProof returns the proof argument of OneStepProver.step: the encoded
// pre state followed by the access log.
func EncodeProof(pre *State, log AccessLog) []byte {
	return append(pre.Encode(), log...)
}
