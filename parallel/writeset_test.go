package parallel_test

import (
	"bytes"
	"context"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/parallel"
	pt "github.com/lanes-rollup/lanes/parallel/paralleltest"
)

// checkWriteSets applies both executors' write sets to fresh copies of the
// pre-state and checks they reproduce the post-state root, and that they
// carry the same content once no-op entries are ignored.
func checkWriteSets(t *testing.T, f *pt.Fixture, env *parallel.Env, seq, par pt.Outcome) {
	t.Helper()
	rules := f.Config.Rules(env.Header.Number, true, env.Header.Time)
	for name, o := range map[string]pt.Outcome{"sequential": seq, "parallel": par} {
		statedb := f.State()
		o.Result.WriteSet.Apply(statedb, rules)
		if got := statedb.IntermediateRoot(rules); got != o.Root {
			t.Errorf("%s write set applies to root %v, want %v", name, got, o.Root)
		}
	}
	a, b := effective(f.State(), seq.Result.WriteSet), effective(f.State(), par.Result.WriteSet)
	for addr, wa := range a {
		wb, ok := b[addr]
		if !ok {
			t.Errorf("write set: %v only in sequential: %+v", addr, wa)
			continue
		}
		if !equalWrite(wa, wb) {
			t.Errorf("write set: %v differs: %+v vs %+v", addr, wa, wb)
		}
	}
	for addr, wb := range b {
		if _, ok := a[addr]; !ok {
			t.Errorf("write set: %v only in parallel: %+v", addr, wb)
		}
	}
}

// effective drops the entries and slots of a write set that leave the
// pre-state as it was.
func effective(pre *state.StateDB, ws *parallel.WriteSet) map[common.Address]*parallel.AccountWrite {
	out := make(map[common.Address]*parallel.AccountWrite)
	for _, acc := range ws.Accounts {
		if acc.Deleted {
			if pre.Exist(acc.Address) {
				out[acc.Address] = acc
			}
			continue
		}
		cp := *acc
		// Recreated may or may not be set for an account missing from
		// the pre-state; it only matters for one that was there.
		cp.Recreated = acc.Recreated && pre.Exist(acc.Address)
		cp.Storage = make(map[common.Hash]common.Hash)
		for k, v := range acc.Storage {
			if pre.GetState(acc.Address, k) != v {
				cp.Storage[k] = v
			}
		}
		if cp.CodeChanged && bytes.Equal(pre.GetCode(acc.Address), cp.Code) {
			cp.CodeChanged, cp.Code = false, nil
		}
		if !cp.Recreated && pre.Exist(acc.Address) && pre.GetBalance(acc.Address).Eq(cp.Balance) && pre.GetNonce(acc.Address) == cp.Nonce && !cp.CodeChanged && len(cp.Storage) == 0 {
			continue
		}
		out[acc.Address] = &cp
	}
	return out
}

func equalWrite(a, b *parallel.AccountWrite) bool {
	if a.Deleted != b.Deleted {
		return false
	}
	if a.Deleted {
		return true
	}
	if a.Recreated != b.Recreated || !a.Balance.Eq(b.Balance) || a.Nonce != b.Nonce || a.CodeChanged != b.CodeChanged || !bytes.Equal(a.Code, b.Code) || len(a.Storage) != len(b.Storage) {
		return false
	}
	for k, v := range a.Storage {
		if b.Storage[k] != v {
			return false
		}
	}
	return true
}

func TestSequentialAppliesBlock(t *testing.T) {
	f, err := pt.NewFixture(4, pt.StandardAlloc())
	if err != nil {
		t.Fatal(err)
	}
	env := f.Env()
	txs := []*types.Transaction{
		f.Tx(0, &f.Addrs[1], big.NewInt(1000), 21000, nil),
		f.Tx(1, &pt.IncrementerAddr, nil, 100_000, nil),
		f.Tx(2, &pt.LoggerAddr, nil, 100_000, nil),
		f.TxWithNonce(3, 9, &f.Addrs[0], big.NewInt(1), 21000, nil),
	}
	statedb := f.State()
	res, err := parallel.Sequential{}.Execute(context.Background(), env, txs, statedb, parallel.Build)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Transactions) != 3 || len(res.Dropped) != 1 || res.Dropped[0].Tx != txs[3] {
		t.Fatalf("applied %d, dropped %v", len(res.Transactions), res.Dropped)
	}
	var cumulative uint64
	for i, r := range res.Receipts {
		cumulative += r.GasUsed
		if r.CumulativeGasUsed != cumulative || r.TransactionIndex != uint(i) {
			t.Errorf("receipt %d: cumulative %d index %d", i, r.CumulativeGasUsed, r.TransactionIndex)
		}
	}
	if res.GasUsed != cumulative {
		t.Errorf("gas used %d, want %d", res.GasUsed, cumulative)
	}
	if len(res.Logs) != 1 || res.Logs[0].TxIndex != 2 {
		t.Errorf("logs %v", res.Logs)
	}
	if got := statedb.GetState(pt.IncrementerAddr, common.Hash{}); got != common.BigToHash(common.Big1) {
		t.Errorf("counter %v", got)
	}
	if _, err := (parallel.Sequential{}).Execute(context.Background(), env, txs, f.State(), parallel.Validate); err == nil {
		t.Error("validate mode accepted a nonce gap")
	}
}

func TestWriteSetApplyReproducesRoot(t *testing.T) {
	f, err := pt.NewFixture(6, pt.StandardAlloc())
	if err != nil {
		t.Fatal(err)
	}
	env := f.Env()
	created := crypto.CreateAddress(f.Addrs[0], f.Nonce(f.Addrs[0]))
	txs := []*types.Transaction{
		f.Tx(0, nil, big.NewInt(1), 100_000, pt.SelfDestructInit),
		f.Tx(1, &pt.SlotWriterAddr, nil, 100_000, append(pt.Word(3), pt.Word(4)...)),
		f.Tx(2, &pt.FactoryAddr, big.NewInt(1), 200_000, pt.MorphInit),
		f.Tx(3, &created, big.NewInt(1), 21000, nil),
		f.Tx(4, &pt.DestructorAddr, nil, 100_000, common.LeftPadBytes(f.Addrs[5][:], 32)),
	}
	statedb := f.State()
	res, err := parallel.Sequential{}.Execute(context.Background(), env, txs, statedb, parallel.Validate)
	if err != nil {
		t.Fatal(err)
	}
	rules := f.Config.Rules(env.Header.Number, true, env.Header.Time)
	want := statedb.IntermediateRoot(rules)
	fresh := f.State()
	res.WriteSet.Apply(fresh, rules)
	if got := fresh.IntermediateRoot(rules); got != want {
		t.Fatalf("root %v, want %v", got, want)
	}
}

func TestEmbeddedContractsMatchTestdata(t *testing.T) {
	for _, name := range []string{"Token.bin", "Token.abi", "Pair.bin", "Pair.abi"} {
		disk, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(disk, pt.ContractFile(name)) {
			t.Errorf("%s: embedded copy in paralleltest/contracts differs from testdata", name)
		}
	}
}
