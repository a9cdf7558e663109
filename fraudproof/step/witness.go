package step

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// Frame is the full content of the current call frame: everything State
// holds only as commitments.
type Frame struct {
	Code       []byte
	Stack      []uint256.Int // bottom first
	Memory     []byte        // a whole number of words
	Calldata   []byte
	Returndata []byte
}

// Witness is a step state together with the data behind its commitments. It
// is what the proof builder steps: ProveStep reads from it, writes the access
// log, and advances it.
type Witness struct {
	State   State
	Frame   Frame
	Context Context

	trees       [5]*Tree
	stackPrefix []common.Hash // stackPrefix[i] is the chain hash of Stack[:i]
}

// NewWitness builds a witness whose commitments are computed from frame and
// ctx; the other fields of st (status, pc, gas, caller, address, value,
// static, depth and the transaction scope) are taken as given.
func NewWitness(st State, frame Frame, ctx Context) *Witness {
	w := &Witness{State: st, Frame: frame, Context: ctx}
	w.trees[treeCode] = NewTreeFromBytes(frame.Code)
	w.trees[treeJumpdest] = NewTreeFromBytes(JumpdestBitmap(frame.Code))
	w.trees[treeMemory] = NewTreeFromBytes(frame.Memory)
	w.trees[treeCalldata] = NewTreeFromBytes(frame.Calldata)
	w.trees[treeReturndata] = NewTreeFromBytes(frame.Returndata)
	w.stackPrefix = StackPrefix(frame.Stack)
	s := &w.State
	s.CodeHash = crypto.Keccak256Hash(frame.Code)
	s.CodeSize = uint64(len(frame.Code))
	s.StackHash = w.stackPrefix[len(frame.Stack)]
	s.StackDepth = uint64(len(frame.Stack))
	s.MemSize = uint64(len(frame.Memory)) / 32
	s.CalldataSize = uint64(len(frame.Calldata))
	s.ReturndataSize = uint64(len(frame.Returndata))
	s.CodeRoot = w.trees[treeCode].Root(s.treeDepth(treeCode))
	s.JumpdestRoot = w.trees[treeJumpdest].Root(s.treeDepth(treeJumpdest))
	s.MemRoot = w.trees[treeMemory].Root(s.treeDepth(treeMemory))
	s.CalldataRoot = w.trees[treeCalldata].Root(s.treeDepth(treeCalldata))
	s.ReturndataRoot = w.trees[treeReturndata].Root(s.treeDepth(treeReturndata))
	s.ContextHash = ctx.Hash()
	return w
}

// StackPrefix returns the hash chain over stack (bottom first): element i is
// the hash of the first i values, so the last is the stack's hash.
func StackPrefix(stack []uint256.Int) []common.Hash {
	p := make([]common.Hash, len(stack)+1)
	for i := range stack {
		p[i+1] = hashPair(p[i], common.Hash(stack[i].Bytes32()))
	}
	return p
}

// ProveStep executes one step of w, returning its access log and advancing w
// to the post state. Step(pre, log) then returns the same post state.
func ProveStep(w *Witness) (AccessLog, error) {
	log, _, err := proveStep(w)
	return log, err
}

func proveStep(w *Witness) (AccessLog, []logEntry, error) {
	src := &witnessSource{w: w}
	post, err := run(w.State, src)
	if err != nil {
		return nil, nil, err
	}
	w.State = post
	if post.Status == StatusRunning {
		if n := post.MemSize * 32; uint64(len(w.Frame.Memory)) < n {
			w.Frame.Memory = append(w.Frame.Memory, make([]byte, n-uint64(len(w.Frame.Memory)))...)
		}
	}
	return src.log, src.entries, nil
}

// witnessSource is the recording source: it answers reads from the witness
// and appends them to the log.
type witnessSource struct {
	w       *Witness
	log     AccessLog
	entries []logEntry
}

// logEntry locates one entry in a recorded log, for tests that corrupt it.
type logEntry struct {
	kind   string // "stack", "word" or "context"
	tree   treeKind
	offset int
	length int
}

func (r *witnessSource) mark(kind string, tree treeKind, start int) {
	r.entries = append(r.entries, logEntry{kind: kind, tree: tree, offset: start, length: len(r.log) - start})
}

func (r *witnessSource) popEntry() (uint256.Int, common.Hash, error) {
	w := r.w
	n := len(w.Frame.Stack)
	if n == 0 {
		return uint256.Int{}, common.Hash{}, ErrBadProof
	}
	v := w.Frame.Stack[n-1]
	below := w.stackPrefix[n-1]
	start := len(r.log)
	r.log = appendStackEntry(r.log, &v, below)
	r.mark("stack", 0, start)
	w.Frame.Stack = w.Frame.Stack[:n-1]
	w.stackPrefix = w.stackPrefix[:n]
	return v, below, nil
}

func (r *witnessSource) pushed(v *uint256.Int) {
	w := r.w
	w.stackPrefix = append(w.stackPrefix, hashPair(w.stackPrefix[len(w.Frame.Stack)], common.Hash(v.Bytes32())))
	w.Frame.Stack = append(w.Frame.Stack, *v)
}

func (r *witnessSource) wordEntry(kind treeKind, index uint64, depth int) (common.Hash, *Siblings, error) {
	t := r.w.trees[kind]
	v, sib := t.Word(index), t.Path(index, depth)
	start := len(r.log)
	r.log = appendWordEntry(r.log, v, sib, depth)
	r.mark("word", kind, start)
	return v, sib, nil
}

func (r *witnessSource) wroteWord(kind treeKind, index uint64, v common.Hash) {
	r.w.trees[kind].Set(index, v)
	if kind == treeMemory {
		mem := &r.w.Frame.Memory
		if need := (index + 1) * 32; uint64(len(*mem)) < need {
			*mem = append(*mem, make([]byte, need-uint64(len(*mem)))...)
		}
		copy((*mem)[index*32:], v[:])
	}
}

func (r *witnessSource) contextEntry() ([numContextFields]common.Hash, common.Hash, error) {
	enc := r.w.Context.Encode()
	start := len(r.log)
	r.log = append(r.log, enc...)
	r.mark("context", 0, start)
	var c [numContextFields]common.Hash
	for i := range c {
		c[i] = common.BytesToHash(enc[i*32 : i*32+32])
	}
	return c, crypto.Keccak256Hash(enc), nil
}

func (r *witnessSource) done() error { return nil }

// Clone returns a deep copy of w, for checkpoints.
func (w *Witness) Clone() *Witness {
	c := &Witness{State: w.State, Context: w.Context}
	c.Frame = Frame{
		Code:       w.Frame.Code,
		Stack:      append([]uint256.Int(nil), w.Frame.Stack...),
		Memory:     append([]byte(nil), w.Frame.Memory...),
		Calldata:   w.Frame.Calldata,
		Returndata: w.Frame.Returndata,
	}
	// Only memory changes in tier 1; the other trees are shared.
	c.trees = w.trees
	c.trees[treeMemory] = w.trees[treeMemory].clone()
	c.stackPrefix = append([]common.Hash(nil), w.stackPrefix...)
	return c
}
