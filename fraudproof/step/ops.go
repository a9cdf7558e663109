package step

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// execArith runs the arithmetic, comparison and bitwise opcodes (and CLZ).
// Each pops
// its arguments (top first) and pushes one result, with go-ethereum's
// semantics (division by zero gives zero, shifts past 255 give zero or the
// sign, and so on).
func (m *machine) execArith() error {
	info := Table[m.op]
	a, err := m.popN(info.Pops)
	if err != nil {
		return err
	}
	var r uint256.Int
	x := &a[0]
	var y *uint256.Int
	if len(a) > 1 {
		y = &a[1]
	}
	boolean := func(b bool) {
		if b {
			r.SetOne()
		}
	}
	switch m.op {
	case vm.ADD:
		r.Add(x, y)
	case vm.MUL:
		r.Mul(x, y)
	case vm.SUB:
		r.Sub(x, y)
	case vm.DIV:
		r.Div(x, y)
	case vm.SDIV:
		r.SDiv(x, y)
	case vm.MOD:
		r.Mod(x, y)
	case vm.SMOD:
		r.SMod(x, y)
	case vm.ADDMOD:
		r.AddMod(x, y, &a[2])
	case vm.MULMOD:
		r.MulMod(x, y, &a[2])
	case vm.EXP:
		if !m.charge(50 * uint64((y.BitLen()+7)/8)) {
			return nil
		}
		r.Exp(x, y)
	case vm.SIGNEXTEND:
		r.ExtendSign(y, x)
	case vm.LT:
		boolean(x.Lt(y))
	case vm.GT:
		boolean(x.Gt(y))
	case vm.SLT:
		boolean(x.Slt(y))
	case vm.SGT:
		boolean(x.Sgt(y))
	case vm.EQ:
		boolean(x.Eq(y))
	case vm.ISZERO:
		boolean(x.IsZero())
	case vm.AND:
		r.And(x, y)
	case vm.OR:
		r.Or(x, y)
	case vm.XOR:
		r.Xor(x, y)
	case vm.NOT:
		r.Not(x)
	case vm.CLZ:
		r.SetUint64(256 - uint64(x.BitLen()))
	case vm.BYTE:
		r.Set(y)
		r.Byte(x)
	case vm.SHL:
		if x.LtUint64(256) {
			r.Lsh(y, uint(x.Uint64()))
		}
	case vm.SHR:
		if x.LtUint64(256) {
			r.Rsh(y, uint(x.Uint64()))
		}
	case vm.SAR:
		switch {
		case !x.GtUint64(256):
			r.SRsh(y, uint(x.Uint64()))
		case y.Sign() < 0:
			r.SetAllOne()
		}
	}
	m.push(&r)
	m.s.PC++
	return nil
}

// execFlow runs the stack, control-flow, environment and halting opcodes.
func (m *machine) execFlow() error {
	s := &m.s
	op := m.op
	var v uint256.Int
	switch {
	case op == vm.STOP:
		s.Status = StatusReturned
		return nil
	case op == vm.RETURN || op == vm.REVERT:
		a, err := m.popN(2)
		if err != nil {
			return err
		}
		if !m.chargeMemory(&a[0], &a[1], 0) {
			return nil
		}
		s.Status = StatusReturned
		if op == vm.REVERT {
			s.Status = StatusReverted
		}
		return nil
	case op == vm.INVALID:
		s.Status = StatusError
		return nil
	case op == vm.POP:
		if _, err := m.pop(); err != nil {
			return err
		}
	case op == vm.PUSH0:
		m.push(&v)
	case op >= vm.PUSH1 && op <= vm.PUSH32:
		n := uint64(op-vm.PUSH1) + 1
		data, err := m.readSpan(treeCode, s.CodeSize, uint256.NewInt(s.PC+1), n, true)
		if err != nil {
			return err
		}
		v.SetBytes(data)
		m.push(&v)
		s.PC += n
	case op >= vm.DUP1 && op <= vm.DUP16:
		n := int(op-vm.DUP1) + 1
		a, err := m.popN(n)
		if err != nil {
			return err
		}
		for i := n - 1; i >= 0; i-- {
			m.push(&a[i])
		}
		m.push(&a[n-1])
	case op >= vm.SWAP1 && op <= vm.SWAP16:
		n := int(op-vm.SWAP1) + 1
		a, err := m.popN(n + 1)
		if err != nil {
			return err
		}
		a[0], a[n] = a[n], a[0]
		for i := n; i >= 0; i-- {
			m.push(&a[i])
		}
	case op == vm.JUMP:
		dest, err := m.pop()
		if err != nil {
			return err
		}
		return m.jump(&dest)
	case op == vm.JUMPI:
		a, err := m.popN(2)
		if err != nil {
			return err
		}
		if !a[1].IsZero() {
			return m.jump(&a[0])
		}
	case op == vm.JUMPDEST:
	case op == vm.PC:
		m.push(v.SetUint64(s.PC))
	case op == vm.GAS:
		m.push(v.SetUint64(s.Gas))
	case op == vm.MSIZE:
		m.push(v.Lsh(v.SetUint64(s.MemSize), 5)) // no wrap, as on L1
	case op == vm.ADDRESS:
		m.push(v.SetBytes(s.Address[:]))
	case op == vm.CALLER:
		m.push(v.SetBytes(s.Caller[:]))
	case op == vm.CALLVALUE:
		m.push(&s.Value)
	case op == vm.CALLDATASIZE:
		m.push(v.SetUint64(s.CalldataSize))
	case op == vm.CODESIZE:
		m.push(v.SetUint64(s.CodeSize))
	case op == vm.RETURNDATASIZE:
		m.push(v.SetUint64(s.ReturndataSize))
	default:
		c, err := m.context()
		if err != nil {
			return err
		}
		v.SetBytes32(c[contextWord[op]][:])
		m.push(&v)
	}
	s.PC++
	return nil
}

