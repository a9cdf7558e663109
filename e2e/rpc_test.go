package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	"github.com/ethereum/go-ethereum/params"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
	"github.com/lanes-rollup/lanes/parallel"
	lanesrpc "github.com/lanes-rollup/lanes/rpc"
	"github.com/lanes-rollup/lanes/sequencer"
)

// inProcNode is a dev sequencer with its RPC server, both in this process,
// reached over real loopback HTTP and WebSocket connections.
type inProcNode struct {
	seq     *sequencer.Sequencer
	httpURL string
	wsURL   string
	http    *ethclient.Client // over HTTP
	ws      *ethclient.Client // over WebSocket
}

// startInProc starts an in-memory dev node with the given block time.
// Everything is stopped in t.Cleanup, in reverse order of starting.
func startInProc(t *testing.T, blockTime time.Duration) *inProcNode {
	t.Helper()
	cfg := sequencer.DefaultConfig()
	cfg.Dev = true
	cfg.Parallel = false
	cfg.BlockTime = blockTime
	seq, err := sequencer.New(cfg, parallel.Sequential{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := seq.Stop(context.Background()); err != nil {
			t.Errorf("stop sequencer: %v", err)
		}
	})
	if err := seq.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	rcfg := lanesrpc.DefaultConfig
	rcfg.HTTPPort = 0
	rcfg.WSPort = 0
	rcfg.HTTPAPIs, rcfg.WSAPIs = lanesrpc.Namespaces, lanesrpc.Namespaces
	srv, err := lanesrpc.NewServer(rcfg, seq, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop rpc server: %v", err)
		}
	})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	return &inProcNode{seq: seq, httpURL: srv.HTTPEndpoint(), wsURL: srv.WSEndpoint(), http: dial(t, srv.HTTPEndpoint()), ws: dial(t, srv.WSEndpoint())}
}

// deployProbe deploys Probe from dev key i with the given nonce and waits
// for it.
func deployProbe(t *testing.T, ctx context.Context, c *ethclient.Client, p probe, key *ecdsa.PrivateKey, nonce uint64) (*types.Transaction, *types.Receipt) {
	t.Helper()
	tx := sign(t, key, dynTx(nonce, nil, nil, 1_000_000, p.initCode))
	send(t, ctx, c, tx)
	return tx, mustSucceed(t, ctx, c, tx)
}

