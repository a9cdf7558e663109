package rpc

import (
	"bytes"
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
)

func TestStateReads(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	ether := big.NewInt(params.Ether)
	// addr3 got 1 ether in block 1, 1 in block 2 and a 5 gwei deposit in block 4.
	for number, want := range map[int64]*big.Int{
		0: new(big.Int),
		1: ether,
		2: new(big.Int).Mul(ether, big.NewInt(2)),
		4: new(big.Int).Add(new(big.Int).Mul(ether, big.NewInt(2)), big.NewInt(5*params.GWei)),
	} {
		got, err := env.eth.BalanceAt(ctx, addr3, big.NewInt(number))
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("balance at %d: %v %v, want %v", number, got, err, want)
		}
	}
	got, err := env.eth.BalanceAtHash(ctx, addr3, env.chain.blocks[0].Hash())
	if err != nil || got.Cmp(ether) != 0 {
		t.Fatalf("balance by hash %v %v", got, err)
	}
	if n, err := env.eth.NonceAt(ctx, addr1, nil); err != nil || n != 4 {
		t.Fatalf("nonce %d %v", n, err)
	}
	if n, err := env.eth.NonceAt(ctx, addr1, big.NewInt(1)); err != nil || n != 2 {
		t.Fatalf("nonce at 1: %d %v", n, err)
	}
	code, err := env.eth.CodeAt(ctx, contractAddr, nil)
	if err != nil || !bytes.Equal(code, testContractRuntime()) {
		t.Fatalf("code %x %v", code, err)
	}
	if code, err := env.eth.CodeAt(ctx, contractAddr, big.NewInt(0)); err != nil || len(code) != 0 {
		t.Fatalf("code before deploy %x %v", code, err)
	}
	slot, err := env.eth.StorageAt(ctx, contractAddr, common.Hash{}, big.NewInt(2))
	if err != nil || new(big.Int).SetBytes(slot).Uint64() != 42 {
		t.Fatalf("storage at 2: %x %v", slot, err)
	}
	var latest hexutil.Bytes
	if err := env.rpc.Call(&latest, "eth_getStorageAt", contractAddr, "0x0", "latest"); err != nil || new(big.Int).SetBytes(latest).Uint64() != 43 {
		t.Fatalf("storage latest: %x %v", latest, err)
	}
	code2, msg, _ := rpcError(t, env.rpc.Call(&latest, "eth_getStorageAt", contractAddr, "0xzz", "latest"))
	if code2 != -32602 || msg != `invalid hex in storage key: "0xzz"` {
		t.Fatalf("bad key: %d %q", code2, msg)
	}
	// Missing block: geth's "header not found".
	if _, err := env.eth.BalanceAt(ctx, addr3, big.NewInt(99)); err == nil || err.Error() != "header not found" {
		t.Fatalf("balance at missing block: %v", err)
	}
}

