package rpc

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

func TestSendRawTransaction(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	tx := signDynamic(t, key1, 4, &addr3, big.NewInt(1), 21000, nil)
	if err := env.eth.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	var hash common.Hash
	raw, _ := tx.MarshalBinary()
	// Sending it again: the pool already knows it.
	err := env.rpc.Call(&hash, "eth_sendRawTransaction", hexutil.Bytes(raw))
	if code, msg, _ := rpcError(t, err); code != -32000 || msg != "already known" {
		t.Fatalf("resend: %d %q", code, msg)
	}
	// The pending transaction is visible everywhere.
	got, pending, err := env.eth.TransactionByHash(ctx, tx.Hash())
	if err != nil || !pending || got.Hash() != tx.Hash() {
		t.Fatalf("pending tx: %v %v", pending, err)
	}
	if n, err := env.eth.PendingNonceAt(ctx, addr1); err != nil || n != 5 {
		t.Fatalf("pending nonce %d %v", n, err)
	}
	if n, err := env.eth.NonceAt(ctx, addr1, nil); err != nil || n != 4 {
		t.Fatalf("latest nonce %d %v", n, err)
	}
	var status map[string]hexutil.Uint
	if err := env.rpc.Call(&status, "txpool_status"); err != nil || status["pending"] != 1 || status["queued"] != 0 {
		t.Fatalf("txpool_status %v %v", status, err)
	}
	var content map[string]map[string]map[string]*RPCTransaction
	if err := env.rpc.Call(&content, "txpool_content"); err != nil || content["pending"][addr1.Hex()]["4"].Hash != tx.Hash() {
		t.Fatalf("txpool_content %v %v", content, err)
	}
	if p := content["pending"][addr1.Hex()]["4"]; p.BlockHash != nil || p.GasPrice.ToInt().Cmp(tx.GasFeeCap()) != 0 {
		t.Fatalf("pending tx JSON %+v", p)
	}
	var from map[string]map[string]*RPCTransaction
	if err := env.rpc.Call(&from, "txpool_contentFrom", addr1); err != nil || len(from["pending"]) != 1 || len(from["queued"]) != 0 {
		t.Fatalf("txpool_contentFrom %v %v", from, err)
	}
	var inspect map[string]map[string]map[string]string
	if err := env.rpc.Call(&inspect, "txpool_inspect"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%s: 1 wei + 21000 gas × %d wei", addr3.Hex(), uint64(100*params.GWei))
	if got := inspect["pending"][addr1.Hex()]["4"]; got != want {
		t.Fatalf("txpool_inspect %q want %q", got, want)
	}
}

func TestSendRawTransactionErrors(t *testing.T) {
	env := newTestEnv(t)
	chainID := big.NewInt(testChainID)
	signer := types.LatestSignerForChainID(chainID)
	dynamic := func(nonce uint64, tip, gas uint64, data []byte) *types.DynamicFeeTx {
		return &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: new(big.Int).SetUint64(tip), GasFeeCap: big.NewInt(100 * params.GWei), Gas: gas, To: &addr3, Value: big.NewInt(1), Data: data}
	}
	encode := func(s types.Signer, txdata types.TxData) []byte {
		tx := types.MustSignNewTx(key1, s, txdata)
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	// cheap keeps gas*feeCap under the 1 ether RPC fee cap for big gas limits.
	cheap := func(d *types.DynamicFeeTx) *types.DynamicFeeTx { d.GasFeeCap = big.NewInt(10 * params.GWei); return d }
	// A transaction signed with s > secp256k1n/2 (EIP-2) has an invalid signature.
	highS := func() []byte {
		tx := types.MustSignNewTx(key1, signer, dynamic(4, 2*params.GWei, 21000, nil))
		v, r, s := tx.RawSignatureValues()
		s = new(big.Int).Sub(crypto.S256().Params().N, s)
		sig := make([]byte, 65)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:64])
		sig[64] = byte(1 - v.Uint64())
		bad, err := tx.WithSignature(signer, sig)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := bad.MarshalBinary()
		return raw
	}()
	blob := encode(types.NewCancunSigner(chainID), &types.BlobTx{
		ChainID: uint256.NewInt(testChainID), Nonce: 4, GasTipCap: uint256.NewInt(2 * params.GWei), GasFeeCap: uint256.NewInt(100 * params.GWei),
		Gas: 21000, To: addr3, BlobFeeCap: uint256.NewInt(params.GWei), BlobHashes: []common.Hash{{0x01}},
	})
	wrongChain := encode(types.LatestSignerForChainID(big.NewInt(1)), &types.DynamicFeeTx{ChainID: big.NewInt(1), Nonce: 4, GasTipCap: big.NewInt(2 * params.GWei), GasFeeCap: big.NewInt(100 * params.GWei), Gas: 21000, To: &addr3})
	unprotected := encode(types.HomesteadSigner{}, &types.LegacyTx{Nonce: 4, GasPrice: big.NewInt(100 * params.GWei), Gas: 21000, To: &addr3})
	oversized := encode(signer, dynamic(4, 2*params.GWei, 8_000_000, make([]byte, 128*1024+1)))

	tests := []struct {
		name    string
		input   []byte
		message string
	}{
		{"malformed rlp", []byte{0x02, 0xc0, 0x01}, "rlp: too few elements for types.DynamicFeeTx"},
		{"empty", []byte{}, "typed transaction too short"},
		{"wrong chain id", wrongChain, "invalid sender: invalid chain id for signer: have 1 want 424242"},
		{"bad signature", highS, "invalid sender: invalid transaction v, r, s values"},
		{"unprotected", unprotected, "only replay-protected (EIP-155) transactions allowed over RPC"},
		{"blob", blob, "transaction type not supported: received type 3"},
		{"nonce too low", encode(signer, dynamic(0, 2*params.GWei, 21000, nil)), "nonce too low: next nonce 4, tx nonce 0"},
		{"tip below pool minimum", encode(signer, dynamic(4, 1, 21000, nil)), "transaction gas price below minimum: gas tip cap 1, minimum needed 1000000000"},
		{"oversized", oversized, fmt.Sprintf("oversized data: transaction size %d, limit 131072", len(oversized))},
		{"above block gas limit", encode(signer, cheap(dynamic(4, 2*params.GWei, testGasLimit+1, nil))), "exceeds block gas limit"},
		{"above tx gas cap", encode(signer, cheap(dynamic(4, 2*params.GWei, params.MaxTxGas+1, nil))), "transaction gas limit too high (cap: 16777216, tx: 16777217)"},
		{"intrinsic gas", encode(signer, dynamic(4, 2*params.GWei, 20000, nil)), "intrinsic gas too low: gas 20000, minimum needed 21000"},
		{"fee above cap", encode(signer, &types.DynamicFeeTx{ChainID: chainID, Nonce: 4, GasTipCap: big.NewInt(params.Ether), GasFeeCap: big.NewInt(params.Ether), Gas: 21000, To: &addr3}), "tx fee (21000.00 ether) exceeds the configured cap (1.00 ether)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hash common.Hash
			code, msg, _ := rpcError(t, env.rpc.Call(&hash, "eth_sendRawTransaction", hexutil.Bytes(tt.input)))
			if code != -32000 || msg != tt.message {
				t.Fatalf("got %d %q\nwant -32000 %q", code, msg, tt.message)
			}
		})
	}
	// Replacement without the 10% price bump is underpriced.
	first := encode(signer, dynamic(4, 2*params.GWei, 21000, nil))
	var hash common.Hash
	if err := env.rpc.Call(&hash, "eth_sendRawTransaction", hexutil.Bytes(first)); err != nil {
		t.Fatal(err)
	}
	replacement := dynamic(4, 2*params.GWei+1, 21000, nil)
	replacement.Value = big.NewInt(2)
	code, msg, _ := rpcError(t, env.rpc.Call(&hash, "eth_sendRawTransaction", hexutil.Bytes(encode(signer, replacement))))
	if code != -32000 || msg != "replacement transaction underpriced" {
		t.Fatalf("replacement: %d %q", code, msg)
	}
	// Still serving.
	if n, err := env.eth.PendingNonceAt(context.Background(), addr1); err != nil || n != 5 {
		t.Fatalf("after errors: %d %v", n, err)
	}
	if !strings.HasPrefix(env.server.HTTPEndpoint(), "http://") {
		t.Fatal("endpoint lost")
	}
}