func TestRPCTransferAndDeploy(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	p := loadProbe(t)
	key, from := devKey(0)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e01")
	value := big.NewInt(12345)

	transfer := sign(t, key, dynTx(0, &to, value, params.TxGas, nil))
	send(t, ctx, n.http, transfer)
	r := mustSucceed(t, ctx, n.http, transfer)
	if r.GasUsed != params.TxGas || r.CumulativeGasUsed < params.TxGas {
		t.Errorf("transfer gas used %d (cumulative %d), want %d", r.GasUsed, r.CumulativeGasUsed, params.TxGas)
	}
	if r.ContractAddress != (common.Address{}) {
		t.Errorf("transfer receipt has contract address %v", r.ContractAddress)
	}
	if r.TxHash != transfer.Hash() || r.Type != types.DynamicFeeTxType {
		t.Errorf("receipt tx hash %v type %d, want %v type 2", r.TxHash, r.Type, transfer.Hash())
	}
	header, err := n.http.HeaderByHash(ctx, r.BlockHash)
	if err != nil {
		t.Fatal(err)
	}
	wantPrice := new(big.Int).Add(header.BaseFee, testTip) // the cap is far above
	if r.EffectiveGasPrice.Cmp(wantPrice) != 0 {
		t.Errorf("effectiveGasPrice %v, want base fee %v + tip %v", r.EffectiveGasPrice, header.BaseFee, testTip)
	}
	if got, err := n.http.BalanceAt(ctx, to, nil); err != nil || got.Cmp(value) != 0 {
		t.Errorf("recipient balance %v (%v), want %v", got, err, value)
	}
	wantSender := new(big.Int).Sub(sequencer.DevBalance, value)
	wantSender.Sub(wantSender, new(big.Int).Mul(wantPrice, big.NewInt(int64(params.TxGas))))
	if got, err := n.http.BalanceAt(ctx, from, r.BlockNumber); err != nil || got.Cmp(wantSender) != 0 {
		t.Errorf("sender balance %v (%v), want %v", got, err, wantSender)
	}

	deploy, dr := deployProbe(t, ctx, n.http, p, key, 1)
	if want := crypto.CreateAddress(from, deploy.Nonce()); dr.ContractAddress != want {
		t.Fatalf("contractAddress %v, want %v", dr.ContractAddress, want)
	}
	if dr.GasUsed <= params.TxGasContractCreation || dr.GasUsed >= deploy.Gas() {
		t.Errorf("deploy gas used %d outside (%d, %d)", dr.GasUsed, params.TxGasContractCreation, deploy.Gas())
	}
	// The runtime code is what the init code returns: run it with eth_call
	// on the state before the deployment and compare with eth_getCode after.
	parent := new(big.Int).Sub(dr.BlockNumber, common.Big1)
	runtime, err := n.http.CallContract(ctx, ethereum.CallMsg{From: from, Data: p.initCode}, parent)
	if err != nil {
		t.Fatal(err)
	}
	code, err := n.http.CodeAt(ctx, dr.ContractAddress, dr.BlockNumber)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) == 0 || !bytes.Equal(code, runtime) {
		t.Fatalf("eth_getCode = %d bytes, init code returned %d bytes; equal=%v", len(code), len(runtime), bytes.Equal(code, runtime))
	}
	if before, err := n.http.CodeAt(ctx, dr.ContractAddress, parent); err != nil || len(before) != 0 {
		t.Errorf("code before deployment: %x (%v)", before, err)
	}

	// Three increments, sent back to back: whether they share a block or
	// not, each block's logs are numbered 0.. in transaction order.
	probeAddr := dr.ContractAddress
	var incs []*types.Transaction
	for i := uint64(0); i < 3; i++ {
		tx := sign(t, key, dynTx(2+i, &probeAddr, nil, 100_000, p.pack(t, "increment")))
		send(t, ctx, n.http, tx)
		incs = append(incs, tx)
	}
	topic := p.abi.Events["Incremented"].ID
	fromTopic := common.BytesToHash(from.Bytes())
	for i, tx := range incs {
		r := mustSucceed(t, ctx, n.http, tx)
		if len(r.Logs) != 1 {
			t.Fatalf("increment %d: %d logs, want 1", i, len(r.Logs))
		}
		l := r.Logs[0]
		wantTopics := []common.Hash{topic, fromTopic, common.BigToHash(big.NewInt(int64(i + 1)))}
		if l.Address != probeAddr || fmt.Sprint(l.Topics) != fmt.Sprint(wantTopics) || len(l.Data) != 0 {
			t.Errorf("increment %d log: address %v topics %v data %x, want %v %v no data", i, l.Address, l.Topics, l.Data, probeAddr, wantTopics)
		}
		if l.TxHash != tx.Hash() || l.BlockHash != r.BlockHash || l.BlockNumber != r.BlockNumber.Uint64() || l.TxIndex != r.TransactionIndex {
			t.Errorf("increment %d log position: %+v, receipt block %v #%d index %d", i, l, r.BlockHash, r.BlockNumber, r.TransactionIndex)
		}
		// eth_getLogs over the block returns the same logs with the same
		// indexes, numbered from 0 in transaction order.
		hash := r.BlockHash
		logs, err := n.http.FilterLogs(ctx, ethereum.FilterQuery{BlockHash: &hash})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for j, bl := range logs {
			if bl.Index != uint(j) {
				t.Errorf("block %v log %d has index %d", hash, j, bl.Index)
			}
			if j > 0 && bl.TxIndex < logs[j-1].TxIndex {
				t.Errorf("block %v logs out of transaction order", hash)
			}
			if bl.TxHash == tx.Hash() {
				found = true
				if bl.Index != l.Index || bl.TxIndex != l.TxIndex {
					t.Errorf("eth_getLogs index %d/%d, receipt %d/%d", bl.Index, bl.TxIndex, l.Index, l.TxIndex)
				}
			}
		}
		if !found {
			t.Errorf("eth_getLogs of block %v lacks increment %d", hash, i)
		}
	}
	got, err := n.http.CallContract(ctx, ethereum.CallMsg{To: &probeAddr, Data: p.pack(t, "get")}, nil)
	if err != nil || new(big.Int).SetBytes(got).Int64() != 3 {
		t.Fatalf("get() = %x (%v), want 3", got, err)
	}

	// gethclient: eth_getProof reads the counter slot, and eth_call with a
	// state override sees the overridden slot.
	gc := gethclient.New(n.http.Client())
	proof, err := gc.GetProof(ctx, probeAddr, []string{"0x0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(proof.StorageProof) != 1 || proof.StorageProof[0].Value.Int64() != 3 || proof.Nonce != 1 {
		t.Errorf("eth_getProof: nonce %d storage %+v, want nonce 1 and slot 0 = 3", proof.Nonce, proof.StorageProof)
	}
	overrides := map[common.Address]gethclient.OverrideAccount{
		probeAddr: {StateDiff: map[common.Hash]common.Hash{{}: common.BigToHash(big.NewInt(42))}},
	}
	got, err = gc.CallContract(ctx, ethereum.CallMsg{To: &probeAddr, Data: p.pack(t, "get")}, nil, &overrides)
	if err != nil || new(big.Int).SetBytes(got).Int64() != 42 {
		t.Errorf("get() with override = %x (%v), want 42", got, err)
	}
}

