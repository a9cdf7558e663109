package step

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// l1Prover is OneStepProver and its handlers deployed from their compiled
// bytecode into an in-memory go-ethereum state, called through the EVM with
// no network.
type l1Prover struct {
	sdb    *state.StateDB
	evm    *vm.EVM
	rules  params.Rules
	addr   common.Address
	abi    *bindings.OneStepProver
	caller common.Address
}

const l1CallGas = 30_000_000

func newL1Prover(t testing.TB) *l1Prover {
	t.Helper()
	sdb, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		t.Fatal(err)
	}
	caller := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	cfg := chainConfig(&testContext)
	bctx := blockContext(&testContext)
	evm := vm.NewEVM(bctx, sdb, cfg, vm.Config{})
	evm.SetTxContext(vm.TxContext{Origin: caller, GasPrice: new(uint256.Int)})
	deploy := func(name, bin string, args []byte) common.Address {
		code := append(hexutil.MustDecode(bin), args...)
		_, addr, _, err := evm.Create(caller, code, vm.NewGasBudget(l1CallGas, 0), new(uint256.Int))
		if err != nil {
			t.Fatalf("deploy %s: %v", name, err)
		}
		return addr
	}
	mem := deploy("StepMemory", bindings.StepMemoryMetaData.Bin, nil)
	osp := bindings.NewOneStepProver()
	addr := deploy("OneStepProver", bindings.OneStepProverMetaData.Bin, osp.PackConstructor(mem))
	rules := cfg.Rules(bctx.BlockNumber, true, bctx.Time)
	return &l1Prover{sdb: sdb, evm: evm, rules: rules, addr: addr, abi: osp, caller: caller}
}

// errL1Revert is a revert of the L1 prover; its data says which.
var errL1Revert = errors.New("l1 prover reverted")

// step calls OneStepProver.step as the only call of a fresh transaction
// (fresh access list) and returns the post hash and the execution gas.
func (p *l1Prover) step(pre common.Hash, proof []byte) (common.Hash, uint64, error) {
	p.sdb.Prepare(p.rules, p.caller, common.Address{}, &p.addr, vm.ActivePrecompiles(p.rules), nil)
	ret, left, err := p.evm.Call(p.caller, p.addr, p.abi.PackStep(pre, proof), vm.NewGasBudget(l1CallGas, 0), new(uint256.Int))
	used := l1CallGas - left.ExecutionGas
	if err != nil {
		if errors.Is(err, vm.ErrExecutionReverted) {
			if e, uerr := p.abi.UnpackError(ret); uerr == nil {
				return common.Hash{}, used, fmt.Errorf("%w: %T", errL1Revert, e)
			}
			return common.Hash{}, used, fmt.Errorf("%w: %x", errL1Revert, ret)
		}
		return common.Hash{}, used, err
	}
	h, err := p.abi.UnpackStep(ret)
	return h, used, err
}

// covered calls OneStepProver.coveredOpcodes.
func (p *l1Prover) covered(t testing.TB) *uint256.Int {
	ret, _, err := p.evm.Call(p.caller, p.addr, p.abi.PackCoveredOpcodes(), vm.NewGasBudget(l1CallGas, 0), new(uint256.Int))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.abi.UnpackCoveredOpcodes(ret)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := uint256.FromBig(b)
	return v
}

// txGas is what the step would cost as an L1 transaction: 21000, the
// calldata (with the EIP-7623 floor) and the execution gas.
func txGas(calldata []byte, exec uint64) uint64 {
	var zeros, nonzeros uint64
	for _, b := range calldata {
		if b == 0 {
			zeros++
		} else {
			nonzeros++
		}
	}
	tokens := zeros + 4*nonzeros
	standard := 21000 + 4*tokens + exec
	floor := 21000 + 10*tokens
	return max(standard, floor)
}
