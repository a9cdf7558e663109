package rpc

import (
	"context"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/filtermaps"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/event"
	"github.com/ethereum/go-ethereum/params"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// ChainReader reads the canonical L2 chain. Every method mirrors the method of
// the same name on go-ethereum's eth.EthAPIBackend, so a node built on
// core.BlockChain forwards to it in a line or two.
type ChainReader interface {
	// ChainConfig returns the L2 chain configuration.
	ChainConfig() *params.ChainConfig
	// CurrentHeader returns the head of the canonical chain ("latest").
	CurrentHeader() *types.Header
	// HeaderByNumber resolves a number or tag. Latest and pending both mean
	// the current head; safe and finalized return an error when not yet known;
	// an unknown number returns (nil, nil).
	HeaderByNumber(ctx context.Context, number gethrpc.BlockNumber) (*types.Header, error)
	// HeaderByHash returns the header with the given hash, or (nil, nil).
	HeaderByHash(ctx context.Context, hash common.Hash) (*types.Header, error)
	// BlockByNumber resolves tags like HeaderByNumber and returns the block, or (nil, nil).
	BlockByNumber(ctx context.Context, number gethrpc.BlockNumber) (*types.Block, error)
	// BlockByHash returns the block with the given hash, or (nil, nil).
	BlockByHash(ctx context.Context, hash common.Hash) (*types.Block, error)
	// GetReceipts returns the derived receipts of a block (logs with indexes,
	// effective gas price, contract address filled in), as
	// core.BlockChain.GetReceiptsByHash does.
	GetReceipts(ctx context.Context, hash common.Hash) (types.Receipts, error)
	// GetCanonicalTransaction looks a transaction up in the canonical chain and
	// returns found, tx, block hash, block number and index in the block.
	GetCanonicalTransaction(txHash common.Hash) (bool, *types.Transaction, common.Hash, uint64, uint64)
	// TxIndexDone reports whether the transaction lookup index is complete.
	TxIndexDone() bool
	// Engine returns the rollup consensus engine (used to build EVM contexts).
	Engine() consensus.Engine
	// ChainDb returns the chain database (raw logs, filtermaps).
	ChainDb() ethdb.Database
}

// StateReader opens historical state.
type StateReader interface {
	// StateAndHeaderByNumberOrHash returns a fresh, writable StateDB for the
	// post-state of the given block and its header. Callers mutate the StateDB
	// (overrides, call execution), so it must not be shared. When the state
	// is unavailable it returns an error; an unknown block returns an error
	// ("header not found").
	StateAndHeaderByNumberOrHash(ctx context.Context, blockNrOrHash gethrpc.BlockNumberOrHash) (*state.StateDB, *types.Header, error)
}

// TxPool is the node's transaction pool as the eth and txpool namespaces see it.
type TxPool interface {
	// SendTx validates tx and adds it to the pool. It returns go-ethereum's
	// own errors unchanged (txpool.ErrUnderpriced, core.ErrNonceTooLow,
	// txpool.ErrAlreadyKnown, txpool.ErrOversizedData, ...), since clients
	// match on their text.
	SendTx(ctx context.Context, tx *types.Transaction) error
	// GetPoolNonce returns the next nonce of addr counting pooled transactions.
	GetPoolNonce(ctx context.Context, addr common.Address) (uint64, error)
	// GetPoolTransaction returns a pooled transaction, or nil.
	GetPoolTransaction(hash common.Hash) *types.Transaction
	// TxPoolContent returns the pending and queued transactions by sender.
	TxPoolContent() (map[common.Address][]*types.Transaction, map[common.Address][]*types.Transaction)
	// TxPoolContentFrom returns the pending and queued transactions of one sender.
	TxPoolContentFrom(addr common.Address) ([]*types.Transaction, []*types.Transaction)
	// Stats returns the number of pending and queued transactions.
	Stats() (pending int, queued int)
	// SubscribeNewTxsEvent reports transactions entering the pool.
	SubscribeNewTxsEvent(ch chan<- core.NewTxsEvent) event.Subscription
}

// ChainEvents are the chain notifications that filters, subscriptions and the
// gas price oracle listen to. core.BlockChain has all of them.
type ChainEvents interface {
	// SubscribeChainEvent reports each new canonical block.
	SubscribeChainEvent(ch chan<- core.ChainEvent) event.Subscription
	// SubscribeChainHeadEvent reports each new head.
	SubscribeChainHeadEvent(ch chan<- core.ChainHeadEvent) event.Subscription
	// SubscribeLogsEvent reports logs of new canonical blocks.
	SubscribeLogsEvent(ch chan<- []*types.Log) event.Subscription
	// SubscribeRemovedLogsEvent reports logs dropped by a reorg.
	SubscribeRemovedLogsEvent(ch chan<- core.RemovedLogsEvent) event.Subscription
}

// LogIndex is the node's core/filtermaps log index, wired as go-ethereum's
// eth/backend.go does (SetTarget on every chain head).
type LogIndex interface {
	// CurrentView returns filtermaps.NewChainView(chain, head number, head hash).
	CurrentView() *filtermaps.ChainView
	// NewMatcherBackend returns FilterMaps.NewMatcherBackend().
	NewMatcherBackend() filtermaps.MatcherBackend
	// HistoryPruningCutoff returns the first block whose body and receipts
	// are still stored (0 when nothing is pruned).
	HistoryPruningCutoff() uint64
}

// Backend is everything the RPC server needs from the node.
type Backend interface {
	ChainReader
	StateReader
	TxPool
	ChainEvents
	LogIndex
}

// limits are the per-node execution limits for eth_call, eth_estimateGas and
// tracing. They come from [Config].
type limits struct {
	gasCap     uint64
	evmTimeout time.Duration
}

// gethBackend adapts a Backend to the interfaces of go-ethereum's
// eth/filters, eth/gasprice and eth/tracers, supplying the few methods those
// need that a Lanes node does not have to provide itself.
type gethBackend struct {
	Backend
	limits limits
	subs   subscriptions
}

// subscriptions tracks the chain subscriptions opened by go-ethereum's
// filter system and gas price oracle. Their goroutines exit when their
// subscription ends, and neither has a Close method, so Server.Stop ends the
// subscriptions instead.
type subscriptions struct {
	mu     sync.Mutex
	subs   []event.Subscription
	closed bool
}

// track records sub, or ends it at once if the server has stopped.
func (s *subscriptions) track(sub event.Subscription) event.Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		sub.Unsubscribe()
		return sub
	}
	s.subs = append(s.subs, sub)
	return sub
}