func TestRPCSubscriptions(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	p := loadProbe(t)
	key, from := devKey(1)
	_, dr := deployProbe(t, ctx, n.http, p, key, 0)
	probeAddr := dr.ContractAddress
	topic := p.abi.Events["Incremented"].ID

	heads := make(chan *types.Header, 64)
	headSub, err := n.ws.SubscribeNewHead(ctx, heads)
	if err != nil {
		t.Fatal(err)
	}
	defer headSub.Unsubscribe()
	logs := make(chan types.Log, 64)
	query := ethereum.FilterQuery{Addresses: []common.Address{probeAddr}, Topics: [][]common.Hash{{topic}}}
	logSub, err := n.ws.SubscribeFilterLogs(ctx, query, logs)
	if err != nil {
		t.Fatal(err)
	}
	defer logSub.Unsubscribe()

	// A set() emits ValueSet, which the topic filter must leave out; the
	// increment after it is the one log the subscription may deliver.
	set := sign(t, key, dynTx(1, &probeAddr, nil, 100_000, p.pack(t, "set", big.NewInt(5))))
	send(t, ctx, n.http, set)
	inc := sign(t, key, dynTx(2, &probeAddr, nil, 100_000, p.pack(t, "increment")))
	send(t, ctx, n.http, inc)
	incReceipt := mustSucceed(t, ctx, n.http, inc)
	mustSucceed(t, ctx, n.http, set)

	select {
	case l := <-logs:
		want := []common.Hash{topic, common.BytesToHash(from.Bytes()), common.BigToHash(common.Big1)}
		if l.TxHash != inc.Hash() || l.Address != probeAddr || fmt.Sprint(l.Topics) != fmt.Sprint(want) ||
			l.BlockHash != incReceipt.BlockHash || l.Index != incReceipt.Logs[0].Index || l.Removed {
			t.Errorf("subscribed log %+v, want the increment's %+v", l, incReceipt.Logs[0])
		}
	case err := <-logSub.Err():
		t.Fatalf("logs subscription: %v", err)
	case <-ctx.Done():
		t.Fatal("no log delivered")
	}
	// Heads arrive in order; wait for the increment's block.
	for {
		select {
		case h := <-heads:
			if h.Number.Cmp(incReceipt.BlockNumber) < 0 {
				continue
			}
			if h.Number.Cmp(incReceipt.BlockNumber) == 0 && h.Hash() != incReceipt.BlockHash {
				t.Fatalf("newHeads header %d hashes to %v, receipt says %v", h.Number, h.Hash(), incReceipt.BlockHash)
			}
		case err := <-headSub.Err():
			t.Fatalf("newHeads subscription: %v", err)
		case <-ctx.Done():
			t.Fatal("no head for the increment's block")
		}
		break
	}
	select {
	case l := <-logs:
		t.Errorf("unexpected second log: %+v", l)
	default:
	}
}

func TestRPCCallAtPastBlock(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	p := loadProbe(t)
	key, _ := devKey(2)
	_, dr := deployProbe(t, ctx, n.http, p, key, 0)
	probeAddr := dr.ContractAddress
	valueCall := ethereum.CallMsg{To: &probeAddr, Data: p.pack(t, "value")}

	r1 := mustSucceed(t, ctx, n.http, sendNew(t, ctx, n.http, key, dynTx(1, &probeAddr, nil, 100_000, p.pack(t, "set", big.NewInt(5)))))
	r2 := mustSucceed(t, ctx, n.http, sendNew(t, ctx, n.http, key, dynTx(2, &probeAddr, nil, 100_000, p.pack(t, "set", big.NewInt(9)))))
	for _, c := range []struct {
		block *big.Int
		want  int64
	}{
		{dr.BlockNumber, 0},
		{new(big.Int).Sub(r1.BlockNumber, common.Big1), 0},
		{r1.BlockNumber, 5},
		{new(big.Int).Sub(r2.BlockNumber, common.Big1), 5},
		{r2.BlockNumber, 9},
		{nil, 9},
	} {
		got, err := n.http.CallContract(ctx, valueCall, c.block)
		if err != nil {
			t.Fatalf("value() at %v: %v", c.block, err)
		}
		if new(big.Int).SetBytes(got).Int64() != c.want {
			t.Errorf("value() at %v = %x, want %d", c.block, got, c.want)
		}
	}
	// The same by block hash.
	got, err := n.http.CallContractAtHash(ctx, valueCall, r1.BlockHash)
	if err != nil || new(big.Int).SetBytes(got).Int64() != 5 {
		t.Errorf("value() at hash %v = %x (%v), want 5", r1.BlockHash, got, err)
	}
}

