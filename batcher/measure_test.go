package batcher

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
)

// l2Workload builds an L2 chain of blocks×perBlock signed transactions of
// one kind, shaped like real traffic:
//   - "transfer": ETH transfers from 500 senders to 20,000 recipients,
//     amounts of 1-4 significant digits in gwei, EIP-1559 fees;
//   - "erc20": transfer(address,uint256) calls on one of 5 tokens, 18
//     decimal amounts of 1-4 significant digits.
//
// Blocks name anvil blocks (origin(i)) as their L1 origins, one per 10.
func l2Workload(t testing.TB, kind string, blocks, perBlock int, origin func(i int) codec.L1Origin) *fakeL2 {
	t.Helper()
	rng := rand.New(rand.NewSource(42))
	senders := make([]*ecdsa.PrivateKey, 500)
	for i := range senders {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("lanes-measure-sender-%d", i))))
		if err != nil {
			t.Fatal(err)
		}
		senders[i] = k
	}
	nonces := make([]uint64, len(senders))
	recipient := func() common.Address {
		return common.BytesToAddress(crypto.Keccak256([]byte(fmt.Sprintf("recipient-%d", rng.Intn(20_000))))[12:])
	}
	tokens := make([]common.Address, 5)
	for i := range tokens {
		tokens[i] = common.BytesToAddress(crypto.Keccak256([]byte(fmt.Sprintf("token-%d", i)))[12:])
	}
	amount := func(unit int64) *big.Int {
		digits := []int64{9, 99, 999, 9999}[rng.Intn(4)]
		v := big.NewInt(1 + rng.Int63n(digits))
		return v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(unit+rng.Int63n(4)), nil))
	}
	signer := types.LatestSignerForChainID(big.NewInt(testL2ChainID))
	genesis := types.NewBlock(&types.Header{Number: new(big.Int), Time: 1_700_000_000, GasLimit: 60_000_000, BaseFee: big.NewInt(1e7),
		Root: common.Hash{0x01}, Difficulty: new(big.Int)}, nil, nil, trie.NewStackTrie(nil))
	chain := []*types.Block{genesis}
	for i := 1; i <= blocks; i++ {
		txs := make([]*types.Transaction, perBlock)
		for j := range txs {
			s := rng.Intn(len(senders))
			inner := &types.DynamicFeeTx{
				ChainID: big.NewInt(testL2ChainID), Nonce: nonces[s], GasTipCap: big.NewInt(1_000_000),
				GasFeeCap: big.NewInt(21_000_000 + rng.Int63n(1000)*1000),
			}
			nonces[s]++
			switch kind {
			case "transfer":
				to := recipient()
				inner.To, inner.Gas, inner.Value = &to, params.TxGas, amount(9)
			case "erc20":
				to := tokens[rng.Intn(len(tokens))]
				data := append(common.FromHex("a9059cbb"), common.LeftPadBytes(recipient().Bytes(), 32)...)
				data = append(data, common.LeftPadBytes(amount(14).Bytes(), 32)...)
				inner.To, inner.Gas, inner.Value, inner.Data = &to, 52_000+uint64(rng.Intn(4))*1000, new(big.Int), data
			default:
				t.Fatalf("unknown workload %q", kind)
			}
			tx, err := types.SignNewTx(senders[s], signer, inner)
			if err != nil {
				t.Fatal(err)
			}
			txs[j] = tx
		}
		o := origin(i)
		h := &types.Header{
			ParentHash: chain[i-1].Hash(), Number: big.NewInt(int64(i)), Time: genesis.Time() + uint64(i),
			GasLimit: 60_000_000, BaseFee: big.NewInt(1e7), Root: crypto.Keccak256Hash([]byte{byte(i), byte(i >> 8)}),
			Difficulty: new(big.Int), Extra: binary.BigEndian.AppendUint64(nil, o.Number), ParentBeaconRoot: &o.Hash,
		}
		chain = append(chain, types.NewBlock(h, &types.Body{Transactions: txs}, nil, trie.NewStackTrie(nil)))
	}
	return &fakeL2{blocks: chain, head: uint64(blocks)}
}

