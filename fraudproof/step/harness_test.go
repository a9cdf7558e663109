package step

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// testContext is the block and transaction context of every test program.
var testContext = Context{
	Origin:     common.HexToAddress("0x0000000000000000000000000000000000c0ffee"),
	GasPrice:   *uint256.NewInt(7_000_000_000),
	Coinbase:   common.HexToAddress("0x00000000000000000000000000000000000c0b0e"),
	Timestamp:  1_900_000_000,
	Number:     25_000_123,
	PrevRandao: common.HexToHash("0x5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"),
	GasLimit:   30_000_000,
	ChainID:    *uint256.NewInt(424242),
	BaseFee:    *uint256.NewInt(1_000_000_000),
}

var (
	testCaller   = common.HexToAddress("0x00000000000000000000000000000000000ca11e")
	testContract = common.HexToAddress("0x000000000000000000000000000000000000c0de")
	testPreRoot  = common.HexToHash("0x1111111111111111111111111111111111111111111111111111111111111111")
)

// program is one test transaction: a contract's code, the calldata and value
// it is called with, and the gas.
type program struct {
	name     string
	code     []byte
	calldata []byte
	value    uint64
	gas      uint64
}

// blockContext returns go-ethereum's block context for testContext. The time
// and number put mainnet's chain config past Osaka.
func blockContext(c *Context) vm.BlockContext {
	random := c.PrevRandao
	return vm.BlockContext{
		CanTransfer: core.CanTransfer,
		Transfer:    core.Transfer,
		GetHash:     func(uint64) common.Hash { return common.Hash{} },
		Coinbase:    c.Coinbase,
		GasLimit:    c.GasLimit,
		BlockNumber: new(big.Int).SetUint64(c.Number),
		Time:        c.Timestamp,
		Difficulty:  new(big.Int),
		BaseFee:     c.BaseFee.ToBig(),
		BlobBaseFee: new(big.Int),
		Random:      &random,
	}
}

// chainConfig is mainnet's with the test chain ID.
func chainConfig(c *Context) *params.ChainConfig {
	cfg := *params.MainnetChainConfig
	cfg.ChainID = c.ChainID.ToBig()
	return &cfg
}

// record runs p in go-ethereum with a Recorder installed and returns the trace.
func record(t testing.TB, p program, checkpointEvery int) *Trace {
	t.Helper()
	sdb, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		t.Fatal(err)
	}
	sdb.SetCode(testContract, p.code, 0)
	sdb.SetBalance(testCaller, uint256.NewInt(1e18), 0)
	const intrinsic = 21_000
	rec := NewRecorder(RecorderConfig{
		Context: testContext, PreStateRoot: testPreRoot, OverlayRoot: EmptySparseRoot, WarmRoot: EmptySparseRoot,
		TxGasLimit: p.gas + intrinsic, CheckpointEvery: checkpointEvery,
	})
	hooks := rec.Hooks()
	evm := vm.NewEVM(blockContext(&testContext), state.NewHookedState(sdb, hooks), chainConfig(&testContext), vm.Config{Tracer: hooks})
	evm.SetTxContext(vm.TxContext{Origin: testContext.Origin, GasPrice: &testContext.GasPrice})
	// A failing call is an expected outcome here; the trace records it.
	_, _, _ = evm.Call(testCaller, testContract, p.calldata, vm.NewGasBudget(p.gas, 0), uint256.NewInt(p.value))
	tr, err := rec.Trace()
	if err != nil {
		t.Fatalf("%s: %v", p.name, err)
	}
	return tr
}

// stepProof is one step of a trace with its proof.
type stepProof struct {
	index int
	pre   State
	log   AccessLog
	want  common.Hash // recorded hash of the state after the step
}

// proofs replays a trace from its first checkpoint and returns every step's
// proof, checking each replayed state against the recorded hash.
func proofs(t testing.TB, name string, tr *Trace) []stepProof {
	t.Helper()
	if tr.Steps() == 0 {
		return nil
	}
	w, err := tr.WitnessAt(0)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([]stepProof, 0, tr.Steps())
	for i := 0; i < tr.Steps(); i++ {
		if w.State.Hash() != tr.StateHash(i) {
			t.Fatalf("%s: witness state %d differs from the recorded one", name, i)
		}
		pre := w.State
		log, err := ProveStep(w)
		if err != nil {
			t.Fatalf("%s: prove step %d: %v", name, i, err)
		}
		out = append(out, stepProof{index: i, pre: pre, log: log, want: tr.StateHash(i + 1)})
	}
	return out
}

func hashBytes(b []byte) common.Hash { return crypto.Keccak256Hash(b) }

// TestRecorderRefusesCreation checks that a contract-creation frame is
// refused rather than recorded with the wrong semantics.
func TestRecorderRefusesCreation(t *testing.T) {
	sdb, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		t.Fatal(err)
	}
	rec := NewRecorder(RecorderConfig{Context: testContext, TxGasLimit: 100_000})
	hooks := rec.Hooks()
	evm := vm.NewEVM(blockContext(&testContext), state.NewHookedState(sdb, hooks), chainConfig(&testContext), vm.Config{Tracer: hooks})
	evm.SetTxContext(vm.TxContext{Origin: testContext.Origin, GasPrice: &testContext.GasPrice})
	initcode := asm{}.pushU(1).pushU(0).op(vm.RETURN)
	if _, _, _, err := evm.Create(testCaller, initcode, vm.NewGasBudget(100_000, 0), new(uint256.Int)); err != nil {
		t.Fatal(err)
	}
	if _, err := rec.Trace(); !errors.Is(err, ErrCreationFrame) {
		t.Fatalf("got %v, want ErrCreationFrame", err)
	}
}
