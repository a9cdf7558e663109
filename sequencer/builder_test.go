package sequencer

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/parallel"
)

// openTestNode opens an in-memory dev node without starting its loop, so a
// test can drive block building itself.
func openTestNode(t *testing.T) *Sequencer {
	t.Helper()
	cfg := testConfig()
	cfg.Dev = true
	cfg.GenesisTime = 1_700_000_000
	s, err := New(cfg, parallel.Sequential{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s
}

func mustBuild(t *testing.T, s *Sequencer) {
	t.Helper()
	// The pool promotes new transactions in the background; settle it so
	// the block sees all of them.
	if err := s.pool.Sync(); err != nil {
		t.Fatal(err)
	}
	built, err := s.buildNext(context.Background())
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if !built {
		t.Fatal("no block built")
	}
}

func TestBuildOrdersByTipThenNonce(t *testing.T) {
	s := openTestNode(t)
	to := common.Address{0xb0}
	cheap0 := transfer(t, s, 1, 0, to, big.NewInt(1), big.NewInt(1*params.GWei))
	cheap1 := transfer(t, s, 1, 1, to, big.NewInt(1), big.NewInt(9*params.GWei))
	rich := transfer(t, s, 2, 0, to, big.NewInt(1), big.NewInt(5*params.GWei))
	for _, tx := range []*types.Transaction{cheap1, rich, cheap0} {
		if err := s.SendTx(context.Background(), tx); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	mustBuild(t, s)
	got := s.chain.CurrentBlock()
	block := s.chain.GetBlock(got.Hash(), got.Number.Uint64())
	want := []common.Hash{rich.Hash(), cheap0.Hash(), cheap1.Hash()}
	if len(block.Transactions()) != len(want) {
		t.Fatalf("block has %d txs, want %d", len(block.Transactions()), len(want))
	}
	for i, tx := range block.Transactions() {
		if tx.Hash() != want[i] {
			t.Errorf("position %d: have %v, want %v", i, tx.Hash(), want[i])
		}
	}
}

func TestNoTransactionsNoBlock(t *testing.T) {
	s := openTestNode(t)
	built, err := s.buildNext(context.Background())
	if err != nil || built {
		t.Fatalf("built=%v err=%v with an empty pool", built, err)
	}
	if n := s.chain.CurrentBlock().Number.Uint64(); n != 0 {
		t.Fatalf("head %d, want 0", n)
	}
}

func TestBuildDropsInapplicableTransactions(t *testing.T) {
	s := openTestNode(t)
	parent := s.chain.CurrentBlock()
	to := common.Address{0xb1}
	ok := transfer(t, s, 0, 0, to, big.NewInt(1), big.NewInt(params.GWei))
	gap := transfer(t, s, 0, 5, to, big.NewInt(1), big.NewInt(params.GWei))
	broke := transfer(t, s, 3, 0, to, new(big.Int).Mul(DevBalance, big.NewInt(2)), big.NewInt(params.GWei))
	attrs := &Attributes{Timestamp: parent.Time + 1, Transactions: types.Transactions{ok, gap, broke}}
	block, res, err := buildBlock(context.Background(), s.chain, parallel.Sequential{}, parent, attrs, parallel.Build)
	if err != nil {
		t.Fatal(err)
	}
	if len(block.Transactions()) != 1 || block.Transactions()[0].Hash() != ok.Hash() {
		t.Fatalf("block carries %d txs, want only the applicable one", len(block.Transactions()))
	}
	if len(res.Dropped) != 2 || !errors.Is(res.Dropped[0].Err, core.ErrNonceTooHigh) || !errors.Is(res.Dropped[1].Err, core.ErrInsufficientFunds) {
		t.Fatalf("dropped %+v, want nonce-too-high then insufficient funds", res.Dropped)
	}
	s.processor.remember(block.Hash(), &builtBlock{result: res})
	if _, err := s.chain.InsertChain(types.Blocks{block}); err != nil {
		t.Fatalf("import: %v", err)
	}
	// In Validate mode the same transactions make the block invalid.
	_, _, err = buildBlock(context.Background(), s.chain, parallel.Sequential{}, parent, attrs, parallel.Validate)
	if !errors.Is(err, parallel.ErrInvalidBlock) {
		t.Fatalf("validate mode: have %v, want ErrInvalidBlock", err)
	}
}

// deployLogger returns a creation transaction whose contract emits one log
// with topic 0xaa on every call and stores the caller's value in slot 0.
func deployLogger(t *testing.T, s *Sequencer, from int, nonce uint64) *types.Transaction {
	t.Helper()
	// runtime: SSTORE(0, CALLVALUE); LOG1(0, 0, 0xaa); STOP
	runtime := []byte{0x34, 0x60, 0x00, 0x55, 0x60, 0xaa, 0x60, 0x00, 0x60, 0x00, 0xa1, 0x00}
	// init: CODECOPY the runtime to memory and RETURN it
	initCode := append([]byte{0x60, byte(len(runtime)), 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, byte(len(runtime)), 0x60, 0x00, 0xf3}, runtime...)
	config := s.chain.Config()
	tx, err := types.SignNewTx(DevKeys()[from], types.LatestSigner(config), &types.DynamicFeeTx{
		ChainID: config.ChainID, Nonce: nonce, GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(100 * params.GWei),
		Gas: 200_000, Data: initCode,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// A replica that imports the sequencer's blocks runs the executor in
// Validate mode, while the sequencer imported them from its write sets. Both
// must agree on every block hash, and the replica's receipts must equal the
// sequencer's.
func TestReplicaReexecutesBuiltBlocks(t *testing.T) {
	seq := openTestNode(t)
	replica := openTestNode(t)
	if seq.chain.Genesis().Hash() != replica.chain.Genesis().Hash() {
		t.Fatal("genesis differs")
	}
	deploy := deployLogger(t, seq, 4, 0)
	contract := crypto.CreateAddress(DevAccounts()[4], 0)
	for _, tx := range []*types.Transaction{deploy, transfer(t, seq, 0, 0, DefaultFeeRecipient, big.NewInt(7), big.NewInt(params.GWei))} {
		if err := seq.SendTx(context.Background(), tx); err != nil {
			t.Fatal(err)
		}
	}
	mustBuild(t, seq)
	for i := uint64(0); i < 3; i++ {
		call := transfer(t, seq, 5, i, contract, big.NewInt(int64(i+1)), big.NewInt(params.GWei))
		call = resign(t, seq, 5, call, 60_000)
		if err := seq.SendTx(context.Background(), call); err != nil {
			t.Fatal(err)
		}
	}
	mustBuild(t, seq)

	head := seq.chain.CurrentBlock().Number.Uint64()
	var blocks types.Blocks
	for n := uint64(1); n <= head; n++ {
		blocks = append(blocks, seq.chain.GetBlockByNumber(n))
	}
	if _, err := replica.chain.InsertChain(blocks); err != nil {
		t.Fatalf("replica import: %v", err)
	}
	if a, b := seq.chain.CurrentBlock().Hash(), replica.chain.CurrentBlock().Hash(); a != b {
		t.Fatalf("heads differ: sequencer %v, replica %v", a, b)
	}
	for _, b := range blocks {
		ra, rb := seq.chain.GetReceiptsByHash(b.Hash()), replica.chain.GetReceiptsByHash(b.Hash())
		if len(ra) != len(rb) {
			t.Fatalf("block %d: %d vs %d receipts", b.NumberU64(), len(ra), len(rb))
		}
		for i := range ra {
			if ra[i].Status != rb[i].Status || ra[i].CumulativeGasUsed != rb[i].CumulativeGasUsed || len(ra[i].Logs) != len(rb[i].Logs) {
				t.Fatalf("block %d receipt %d differs", b.NumberU64(), i)
			}
		}
	}
	st, _ := replica.chain.State()
	if v := st.GetState(contract, common.Hash{}); v.Big().Uint64() != 3 {
		t.Fatalf("contract slot 0 = %v, want 3", v)
	}
}

// resign re-signs tx from dev key from with a different gas limit.
func resign(t *testing.T, s *Sequencer, from int, tx *types.Transaction, gas uint64) *types.Transaction {
	t.Helper()
	config := s.chain.Config()
	out, err := types.SignNewTx(DevKeys()[from], types.LatestSigner(config), &types.DynamicFeeTx{
		ChainID: config.ChainID, Nonce: tx.Nonce(), GasTipCap: tx.GasTipCap(), GasFeeCap: tx.GasFeeCap(),
		Gas: gas, To: tx.To(), Value: tx.Value(), Data: tx.Data(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
