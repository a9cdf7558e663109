package rpc

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/beacon"
	"github.com/ethereum/go-ethereum/consensus/ethash"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/filtermaps"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/txpool/legacypool"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/event"
	"github.com/ethereum/go-ethereum/params"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// Test chain: a genesis prefunding two keys, then blocks built by
// core.GenerateChainWithGenesis:
//
//	1: key1 deploys the test contract (nonce 0); key1 sends 1 ether to addr3 (nonce 1)
//	2: key1 calls set(42), which logs (nonce 2); key2 sends 1 ether to addr3 (nonce 0)
//	3: key1 calls set(43) (nonce 3)
//	4: no transactions, one withdrawal (a deposit) of 5 gwei to addr3
//
// Block 5 (key2 calls set(44), nonce 1) is generated but inserted only by
// the tests that watch subscriptions.
const (
	testChainID   = 424242
	testGasLimit  = 15_000_000
	testPoolTip   = params.GWei // minimum tip of the test pool
	initialBlocks = 4
)

var (
	key1, _ = crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	key2, _ = crypto.HexToECDSA("8a1f9a8f95be41cd7ccb6168179afb4504aefe388d1e14474d32c45c72ce7b7a")
	addr1   = crypto.PubkeyToAddress(key1.PublicKey)
	addr2   = crypto.PubkeyToAddress(key2.PublicKey)
	addr3   = common.HexToAddress("0x3333333333333333333333333333333333333333")

	contractAddr = crypto.CreateAddress(addr1, 0)
	logTopic     = common.HexToHash("0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
	funds        = new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))
)

// testConfig activates every fork through Osaka from genesis, like Lanes.
func testConfig() *params.ChainConfig {
	cfg := *params.MergedTestChainConfig
	cfg.ChainID = big.NewInt(testChainID)
	return &cfg
}

func testGenesis() *core.Genesis {
	alloc := core.SystemContractAllocs()
	alloc[addr1] = types.Account{Balance: funds}
	alloc[addr2] = types.Account{Balance: funds}
	return &core.Genesis{
		Config:     testConfig(),
		GasLimit:   testGasLimit,
		BaseFee:    big.NewInt(params.InitialBaseFee),
		Difficulty: common.Big0,
		Alloc:      alloc,
	}
}