// sendNew signs and sends a transaction and returns it.
func sendNew(t *testing.T, ctx context.Context, c *ethclient.Client, key *ecdsa.PrivateKey, tx types.TxData) *types.Transaction {
	t.Helper()
	signed := sign(t, key, tx)
	send(t, ctx, c, signed)
	return signed
}

func TestRPCRevertData(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	p := loadProbe(t)
	key, from := devKey(3)
	_, dr := deployProbe(t, ctx, n.http, p, key, 0)
	probeAddr := dr.ContractAddress

	// Error(string) revert data: the selector of Error(string), then the
	// ABI-encoded reason.
	stringTy, err := abi.NewType("string", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	encReason, err := abi.Arguments{{Type: stringTy}}.Pack("probe: nope")
	if err != nil {
		t.Fatal(err)
	}
	errorStringData := append(crypto.Keccak256([]byte("Error(string)"))[:4], encReason...)
	custom := p.abi.Errors["ProbeError"]
	encCode, err := custom.Inputs.Pack(big.NewInt(7))
	if err != nil {
		t.Fatal(err)
	}
	customData := append(custom.ID.Bytes()[:4], encCode...)

	for _, c := range []struct {
		name    string
		data    []byte
		message string
		revert  []byte
	}{
		{"require", p.pack(t, "failRequire"), "execution reverted: probe: nope", errorStringData},
		{"custom", p.pack(t, "failCustom", big.NewInt(7)), "execution reverted", customData},
	} {
		msg := ethereum.CallMsg{From: from, To: &probeAddr, Data: c.data}
		_, callErr := n.http.CallContract(ctx, msg, nil)
		_, estErr := n.http.EstimateGas(ctx, msg)
		for method, err := range map[string]error{"eth_call": callErr, "eth_estimateGas": estErr} {
			checkRevert(t, c.name+" "+method, err, c.message, c.revert)
		}
	}
}

// checkRevert asserts a JSON-RPC revert error: code 3, message and data.
func checkRevert(t *testing.T, what string, err error, message string, revert []byte) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	var rpcErr gethrpc.Error
	var dataErr gethrpc.DataError
	if !errors.As(err, &rpcErr) || !errors.As(err, &dataErr) {
		t.Errorf("%s: error %v (%T) is not an rpc.Error with data", what, err, err)
		return
	}
	if rpcErr.ErrorCode() != 3 || rpcErr.Error() != message {
		t.Errorf("%s: error %d %q, want 3 %q", what, rpcErr.ErrorCode(), rpcErr.Error(), message)
	}
	if data, _ := dataErr.ErrorData().(string); data != hexutil.Encode(revert) {
		t.Errorf("%s: error data %v, want %s", what, dataErr.ErrorData(), hexutil.Encode(revert))
	}
}

func TestRPCEstimateGas(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	p := loadProbe(t)
	key, from := devKey(4)
	_, dr := deployProbe(t, ctx, n.http, p, key, 0)
	probeAddr := dr.ContractAddress

	to := common.HexToAddress("0x00000000000000000000000000000000000e2e02")
	gas, err := n.http.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Value: big.NewInt(1)})
	if err != nil || gas != params.TxGas {
		t.Fatalf("transfer estimate %d (%v), want %d", gas, err, params.TxGas)
	}
	data := p.pack(t, "increment")
	gas, err = n.http.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &probeAddr, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	tx := sendNew(t, ctx, n.http, key, dynTx(1, &probeAddr, nil, gas, data))
	r := mustSucceed(t, ctx, n.http, tx)
	if r.GasUsed > gas {
		t.Errorf("increment used %d gas, above its estimate %d", r.GasUsed, gas)
	}
}

