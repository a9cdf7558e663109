package sequencer

import (
	"context"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/parallel"
)

// newTestNode starts an in-memory dev sequencer with a short block time.
func newTestNode(t *testing.T, cfg Config) *Sequencer {
	t.Helper()
	cfg.Dev = true
	if cfg.BlockTime == 0 {
		cfg.BlockTime = 20 * time.Millisecond
	}
	s, err := New(cfg, parallel.Sequential{}, nil)
	if err != nil {
		t.Fatalf("new sequencer: %v", err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(context.Background()); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return s
}

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Parallel = false
	return cfg
}

// transfer signs a dynamic-fee transfer from dev key i.
func transfer(t *testing.T, s *Sequencer, from int, nonce uint64, to common.Address, value *big.Int, tip *big.Int) *types.Transaction {
	t.Helper()
	config := s.Chain().Config()
	tx, err := types.SignNewTx(DevKeys()[from], types.LatestSigner(config), &types.DynamicFeeTx{
		ChainID:   config.ChainID,
		Nonce:     nonce,
		GasTipCap: tip,
		GasFeeCap: big.NewInt(100 * params.GWei),
		Gas:       params.TxGas,
		To:        &to,
		Value:     value,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// waitIncluded waits until tx is in a block of s's chain and that block is
// the head or below it. go-ethereum writes a block's lookup entries in the
// batch that makes it canonical, a moment before it moves the in-memory
// head, so a lookup alone can name a block above CurrentBlock.
func waitIncluded(t *testing.T, s *Sequencer, hash common.Hash) *types.Block {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		lookup, _ := s.Chain().GetCanonicalTransaction(hash)
		if lookup != nil && s.Chain().CurrentBlock().Number.Uint64() >= lookup.BlockIndex {
			return s.Chain().GetBlockByNumber(lookup.BlockIndex)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("transaction %v not included", hash)
	return nil
}

func TestSequencerIncludesTransfer(t *testing.T) {
	s := newTestNode(t, testConfig())
	to := common.HexToAddress("0x00000000000000000000000000000000000b0b00")
	tx := transfer(t, s, 0, 0, to, big.NewInt(12345), big.NewInt(params.GWei))
	if err := s.SendTx(context.Background(), tx); err != nil {
		t.Fatalf("send: %v", err)
	}
	block := waitIncluded(t, s, tx.Hash())
	if len(block.Transactions()) != 1 {
		t.Fatalf("block has %d txs, want 1", len(block.Transactions()))
	}
	st, err := s.Chain().State()
	if err != nil {
		t.Fatal(err)
	}
	if got := st.GetBalance(to).Uint64(); got != 12345 {
		t.Fatalf("recipient balance %d, want 12345", got)
	}
	receipts := s.Chain().GetReceiptsByHash(block.Hash())
	if len(receipts) != 1 || receipts[0].Status != types.ReceiptStatusSuccessful {
		t.Fatalf("bad receipts %+v", receipts)
	}
}

// TestSendTxRefusesFeeCapBelowBaseFee checks that a transaction that cannot
// pay the head's base fee is refused rather than kept pending, unpaid.
func TestSendTxRefusesFeeCapBelowBaseFee(t *testing.T) {
	s := openTestNode(t)
	config := s.Chain().Config()
	baseFee := s.Chain().CurrentHeader().BaseFee
	send := func(feeCap *big.Int) error {
		tx, err := types.SignNewTx(DevKeys()[0], types.LatestSigner(config), &types.DynamicFeeTx{
			ChainID: config.ChainID, GasTipCap: big.NewInt(1), GasFeeCap: feeCap,
			Gas: params.TxGas, To: &common.Address{0xfe}, Value: big.NewInt(1),
		})
		if err != nil {
			t.Fatal(err)
		}
		return s.SendTx(context.Background(), tx)
	}
	if err := send(new(big.Int).Sub(baseFee, big.NewInt(1))); !errors.Is(err, core.ErrFeeCapTooLow) {
		t.Fatalf("fee cap one below the base fee: %v, want %v", err, core.ErrFeeCapTooLow)
	}
	if pending, queued := s.Stats(); pending+queued != 0 {
		t.Fatalf("pool holds %d pending, %d queued after a refusal", pending, queued)
	}
	if err := send(baseFee); err != nil {
		t.Fatalf("fee cap equal to the base fee: %v", err)
	}
}
