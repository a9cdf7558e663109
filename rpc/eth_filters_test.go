package rpc

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// recvTimeout bounds waiting for an event that must arrive; it is a failure
// guard, not a measurement.
const recvTimeout = 20 * time.Second

func TestGetLogs(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	query := ethereum.FilterQuery{FromBlock: big.NewInt(0), ToBlock: big.NewInt(initialBlocks), Addresses: []common.Address{contractAddr}}
	var logs []types.Log
	// The log index is built in the background; the filter answers from it
	// or from an unindexed scan, so the result is the same either way.
	waitFor(t, "log index", func() bool {
		var err error
		logs, err = env.eth.FilterLogs(ctx, query)
		return err == nil && len(logs) == 2
	})
	for i, want := range []struct {
		block uint64
		value uint64
		tx    common.Hash
	}{{2, 42, env.chain.txs["set42"].Hash()}, {3, 43, env.chain.txs["set43"].Hash()}} {
		l := logs[i]
		if l.BlockNumber != want.block || new(big.Int).SetBytes(l.Data).Uint64() != want.value || l.TxHash != want.tx || l.Index != 0 || l.BlockHash != env.chain.blocks[want.block-1].Hash() {
			t.Fatalf("log %d: %+v", i, l)
		}
	}
	byTopic, err := env.eth.FilterLogs(ctx, ethereum.FilterQuery{FromBlock: big.NewInt(3), Topics: [][]common.Hash{{logTopic}}})
	if err != nil || len(byTopic) != 1 || byTopic[0].BlockNumber != 3 {
		t.Fatalf("logs by topic: %v %v", byTopic, err)
	}
	hash := env.chain.blocks[1].Hash()
	byHash, err := env.eth.FilterLogs(ctx, ethereum.FilterQuery{BlockHash: &hash})
	if err != nil || len(byHash) != 1 {
		t.Fatalf("logs by block hash: %v %v", byHash, err)
	}
	// Polling filters: a block filter sees the next block.
	var blockFilter gethrpc.ID
	if err := env.rpc.Call(&blockFilter, "eth_newBlockFilter"); err != nil {
		t.Fatal(err)
	}
	insertNext(t, env)
	// The chain event reaches the filter asynchronously: poll as a client would.
	var changes []common.Hash
	waitFor(t, "block filter changes", func() bool {
		var batch []common.Hash
		if err := env.rpc.Call(&batch, "eth_getFilterChanges", blockFilter); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, batch...)
		return len(changes) > 0
	})
	if len(changes) != 1 || changes[0] != env.chain.blocks[initialBlocks].Hash() {
		t.Fatalf("filter changes %v", changes)
	}
	var removed bool
	if err := env.rpc.Call(&removed, "eth_uninstallFilter", blockFilter); err != nil || !removed {
		t.Fatalf("uninstall %v %v", removed, err)
	}
}

// insertNext inserts the generated block after the initial chain.
func insertNext(t *testing.T, env *testEnv) {
	t.Helper()
	if _, err := env.backend.bc.InsertChain(env.chain.blocks[initialBlocks : initialBlocks+1]); err != nil {
		t.Fatal(err)
	}
}

func TestSubscriptions(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	wsEth := ethclient.NewClient(env.ws)
	heads := make(chan *types.Header, 4)
	headSub, err := wsEth.SubscribeNewHead(ctx, heads)
	if err != nil {
		t.Fatal(err)
	}
	defer headSub.Unsubscribe()
	logs := make(chan types.Log, 4)
	logSub, err := wsEth.SubscribeFilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{contractAddr}}, logs)
	if err != nil {
		t.Fatal(err)
	}
	defer logSub.Unsubscribe()
	pending := make(chan common.Hash, 4)
	pendingSub, err := gethclient.New(env.ws).SubscribePendingTransactions(ctx, pending)
	if err != nil {
		t.Fatal(err)
	}
	defer pendingSub.Unsubscribe()

	// Subscriptions are refused over HTTP, as geth refuses them.
	if _, err := env.eth.SubscribeNewHead(ctx, make(chan *types.Header)); err == nil || err.Error() != "notifications not supported" {
		t.Fatalf("HTTP subscribe: %v", err)
	}

	tx := signDynamic(t, key1, 4, &addr3, big.NewInt(1), 21000, nil)
	if err := env.eth.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	select {
	case h := <-pending:
		if h != tx.Hash() {
			t.Fatalf("pending hash %x want %x", h, tx.Hash())
		}
	case err := <-pendingSub.Err():
		t.Fatal(err)
	case <-time.After(recvTimeout):
		t.Fatal("no pending transaction notification")
	}

	insertNext(t, env)
	want := env.chain.blocks[initialBlocks]
	select {
	case h := <-heads:
		if h.Hash() != want.Hash() || h.Number.Uint64() != want.NumberU64() {
			t.Fatalf("head %d %x", h.Number, h.Hash())
		}
	case err := <-headSub.Err():
		t.Fatal(err)
	case <-time.After(recvTimeout):
		t.Fatal("no newHeads notification")
	}
	select {
	case l := <-logs:
		if l.BlockHash != want.Hash() || new(big.Int).SetBytes(l.Data).Uint64() != 44 || l.TxHash != env.chain.txs["set44"].Hash() || l.Removed {
			t.Fatalf("log %+v", l)
		}
	case err := <-logSub.Err():
		t.Fatal(err)
	case <-time.After(recvTimeout):
		t.Fatal("no logs notification")
	}
}
