package sequencer

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/filtermaps"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/event"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// This file holds the reads the RPC layer makes of the node. Each method
// forwards to go-ethereum's BlockChain, TxPool or log index; the only
// Lanes-specific rule is the block tags: the sequencer has no pending block
// other than its head, so "pending" means "latest".

// Errors of block resolution, worded as go-ethereum words them.
var (
	errSafeNotFound      = errors.New("safe block not found")
	errFinalizedNotFound = errors.New("finalized block not found")
	errHeaderNotFound    = errors.New("header not found")
	errHashNotFound      = errors.New("header for hash not found")
	errHashNotCanonical  = errors.New("hash is not currently canonical")
)

// ChainConfig returns the chain's fork rules.
func (s *Sequencer) ChainConfig() *params.ChainConfig { return s.chain.Config() }

// CurrentHeader returns the head of the chain.
func (s *Sequencer) CurrentHeader() *types.Header { return s.chain.CurrentHeader() }

// HeaderByNumber resolves a block number or tag to a header; an unknown
// number gives (nil, nil).
func (s *Sequencer) HeaderByNumber(ctx context.Context, number rpc.BlockNumber) (*types.Header, error) {
	switch number {
	case rpc.LatestBlockNumber, rpc.PendingBlockNumber:
		return s.chain.CurrentBlock(), nil
	case rpc.SafeBlockNumber:
		if h := s.chain.CurrentSafeBlock(); h != nil {
			return h, nil
		}
		return nil, errSafeNotFound
	case rpc.FinalizedBlockNumber:
		if h := s.chain.CurrentFinalBlock(); h != nil {
			return h, nil
		}
		return nil, errFinalizedNotFound
	case rpc.EarliestBlockNumber:
		return s.chain.GetHeaderByNumber(s.HistoryPruningCutoff()), nil
	}
	if number < 0 {
		return nil, errors.New("invalid block number")
	}
	return s.chain.GetHeaderByNumber(uint64(number)), nil
}

// HeaderByHash returns a header by hash, or (nil, nil).
func (s *Sequencer) HeaderByHash(ctx context.Context, hash common.Hash) (*types.Header, error) {
	return s.chain.GetHeaderByHash(hash), nil
}

// BlockByNumber resolves a number or tag to a block, or (nil, nil).
func (s *Sequencer) BlockByNumber(ctx context.Context, number rpc.BlockNumber) (*types.Block, error) {
	header, err := s.HeaderByNumber(ctx, number)
	if header == nil || err != nil {
		return nil, err
	}
	return s.chain.GetBlock(header.Hash(), header.Number.Uint64()), nil
}

// BlockByHash returns a block by hash, or (nil, nil).
func (s *Sequencer) BlockByHash(ctx context.Context, hash common.Hash) (*types.Block, error) {
	return s.chain.GetBlockByHash(hash), nil
}

// GetReceipts returns a block's receipts with all derived fields.
func (s *Sequencer) GetReceipts(ctx context.Context, hash common.Hash) (types.Receipts, error) {
	return s.chain.GetReceiptsByHash(hash), nil
}

// GetCanonicalTransaction finds a transaction in the canonical chain at or
// below the head. go-ethereum writes a block's lookups a moment before it
// moves the head; a wallet that gets a receipt and then reads "latest" must
// see the block the receipt names, so lookups above the head wait.
func (s *Sequencer) GetCanonicalTransaction(txHash common.Hash) (bool, *types.Transaction, common.Hash, uint64, uint64) {
	lookup, tx := s.chain.GetCanonicalTransaction(txHash)
	if lookup == nil || tx == nil || lookup.BlockIndex > s.chain.CurrentBlock().Number.Uint64() {
		return false, nil, common.Hash{}, 0, 0
	}
	return true, tx, lookup.BlockHash, lookup.BlockIndex, lookup.Index
}

// TxIndexDone reports whether the transaction index covers the chain.
//
// go-ethereum's indexer does not start while the head is the genesis block
// and reports one block left to index until then, which makes a fresh
// chain answer every receipt query with "transaction indexing is in
// progress" (an error Foundry treats as fatal). The genesis block has no
// transactions, and every later block has its lookups written in the batch
// that makes it canonical (BlockChain.writeHeadBlock), so there is nothing
// to wait for.
func (s *Sequencer) TxIndexDone() bool {
	return s.chain.CurrentBlock().Number.Sign() == 0 || s.chain.TxIndexDone()
}

// ChainDb returns the chain database.
func (s *Sequencer) ChainDb() ethdb.Database { return s.db }

