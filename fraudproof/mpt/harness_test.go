package mpt

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// callGas is the gas given to every call: far above what any proof needs.
const callGas = 30_000_000

// harness runs the compiled MPTHarness contract in go-ethereum's EVM over an
// in-memory state, without a network.
type harness struct {
	evm      *vm.EVM
	contract *bindings.MPTHarness
	errs     *abi.ABI
	addr     common.Address
	sender   common.Address
}

// revertError is a custom error the contract reverted with, formatted as
// Name(arg, ...) so that tests can compare it exactly.
type revertError struct{ reason string }

func (e *revertError) Error() string { return "reverted: " + e.reason }

func newHarness(t testing.TB) *harness {
	t.Helper()
	db, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		t.Fatal(err)
	}
	ctx := vm.BlockContext{
		CanTransfer: core.CanTransfer,
		Transfer:    core.Transfer,
		GetHash:     func(uint64) common.Hash { return common.Hash{} },
		GasLimit:    callGas,
		BlockNumber: big.NewInt(1),
		Time:        1,
		Difficulty:  big.NewInt(0),
		BaseFee:     big.NewInt(0),
		BlobBaseFee: big.NewInt(0),
		Random:      &common.Hash{},
	}
	h := &harness{
		evm:      vm.NewEVM(ctx, db, params.MergedTestChainConfig, vm.Config{}),
		contract: bindings.NewMPTHarness(),
		sender:   common.HexToAddress("0x1a4e5"),
	}
	if h.errs, err = bindings.MPTHarnessMetaData.ParseABI(); err != nil {
		t.Fatal(err)
	}
	code := common.FromHex(bindings.MPTHarnessMetaData.Bin)
	_, h.addr, _, err = h.evm.Create(h.sender, code, vm.NewGasBudget(callGas, 0), new(uint256.Int))
	if err != nil {
		t.Fatalf("deploy MPTHarness: %v", err)
	}
	return h
}

// call runs input against the harness and returns the output and the
// execution gas of the call (without the transaction's intrinsic gas).
func (h *harness) call(input []byte) ([]byte, uint64, error) {
	budget := vm.NewGasBudget(callGas, 0)
	ret, left, err := h.evm.Call(h.sender, h.addr, input, budget, new(uint256.Int))
	gas := left.Used(budget)
	if errors.Is(err, vm.ErrExecutionReverted) {
		return nil, gas, h.decodeRevert(ret)
	}
	return ret, gas, err
}

// decodeRevert formats the revert data of a custom error.
func (h *harness) decodeRevert(data []byte) error {
	if len(data) < 4 {
		return &revertError{fmt.Sprintf("raw(%x)", data)}
	}
	for name, e := range h.errs.Errors {
		if string(e.ID[:4]) != string(data[:4]) {
			continue
		}
		args, err := e.Inputs.Unpack(data[4:])
		if err != nil {
			return &revertError{fmt.Sprintf("%s(undecodable %x)", name, data[4:])}
		}
		parts := make([]string, len(args))
		for i, a := range args {
			parts[i] = fmt.Sprint(a)
		}
		return &revertError{name + "(" + strings.Join(parts, ",") + ")"}
	}
	return &revertError{fmt.Sprintf("raw(%x)", data)}
}

// get runs MerklePatriciaTrie.get.
func (h *harness) get(root, key common.Hash, proof [][]byte) (bool, []byte, uint64, error) {
	ret, gas, err := h.call(h.contract.PackMptGet(root, key, nonNil(proof)))
	if err != nil {
		return false, nil, gas, err
	}
	out, err := h.contract.UnpackMptGet(ret)
	if err != nil {
		return false, nil, gas, err
	}
	return out.Found, out.Value, gas, nil
}

// update runs MerklePatriciaTrie.update.
func (h *harness) update(root, key common.Hash, value []byte, w *Witness) (common.Hash, uint64, error) {
	ret, gas, err := h.call(h.contract.PackMptUpdate(root, key, nonNilBytes(value), nonNil(w.Proof), nonNilBytes(w.Sibling)))
	if err != nil {
		return common.Hash{}, gas, err
	}
	out, err := h.contract.UnpackMptUpdate(ret)
	return out, gas, err
}

// remove runs MerklePatriciaTrie.remove.
func (h *harness) remove(root, key common.Hash, w *Witness) (common.Hash, uint64, error) {
	ret, gas, err := h.call(h.contract.PackMptRemove(root, key, nonNil(w.Proof), nonNilBytes(w.Sibling)))
	if err != nil {
		return common.Hash{}, gas, err
	}
	out, err := h.contract.UnpackMptRemove(ret)
	return out, gas, err
}

// nonNil and nonNilBytes keep the ABI packer away from nil slices.
func nonNil(p [][]byte) [][]byte {
	if p == nil {
		return [][]byte{}
	}
	return p
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// reason returns the formatted custom error of a revert, or fails the test.
func reason(t testing.TB, err error) string {
	t.Helper()
	var r *revertError
	if !errors.As(err, &r) {
		t.Fatalf("want a revert, got %v", err)
	}
	return r.reason
}