func TestRPCFeeHistory(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	key, _ := devKey(5)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e03")
	// One transaction per block: each waits for the previous one's receipt.
	const blocks = 4
	var last *types.Receipt
	for i := uint64(0); i < blocks; i++ {
		last = mustSucceed(t, ctx, n.http, sendNew(t, ctx, n.http, key, dynTx(i, &to, big.NewInt(1), params.TxGas, nil)))
	}
	percentiles := []float64{25, 75}
	fh, err := n.http.FeeHistory(ctx, blocks, last.BlockNumber, percentiles)
	if err != nil {
		t.Fatal(err)
	}
	oldest := new(big.Int).Sub(last.BlockNumber, big.NewInt(blocks-1))
	if fh.OldestBlock.Cmp(oldest) != 0 {
		t.Fatalf("oldest block %v, want %v", fh.OldestBlock, oldest)
	}
	if len(fh.BaseFee) != blocks+1 || len(fh.GasUsedRatio) != blocks || len(fh.Reward) != blocks {
		t.Fatalf("lengths: baseFee %d gasUsedRatio %d reward %d, want %d %d %d",
			len(fh.BaseFee), len(fh.GasUsedRatio), len(fh.Reward), blocks+1, blocks, blocks)
	}
	var header *types.Header
	for i := 0; i < blocks; i++ {
		num := new(big.Int).Add(oldest, big.NewInt(int64(i)))
		header, err = n.http.HeaderByNumber(ctx, num)
		if err != nil {
			t.Fatal(err)
		}
		if fh.BaseFee[i].Cmp(header.BaseFee) != 0 {
			t.Errorf("block %v base fee %v, header says %v", num, fh.BaseFee[i], header.BaseFee)
		}
		if want := float64(header.GasUsed) / float64(header.GasLimit); fh.GasUsedRatio[i] != want {
			t.Errorf("block %v gasUsedRatio %v, want %v", num, fh.GasUsedRatio[i], want)
		}
		// Every block holds transfers tipping exactly testTip (the cap is
		// far above base fee + tip), so every percentile is testTip.
		if len(fh.Reward[i]) != len(percentiles) {
			t.Fatalf("block %v: %d rewards, want %d", num, len(fh.Reward[i]), len(percentiles))
		}
		for j, r := range fh.Reward[i] {
			if r.Cmp(testTip) != 0 {
				t.Errorf("block %v reward at %v%% = %v, want %v", num, percentiles[j], r, testTip)
			}
		}
	}
	next := eip1559.CalcBaseFee(n.seq.ChainConfig(), header)
	if fh.BaseFee[blocks].Cmp(next) != 0 {
		t.Errorf("next base fee %v, want %v", fh.BaseFee[blocks], next)
	}
}

