package parallel_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/parallel"
	pt "github.com/lanes-rollup/lanes/parallel/paralleltest"
)

// TestHalfHotBlockStaysParallel runs a block in which every second
// transaction increments one shared counter. Those transactions form a
// chain, but the others are independent: the executor must keep
// speculating (no sequential tail) and still match the reference.
func TestHalfHotBlockStaysParallel(t *testing.T) {
	const n = 256
	f, err := pt.NewFixture(n, pt.StandardAlloc())
	if err != nil {
		t.Fatal(err)
	}
	txs := make([]*types.Transaction, n)
	for i := range n {
		if i%2 == 0 {
			txs[i] = f.Tx(i, addr(pt.IncrementerAddr), nil, 60_000, nil)
			continue
		}
		to := common.BigToAddress(big.NewInt(int64(0x7000 + i)))
		txs[i] = f.Tx(i, &to, big.NewInt(1), 21_000, nil)
	}
	for round := range 5 {
		env := f.Env()
		seq, par, err := f.Compare(context.Background(), parallel.Sequential{}, parallel.NewParallel(2), env, txs, parallel.Validate)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if st := par.Result.Stats; st.Fallback || st.SequentialTxs != 0 {
			t.Fatalf("round %d: speculation abandoned: %+v", round, st)
		}
		checkWriteSets(t, f, env, seq, par)
	}
}