// StateAndHeaderByNumberOrHash opens a private, writable copy of the state
// after the given block.
func (s *Sequencer) StateAndHeaderByNumberOrHash(ctx context.Context, blockNrOrHash rpc.BlockNumberOrHash) (*state.StateDB, *types.Header, error) {
	var header *types.Header
	if number, ok := blockNrOrHash.Number(); ok {
		h, err := s.HeaderByNumber(ctx, number)
		if err != nil {
			return nil, nil, err
		}
		header = h
	} else if hash, ok := blockNrOrHash.Hash(); ok {
		header = s.chain.GetHeaderByHash(hash)
		if header == nil {
			return nil, nil, errHashNotFound
		}
		if blockNrOrHash.RequireCanonical && s.chain.GetCanonicalHash(header.Number.Uint64()) != hash {
			return nil, nil, errHashNotCanonical
		}
	} else {
		return nil, nil, errors.New("invalid arguments; neither block nor hash specified")
	}
	if header == nil {
		return nil, nil, errHeaderNotFound
	}
	statedb, err := s.chain.StateAt(header.Root, header.Number, header.Time)
	if err != nil {
		return nil, nil, err
	}
	return statedb, header, nil
}

// GetPoolNonce returns the next nonce of addr counting pooled transactions.
func (s *Sequencer) GetPoolNonce(ctx context.Context, addr common.Address) (uint64, error) {
	return s.pool.PoolNonce(addr), nil
}

// GetPoolTransaction returns a pooled transaction, or nil.
func (s *Sequencer) GetPoolTransaction(hash common.Hash) *types.Transaction {
	return s.pool.Get(hash)
}

// TxPoolContent returns the pending and queued transactions by sender.
func (s *Sequencer) TxPoolContent() (map[common.Address][]*types.Transaction, map[common.Address][]*types.Transaction) {
	return s.pool.Content()
}

// TxPoolContentFrom returns one sender's pending and queued transactions.
func (s *Sequencer) TxPoolContentFrom(addr common.Address) ([]*types.Transaction, []*types.Transaction) {
	return s.pool.ContentFrom(addr)
}

// Stats returns the pool's pending and queued counts.
func (s *Sequencer) Stats() (int, int) { return s.pool.Stats() }

// SubscribeNewTxsEvent reports transactions entering the pool.
func (s *Sequencer) SubscribeNewTxsEvent(ch chan<- core.NewTxsEvent) event.Subscription {
	return s.pool.SubscribeTransactions(ch, true)
}

// SubscribeChainEvent reports new canonical blocks.
func (s *Sequencer) SubscribeChainEvent(ch chan<- core.ChainEvent) event.Subscription {
	return s.chain.SubscribeChainEvent(ch)
}

// SubscribeChainHeadEvent reports new heads.
func (s *Sequencer) SubscribeChainHeadEvent(ch chan<- core.ChainHeadEvent) event.Subscription {
	return s.chain.SubscribeChainHeadEvent(ch)
}

// SubscribeLogsEvent reports the logs of new canonical blocks.
func (s *Sequencer) SubscribeLogsEvent(ch chan<- []*types.Log) event.Subscription {
	return s.chain.SubscribeLogsEvent(ch)
}

// SubscribeRemovedLogsEvent reports logs a reorg removed.
func (s *Sequencer) SubscribeRemovedLogsEvent(ch chan<- core.RemovedLogsEvent) event.Subscription {
	return s.chain.SubscribeRemovedLogsEvent(ch)
}

// CurrentView returns the log index's view of the current chain.
func (s *Sequencer) CurrentView() *filtermaps.ChainView {
	head := s.chain.CurrentBlock()
	return filtermaps.NewChainView(s.chain, head.Number.Uint64(), head.Hash())
}

// NewMatcherBackend returns a searcher over the log index.
func (s *Sequencer) NewMatcherBackend() filtermaps.MatcherBackend {
	return s.logIndex.maps.NewMatcherBackend()
}

// HistoryPruningCutoff returns the first block whose body is still stored.
func (s *Sequencer) HistoryPruningCutoff() uint64 {
	cutoff, _ := s.chain.HistoryPruningCutoff()
	return cutoff
}

// SetSafeAndFinalized moves the safe and finalized tags to the given L2
// block numbers, as L1 confirms and finalizes the batches covering them. A
// number above the head, or below the current tag, is ignored: the tags
// never move backwards and never past what the node has.
func (s *Sequencer) SetSafeAndFinalized(safe, finalized uint64) {
	move := func(number uint64, current *types.Header, set func(*types.Header)) {
		if current != nil && current.Number.Uint64() >= number {
			return
		}
		if h := s.chain.GetHeaderByNumber(number); h != nil {
			set(h)
		}
	}
	move(safe, s.chain.CurrentSafeBlock(), s.chain.SetSafe)
	move(min(finalized, safe), s.chain.CurrentFinalBlock(), s.chain.SetFinalized)
}