// TestRPCConcurrentNonces sends nonces 0..49 of one sender from 50
// goroutines at once, so they reach the pool in any order.
func TestRPCConcurrentNonces(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	key, from := devKey(6)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e04")
	const count = 50
	txs := make([]*types.Transaction, count)
	for i := range txs {
		txs[i] = sign(t, key, dynTx(uint64(i), &to, big.NewInt(int64(i+1)), params.TxGas, nil))
	}
	var wg sync.WaitGroup
	errs := make([]error, count)
	start := make(chan struct{})
	for i, tx := range txs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = n.http.SendTransaction(ctx, tx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("send nonce %d: %v", i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	var lastBlock uint64
	for _, tx := range txs {
		r := mustSucceed(t, ctx, n.http, tx)
		lastBlock = max(lastBlock, r.BlockNumber.Uint64())
	}
	// Scan the chain: each nonce of the sender appears exactly once.
	seen := make(map[uint64]int)
	signer := types.LatestSignerForChainID(chainID)
	for num := uint64(1); num <= lastBlock; num++ {
		block, err := n.http.BlockByNumber(ctx, new(big.Int).SetUint64(num))
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range block.Transactions() {
			if sender, err := types.Sender(signer, tx); err == nil && sender == from {
				seen[tx.Nonce()]++
			}
		}
	}
	for i := uint64(0); i < count; i++ {
		if seen[i] != 1 {
			t.Errorf("nonce %d included %d times", i, seen[i])
		}
	}
	if len(seen) != count {
		t.Errorf("%d distinct nonces included, want %d", len(seen), count)
	}
	if nonce, err := n.http.NonceAt(ctx, from, nil); err != nil || nonce != count {
		t.Errorf("account nonce %d (%v), want %d", nonce, err, count)
	}
	want := new(big.Int).SetUint64(count * (count + 1) / 2)
	if got, err := n.http.BalanceAt(ctx, to, nil); err != nil || got.Cmp(want) != 0 {
		t.Errorf("recipient balance %v (%v), want %v", got, err, want)
	}
}

// TestRPCReplacement replaces a pending transaction with one that bumps
// both fees by 10%, after a 9% bump was refused. The 2s block time keeps
// the first transaction pending while the others arrive; should a loaded
// machine let a block slip in between anyway (the first is then mined and
// the replacement gets "nonce too low"), the round is repeated.
func TestRPCReplacement(t *testing.T) {
	n := startInProc(t, 2*time.Second)
	ctx := testContext(t)
	key, from := devKey(7)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e05")
	bump := func(x *big.Int, percent int64) *big.Int {
		return new(big.Int).Div(new(big.Int).Mul(x, big.NewInt(100+percent)), big.NewInt(100))
	}
	nonce := uint64(0)
	for attempt := 1; ; attempt++ {
		// A block with a warm-up transaction starts a fresh block time, in
		// which the next block cannot be built.
		warm := sendNew(t, ctx, n.http, key, dynTx(nonce, &to, big.NewInt(1), params.TxGas, nil))
		mustSucceed(t, ctx, n.http, warm)
		nonce++

		first := sign(t, key, dynTx(nonce, &to, big.NewInt(100), params.TxGas, nil))
		under := dynTx(nonce, &to, big.NewInt(200), params.TxGas, nil)
		under.GasTipCap, under.GasFeeCap = bump(testTip, 9), bump(testFeeCap, 9)
		underTx := sign(t, key, under)
		tipOnly := dynTx(nonce, &to, big.NewInt(300), params.TxGas, nil)
		tipOnly.GasTipCap = bump(testTip, 10) // fee cap unchanged
		tipOnlyTx := sign(t, key, tipOnly)
		repl := dynTx(nonce, &to, big.NewInt(400), params.TxGas, nil)
		repl.GasTipCap, repl.GasFeeCap = bump(testTip, 10), bump(testFeeCap, 10)
		replTx := sign(t, key, repl)

		send(t, ctx, n.http, first)
		errUnder := n.http.SendTransaction(ctx, underTx)
		errTipOnly := n.http.SendTransaction(ctx, tipOnlyTx)
		errRepl := n.http.SendTransaction(ctx, replTx)
		if errRepl != nil && strings.HasPrefix(errRepl.Error(), "nonce too low") && attempt < 3 {
			t.Logf("attempt %d: a block included the first transaction before its replacement arrived; retrying", attempt)
			mustSucceed(t, ctx, n.http, first)
			nonce++
			continue
		}
		for name, err := range map[string]error{"9% bump": errUnder, "tip-only bump": errTipOnly} {
			if err == nil || err.Error() != "replacement transaction underpriced" {
				t.Errorf("%s: error %v, want %q", name, err, "replacement transaction underpriced")
			}
		}
		if errRepl != nil {
			t.Fatalf("10%% bump refused: %v", errRepl)
		}
		r := mustSucceed(t, ctx, n.http, replTx)
		block, err := n.http.BlockByHash(ctx, r.BlockHash)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range block.Transactions() {
			if tx.Hash() == first.Hash() || tx.Hash() == underTx.Hash() || tx.Hash() == tipOnlyTx.Hash() {
				t.Errorf("replaced transaction %v included", tx.Hash())
			}
		}
		for _, old := range []*types.Transaction{first, underTx, tipOnlyTx} {
			if _, err := n.http.TransactionReceipt(ctx, old.Hash()); !errors.Is(err, ethereum.NotFound) {
				t.Errorf("receipt of replaced %v: %v, want not found", old.Hash(), err)
			}
			if _, _, err := n.http.TransactionByHash(ctx, old.Hash()); !errors.Is(err, ethereum.NotFound) {
				t.Errorf("replaced %v still known: %v", old.Hash(), err)
			}
		}
		if nonceNow, err := n.http.NonceAt(ctx, from, nil); err != nil || nonceNow != nonce+1 {
			t.Errorf("account nonce %d (%v), want %d", nonceNow, err, nonce+1)
		}
		return
	}
}

func TestRPCBadInput(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	rc := n.http.Client()
	key, _ := devKey(8)
	to := common.HexToAddress("0x00000000000000000000000000000000000e2e06")

	// One included transaction, so that nonce 0 is now too low.
	mined := sendNew(t, ctx, n.http, key, dynTx(0, &to, big.NewInt(1), params.TxGas, nil))
	mustSucceed(t, ctx, n.http, mined)
	// The pool catches up with a new head in the background, as
	// go-ethereum's does: until it has, nonce 0 still looks pending there
	// and a resend is judged as a replacement. Wait for it.
	for deadline := time.Now().Add(hangGuard); ; {
		var status map[string]hexutil.Uint
		if err := rc.CallContext(ctx, &status, "txpool_status"); err != nil {
			t.Fatal(err)
		}
		if status["pending"] == 0 && status["queued"] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("txpool still holds transactions after their block: %v", status)
		}
		time.Sleep(5 * time.Millisecond)
	}

	wrongChainData := dynTx(1, &to, nil, params.TxGas, nil)
	wrongChainData.ChainID = big.NewInt(1)
	wrongChain, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(1)), wrongChainData)
	if err != nil {
		t.Fatal(err)
	}

	good := sign(t, key, dynTx(1, &to, nil, params.TxGas, nil))
	v, r, s := good.RawSignatureValues()
	badV := dynTx(1, &to, nil, params.TxGas, nil)
	badV.V, badV.R, badV.S = big.NewInt(5), r, s
	highS := dynTx(1, &to, nil, params.TxGas, nil)
	// S above secp256k1n/2 is refused since Homestead.
	highS.V, highS.R, highS.S = v, r, new(big.Int).Sub(crypto.S256().Params().N, s)

	// A fee cap below the current base fee. The pool does not check the
	// base fee (go-ethereum's legacypool keeps such transactions until the
	// base fee falls), so sending it succeeds; it is refused by eth_call.
	// The cap is 1 wei, which the base fee (1 gwei at genesis, falling at
	// most 12.5% a block) cannot reach within this test. Dev key 9 sends
	// it, so its fate does not touch key 8's nonces.
	lowCapKey, lowCapFrom := devKey(9)
	lowCap := dynTx(0, &to, nil, params.TxGas, nil)
	lowCap.GasTipCap = big.NewInt(1)
	lowCap.GasFeeCap = big.NewInt(1)

	// No tip, and a fee cap that covers the base fee: only the pool's
	// minimum tip refuses it.
	zeroTip := dynTx(1, &to, nil, params.TxGas, nil)
	zeroTip.GasTipCap = new(big.Int)

	oversized := dynTx(1, &to, nil, 6_000_000, make([]byte, 128*1024+1))
	oversized.GasFeeCap = big.NewInt(2_000_000_000)
	oversizedTx := sign(t, key, oversized)

	tooMuchGas := dynTx(1, &to, nil, 300_000_000, nil)
	tooMuchGas.GasFeeCap = big.NewInt(2_000_000_000) // 0.6 ether: under the RPC fee cap

	blob := &types.BlobTx{
		ChainID:    uint256.MustFromBig(chainID),
		Nonce:      1,
		GasTipCap:  uint256.MustFromBig(testTip),
		GasFeeCap:  uint256.MustFromBig(testFeeCap),
		Gas:        params.TxGas,
		To:         to,
		Value:      new(uint256.Int),
		BlobFeeCap: uint256.NewInt(1_000_000_000),
		BlobHashes: []common.Hash{{0x01}}, // a versioned hash; no sidecar
	}

	malformed := []byte{0x02, 0xc3, 0x01, 0x02}
	var decodeErr error
	if decodeErr = new(types.Transaction).UnmarshalBinary(malformed); decodeErr == nil {
		t.Fatal("malformed input decodes")
	}

	for _, c := range []struct {
		name string
		raw  []byte
		want string // exact message
	}{
		{"malformed RLP", malformed, decodeErr.Error()},
		{"wrong chain ID", marshal(t, wrongChain), "invalid sender: invalid chain id for signer: have 1 want 424242"},
		{"bad V", marshal(t, types.NewTx(badV)), "invalid sender: invalid transaction v, r, s values"},
		{"high S", marshal(t, types.NewTx(highS)), "invalid sender: invalid transaction v, r, s values"},
		{"nonce too low", marshal(t, sign(t, key, dynTx(0, &to, big.NewInt(2), params.TxGas, nil))), "nonce too low: next nonce 1, tx nonce 0"},
		{"zero tip", marshal(t, sign(t, key, zeroTip)), "transaction gas price below minimum: gas tip cap 0, minimum needed 1"},
		{"oversized", marshal(t, oversizedTx), fmt.Sprintf("oversized data: transaction size %d, limit %d", oversizedTx.Size(), 128*1024)},
		{"gas above cap", marshal(t, sign(t, key, tooMuchGas)), fmt.Sprintf("transaction gas limit too high (cap: %d, tx: 300000000)", params.MaxTxGas)},
		{"blob", marshal(t, sign(t, key, blob)), "transaction type not supported: received type 3"},
	} {
		err := rc.CallContext(ctx, nil, "eth_sendRawTransaction", hexutil.Encode(c.raw))
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}

	// A fee cap below the base fee is refused: the pool would keep the
	// transaction pending, unpaid, while fees stay higher. So is executing
	// it against the head.
	head, err := n.http.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	lowCapTx := sign(t, lowCapKey, lowCap)
	wantRefused := fmt.Sprintf("max fee per gas less than block base fee: maxFeePerGas: 1, baseFee: %v", head.BaseFee)
	if err := n.http.SendTransaction(ctx, lowCapTx); err == nil || err.Error() != wantRefused {
		t.Errorf("fee cap below base fee: %v, want %q", err, wantRefused)
	}
	_, err = n.http.CallContract(ctx, ethereum.CallMsg{From: lowCapFrom, To: &to, Gas: params.TxGas, GasFeeCap: lowCap.GasFeeCap, GasTipCap: lowCap.GasTipCap}, head.Number)
	wantLowCap := fmt.Sprintf("err: max fee per gas less than block base fee: address %v, maxFeePerGas: 1, baseFee: %v (supplied gas %d)", lowCapFrom.Hex(), head.BaseFee, params.TxGas)
	if err == nil || err.Error() != wantLowCap {
		t.Errorf("eth_call with fee cap below base fee: %v, want %q", err, wantLowCap)
	}

	// Raw JSON-RPC: malformed JSON, an unknown method, a batch over the limit.
	for _, c := range []struct {
		name    string
		body    string
		code    int
		message string
	}{
		{"malformed JSON", `{"jsonrpc":"2.0",`, -32700, "parse error"},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"eth_foo","params":[]}`, -32601, "the method eth_foo does not exist/is not available"},
		{"batch too large", batchOf(lanesrpc.DefaultConfig.BatchRequestLimit + 1), -32600, "batch too large"},
	} {
		code, message := postRaw(t, ctx, n.httpURL, c.body)
		if code != c.code || message != c.message {
			t.Errorf("%s: error %d %q, want %d %q", c.name, code, message, c.code, c.message)
		}
	}
	// A batch at the limit is served.
	if code, message := postRaw(t, ctx, n.httpURL, batchOf(lanesrpc.DefaultConfig.BatchRequestLimit)); code != 0 {
		t.Errorf("batch at the limit: error %d %q", code, message)
	}

	// The node still serves, and still builds blocks.
	if _, err := n.http.BlockNumber(ctx); err != nil {
		t.Fatalf("eth_blockNumber after bad input: %v", err)
	}
	mustSucceed(t, ctx, n.http, sendNew(t, ctx, n.http, key, dynTx(1, &to, big.NewInt(3), params.TxGas, nil)))
}

func marshal(t *testing.T, tx *types.Transaction) []byte {
	t.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// batchOf is a JSON-RPC batch of size eth_blockNumber calls.
func batchOf(size int) string {
	calls := make([]string, size)
	for i := range calls {
		calls[i] = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"eth_blockNumber","params":[]}`, i+1)
	}
	return "[" + strings.Join(calls, ",") + "]"
}