// signDynamic signs an EIP-1559 transaction with a 100 gwei cap and 2 gwei tip.
func signDynamic(t testing.TB, key *ecdsa.PrivateKey, nonce uint64, to *common.Address, value *big.Int, gas uint64, data []byte) *types.Transaction {
	t.Helper()
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(testChainID)), &types.DynamicFeeTx{
		ChainID:   big.NewInt(testChainID),
		Nonce:     nonce,
		GasTipCap: big.NewInt(2 * params.GWei),
		GasFeeCap: big.NewInt(100 * params.GWei),
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// testChain is the generated chain shared by a test's backend.
type testChain struct {
	genesis  *core.Genesis
	blocks   []*types.Block
	receipts []types.Receipts
	txs      map[string]*types.Transaction // by role
}

func generateChain(t testing.TB) *testChain {
	t.Helper()
	tc := &testChain{genesis: testGenesis(), txs: make(map[string]*types.Transaction)}
	engine := beacon.New(ethash.NewFaker())
	ether := big.NewInt(params.Ether)
	_, blocks, receipts := core.GenerateChainWithGenesis(tc.genesis, engine, initialBlocks+1, func(i int, g *core.BlockGen) {
		switch i {
		case 0:
			tc.txs["deploy"] = signDynamic(t, key1, 0, nil, nil, 500_000, testContractInitcode())
			tc.txs["transfer1"] = signDynamic(t, key1, 1, &addr3, ether, 21000, nil)
			g.AddTx(tc.txs["deploy"])
			g.AddTx(tc.txs["transfer1"])
		case 1:
			tc.txs["set42"] = signDynamic(t, key1, 2, &contractAddr, nil, 100_000, setCalldata(42))
			tc.txs["transfer2"] = signDynamic(t, key2, 0, &addr3, ether, 21000, nil)
			g.AddTx(tc.txs["set42"])
			g.AddTx(tc.txs["transfer2"])
		case 2:
			tc.txs["set43"] = signDynamic(t, key1, 3, &contractAddr, nil, 100_000, setCalldata(43))
			g.AddTx(tc.txs["set43"])
		case 3:
			g.AddWithdrawal(&types.Withdrawal{Validator: 7, Address: addr3, Amount: 5})
		case 4:
			tc.txs["set44"] = signDynamic(t, key2, 1, &contractAddr, nil, 100_000, setCalldata(44))
			g.AddTx(tc.txs["set44"])
		}
	})
	tc.blocks, tc.receipts = blocks, receipts
	return tc
}

// testBackend implements Backend over real go-ethereum components, wired as
// a Lanes node would wire them.
type testBackend struct {
	db   ethdb.Database
	bc   *core.BlockChain
	pool *txpool.TxPool
	fm   *filtermaps.FilterMaps
	quit chan struct{}
	done chan struct{}
}

var _ Backend = (*testBackend)(nil)

func newTestBackend(t testing.TB, tc *testChain) *testBackend {
	t.Helper()
	db := rawdb.NewMemoryDatabase()
	cfg := core.DefaultConfig()
	cfg.StateScheme = rawdb.HashScheme
	cfg.ArchiveMode = true
	bc, err := core.NewBlockChain(db, tc.genesis, beacon.New(ethash.NewFaker()), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := bc.InsertChain(tc.blocks[:initialBlocks]); err != nil {
		t.Fatalf("insert block %d: %v", n, err)
	}
	// Safe and finalized tags resolve to blocks 2 and 1.
	bc.SetSafe(tc.blocks[1].Header())
	bc.SetFinalized(tc.blocks[0].Header())

	poolCfg := legacypool.DefaultConfig
	poolCfg.Journal = ""
	pool, err := txpool.New(testPoolTip, bc, []txpool.SubPool{legacypool.New(poolCfg, bc)})
	if err != nil {
		t.Fatal(err)
	}
	head := bc.CurrentBlock()
	fm, err := filtermaps.NewFilterMaps(db, filtermaps.NewChainView(bc, head.Number.Uint64(), head.Hash()), 0, 0, filtermaps.DefaultParams, filtermaps.Config{HashScheme: true})
	if err != nil {
		t.Fatal(err)
	}
	b := &testBackend{db: db, bc: bc, pool: pool, fm: fm, quit: make(chan struct{}), done: make(chan struct{})}
	fm.Start()
	headCh := make(chan core.ChainEvent, 10)
	headSub := bc.SubscribeChainEvent(headCh)
	go b.indexLoop(headCh, headSub)
	t.Cleanup(func() {
		close(b.quit)
		<-b.done
		fm.Stop()
		pool.Close()
		bc.Stop()
	})
	return b
}

// indexLoop moves the log index target with the chain head, as
// eth/backend.go's updateFilterMapsHeads does.
func (b *testBackend) indexLoop(headCh chan core.ChainEvent, sub event.Subscription) {
	defer close(b.done)
	defer sub.Unsubscribe()
	for {
		select {
		case ev := <-headCh:
			if view := filtermaps.NewChainView(b.bc, ev.Header.Number.Uint64(), ev.Header.Hash()); view != nil {
				b.fm.SetTarget(view, 0, 0)
			}
		case <-b.quit:
			return
		}
	}
}

func (b *testBackend) ChainConfig() *params.ChainConfig { return b.bc.Config() }
func (b *testBackend) CurrentHeader() *types.Header     { return b.bc.CurrentHeader() }
func (b *testBackend) Engine() consensus.Engine         { return b.bc.Engine() }
func (b *testBackend) ChainDb() ethdb.Database          { return b.db }
func (b *testBackend) TxIndexDone() bool                { return b.bc.TxIndexDone() }

func (b *testBackend) HeaderByNumber(_ context.Context, number gethrpc.BlockNumber) (*types.Header, error) {
	switch number {
	case gethrpc.LatestBlockNumber, gethrpc.PendingBlockNumber:
		return b.bc.CurrentBlock(), nil
	case gethrpc.SafeBlockNumber:
		if h := b.bc.CurrentSafeBlock(); h != nil {
			return h, nil
		}
		return nil, errors.New("safe block not found")
	case gethrpc.FinalizedBlockNumber:
		if h := b.bc.CurrentFinalBlock(); h != nil {
			return h, nil
		}
		return nil, errors.New("finalized block not found")
	case gethrpc.EarliestBlockNumber:
		return b.bc.GetHeaderByNumber(0), nil
	}
	return b.bc.GetHeaderByNumber(uint64(number)), nil
}

func (b *testBackend) HeaderByHash(_ context.Context, hash common.Hash) (*types.Header, error) {
	return b.bc.GetHeaderByHash(hash), nil
}

func (b *testBackend) BlockByNumber(ctx context.Context, number gethrpc.BlockNumber) (*types.Block, error) {
	h, err := b.HeaderByNumber(ctx, number)
	if h == nil || err != nil {
		return nil, err
	}
	return b.bc.GetBlock(h.Hash(), h.Number.Uint64()), nil
}

func (b *testBackend) BlockByHash(_ context.Context, hash common.Hash) (*types.Block, error) {
	return b.bc.GetBlockByHash(hash), nil
}

func (b *testBackend) GetReceipts(_ context.Context, hash common.Hash) (types.Receipts, error) {
	return b.bc.GetReceiptsByHash(hash), nil
}

func (b *testBackend) GetCanonicalTransaction(hash common.Hash) (bool, *types.Transaction, common.Hash, uint64, uint64) {
	lookup, tx := b.bc.GetCanonicalTransaction(hash)
	if lookup == nil || tx == nil {
		return false, nil, common.Hash{}, 0, 0
	}
	return true, tx, lookup.BlockHash, lookup.BlockIndex, lookup.Index
}

func (b *testBackend) StateAndHeaderByNumberOrHash(ctx context.Context, ref gethrpc.BlockNumberOrHash) (*state.StateDB, *types.Header, error) {
	var header *types.Header
	if number, ok := ref.Number(); ok {
		var err error
		if header, err = b.HeaderByNumber(ctx, number); err != nil {
			return nil, nil, err
		}
	} else if hash, ok := ref.Hash(); ok {
		header = b.bc.GetHeaderByHash(hash)
	}
	if header == nil {
		return nil, nil, errors.New("header not found")
	}
	st, err := b.bc.StateAt(header.Root, header.Number, header.Time)
	if err != nil {
		return nil, nil, err
	}
	return st, header, nil
}

// SendTx adds tx and waits for the pool to promote it, so that a test
// reads the pool nonce and content after it (the pool otherwise promotes
// in the background, and a read right after the send could miss it).
func (b *testBackend) SendTx(_ context.Context, tx *types.Transaction) error {
	return b.pool.Add([]*types.Transaction{tx}, true)[0]
}

func (b *testBackend) GetPoolNonce(_ context.Context, addr common.Address) (uint64, error) {
	return b.pool.PoolNonce(addr), nil
}

func (b *testBackend) GetPoolTransaction(hash common.Hash) *types.Transaction {
	return b.pool.Get(hash)
}

func (b *testBackend) TxPoolContent() (map[common.Address][]*types.Transaction, map[common.Address][]*types.Transaction) {
	return b.pool.Content()
}

func (b *testBackend) TxPoolContentFrom(addr common.Address) ([]*types.Transaction, []*types.Transaction) {
	return b.pool.ContentFrom(addr)
}

func (b *testBackend) Stats() (int, int) { return b.pool.Stats() }

func (b *testBackend) SubscribeNewTxsEvent(ch chan<- core.NewTxsEvent) event.Subscription {
	return b.pool.SubscribeTransactions(ch, true)
}

func (b *testBackend) SubscribeChainEvent(ch chan<- core.ChainEvent) event.Subscription {
	return b.bc.SubscribeChainEvent(ch)
}

func (b *testBackend) SubscribeChainHeadEvent(ch chan<- core.ChainHeadEvent) event.Subscription {
	return b.bc.SubscribeChainHeadEvent(ch)
}

func (b *testBackend) SubscribeLogsEvent(ch chan<- []*types.Log) event.Subscription {
	return b.bc.SubscribeLogsEvent(ch)
}

func (b *testBackend) SubscribeRemovedLogsEvent(ch chan<- core.RemovedLogsEvent) event.Subscription {
	return b.bc.SubscribeRemovedLogsEvent(ch)
}

func (b *testBackend) CurrentView() *filtermaps.ChainView {
	head := b.bc.CurrentBlock()
	return filtermaps.NewChainView(b.bc, head.Number.Uint64(), head.Hash())
}

func (b *testBackend) NewMatcherBackend() filtermaps.MatcherBackend { return b.fm.NewMatcherBackend() }
func (b *testBackend) HistoryPruningCutoff() uint64                 { return 0 }

// waitPool waits until the pool has processed its last reset, so that pool
// nonces reflect a newly inserted block.
func (b *testBackend) waitPool(t testing.TB) {
	t.Helper()
	if err := b.pool.Sync(); err != nil {
		t.Fatal(err)
	}
}

// --- test contract ---------------------------------------------------------

// assembler is a tiny EVM assembler with forward labels (PUSH2 targets).
type assembler struct {
	code   []byte
	labels map[string]int
	fixups map[int]string
}

func newAssembler() *assembler {
	return &assembler{labels: map[string]int{}, fixups: map[int]string{}}
}

func (a *assembler) op(ops ...vm.OpCode) *assembler {
	for _, o := range ops {
		a.code = append(a.code, byte(o))
	}
	return a
}

func (a *assembler) push(data []byte) *assembler {
	a.code = append(a.code, byte(vm.PUSH1)+byte(len(data)-1))
	a.code = append(a.code, data...)
	return a
}

func (a *assembler) pushLabel(name string) *assembler {
	a.code = append(a.code, byte(vm.PUSH2))
	a.fixups[len(a.code)] = name
	a.code = append(a.code, 0, 0)
	return a
}

func (a *assembler) label(name string) *assembler {
	a.labels[name] = len(a.code)
	return a.op(vm.JUMPDEST)
}

// mstore writes data (any length) to memory from offset 0, 32 bytes at a time.
func (a *assembler) mstore(data []byte) *assembler {
	for off := 0; off < len(data); off += 32 {
		word := make([]byte, 32)
		copy(word, data[off:])
		a.push(word).push([]byte{byte(off)}).op(vm.MSTORE)
	}
	return a
}

func (a *assembler) bytes() []byte {
	for pos, name := range a.fixups {
		target := a.labels[name]
		a.code[pos], a.code[pos+1] = byte(target>>8), byte(target)
	}
	return a.code
}

var (
	// requireRevert is Error("nope"), what require(false, "nope") reverts with.
	requireRevert = common.FromHex("0x08c379a0" +
		"0000000000000000000000000000000000000000000000000000000000000020" +
		"0000000000000000000000000000000000000000000000000000000000000004" +
		"6e6f706500000000000000000000000000000000000000000000000000000000")
	// customRevert is a custom error Oops(uint256 7).
	customRevert = common.FromHex("0xdeadbeef0000000000000000000000000000000000000000000000000000000000000007")
)

// Commands of the test contract, the first calldata byte.
const (
	cmdSet          = 1 // store calldata[1:33] in slot 0 and log it with logTopic
	cmdRevertString = 2 // revert Error("nope")
	cmdRevertCustom = 3 // revert Oops(7)
	cmdGet          = 4 // return slot 0
	cmdNumber       = 5 // return block.number
	cmdTouch        = 6 // read addr3's balance (for access lists)
)

func testContractRuntime() []byte {
	a := newAssembler()
	a.push([]byte{0}).op(vm.CALLDATALOAD).push([]byte{0xf8}).op(vm.SHR)
	for i, name := range []string{"set", "rstr", "rcustom", "get", "number", "touch"} {
		a.op(vm.DUP1).push([]byte{byte(cmdSet + i)}).op(vm.EQ).pushLabel(name).op(vm.JUMPI)
	}
	a.op(vm.STOP)
	a.label("set").push([]byte{1}).op(vm.CALLDATALOAD, vm.DUP1).push([]byte{0}).op(vm.SSTORE)
	a.push([]byte{0}).op(vm.MSTORE).push(logTopic[:]).push([]byte{32}).push([]byte{0}).op(vm.LOG1, vm.STOP)
	a.label("rstr").mstore(requireRevert).push([]byte{byte(len(requireRevert))}).push([]byte{0}).op(vm.REVERT)
	a.label("rcustom").mstore(customRevert).push([]byte{byte(len(customRevert))}).push([]byte{0}).op(vm.REVERT)
	a.label("get").push([]byte{0}).op(vm.SLOAD).push([]byte{0}).op(vm.MSTORE).push([]byte{32}).push([]byte{0}).op(vm.RETURN)
	a.label("number").op(vm.NUMBER).push([]byte{0}).op(vm.MSTORE).push([]byte{32}).push([]byte{0}).op(vm.RETURN)
	a.label("touch").push(addr3[:]).op(vm.BALANCE, vm.STOP)
	return a.bytes()
}

// testContractInitcode copies the runtime code to memory and returns it.
func testContractInitcode() []byte {
	runtime := testContractRuntime()
	a := newAssembler()
	a.push([]byte{byte(len(runtime) >> 8), byte(len(runtime))}).pushLabel("code").push([]byte{0}).op(vm.CODECOPY)
	a.push([]byte{byte(len(runtime) >> 8), byte(len(runtime))}).push([]byte{0}).op(vm.RETURN)
	a.labels["code"] = len(a.code) // data, not a jump target
	a.code = append(a.code, runtime...)
	return a.bytes()
}

func setCalldata(v uint64) []byte {
	return append([]byte{cmdSet}, common.BigToHash(new(big.Int).SetUint64(v)).Bytes()...)
}

// waitFor polls cond (used only for asynchronous indexing, never timing).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