func TestGetProof(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	head := env.chain.blocks[initialBlocks-1]
	res, err := env.geth.GetProof(ctx, contractAddr, []string{"0x0000000000000000000000000000000000000000000000000000000000000000", "0x01"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Account proof against the state root.
	accountRLP := verifyProof(t, head.Root(), crypto.Keccak256(contractAddr.Bytes()), res.AccountProof)
	var account types.StateAccount
	if err := rlp.DecodeBytes(accountRLP, &account); err != nil {
		t.Fatal(err)
	}
	if account.Root != res.StorageHash || common.BytesToHash(account.CodeHash) != res.CodeHash || account.Nonce != res.Nonce || account.Balance.ToBig().Cmp(res.Balance) != 0 {
		t.Fatalf("account %+v vs result %+v", account, res)
	}
	if res.CodeHash != crypto.Keccak256Hash(testContractRuntime()) || res.Nonce != 1 {
		t.Fatalf("code hash / nonce %+v", res)
	}
	// Storage proofs against the storage root: slot 0 holds 43, slot 1 is empty.
	if len(res.StorageProof) != 2 || res.StorageProof[0].Value.Uint64() != 43 || res.StorageProof[1].Value.Sign() != 0 {
		t.Fatalf("storage proof %+v", res.StorageProof)
	}
	if res.StorageProof[1].Key != "0x1" {
		t.Fatalf("short key echo %q", res.StorageProof[1].Key)
	}
	valueRLP := verifyProof(t, res.StorageHash, crypto.Keccak256(common.Hash{}.Bytes()), res.StorageProof[0].Proof)
	var value []byte
	if err := rlp.DecodeBytes(valueRLP, &value); err != nil || new(big.Int).SetBytes(value).Uint64() != 43 {
		t.Fatalf("storage value %x %v", value, err)
	}
	if v := verifyProof(t, res.StorageHash, crypto.Keccak256(common.BigToHash(big.NewInt(1)).Bytes()), res.StorageProof[1].Proof); v != nil {
		t.Fatalf("absent slot proved a value %x", v)
	}
	// An account without storage, at a past block.
	res, err = env.geth.GetProof(ctx, addr3, []string{"0x0"}, big.NewInt(1))
	if err != nil {
		t.Fatal(err)
	}
	accountRLP = verifyProof(t, env.chain.blocks[0].Root(), crypto.Keccak256(addr3.Bytes()), res.AccountProof)
	if err := rlp.DecodeBytes(accountRLP, &account); err != nil || account.Balance.ToBig().Cmp(big.NewInt(params.Ether)) != 0 {
		t.Fatalf("addr3 at block 1: %+v %v", account, err)
	}
	if res.StorageHash != types.EmptyRootHash || len(res.StorageProof[0].Proof) != 0 {
		t.Fatalf("empty storage %+v", res)
	}
}

// verifyProof checks a hex proof with trie.VerifyProof and returns the value.
func verifyProof(t *testing.T, root common.Hash, key []byte, proof []string) []byte {
	t.Helper()
	db := rawdb.NewMemoryDatabase()
	for _, node := range proof {
		blob := common.FromHex(node)
		if err := db.Put(crypto.Keccak256(blob), blob); err != nil {
			t.Fatal(err)
		}
	}
	value, err := trie.VerifyProof(root, key, db)
	if err != nil {
		t.Fatalf("verify proof: %v", err)
	}
	return value
}

func TestCall(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	get := []byte{cmdGet}
	out, err := env.eth.CallContract(ctx, ethereum.CallMsg{To: &contractAddr, Data: get}, big.NewInt(2))
	if err != nil || new(big.Int).SetBytes(out).Uint64() != 42 {
		t.Fatalf("call at block 2: %x %v", out, err)
	}
	out, err = env.eth.CallContract(ctx, ethereum.CallMsg{To: &contractAddr, Data: get}, nil)
	if err != nil || new(big.Int).SetBytes(out).Uint64() != 43 {
		t.Fatalf("call at latest: %x %v", out, err)
	}
	out, err = env.eth.CallContractAtHash(ctx, ethereum.CallMsg{To: &contractAddr, Data: get}, env.chain.blocks[2].Hash())
	if err != nil || new(big.Int).SetBytes(out).Uint64() != 43 {
		t.Fatalf("call at hash: %x %v", out, err)
	}
	// Revert with require(false, "nope").
	_, err = env.eth.CallContract(ctx, ethereum.CallMsg{From: addr1, To: &contractAddr, Data: []byte{cmdRevertString}}, nil)
	code, msg, data := rpcError(t, err)
	if code != 3 || msg != "execution reverted: nope" || data != hexutil.Encode(requireRevert) {
		t.Fatalf("require revert: %d %q %v", code, msg, data)
	}
	// Revert with a custom error: the raw data, no reason.
	_, err = env.eth.CallContract(ctx, ethereum.CallMsg{To: &contractAddr, Data: []byte{cmdRevertCustom}}, nil)
	code, msg, data = rpcError(t, err)
	if code != 3 || msg != "execution reverted" || data != hexutil.Encode(customRevert) {
		t.Fatalf("custom revert: %d %q %v", code, msg, data)
	}
	// State overrides: code at a fresh address and a storage diff.
	fresh := common.HexToAddress("0xf00d")
	overrides := map[common.Address]gethclient.OverrideAccount{
		fresh: {Code: testContractRuntime(), StateDiff: map[common.Hash]common.Hash{{}: common.BigToHash(big.NewInt(99))}},
	}
	out, err = env.geth.CallContract(ctx, ethereum.CallMsg{To: &fresh, Data: get}, nil, &overrides)
	if err != nil || new(big.Int).SetBytes(out).Uint64() != 99 {
		t.Fatalf("override call: %x %v", out, err)
	}
	// Block overrides: the number the contract sees.
	out, err = env.geth.CallContractWithBlockOverrides(ctx, ethereum.CallMsg{To: &contractAddr, Data: []byte{cmdNumber}}, nil, nil, gethclient.BlockOverrides{Number: big.NewInt(1000)})
	if err != nil || new(big.Int).SetBytes(out).Uint64() != 1000 {
		t.Fatalf("block override call: %x %v", out, err)
	}
	// A balance override funds an otherwise empty sender paying for gas.
	poor := common.HexToAddress("0xbeef")
	msg1 := ethereum.CallMsg{From: poor, To: &addr3, Value: big.NewInt(1), GasPrice: big.NewInt(10 * params.GWei)}
	_, err = env.eth.CallContract(ctx, msg1, nil)
	if err == nil || err.Error() != "err: insufficient funds for gas * price + value: address 0x000000000000000000000000000000000000bEEF have 0 want 500000000000000001 (supplied gas 50000000)" {
		t.Fatalf("unfunded call: %v", err)
	}
	funded := map[common.Address]gethclient.OverrideAccount{poor: {Balance: big.NewInt(params.Ether)}}
	if _, err := env.geth.CallContract(ctx, msg1, nil, &funded); err != nil {
		t.Fatalf("funded call: %v", err)
	}
	// Override errors use geth's texts.
	var res hexutil.Bytes
	err = env.rpc.Call(&res, "eth_call", map[string]interface{}{"to": contractAddr}, "latest", map[string]interface{}{
		fresh.Hex(): map[string]interface{}{"state": map[string]string{}, "stateDiff": map[string]string{}},
	})
	if err == nil || err.Error() != "account 0x000000000000000000000000000000000000F00D has both 'state' and 'stateDiff'" {
		t.Fatalf("state and stateDiff: %v", err)
	}
	err = env.rpc.Call(&res, "eth_call", map[string]interface{}{"to": contractAddr}, "latest", map[string]interface{}{
		fresh.Hex(): map[string]interface{}{"movePrecompileToAddress": addr3},
	})
	if err == nil || err.Error() != "account 0x000000000000000000000000000000000000F00D is not a precompile" {
		t.Fatalf("move non-precompile: %v", err)
	}
}

func TestEstimateGas(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	gas, err := env.eth.EstimateGas(ctx, ethereum.CallMsg{From: addr1, To: &addr3, Value: big.NewInt(1)})
	if err != nil || gas != params.TxGas {
		t.Fatalf("transfer estimate %d %v", gas, err)
	}
	call := ethereum.CallMsg{From: addr2, To: &contractAddr, Data: setCalldata(7)}
	gas, err = env.eth.EstimateGas(ctx, call)
	if err != nil {
		t.Fatal(err)
	}
	// The estimate is enough, and within geth's 1.5% error ratio of the gas
	// a successful execution uses.
	call.Gas = gas
	if _, err := env.eth.CallContract(ctx, call, nil); err != nil {
		t.Fatalf("call with estimate %d: %v", gas, err)
	}
	if gas <= params.TxGas || gas > 35000 {
		t.Fatalf("set estimate %d out of the expected range", gas)
	}
	_, err = env.eth.EstimateGas(ctx, ethereum.CallMsg{From: addr1, To: &contractAddr, Data: []byte{cmdRevertString}})
	code, msg, data := rpcError(t, err)
	if code != 3 || msg != "execution reverted: nope" || data != hexutil.Encode(requireRevert) {
		t.Fatalf("estimate revert: %d %q %v", code, msg, data)
	}
	_, err = env.eth.EstimateGas(ctx, ethereum.CallMsg{From: addr1, To: &contractAddr, Data: setCalldata(7), Gas: 25000})
	if err == nil || err.Error() != "gas required exceeds allowance (25000)" {
		t.Fatalf("estimate out of gas: %v", err)
	}
	_, err = env.eth.EstimateGas(ctx, ethereum.CallMsg{From: common.HexToAddress("0xbeef"), To: &addr3, Value: big.NewInt(1), GasPrice: big.NewInt(params.GWei)})
	if err == nil || err.Error() != "insufficient funds for transfer" {
		t.Fatalf("estimate without funds: %v", err)
	}
}

func TestCreateAccessList(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	list, gas, vmErr, err := env.geth.CreateAccessList(ctx, ethereum.CallMsg{From: addr1, To: &contractAddr, Data: []byte{cmdTouch}})
	if err != nil || vmErr != "" {
		t.Fatalf("access list: %v %q", err, vmErr)
	}
	if len(*list) != 1 || (*list)[0].Address != addr3 || len((*list)[0].StorageKeys) != 0 {
		t.Fatalf("access list %+v", *list)
	}
	if gas == 0 {
		t.Fatal("no gas used")
	}
	list, _, vmErr, err = env.geth.CreateAccessList(ctx, ethereum.CallMsg{From: addr1, To: &contractAddr, Data: []byte{cmdRevertString}})
	if err != nil || vmErr != "execution reverted" || len(*list) != 0 {
		t.Fatalf("reverting access list: %v %q %v", err, vmErr, list)
	}
}

func TestFees(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	head := env.chain.blocks[initialBlocks-1]
	tip, err := env.eth.SuggestGasTipCap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The oracle samples recent tips (2 gwei each).
	if tip.Cmp(big.NewInt(2*params.GWei)) != 0 {
		t.Fatalf("tip %v", tip)
	}
	price, err := env.eth.SuggestGasPrice(ctx)
	if err != nil || price.Cmp(new(big.Int).Add(tip, head.BaseFee())) != 0 {
		t.Fatalf("gas price %v %v", price, err)
	}
	hist, err := env.eth.FeeHistory(ctx, 3, nil, []float64{50})
	if err != nil {
		t.Fatal(err)
	}
	if hist.OldestBlock.Uint64() != 2 || len(hist.BaseFee) != 4 || len(hist.GasUsedRatio) != 3 || len(hist.Reward) != 3 {
		t.Fatalf("fee history %+v", hist)
	}
	for i := 0; i < 3; i++ {
		b := env.chain.blocks[1+i]
		if hist.BaseFee[i].Cmp(b.BaseFee()) != 0 {
			t.Fatalf("base fee %d: %v want %v", i, hist.BaseFee[i], b.BaseFee())
		}
		if want := float64(b.GasUsed()) / float64(b.GasLimit()); hist.GasUsedRatio[i] != want {
			t.Fatalf("gas used ratio %d: %v want %v", i, hist.GasUsedRatio[i], want)
		}
	}
	if hist.Reward[0][0].Cmp(big.NewInt(2*params.GWei)) != 0 || hist.Reward[2][0].Sign() != 0 {
		t.Fatalf("rewards %v", hist.Reward)
	}
}

func TestCallTimeout(t *testing.T) {
	// A huge gas cap lets an endless loop run until the EVM timeout stops it.
	env := newTestEnvWith(t, func(c *Config) {
		c.GasCap = 1 << 62
		c.EVMTimeout = 50 * time.Millisecond
	})
	loop := common.HexToAddress("0x1009")
	overrides := map[common.Address]gethclient.OverrideAccount{loop: {Code: common.FromHex("0x5b600056")}} // JUMPDEST PUSH1 0 JUMP
	_, err := env.geth.CallContract(context.Background(), ethereum.CallMsg{To: &loop}, nil, &overrides)
	if code, msg, _ := rpcError(t, err); code != -32000 || msg != "execution aborted (timeout = 50ms)" {
		t.Fatalf("endless call: %d %q", code, msg)
	}
}