// closeAll ends every tracked subscription.
func (s *subscriptions) closeAll() {
	s.mu.Lock()
	subs := s.subs
	s.subs, s.closed = nil, true
	s.mu.Unlock()
	for _, sub := range subs {
		sub.Unsubscribe()
	}
}

// SubscribeNewTxsEvent subscribes through the node and tracks the subscription.
func (b *gethBackend) SubscribeNewTxsEvent(ch chan<- core.NewTxsEvent) event.Subscription {
	return b.subs.track(b.Backend.SubscribeNewTxsEvent(ch))
}

// SubscribeChainEvent subscribes through the node and tracks the subscription.
func (b *gethBackend) SubscribeChainEvent(ch chan<- core.ChainEvent) event.Subscription {
	return b.subs.track(b.Backend.SubscribeChainEvent(ch))
}

// SubscribeChainHeadEvent subscribes through the node and tracks the subscription.
func (b *gethBackend) SubscribeChainHeadEvent(ch chan<- core.ChainHeadEvent) event.Subscription {
	return b.subs.track(b.Backend.SubscribeChainHeadEvent(ch))
}

// SubscribeLogsEvent subscribes through the node and tracks the subscription.
func (b *gethBackend) SubscribeLogsEvent(ch chan<- []*types.Log) event.Subscription {
	return b.subs.track(b.Backend.SubscribeLogsEvent(ch))
}

// SubscribeRemovedLogsEvent subscribes through the node and tracks the subscription.
func (b *gethBackend) SubscribeRemovedLogsEvent(ch chan<- core.RemovedLogsEvent) event.Subscription {
	return b.subs.track(b.Backend.SubscribeRemovedLogsEvent(ch))
}

var _ filters.Backend = (*gethBackend)(nil)

// GetBody returns a block body for the filter system.
func (b *gethBackend) GetBody(ctx context.Context, hash common.Hash, number gethrpc.BlockNumber) (*types.Body, error) {
	if number < 0 || hash == (common.Hash{}) {
		return nil, errBlockArgs
	}
	block, err := b.BlockByHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	if block == nil || block.NumberU64() != uint64(number) {
		return nil, errBlockNotFound
	}
	return block.Body(), nil
}

// GetLogs returns the un-derived logs of a block, read fresh from the
// database so the filter system may fill in fields without racing others.
func (b *gethBackend) GetLogs(ctx context.Context, hash common.Hash, number uint64) ([][]*types.Log, error) {
	return rawdb.ReadLogs(b.ChainDb(), hash, number), nil
}

// Pending reports that Lanes has no pending block separate from the head.
func (b *gethBackend) Pending() (*types.Block, types.Receipts, *state.StateDB) {
	return nil, nil, nil
}

// RPCGasCap is the gas cap for calls and tracing.
func (b *gethBackend) RPCGasCap() uint64 { return b.limits.gasCap }

// chainContext returns a core.ChainContext over the backend for one request.
func (b *gethBackend) chainContext(ctx context.Context) core.ChainContext {
	return &chainContext{ctx: ctx, b: b.Backend}
}

// chainContext implements core.ChainContext (BLOCKHASH lookups and the
// consensus engine) over a ChainReader.
type chainContext struct {
	ctx context.Context // request scoped, never stored beyond the request
	b   ChainReader
}

// Engine returns the consensus engine.
func (c *chainContext) Engine() consensus.Engine { return c.b.Engine() }

// Config returns the chain configuration.
func (c *chainContext) Config() *params.ChainConfig { return c.b.ChainConfig() }

// CurrentHeader returns the head.
func (c *chainContext) CurrentHeader() *types.Header { return c.b.CurrentHeader() }

// GetHeaderByHash returns a header by hash, or nil.
func (c *chainContext) GetHeaderByHash(h common.Hash) *types.Header {
	header, _ := c.b.HeaderByHash(c.ctx, h)
	return header
}

// GetHeaderByNumber returns a canonical header by number, or nil.
func (c *chainContext) GetHeaderByNumber(n uint64) *types.Header {
	header, _ := c.b.HeaderByNumber(c.ctx, gethrpc.BlockNumber(n))
	return header
}

// GetHeader is used by BLOCKHASH, so only canonical headers match.
func (c *chainContext) GetHeader(hash common.Hash, number uint64) *types.Header {
	header := c.GetHeaderByNumber(number)
	if header == nil || header.Hash() != hash {
		return nil
	}
	return header
}