// postRaw POSTs body and returns the error code and message of the reply
// (of its first element for a batch), or 0 and "" when there is none.
func postRaw(t *testing.T, ctx context.Context, url, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	type reply struct {
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
		Result json.RawMessage `json:"result"`
	}
	var replies []reply
	if bytes.HasPrefix(bytes.TrimSpace(raw), []byte("[")) {
		if err := json.Unmarshal(raw, &replies); err != nil {
			t.Fatalf("decode %q: %v", raw, err)
		}
	} else {
		var one reply
		if err := json.Unmarshal(raw, &one); err != nil {
			t.Fatalf("decode %q: %v", raw, err)
		}
		replies = []reply{one}
	}
	for _, r := range replies {
		if r.Error != nil {
			return r.Error.Code, r.Error.Message
		}
		if r.Result == nil {
			t.Fatalf("reply without result or error: %s", raw)
		}
	}
	return 0, ""
}

// TestRPCFreshChainReceiptIsNull asks a new chain, whose head is still the
// genesis block, for the receipt and the transaction of an unknown hash.
// go-ethereum's answer is null for both once its transaction index is
// complete; the genesis has no transactions to index.
// go-ethereum's indexer does not start at the genesis and would answer
// "transaction indexing is in progress", which Foundry takes as fatal.
func TestRPCFreshChainReceiptIsNull(t *testing.T) {
	n := startInProc(t, 50*time.Millisecond)
	ctx := testContext(t)
	unknown := common.HexToHash("0x00000000000000000000000000000000000000000000000000000000000e2e09")
	var receipt, tx json.RawMessage
	if err := n.http.Client().CallContext(ctx, &receipt, "eth_getTransactionReceipt", unknown); err != nil || string(receipt) != "null" {
		t.Errorf("eth_getTransactionReceipt on a fresh chain = %s, %v; want null", receipt, err)
	}
	if err := n.http.Client().CallContext(ctx, &tx, "eth_getTransactionByHash", unknown); err != nil || string(tx) != "null" {
		t.Errorf("eth_getTransactionByHash on a fresh chain = %s, %v; want null", tx, err)
	}
}