// measureL1Gas posts a workload with da until `batches` full batches are
// confirmed and returns, per batch, the L2 transactions, the data bytes, and
// the gas and blob gas of the submission.
func measureL1Gas(t *testing.T, kind string, da DAMode, blocks, perBlock, batches int) [][4]uint64 {
	url, client := startAnvil(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	hashes := mineOrigins(t, ctx, url, client, uint64(blocks/10+1))
	l2 := l2Workload(t, kind, blocks, perBlock, func(i int) codec.L1Origin {
		return codec.L1Origin{Number: uint64(i / 10), Hash: hashes[i/10]}
	})
	key := devKey(t)
	d, err := deploy.Deploy(ctx, client, key, deploy.Params{
		Sequencer: crypto.PubkeyToAddress(key.PublicKey), ChallengeWindow: time.Hour,
		SequencerBond: big.NewInt(params.Ether), GenesisOutputRoot: codec.BlockOutputRoot(l2.blocks[0].Header()), L2ChainID: testL2ChainID,
	})
	if err != nil {
		t.Fatal(err)
	}
	keepMining(t, url, 100*time.Millisecond)
	cfg := DefaultConfig()
	cfg.L1RPC, cfg.Rollup, cfg.Key, cfg.DA = url, d.Rollup, key, da
	// Only full batches: the delay never runs out during the test.
	cfg.MaxDelay, cfg.PollInterval, cfg.ResubmitAfter = time.Hour, 50*time.Millisecond, 30*time.Second
	b, err := New(cfg, l2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer b.Stop(context.Background())
	r := bindings.NewRollup()
	count := func() int {
		n, err := bind.Call(r.Instance(client, d.Rollup), nil, r.PackBatchCount(), r.UnpackBatchCount)
		if err != nil {
			t.Fatal(err)
		}
		return int(n.Int64())
	}
	waitFor(t, fmt.Sprintf("%d batches", batches), b, func() bool { return count() >= batches })
	var out [][4]uint64
	first := uint64(1)
	for i := 0; i < batches; i++ {
		batch, err := bind.Call(r.Instance(client, d.Rollup), nil, r.PackBatch(big.NewInt(int64(i))), r.UnpackBatch)
		if err != nil {
			t.Fatal(err)
		}
		blk, err := client.BlockByNumber(ctx, new(big.Int).SetUint64(batch.L1Block))
		if err != nil {
			t.Fatal(err)
		}
		var gas, blobGas uint64
		for _, tx := range blk.Transactions() {
			if tx.To() != nil && *tx.To() == d.Rollup {
				rc, err := client.TransactionReceipt(ctx, tx.Hash())
				if err != nil {
					t.Fatal(err)
				}
				if len(rc.Logs) > 0 && rc.Logs[0].Topics[0] == r.GetABI().Events[bindings.RollupBatchSubmittedEventName].ID {
					gas, blobGas = rc.GasUsed, rc.BlobGasUsed
				}
			}
		}
		txs := 0
		var blocksIn []codec.Block
		for n := first; n <= batch.LastL2Block; n++ {
			txs += len(l2.blocks[n].Transactions())
			blocksIn = append(blocksIn, codecBlock(t, l2.blocks[n]))
		}
		data, err := codec.Encode(&codec.Batch{FirstBlock: first, Blocks: blocksIn}, codec.DefaultVersion)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, [4]uint64{uint64(txs), uint64(len(data)), gas, blobGas})
		first = batch.LastL2Block + 1
	}
	return out
}

// TestMeasureL1Gas prints the L1 gas per L2 transaction of full batches of
// transfers and of ERC20 transfers, posted as calldata and as blobs, on
// anvil. It takes a minute or two, so it runs only with
// LANES_MEASURE_L1GAS=1:
//
//	LANES_MEASURE_L1GAS=1 go test ./batcher -run TestMeasureL1Gas -v -timeout 20m
func TestMeasureL1Gas(t *testing.T) {
	if os.Getenv("LANES_MEASURE_L1GAS") == "" {
		t.Skip("set LANES_MEASURE_L1GAS=1 to measure")
	}
	for _, tt := range []struct {
		kind            string
		da              DAMode
		blocks, perTx   int
		batchesMeasured int
	}{
		{"transfer", DACalldata, 60, 50, 2},
		{"erc20", DACalldata, 60, 50, 2},
		{"transfer", DABlobs, 400, 50, 2},
		{"erc20", DABlobs, 400, 50, 2},
	} {
		res := measureL1Gas(t, tt.kind, tt.da, tt.blocks, tt.perTx, tt.batchesMeasured)
		for i, r := range res {
			txs, bytes, gas, blobGas := r[0], r[1], r[2], r[3]
			t.Logf("%-8s %-8s batch %d: %5d L2 txs, %6d bytes (%.1f B/tx), gas %8d (%.1f/tx), blob gas %7d (%.1f/tx)",
				tt.kind, tt.da, i, txs, bytes, float64(bytes)/float64(txs), gas, float64(gas)/float64(txs), blobGas, float64(blobGas)/float64(txs))
		}
	}
}
