package e2e

import (
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// ETH deposited into the Portal on a real anvil is credited on L2 exactly
// once, in a block whose withdrawals list carries it, and a wallet sees it
// with eth_getBalance.
func TestDepositReachesL2(t *testing.T) {
	ctx := testContext(t)
	env := startRollupEnv(t, ctx, 0, "--block-time", "1")
	l1, l2, cfg := env.l1, env.l2, env.cfg

	key, _ := devKey(1)
	chainID, err := l1.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	portal := bindings.NewPortal()
	inst := portal.Instance(l1, cfg.Portal)
	to := common.HexToAddress("0x00000000000000000000000000000000000d0d02")
	amounts := []*big.Int{big.NewInt(params.Ether / 2), big.NewInt(3 * params.GWei * 1_000_000)}
	total := new(big.Int)
	for _, amount := range amounts {
		opts := bind.NewKeyedTransactor(key, chainID)
		opts.Value = amount
		tx, err := bind.Transact(inst, opts, portal.PackDepositETH(to))
		if err != nil {
			t.Fatalf("deposit: %v", err)
		}
		if r, err := bind.WaitMined(ctx, l1, tx.Hash()); err != nil || r.Status != types.ReceiptStatusSuccessful {
			t.Fatalf("deposit receipt: %v %v", r, err)
		}
		total.Add(total, amount)
	}

	deadline := time.Now().Add(hangGuard)
	for {
		bal, err := l2.BalanceAt(ctx, to, nil)
		if err != nil {
			t.Fatal(err)
		}
		if bal.Cmp(total) == 0 {
			break
		}
		if bal.Cmp(total) > 0 {
			t.Fatalf("L2 balance %v exceeds the %v deposited: a deposit was credited twice", bal, total)
		}
		if time.Now().After(deadline) {
			t.Fatalf("L2 balance %v, want %v", bal, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The credits ride in the blocks' withdrawals lists, one entry each.
	head, err := l2.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var credited []*types.Withdrawal
	for n := uint64(1); n <= head; n++ {
		block, err := l2.BlockByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		credited = append(credited, block.Withdrawals()...)
	}
	if len(credited) != len(amounts) {
		t.Fatalf("%d withdrawals entries on L2, want %d", len(credited), len(amounts))
	}
	for i, w := range credited {
		gwei := new(big.Int).Div(amounts[i], big.NewInt(params.GWei)).Uint64()
		if w.Index != uint64(i) || w.Address != to || w.Amount != gwei {
			t.Fatalf("entry %d = %+v, want nonce %d to %v amount %d gwei", i, w, i, to, gwei)
		}
	}
}
