package parallel_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/holiman/uint256"
	"github.com/lanes-rollup/lanes/parallel"
	pt "github.com/lanes-rollup/lanes/parallel/paralleltest"
)

// hotBlock sends every transaction through one storage slot.
func hotBlock(t *testing.T) (*pt.Fixture, *parallel.Env, []*types.Transaction) {
	f, err := pt.NewFixture(12, pt.StandardAlloc())
	if err != nil {
		t.Fatal(err)
	}
	var txs []*types.Transaction
	for i := range 12 {
		txs = append(txs, f.Tx(i, &pt.IncrementerAddr, nil, 100_000, nil))
	}
	return f, f.Env(), txs
}

func TestFallbackOnPanic(t *testing.T) {
	for _, mode := range []parallel.Mode{parallel.Build, parallel.Validate} {
		f, env, txs := hotBlock(t)
		var calls atomic.Int32
		ex := parallel.NewParallelWithFault(2, 8, func(tx int) {
			if tx == 5 && calls.Add(1) == 1 {
				panic("injected")
			}
		})
		_, par, err := f.Compare(context.Background(), parallel.Sequential{}, ex, env, txs, mode)
		if err != nil {
			t.Fatal(err)
		}
		if !par.Result.Stats.Fallback || !strings.Contains(par.Result.Stats.FallbackReason, "injected") {
			t.Fatalf("%v: stats %+v, want a fallback naming the panic", mode, par.Result.Stats)
		}
	}
}

func TestFallbackOnIncarnationBudget(t *testing.T) {
	f, env, txs := hotBlock(t)
	// A budget of one incarnation per transaction cannot absorb a single
	// re-execution; the hot slot forces some.
	ex := parallel.NewParallelWithFault(2, 1, func(int) {})
	_, par, err := f.Compare(context.Background(), parallel.Sequential{}, ex, env, txs, parallel.Build)
	if err != nil {
		t.Fatal(err)
	}
	if par.Result.Stats.Incarnations > len(txs) && !par.Result.Stats.Fallback {
		t.Fatalf("stats %+v: re-executed beyond the budget without falling back", par.Result.Stats)
	}
}

func TestFallbackKeepsValidateErrors(t *testing.T) {
	f, env, txs := hotBlock(t)
	txs = append(txs, f.TxWithNonce(0, 42, &f.Addrs[1], big.NewInt(1), 21000, nil))
	ex := parallel.NewParallelWithFault(2, 8, func(tx int) {
		if tx == 2 {
			panic("injected")
		}
	})
	seq, par, err := f.Compare(context.Background(), parallel.Sequential{}, ex, env, txs, parallel.Validate)
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(par.Err, parallel.ErrInvalidBlock) || seq.Err.Error() != par.Err.Error() {
		t.Fatalf("errors %v / %v", seq.Err, par.Err)
	}
}

