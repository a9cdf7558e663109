package mpt

import (
	"math/big"
	"math/rand"
	"os"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// gasSample is what one call cost: the EVM execution gas of the call, and
// the gas of a whole L1 transaction that makes it (21000, calldata with the
// EIP-7623 floor, and execution).
type gasSample struct {
	exec, tx, calldata, nodes uint64
}

// txGas is the gas of an L1 transaction with this calldata and execution gas.
func txGas(t *testing.T, h *harness, input []byte, exec uint64) uint64 {
	rules := params.MergedTestChainConfig.Rules(big.NewInt(1), true, 1)
	value := new(uint256.Int)
	intrinsic, err := core.IntrinsicGas(input, nil, nil, h.sender, &h.addr, value, rules)
	if err != nil {
		t.Fatal(err)
	}
	floor, err := core.FloorDataGas(rules, h.sender, &h.addr, value, input, nil)
	if err != nil {
		t.Fatal(err)
	}
	return max(intrinsic+exec, floor)
}

// report logs the median and maximum of each column.
func report(t *testing.T, name string, s []gasSample) {
	col := func(f func(gasSample) uint64) (uint64, uint64) {
		v := make([]uint64, len(s))
		for i := range s {
			v[i] = f(s[i])
		}
		slices.Sort(v)
		return v[len(v)/2], v[len(v)-1]
	}
	em, ex := col(func(g gasSample) uint64 { return g.exec })
	tm, tx := col(func(g gasSample) uint64 { return g.tx })
	cm, cx := col(func(g gasSample) uint64 { return g.calldata })
	nm, nx := col(func(g gasSample) uint64 { return g.nodes })
	t.Logf("%-7s n=%d  exec gas median %6d max %6d | tx gas median %6d max %6d | calldata bytes median %5d max %5d | proof nodes median %d max %d",
		name, len(s), em, ex, tm, tx, cm, cx, nm, nx)
}

// TestGasMillionAccounts measures the library's gas on a state of one
// million accounts, the depth of a busy rollup. It takes a minute and a few
// GB of memory, so it runs only when asked:
//
//	LANES_MPT_GAS=1 go test ./fraudproof/mpt -run TestGasMillionAccounts -v -timeout 30m
//
// LANES_MPT_GAS_ACCOUNTS overrides the number of accounts.
func TestGasMillionAccounts(t *testing.T) {
	if os.Getenv("LANES_MPT_GAS") == "" {
		t.Skip("set LANES_MPT_GAS=1 to measure gas on a state of one million accounts")
	}
	accounts := 1_000_000
	if s := os.Getenv("LANES_MPT_GAS_ACCOUNTS"); s != "" {
		n, ok := new(big.Int).SetString(s, 10)
		if !ok {
			t.Fatalf("bad LANES_MPT_GAS_ACCOUNTS %q", s)
		}
		accounts = int(n.Int64())
	}
	const samples = 300
	r := rand.New(rand.NewSource(1))
	ref := newSecureRef(t)
	keys := make([][]byte, accounts)
	for i := range keys {
		keys[i] = randHash(r).Bytes()[:20]
		ref.set(keys[i], accountValue(r))
	}
	root := ref.root()
	t.Logf("state of %d accounts, root %x", accounts, root)

	h := newHarness(t)
	var reads, updates, inserts, deletes []gasSample
	measure := func(input []byte, nodes int, want common.Hash, isRead bool) gasSample {
		ret, gas, err := h.call(input)
		if err != nil {
			t.Fatal(err)
		}
		if !isRead {
			got, err := h.contract.UnpackMptUpdate(ret)
			if err != nil || got != want {
				t.Fatalf("root %x (%v), want %x", got, err, want)
			}
		}
		return gasSample{gas, txGas(t, h, input, gas), uint64(len(input)), uint64(nodes)}
	}
	// The root after an operation comes from applying it to the trie and
	// undoing it, so that every sample starts from the same state.
	after := func(key, value []byte) common.Hash {
		old := ref.get(key)
		ref.set(key, value)
		root := ref.root()
		ref.set(key, old)
		return root
	}
	for i := 0; i < samples; i++ {
		key := keys[r.Intn(len(keys))]
		path := ref.path(key)

		proof, err := Proof(ref, path)
		if err != nil {
			t.Fatal(err)
		}
		reads = append(reads, measure(h.contract.PackMptGet(root, path, proof), len(proof), common.Hash{}, true))

		value := accountValue(r)
		w, err := UpdateWitness(ref, path, value)
		if err != nil {
			t.Fatal(err)
		}
		updates = append(updates, measure(h.contract.PackMptUpdate(root, path, value, w.Proof, []byte{}), len(w.Proof), after(key, value), false))

		w, err = DeleteWitness(ref, path)
		if err != nil {
			t.Fatal(err)
		}
		deletes = append(deletes, measure(h.contract.PackMptRemove(root, path, w.Proof, nonNilBytes(w.Sibling)), len(w.Proof), after(key, nil), false))

		fresh := randHash(r).Bytes()[:20]
		path = ref.path(fresh)
		w, err = UpdateWitness(ref, path, value)
		if err != nil {
			t.Fatal(err)
		}
		inserts = append(inserts, measure(h.contract.PackMptUpdate(root, path, value, w.Proof, []byte{}), len(w.Proof), after(fresh, value), false))
	}
	if ref.root() != root {
		t.Fatal("undoing the operations did not restore the state")
	}
	report(t, "verify", reads)
	report(t, "update", updates)
	report(t, "insert", inserts)
	report(t, "delete", deletes)
}
