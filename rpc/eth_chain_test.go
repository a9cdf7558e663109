package rpc

import (
	"context"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/consensus/misc/eip4844"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/metrics"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

func TestChainReads(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	blocks := env.chain.blocks

	id, err := env.eth.ChainID(ctx)
	if err != nil || id.Uint64() != testChainID {
		t.Fatalf("chainId %v %v", id, err)
	}
	n, err := env.eth.BlockNumber(ctx)
	if err != nil || n != initialBlocks {
		t.Fatalf("blockNumber %d %v", n, err)
	}
	// Blocks by number and hash, full transactions: ethclient checks the
	// header hash against the JSON fields, so every header field must match.
	for i, want := range blocks[:initialBlocks] {
		got, err := env.eth.BlockByNumber(ctx, big.NewInt(int64(i+1)))
		if err != nil {
			t.Fatalf("block %d: %v", i+1, err)
		}
		if got.Hash() != want.Hash() || got.Header().Hash() != want.Hash() || len(got.Transactions()) != len(want.Transactions()) {
			t.Fatalf("block %d: got %x want %x", i+1, got.Hash(), want.Hash())
		}
		for j, tx := range got.Transactions() {
			if tx.Hash() != want.Transactions()[j].Hash() {
				t.Fatalf("block %d tx %d hash mismatch", i+1, j)
			}
		}
		byHash, err := env.eth.BlockByHash(ctx, want.Hash())
		if err != nil || byHash.NumberU64() != want.NumberU64() {
			t.Fatalf("block by hash %d: %v", i+1, err)
		}
	}
	// Withdrawals (our deposits) are present with all fields.
	b4, err := env.eth.BlockByNumber(ctx, big.NewInt(4))
	if err != nil {
		t.Fatal(err)
	}
	if ws := b4.Withdrawals(); len(ws) != 1 || ws[0].Address != addr3 || ws[0].Amount != 5 || ws[0].Validator != 7 {
		t.Fatalf("withdrawals %+v", b4.Withdrawals())
	}
	// Hash-only form has transaction hashes.
	var raw map[string]interface{}
	if err := env.rpc.Call(&raw, "eth_getBlockByNumber", "0x1", false); err != nil {
		t.Fatal(err)
	}
	if txs := raw["transactions"].([]interface{}); len(txs) != 2 || txs[0] != env.chain.txs["deploy"].Hash().Hex() {
		t.Fatalf("hash-only transactions %v", raw["transactions"])
	}
	for _, field := range []string{"baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash", "withdrawals", "size", "uncles"} {
		if _, ok := raw[field]; !ok {
			t.Errorf("block JSON lacks %s", field)
		}
	}
	// Tags resolve through the backend: pending is latest, safe 2, finalized 1.
	for tag, want := range map[string]uint64{"latest": 4, "pending": 4, "earliest": 0, "safe": 2, "finalized": 1} {
		var h *types.Header
		if err := env.rpc.Call(&h, "eth_getBlockByNumber", tag, false); err != nil || h == nil || h.Number.Uint64() != want {
			t.Errorf("tag %s: %v %v", tag, h, err)
		}
	}
	// Unknown blocks are null.
	if _, err := env.eth.BlockByNumber(ctx, big.NewInt(99)); err != ethereum.NotFound {
		t.Fatalf("missing block: %v", err)
	}

	// Transaction counts and transactions by position.
	if c, err := env.eth.TransactionCount(ctx, blocks[1].Hash()); err != nil || c != 2 {
		t.Fatalf("count by hash %d %v", c, err)
	}
	var count string
	if err := env.rpc.Call(&count, "eth_getBlockTransactionCountByNumber", "0x3"); err != nil || count != "0x1" {
		t.Fatalf("count by number %s %v", count, err)
	}
	tx, err := env.eth.TransactionInBlock(ctx, blocks[1].Hash(), 1)
	if err != nil || tx.Hash() != env.chain.txs["transfer2"].Hash() {
		t.Fatalf("tx by hash and index: %v", err)
	}
	var byNumber *RPCTransaction
	if err := env.rpc.Call(&byNumber, "eth_getTransactionByBlockNumberAndIndex", "0x2", "0x0"); err != nil || byNumber.Hash != env.chain.txs["set42"].Hash() || byNumber.From != addr1 {
		t.Fatalf("tx by number and index: %+v %v", byNumber, err)
	}
	// Mined transaction: effective gas price is min(tip+baseFee, cap).
	set42 := env.chain.txs["set42"]
	got, pending, err := env.eth.TransactionByHash(ctx, set42.Hash())
	if err != nil || pending || got.Hash() != set42.Hash() {
		t.Fatalf("tx by hash: %v %v", pending, err)
	}
	sender, err := env.eth.TransactionSender(ctx, got, blocks[1].Hash(), 0)
	if err != nil || sender != addr1 {
		t.Fatalf("sender %v %v", sender, err)
	}
	var rpcTx RPCTransaction
	if err := env.rpc.Call(&rpcTx, "eth_getTransactionByHash", set42.Hash()); err != nil {
		t.Fatal(err)
	}
	wantPrice := new(big.Int).Add(set42.GasTipCap(), blocks[1].BaseFee())
	if rpcTx.GasPrice.ToInt().Cmp(wantPrice) != 0 || rpcTx.BlockNumber.ToInt().Uint64() != 2 || uint64(*rpcTx.TransactionIndex) != 0 || uint64(*rpcTx.BlockTimestamp) != blocks[1].Time() {
		t.Fatalf("rpc tx %+v", rpcTx)
	}
	if tx, _, err := env.eth.TransactionByHash(ctx, common.Hash{1}); err != ethereum.NotFound || tx != nil {
		t.Fatalf("unknown tx: %v", err)
	}
}

func TestReceipts(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	for i, block := range env.chain.blocks[:initialBlocks] {
		want := env.chain.receipts[i]
		for j, tx := range block.Transactions() {
			got, err := env.eth.TransactionReceipt(ctx, tx.Hash())
			if err != nil {
				t.Fatalf("receipt %d/%d: %v", i+1, j, err)
			}
			w := want[j]
			if got.Status != types.ReceiptStatusSuccessful || got.TxHash != tx.Hash() || got.GasUsed != w.GasUsed ||
				got.CumulativeGasUsed != w.CumulativeGasUsed || got.Bloom != w.Bloom || got.Type != tx.Type() ||
				got.BlockHash != block.Hash() || got.BlockNumber.Uint64() != block.NumberU64() || got.TransactionIndex != uint(j) ||
				got.ContractAddress != w.ContractAddress || len(got.Logs) != len(w.Logs) ||
				got.EffectiveGasPrice.Cmp(new(big.Int).Add(tx.GasTipCap(), block.BaseFee())) != 0 {
				t.Fatalf("receipt %d/%d:\ngot  %+v\nwant %+v", i+1, j, got, w)
			}
		}
	}
	deploy, err := env.eth.TransactionReceipt(ctx, env.chain.txs["deploy"].Hash())
	if err != nil || deploy.ContractAddress != contractAddr {
		t.Fatalf("contract address %v %v", deploy.ContractAddress, err)
	}
	// Log positions: set42 is tx 0 of block 2; its log is the block's log 0.
	set43, err := env.eth.TransactionReceipt(ctx, env.chain.txs["set43"].Hash())
	if err != nil {
		t.Fatal(err)
	}
	l := set43.Logs[0]
	if l.Address != contractAddr || l.Topics[0] != logTopic || new(big.Int).SetBytes(l.Data).Uint64() != 43 || l.BlockNumber != 3 || l.TxHash != env.chain.txs["set43"].Hash() || l.Index != 0 || l.TxIndex != 0 {
		t.Fatalf("log %+v", l)
	}
	// Raw JSON: contractAddress null for calls, no blob fields, logs never null.
	var raw map[string]interface{}
	if err := env.rpc.Call(&raw, "eth_getTransactionReceipt", env.chain.txs["transfer1"].Hash()); err != nil {
		t.Fatal(err)
	}
	if raw["contractAddress"] != nil || raw["status"] != "0x1" || raw["type"] != "0x2" {
		t.Fatalf("receipt JSON %v", raw)
	}
	if logs, ok := raw["logs"].([]interface{}); !ok || len(logs) != 0 {
		t.Fatalf("logs %v", raw["logs"])
	}
	for _, f := range []string{"blobGasUsed", "blobGasPrice", "root"} {
		if _, ok := raw[f]; ok {
			t.Errorf("receipt has %s", f)
		}
	}
	// Block receipts by number and by hash.
	rs, err := env.eth.BlockReceipts(ctx, gethrpc.BlockNumberOrHashWithNumber(1))
	if err != nil || len(rs) != 2 || rs[1].TxHash != env.chain.txs["transfer1"].Hash() {
		t.Fatalf("block receipts: %v", err)
	}
	rs, err = env.eth.BlockReceipts(ctx, gethrpc.BlockNumberOrHashWithHash(env.chain.blocks[3].Hash(), false))
	if err != nil || len(rs) != 0 {
		t.Fatalf("empty block receipts: %d %v", len(rs), err)
	}
	if r, err := env.eth.TransactionReceipt(ctx, common.Hash{1}); err == nil || r != nil {
		t.Fatalf("unknown receipt: %v", err)
	}
}

func TestMiscNamespaces(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	var s string
	if err := env.rpc.Call(&s, "net_version"); err != nil || s != "424242" {
		t.Fatalf("net_version %q %v", s, err)
	}
	var listening bool
	if err := env.rpc.Call(&listening, "net_listening"); err != nil || !listening {
		t.Fatalf("net_listening %v %v", listening, err)
	}
	if err := env.rpc.Call(&s, "net_peerCount"); err != nil || s != "0x0" {
		t.Fatalf("net_peerCount %q %v", s, err)
	}
	if err := env.rpc.Call(&s, "web3_clientVersion"); err != nil || s != ClientVersion("0.1.0") || s[:12] != "Lanes/v0.1.0" {
		t.Fatalf("clientVersion %q %v", s, err)
	}
	if err := env.rpc.Call(&s, "web3_sha3", "0x68656c6c6f"); err != nil || s != "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8" {
		t.Fatalf("sha3 %q %v", s, err)
	}
	if p, err := env.eth.SyncProgress(ctx); err != nil || p != nil {
		t.Fatalf("syncing %v %v", p, err)
	}
	// go-ethereum's rpc server registers a latency histogram per method and
	// outcome; samples are kept once the node calls metrics.Enable().
	if _, ok := metrics.DefaultRegistry.Get("rpc/duration/net_version/success").(metrics.Histogram); !ok {
		t.Fatalf("no latency histogram for net_version: %v", metrics.DefaultRegistry.Get("rpc/duration/net_version/success"))
	}
	var accounts []common.Address
	if err := env.rpc.Call(&accounts, "eth_accounts"); err != nil || accounts == nil || len(accounts) != 0 {
		t.Fatalf("accounts %v %v", accounts, err)
	}
}

// TestUnclesAndBlobBaseFee checks the methods go-ethereum answers for a
// chain without uncles or blobs.
func TestUnclesAndBlobBaseFee(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	head := env.chain.blocks[initialBlocks-1]
	var count hexutil.Uint
	if err := env.rpc.CallContext(ctx, &count, "eth_getUncleCountByBlockHash", head.Hash()); err != nil || count != 0 {
		t.Fatalf("uncle count by hash: %d %v", count, err)
	}
	var missing *hexutil.Uint
	if err := env.rpc.CallContext(ctx, &missing, "eth_getUncleCountByBlockHash", common.Hash{1}); err != nil || missing != nil {
		t.Fatalf("uncle count of an unknown block: %v %v, want null", missing, err)
	}
	for _, call := range [][]interface{}{
		{"eth_getUncleByBlockNumberAndIndex", "latest", "0x0"},
		{"eth_getUncleByBlockHashAndIndex", head.Hash(), "0x0"},
		{"eth_getUncleByBlockHashAndIndex", common.Hash{1}, "0x0"},
	} {
		var uncle json.RawMessage
		if err := env.rpc.CallContext(ctx, &uncle, call[0].(string), call[1:]...); err != nil || string(uncle) != "null" {
			t.Fatalf("%v: %s %v, want null", call, uncle, err)
		}
	}
	var fee hexutil.Big
	if err := env.rpc.CallContext(ctx, &fee, "eth_blobBaseFee"); err != nil {
		t.Fatal(err)
	}
	if want := eip4844.CalcBlobFee(env.backend.ChainConfig(), env.backend.CurrentHeader()); fee.ToInt().Cmp(want) != 0 {
		t.Fatalf("blob base fee %v, want %v", fee.ToInt(), want)
	}
}