func TestContextCancelled(t *testing.T) {
	f, env, txs := hotBlock(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := parallel.NewParallel(2).Execute(ctx, env, txs, f.State(), parallel.Build); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// corrupting executes correctly and then credits one wei to an account.
type corrupting struct{}

func (corrupting) Execute(ctx context.Context, env *parallel.Env, txs []*types.Transaction, statedb *state.StateDB, mode parallel.Mode) (*parallel.Result, error) {
	res, err := parallel.Sequential{}.Execute(ctx, env, txs, statedb, mode)
	if err == nil {
		statedb.AddBalance(common.HexToAddress("0xbad"), uint256.NewInt(1), tracing.BalanceChangeUnspecified)
	}
	return res, err
}

func TestVerifyingExecutor(t *testing.T) {
	f, env, txs := hotBlock(t)
	good := &parallel.VerifyingExecutor{Primary: parallel.NewParallel(2), Reference: parallel.Sequential{}}
	if o := f.Run(context.Background(), good, env, txs, parallel.Build); o.Err != nil {
		t.Fatalf("verifying parallel against sequential: %v", o.Err)
	}
	bad := &parallel.VerifyingExecutor{Primary: corrupting{}, Reference: parallel.Sequential{}}
	o := f.Run(context.Background(), bad, env, txs, parallel.Build)
	if !errors.Is(o.Err, parallel.ErrMismatch) || !strings.Contains(o.Err.Error(), "state root") {
		t.Fatalf("err %v, want a state root mismatch", o.Err)
	}
}

func TestDiffNamesFirstDifference(t *testing.T) {
	f, env, txs := hotBlock(t)
	a := f.Run(context.Background(), parallel.Sequential{}, env, txs, parallel.Build)
	b := f.Run(context.Background(), parallel.Sequential{}, env, txs, parallel.Build)
	if err := parallel.Diff(a.Result, b.Result, a.Root, b.Root); err != nil {
		t.Fatal(err)
	}
	b.Result.Receipts[3].CumulativeGasUsed++
	if err := parallel.Diff(a.Result, b.Result, a.Root, b.Root); err == nil || !strings.Contains(err.Error(), "receipt 3") || !strings.Contains(err.Error(), "cumulative gas") {
		t.Fatalf("diff %v", err)
	}
	b.Result.Dropped = append(b.Result.Dropped, parallel.Dropped{Tx: txs[0], Err: errors.New("x")})
	if err := parallel.Diff(a.Result, b.Result, a.Root, b.Root); err == nil || !strings.Contains(err.Error(), "dropped") {
		t.Fatalf("diff %v", err)
	}
}

// TestContendedBlockIdentical runs a long block in which every transaction
// goes through one storage slot: the executor may stop speculating and
// settle the rest sequentially, which must neither change the result nor
// count as a fallback.
func TestContendedBlockIdentical(t *testing.T) {
	const n = 160
	f, err := pt.NewFixture(n, pt.StandardAlloc())
	if err != nil {
		t.Fatal(err)
	}
	var txs []*types.Transaction
	for i := range n {
		txs = append(txs, f.Tx(i, &pt.IncrementerAddr, nil, 100_000, nil))
	}
	for _, mode := range []parallel.Mode{parallel.Build, parallel.Validate} {
		_, par, err := f.Compare(context.Background(), parallel.Sequential{}, parallel.NewParallel(2), f.Env(), txs, mode)
		if err != nil {
			t.Fatal(err)
		}
		if par.Err != nil {
			t.Fatalf("%v: %v", mode, par.Err)
		}
		if par.Result.Stats.Fallback {
			t.Fatalf("%v: fell back: %s", mode, par.Result.Stats.FallbackReason)
		}
	}
}

// TestFallbackAfterSettledPrefix injects a panic late in a block of
// independent transfers, when a prefix has likely been settled already;
// the sequential continuation must produce the same block.
func TestFallbackAfterSettledPrefix(t *testing.T) {
	const n = 96
	f, err := pt.NewFixture(2*n, nil)
	if err != nil {
		t.Fatal(err)
	}
	var txs []*types.Transaction
	for i := range n {
		txs = append(txs, f.Tx(i, &f.Addrs[n+i], big.NewInt(int64(i+1)), 21000, nil))
	}
	for _, mode := range []parallel.Mode{parallel.Build, parallel.Validate} {
		var calls atomic.Int32
		ex := parallel.NewParallelWithFault(2, 8, func(tx int) {
			if tx == n-10 && calls.Add(1) == 1 {
				panic("injected")
			}
		})
		_, par, err := f.Compare(context.Background(), parallel.Sequential{}, ex, f.Env(), txs, mode)
		if err != nil {
			t.Fatal(err)
		}
		// The panic comes on the first execution of transaction n-10,
		// which therefore cannot have been settled.
		st := par.Result.Stats
		if !st.Fallback || !strings.Contains(st.FallbackReason, "injected") || st.SequentialTxs < 10 {
			t.Fatalf("%v: stats %+v, want a fallback naming the panic and at least 10 sequential transactions", mode, st)
		}
	}
}
