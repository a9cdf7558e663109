package step

import (
	"fmt"
	"math/rand"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/holiman/uint256"
)

// asm assembles test programs.
type asm []byte

func (a asm) op(ops ...vm.OpCode) asm {
	for _, o := range ops {
		a = append(a, byte(o))
	}
	return a
}

// push appends the shortest PUSH of v (PUSH0 for zero).
func (a asm) push(v *uint256.Int) asm {
	if v.IsZero() {
		return a.op(vm.PUSH0)
	}
	b := v.Bytes()
	a = append(a, byte(vm.PUSH1)+byte(len(b)-1))
	return append(a, b...)
}

func (a asm) pushU(v uint64) asm { return a.push(uint256.NewInt(v)) }

// pushN appends PUSHn of v, truncated to n bytes.
func (a asm) pushN(n int, v *uint256.Int) asm {
	b := v.Bytes32()
	a = append(a, byte(vm.PUSH1)+byte(n-1))
	return append(a, b[32-n:]...)
}

func u(v uint64) *uint256.Int { return uint256.NewInt(v) }

func hexU(s string) *uint256.Int { return new(uint256.Int).SetBytes(common.FromHex(s)) }

// edgeValues are operands that hit the boundaries of 256-bit arithmetic.
var edgeValues = []*uint256.Int{
	u(0), u(1), u(2), u(7), u(31), u(32), u(255), u(256), u(1 << 63),
	hexU("0x8000000000000000000000000000000000000000000000000000000000000000"),
	hexU("0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	hexU("0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
	hexU("0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe"),
	hexU("0x0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
}

const defaultGas = 1_000_000

// opcodePrograms returns the edge-case table: programs grouped by the opcode
// (or behaviour) they exercise.
func opcodePrograms() map[string][]program {
	g := map[string][]program{}
	add := func(group string, code asm, mods ...func(*program)) {
		p := program{name: fmt.Sprintf("%s/%d", group, len(g[group])), code: code, gas: defaultGas}
		for _, m := range mods {
			m(&p)
		}
		g[group] = append(g[group], p)
	}
	withGas := func(gas uint64) func(*program) { return func(p *program) { p.gas = gas } }
	withData := func(d []byte) func(*program) { return func(p *program) { p.calldata = d } }

	// Arithmetic, comparison, bitwise: every pair (and for ADDMOD/MULMOD
	// every triple of a smaller set) in one program per opcode.
	for op := vm.OpCode(0); op < 0x20; op++ {
		info := Table[op]
		if info.Class != ClassArith {
			continue
		}
		var code asm
		switch info.Pops {
		case 1:
			for _, x := range edgeValues {
				code = code.push(x).op(op, vm.POP)
			}
		case 2:
			for _, x := range edgeValues {
				for _, y := range edgeValues {
					code = code.push(y).push(x).op(op, vm.POP)
				}
			}
		case 3:
			small := []*uint256.Int{edgeValues[0], edgeValues[1], edgeValues[5], edgeValues[9], edgeValues[11], edgeValues[13]}
			for _, x := range small {
				for _, y := range small {
					for _, z := range small {
						code = code.push(z).push(y).push(x).op(op, vm.POP)
					}
				}
			}
		}
		add(op.String(), code.op(vm.STOP))
	}
	// EXP out of gas in its dynamic part: 10 static + 50 per exponent byte.
	add("EXP", asm{}.push(edgeValues[11]).pushU(3).op(vm.EXP), withGas(3+3+10+50*31))

	// PUSH: every width, and data cut off by the end of the code.
	for n := 1; n <= 32; n++ {
		op := vm.PUSH1 + vm.OpCode(n-1)
		add(op.String(), asm{}.pushN(n, edgeValues[13]).pushN(n, edgeValues[11]).op(vm.STOP))
		add(op.String(), append(asm{}.op(vm.JUMPDEST), append([]byte{byte(op)}, make([]byte, n/2)...)...))
	}
	add("PUSH0", asm{}.op(vm.PUSH0, vm.PUSH0, vm.ADD))
	// A PUSH32 straddling two code words.
	add("PUSH32", asm{}.op(vm.JUMPDEST, vm.JUMPDEST, vm.JUMPDEST).pushN(32, edgeValues[13]).op(vm.STOP))

	// DUP and SWAP over a stack of 17 distinct values.
	base := asm{}
	for i := uint64(1); i <= 17; i++ {
		base = base.pushU(i * 0x1111)
	}
	for n := 1; n <= 16; n++ {
		dup, swap := vm.DUP1+vm.OpCode(n-1), vm.SWAP1+vm.OpCode(n-1)
		add(dup.String(), append(asm{}, base...).op(dup, dup, vm.POP))
		add(swap.String(), append(asm{}, base...).op(swap, swap, swap))
		// Underflow: one value short.
		short := asm{}
		for i := 1; i < n; i++ {
			short = short.pushU(uint64(i))
		}
		add(dup.String(), short.op(dup))
		add(swap.String(), append(asm{}, short...).pushU(9).op(swap))
	}
	add("POP", asm{}.pushU(5).op(vm.POP, vm.POP))

	// Stack overflow: 1025 pushes, and DUP1 at 1024.
	over := asm{}
	for i := 0; i < 1024; i++ {
		over = over.op(vm.PUSH0)
	}
	add("PUSH0", append(asm{}, over...).op(vm.PUSH0))
	add("DUP1", append(asm{}, over...).op(vm.DUP1))
	add("SWAP16", append(asm{}, over...).op(vm.SWAP16, vm.POP, vm.PUSH0, vm.DUP1))

	// Jumps: valid, into PUSH data, past the code, not a JUMPDEST, huge, and
	// a destination in the second jumpdest bitmap word.
	add("JUMP", asm{}.pushU(4).op(vm.JUMP, vm.INVALID, vm.JUMPDEST).pushU(1).op(vm.STOP))
	add("JUMP", asm{}.pushU(4).op(vm.JUMP).pushN(2, u(0x5b5b)).op(vm.STOP))
	add("JUMP", asm{}.pushU(3).op(vm.JUMP, vm.JUMPDEST))
	add("JUMP", asm{}.pushU(200).op(vm.JUMP, vm.JUMPDEST))
	add("JUMP", asm{}.pushU(0).op(vm.JUMP))
	add("JUMP", asm{}.push(edgeValues[9]).op(vm.JUMP))
	far := asm{}.pushU(300).op(vm.JUMP)
	for len(far) < 300 {
		far = far.op(vm.INVALID)
	}
	add("JUMP", far.op(vm.JUMPDEST).pushU(7).op(vm.STOP))
	add("JUMPI", asm{}.pushU(1).pushU(6).op(vm.JUMPI, vm.INVALID, vm.JUMPDEST, vm.STOP))
	add("JUMPI", asm{}.pushU(0).pushU(6).op(vm.JUMPI, vm.STOP, vm.JUMPDEST, vm.STOP))
	add("JUMPI", asm{}.pushU(1).pushU(7).op(vm.JUMPI, vm.STOP, vm.JUMPDEST, vm.STOP))
	add("JUMPI", asm{}.pushU(0).push(edgeValues[11]).op(vm.JUMPI, vm.STOP))
	add("JUMPDEST", asm{}.op(vm.JUMPDEST, vm.JUMPDEST, vm.STOP))

	// Frame and environment reads.
	env := asm{}.op(vm.PC, vm.GAS, vm.MSIZE, vm.ADDRESS, vm.ORIGIN, vm.CALLER, vm.CALLVALUE, vm.GASPRICE,
		vm.COINBASE, vm.TIMESTAMP, vm.NUMBER, vm.PREVRANDAO, vm.GASLIMIT, vm.CHAINID, vm.BASEFEE,
		vm.CALLDATASIZE, vm.CODESIZE, vm.RETURNDATASIZE).pushU(64).op(vm.MLOAD, vm.MSIZE, vm.STOP)
	add("ENV", env, withData([]byte("calldata for the environment")), func(p *program) { p.value = 12345 })

	// Halting.
	add("STOP", asm{}.op(vm.STOP))
	add("STOP", asm{}.pushU(1)) // runs off the end of the code
	add("RETURN", asm{}.pushU(32).pushU(100).op(vm.RETURN))
	add("RETURN", asm{}.pushU(0).push(edgeValues[11]).op(vm.RETURN))
	add("RETURN", asm{}.pushU(1).push(edgeValues[11]).op(vm.RETURN))
	add("REVERT", asm{}.pushU(32).pushU(0).op(vm.REVERT))
	add("REVERT", asm{}.pushU(1<<40).pushU(0).op(vm.REVERT))
	add("INVALID", asm{}.op(vm.INVALID))
	add("RETURN", asm{}.op(vm.RETURN))

	// Memory.
	for _, off := range []uint64{0, 1, 31, 32, 33, 95, 1000} {
		add("MSTORE", asm{}.push(edgeValues[13]).pushU(off).op(vm.MSTORE).pushU(off).op(vm.MLOAD).pushU(off+7).op(vm.MLOAD, vm.MSIZE, vm.STOP))
		add("MSTORE8", asm{}.push(edgeValues[13]).pushU(off).op(vm.MSTORE8).pushU(0xab).pushU(off+1).op(vm.MSTORE8).pushU(off).op(vm.MLOAD, vm.STOP))
		add("MLOAD", asm{}.pushU(off).op(vm.MLOAD, vm.STOP))
	}
	add("MLOAD", asm{}.push(edgeValues[11]).op(vm.MLOAD))
	add("MLOAD", asm{}.pushU(1<<32).op(vm.MLOAD))
	add("MLOAD", asm{}.pushU(0x1FFFFFFFC0).op(vm.MLOAD))
	add("MSTORE", asm{}.pushU(1).pushU(1<<20).op(vm.MSTORE), withGas(5000))
	add("MSTORE8", asm{}.pushU(1).push(edgeValues[12]).op(vm.MSTORE8))
	fill := asm{}
	for i := uint64(0); i < 6; i++ {
		fill = fill.push(edgeValues[13-i]).pushU(i * 32).op(vm.MSTORE)
	}
	for _, c := range [][3]uint64{{0, 32, 32}, {32, 0, 64}, {5, 3, 100}, {3, 5, 100}, {1000, 0, 0}, {0, 0, 192}, {7, 70, 1}, {0, 64, 1024}} {
		add("MCOPY", append(asm{}, fill...).pushU(c[2]).pushU(c[1]).pushU(c[0]).op(vm.MCOPY).pushU(c[0]).op(vm.MLOAD, vm.MSIZE, vm.STOP))
	}
	add("MCOPY", append(asm{}, fill...).pushU(1025).pushU(0).pushU(0).op(vm.MCOPY))
	add("MCOPY", asm{}.pushU(0).push(edgeValues[11]).push(edgeValues[11]).op(vm.MCOPY, vm.STOP))
	add("MCOPY", asm{}.pushU(1).push(edgeValues[11]).pushU(0).op(vm.MCOPY))
	for _, l := range []uint64{0, 1, 31, 32, 33, 64, 100, 1024, 1025} {
		add("KECCAK256", append(asm{}, fill...).pushU(l).pushU(3).op(vm.KECCAK256, vm.STOP))
	}
	add("KECCAK256", asm{}.pushU(0).push(edgeValues[11]).op(vm.KECCAK256, vm.STOP))
	add("KECCAK256", asm{}.pushU(64).push(edgeValues[11]).op(vm.KECCAK256))

	cd := []byte("0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!") // 73 bytes
	for _, off := range []uint64{0, 1, 31, 32, 41, 72, 73, 100, 1 << 40} {
		add("CALLDATALOAD", asm{}.pushU(off).op(vm.CALLDATALOAD, vm.STOP), withData(cd))
	}
	add("CALLDATALOAD", asm{}.push(edgeValues[11]).op(vm.CALLDATALOAD, vm.STOP), withData(cd))
	add("CALLDATALOAD", asm{}.pushU(0).op(vm.CALLDATALOAD, vm.STOP))
	for _, c := range [][3]uint64{{0, 0, 73}, {5, 3, 40}, {33, 60, 40}, {0, 100, 32}, {64, 1 << 62, 10}, {9, 0, 0}, {0, 0, 1024}, {0, 0, 1025}} {
		add("CALLDATACOPY", asm{}.pushU(c[2]).pushU(c[1]).pushU(c[0]).op(vm.CALLDATACOPY).pushU(c[0]).op(vm.MLOAD, vm.STOP), withData(cd))
		add("CODECOPY", asm{}.pushU(c[2]).pushU(c[1]).pushU(c[0]).op(vm.CODECOPY).pushU(c[0]).op(vm.MLOAD, vm.STOP))
	}
	add("CODECOPY", asm{}.pushU(10).push(edgeValues[11]).pushU(0).op(vm.CODECOPY, vm.STOP))
	add("CALLDATACOPY", asm{}.pushU(10).pushU(0).push(edgeValues[11]).op(vm.CALLDATACOPY))

	for n := 0; n <= 4; n++ {
		op := vm.LOG0 + vm.OpCode(n)
		for _, c := range [][2]uint64{{0, 0}, {3, 70}, {0, 1024}, {0, 1025}} {
			code := append(asm{}, fill...)
			for i := 0; i < n; i++ {
				code = code.push(edgeValues[10+i])
			}
			add(op.String(), code.pushU(c[1]).pushU(c[0]).op(op, vm.STOP))
		}
		add(op.String(), asm{}.pushU(1).pushU(0).op(op)) // underflow for n > 0
	}

	// Gas: every class runs out in its static or dynamic part.
	for _, gas := range []uint64{0, 2, 3, 5, 6, 8, 9, 11, 14, 20, 40, 70, 200, 400, 800} {
		add("OOG", append(asm{}, fill...).pushU(33).pushU(40).op(vm.KECCAK256).pushU(2).pushU(3).op(vm.EXP, vm.LOG0), withGas(gas))
		add("OOG", asm{}.pushU(1).pushU(2).op(vm.ADD).pushU(100).op(vm.MLOAD, vm.GAS), withGas(gas))
	}

	// Opcodes outside the covered set, and the top-level limits.
	for _, op := range []vm.OpCode{vm.SLOAD, vm.SSTORE, vm.CALL, vm.BALANCE, vm.SELFBALANCE, vm.BLOCKHASH, vm.TLOAD,
		vm.CREATE, vm.RETURNDATACOPY, vm.EXTCODESIZE, vm.BLOBHASH, 0x0c, 0xef} {
		add("UNSUPPORTED", asm{}.pushU(1).pushU(2).pushU(3).op(op))
	}
	return g
}

// randomProgram returns a seeded random program of about n instructions over
// the covered set: operands are kept small where they are offsets or
// lengths, so most programs run long before they fail.
func randomProgram(seed int64, n int) program {
	rng := rand.New(rand.NewSource(seed))
	var covered []vm.OpCode
	for _, op := range CoveredOpcodes() {
		if op != vm.INVALID && op != vm.RETURN && op != vm.REVERT && op != vm.STOP && op != vm.JUMP && op != vm.JUMPI {
			covered = append(covered, op)
		}
	}
	small := func() *uint256.Int { return u(uint64(rng.Intn(200))) }
	value := func() *uint256.Int {
		switch rng.Intn(4) {
		case 0:
			return edgeValues[rng.Intn(len(edgeValues))]
		case 1:
			return small()
		default:
			var b [32]byte
			rng.Read(b[:rng.Intn(33)])
			return new(uint256.Int).SetBytes(b[:])
		}
	}
	var code asm
	var labels []int // positions of PUSH2 placeholders for forward jumps
	for i := 0; i < n; i++ {
		op := covered[rng.Intn(len(covered))]
		info := Table[op]
		// Arguments: offsets and lengths small, other values anything.
		for a := info.Pops - 1; a >= 0; a-- {
			if info.Class == ClassMemory || op == vm.RETURN {
				code = code.push(small())
			} else {
				code = code.push(value())
			}
		}
		if op >= vm.PUSH1 && op <= vm.PUSH32 {
			code = code.pushN(int(op-vm.PUSH1)+1, value())
		} else {
			code = code.op(op)
		}
		if rng.Intn(12) == 0 {
			// A forward conditional jump to a JUMPDEST placed later.
			code = code.push(u(uint64(rng.Intn(2))))
			labels = append(labels, len(code)+1)
			code = code.pushN(2, u(0)).op(vm.JUMPI)
		}
		if len(labels) > 0 && rng.Intn(6) == 0 {
			at := labels[0]
			labels = labels[1:]
			code[at], code[at+1] = byte(len(code)>>8), byte(len(code))
			code = code.op(vm.JUMPDEST)
		}
	}
	for _, at := range labels {
		code[at], code[at+1] = byte(len(code)>>8), byte(len(code))
	}
	code = code.op(vm.JUMPDEST)
	ends := []vm.OpCode{vm.STOP, vm.RETURN, vm.REVERT, vm.INVALID}
	end := ends[rng.Intn(len(ends))]
	if end == vm.RETURN || end == vm.REVERT {
		code = code.push(small()).push(small())
	}
	code = code.op(end)
	cd := make([]byte, rng.Intn(100))
	rng.Read(cd)
	return program{name: fmt.Sprintf("random/%d", seed), code: code, calldata: cd, value: uint64(rng.Intn(3)), gas: uint64(20_000 + rng.Intn(200_000))}
}