// contextWord is the index in the context encoding of the word each
// context opcode pushes.
var contextWord = map[vm.OpCode]int{
	vm.ORIGIN: 0, vm.GASPRICE: 1, vm.COINBASE: 2, vm.TIMESTAMP: 3, vm.NUMBER: 4,
	vm.PREVRANDAO: 5, vm.GASLIMIT: 6, vm.CHAINID: 7, vm.BASEFEE: 8,
}

// jump moves to dest, or halts with an error unless dest is a JUMPDEST
// outside PUSH data, which one entry of the jumpdest bitmap proves.
func (m *machine) jump(dest *uint256.Int) error {
	if !dest.IsUint64() || dest.Uint64() >= m.s.CodeSize {
		m.s.Status = StatusError
		return nil
	}
	d := dest.Uint64()
	w, _, err := m.readWord(treeJumpdest, d/256)
	if err != nil {
		return err
	}
	bit := d % 256
	if w[bit/8]&(0x80>>(bit%8)) == 0 {
		m.s.Status = StatusError
		return nil
	}
	m.s.PC = d
	return nil
}

// spanTooLong moves the state to unsupported when a span exceeds the tier's
// bound, and reports it.
func (m *machine) spanTooLong(length *uint256.Int) bool {
	if length.GtUint64(MaxSpanBytes) {
		m.s.Status = StatusUnsupported
		return true
	}
	return false
}

func words(length *uint256.Int) uint64 { return (length.Uint64() + 31) / 32 }

// execMemory runs the opcodes that read or write memory, calldata or code,
// KECCAK256 and the logs.
func (m *machine) execMemory() error {
	s := &m.s
	op := m.op
	a, err := m.popN(Table[op].Pops)
	if err != nil {
		return err
	}
	var v uint256.Int
	switch op {
	case vm.KECCAK256:
		if m.spanTooLong(&a[1]) || !m.chargeMemory(&a[0], &a[1], 6*words(&a[1])) {
			return nil
		}
		data, err := m.readSpan(treeMemory, s.MemSize*32, &a[0], a[1].Uint64(), false)
		if err != nil {
			return err
		}
		v.SetBytes(crypto.Keccak256(data))
		m.push(&v)
	case vm.MLOAD:
		if !m.chargeMemory(&a[0], uint256.NewInt(32), 0) {
			return nil
		}
		data, err := m.readSpan(treeMemory, s.MemSize*32, &a[0], 32, false)
		if err != nil {
			return err
		}
		m.push(v.SetBytes(data))
	case vm.MSTORE:
		if !m.chargeMemory(&a[0], uint256.NewInt(32), 0) {
			return nil
		}
		b := a[1].Bytes32()
		if err := m.writeMemory(a[0].Uint64(), b[:]); err != nil {
			return err
		}
	case vm.MSTORE8:
		if !m.chargeMemory(&a[0], uint256.NewInt(1), 0) {
			return nil
		}
		if err := m.writeMemory(a[0].Uint64(), []byte{byte(a[1].Uint64())}); err != nil {
			return err
		}
	case vm.MCOPY:
		far := &a[0]
		if a[1].Gt(far) {
			far = &a[1]
		}
		if m.spanTooLong(&a[2]) || !m.chargeMemory(far, &a[2], 3*words(&a[2])) {
			return nil
		}
		if err := m.copyToMemory(treeMemory, s.MemSize*32, &a[0], &a[1], &a[2]); err != nil {
			return err
		}
	case vm.CALLDATALOAD:
		data, err := m.readSpan(treeCalldata, s.CalldataSize, &a[0], 32, false)
		if err != nil {
			return err
		}
		m.push(v.SetBytes(data))
	case vm.CALLDATACOPY, vm.CODECOPY:
		if m.spanTooLong(&a[2]) || !m.chargeMemory(&a[0], &a[2], 3*words(&a[2])) {
			return nil
		}
		kind, size := treeCalldata, s.CalldataSize
		if op == vm.CODECOPY {
			kind, size = treeCode, s.CodeSize
		}
		if err := m.copyToMemory(kind, size, &a[0], &a[1], &a[2]); err != nil {
			return err
		}
	default: // LOG0..LOG4
		n := uint64(op - vm.LOG0)
		if m.spanTooLong(&a[1]) || !m.chargeMemory(&a[0], &a[1], 375+375*n+8*a[1].Uint64()) {
			return nil
		}
		if s.Static {
			s.Status = StatusError
			return nil
		}
		data, err := m.readSpan(treeMemory, s.MemSize*32, &a[0], a[1].Uint64(), false)
		if err != nil {
			return err
		}
		topics := make([]common.Hash, n)
		for i := range topics {
			topics[i] = a[2+i].Bytes32()
		}
		s.LogAcc = hashPair(s.LogAcc, LogHash(s.Address, topics, data))
	}
	s.PC++
	return nil
}

// copyToMemory copies length bytes of a tree's data (zero past size) from
// offset src to memory offset dst: all source words are read first, then the
// memory words written, so overlapping MCOPY works.
func (m *machine) copyToMemory(kind treeKind, size uint64, dst, src, length *uint256.Int) error {
	if length.IsZero() {
		return nil
	}
	data, err := m.readSpan(kind, size, src, length.Uint64(), false)
	if err != nil {
		return err
	}
	return m.writeMemory(dst.Uint64(), data)
}
