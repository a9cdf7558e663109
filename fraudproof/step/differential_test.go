package step

import (
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/core/vm"
)

var randomPrograms = flag.Int("step.random", 40, "number of seeded random programs in TestDifferential")

// gasStats collects the L1 execution gas of step per opcode class.
type gasStats map[string][]uint64

func (g gasStats) add(class string, gas uint64) { g[class] = append(g[class], gas) }

func (g gasStats) report() string {
	var b strings.Builder
	classes := make([]string, 0, len(g))
	for c := range g {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	fmt.Fprintf(&b, "%-12s %7s %9s %9s\n", "class", "steps", "median", "max")
	for _, c := range classes {
		v := slices.Clone(g[c])
		slices.Sort(v)
		fmt.Fprintf(&b, "%-12s %7d %9d %9d\n", c, len(v), v[len(v)/2], v[len(v)-1])
	}
	return b.String()
}

// stepClass names the class of the opcode a step executes, for gas figures.
func stepClass(pre *State, post *State, op vm.OpCode) string {
	switch {
	case post.Status == StatusUnsupported:
		return "unsupported"
	case post.Status == StatusError:
		return "error"
	}
	return Table[op].Class.String()
}

// opcodeAt returns the opcode at the pc of a running state, from the code.
func opcodeAt(code []byte, pc uint64) vm.OpCode {
	if pc < uint64(len(code)) {
		return vm.OpCode(code[pc])
	}
	return vm.STOP
}

// checker runs the three-way comparison over programs.
type checker struct {
	t        *testing.T
	l1       *l1Prover
	gas      gasStats
	txGas    gasStats
	executed map[vm.OpCode]bool // covered opcodes that ran to a running or halted state
}

func newChecker(t *testing.T) *checker {
	return &checker{t: t, l1: newL1Prover(t), gas: gasStats{}, txGas: gasStats{}, executed: map[vm.OpCode]bool{}}
}

// check records p in go-ethereum and, at every step, compares the recorded
// post-state hash with Go Step and with the Solidity prover.
func (c *checker) check(t *testing.T, p program) {
	tr := record(t, p, 64)
	for _, sp := range proofs(t, p.name, tr) {
		post, err := Step(sp.pre, sp.log)
		if err != nil {
			t.Fatalf("%s step %d: Go Step: %v", p.name, sp.index, err)
		}
		if post.Hash() != sp.want {
			t.Fatalf("%s step %d (pc %d, %v): Go Step gives %+v, trace disagrees", p.name, sp.index, sp.pre.PC, opcodeAt(p.code, sp.pre.PC), post)
		}
		proof := EncodeProof(&sp.pre, sp.log)
		h, gas, err := c.l1.step(sp.pre.Hash(), proof)
		if err != nil {
			t.Fatalf("%s step %d (pc %d, %v): L1: %v", p.name, sp.index, sp.pre.PC, opcodeAt(p.code, sp.pre.PC), err)
		}
		if h != sp.want {
			t.Fatalf("%s step %d (pc %d, %v): L1 post hash %x, want %x", p.name, sp.index, sp.pre.PC, opcodeAt(p.code, sp.pre.PC), h, sp.want)
		}
		op := opcodeAt(p.code, sp.pre.PC)
		class := stepClass(&sp.pre, &post, op)
		tx := txGas(c.l1.abi.PackStep(sp.pre.Hash(), proof), gas)
		c.gas.add(class, gas)
		c.gas.add("all", gas)
		c.txGas.add(class, tx)
		c.txGas.add("all", tx)
		if class != "unsupported" && class != "error" {
			c.executed[op] = true
		}
	}
	// The padding step: a halted state is a fixed point.
	fin := tr.Final()
	if h, _, err := c.l1.step(fin.Hash(), fin.Encode()); err != nil || h != fin.Hash() {
		t.Fatalf("%s: final state is not a fixed point on L1: %v", p.name, err)
	}
	if post, err := Step(fin, nil); err != nil || post.Hash() != fin.Hash() {
		t.Fatalf("%s: final state is not a fixed point in Go: %v", p.name, err)
	}
}

// TestDifferential is the three-way test: for every program of the edge
// table (grouped by opcode) and for seeded random programs, at every step
// the trace recorded from go-ethereum, Go Step and the Solidity prover agree
// on the post-state hash. Run with -v for the L1 gas of step per class; use
// -step.random=N for more random programs.
func TestDifferential(t *testing.T) {
	c := newChecker(t)
	groups := opcodePrograms()
	names := make([]string, 0, len(groups))
	for name := range groups {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, p := range groups[name] {
				c.check(t, p)
			}
		})
	}
	t.Run("random", func(t *testing.T) {
		for seed := int64(1); seed <= int64(*randomPrograms); seed++ {
			c.check(t, randomProgram(seed, 150))
		}
	})
	var missing []string
	for _, op := range CoveredOpcodes() {
		if op != vm.INVALID && !c.executed[op] {
			missing = append(missing, op.String())
		}
	}
	if len(missing) > 0 {
		t.Errorf("covered opcodes never executed successfully: %v", missing)
	}
	t.Logf("L1 execution gas of OneStepProver.step per class:\n%s", c.gas.report())
	t.Logf("as an L1 transaction (21000 + calldata with the EIP-7623 floor + execution):\n%s", c.txGas.report())
}
