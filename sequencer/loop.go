package sequencer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/txpool"
	"github.com/ethereum/go-ethereum/core/txpool/txorder"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
	"github.com/lanes-rollup/lanes/parallel"
)

// loop is the block-building loop. It makes a block when there is something
// to include (pending transactions, or deposits of a new L1 origin), at most
// once per block time. It alone writes blocks to the chain.
func (s *Sequencer) loop(ctx context.Context) error {
	// New pool transactions wake the loop through a forwarder goroutine: the
	// pool's event feed blocks until every subscriber has taken an event,
	// and the loop itself waits on the pool (Sync) after each block, so it
	// must never be the one the feed waits for.
	txs := make(chan core.NewTxsEvent, 256)
	sub := s.pool.SubscribeTransactions(txs, false)
	defer sub.Unsubscribe()
	subErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-txs:
				s.signal()
			case err := <-sub.Err():
				subErr <- err
				return
			}
		}
	}()

	// Deposits can arrive, and the local tracker can resubmit transactions,
	// without any event reaching the loop, so it also looks once per block
	// time.
	ticker := time.NewTicker(s.cfg.BlockTime)
	defer ticker.Stop()
	var last time.Time
	s.signal() // a restarted node may have pending transactions already
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-ticker.C:
		case err := <-subErr:
			if err == nil {
				return nil // unsubscribed: the pool is closing
			}
			return fmt.Errorf("txpool subscription: %w", err)
		}
		if wait := s.cfg.BlockTime - time.Since(last); wait > 0 {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(wait):
			}
		}
		// The block time runs from the start of one build to the start of
		// the next, so a build that takes a while does not stretch it.
		buildStart := time.Now()
		built, err := s.buildNext(ctx)
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			executionFailedMeter.Mark(1)
			s.log.Error("Block building halted", "err", err)
			return err
		}
		if built {
			last = buildStart
			if pending, _ := s.pool.Stats(); pending > 0 {
				s.signal()
			}
		}
	}
}

// buildNext builds one block on the current head and imports it. It reports
// whether a block was made; with nothing to include it makes none.
func (s *Sequencer) buildNext(ctx context.Context) (bool, error) {
	start := time.Now()
	config := s.chain.Config()
	parent := s.chain.CurrentBlock()

	attrs := &Attributes{Timestamp: max(parent.Time, uint64(start.Unix()))}
	parentOrigin, _ := HeaderL1Origin(parent) // genesis has none: zero
	attrs.L1Origin = parentOrigin
	if s.deposits != nil {
		origin, deposits, err := s.deposits.NextOrigin(ctx, parentOrigin, attrs.Timestamp)
		if err != nil {
			// L1 trouble delays deposits, never transactions.
			s.log.Warn("L1 origin unavailable, keeping the parent's", "err", err)
		} else {
			attrs.L1Origin, attrs.Deposits = origin, deposits
		}
	}
	baseFee := eip1559.CalcBaseFee(config, parent)
	attrs.Transactions = s.selectTransactions(config, parent, uint256.MustFromBig(baseFee))
	if len(attrs.Transactions) == 0 && len(attrs.Deposits) == 0 && attrs.L1Origin == parentOrigin {
		return false, nil
	}

	execStart := time.Now()
	block, res, err := buildBlock(ctx, s.chain, s.exec, parent, attrs, parallel.Build)
	if err != nil {
		return false, fmt.Errorf("build block %d: %w", parent.Number.Uint64()+1, err)
	}
	executeTimer.UpdateSince(execStart)

	insertStart := time.Now()
	hash := block.Hash()
	if err := s.importBuilt(block, res); err != nil {
		return false, err
	}
	insertTimer.UpdateSince(insertStart)
	if s.deposits == nil {
		// Without an L1 nothing can undo a block: safe and finalized
		// follow the head.
		s.chain.SetSafe(block.Header())
		s.chain.SetFinalized(block.Header())
	}
	// Let the pool drop what the block included before the next selection.
	if err := s.pool.Sync(); err != nil {
		s.log.Warn("Txpool reset failed", "err", err)
	}

	for _, d := range res.Dropped {
		s.log.Debug("Dropped transaction from block", "number", block.Number(), "tx", d.Tx.Hash(), "err", d.Err)
	}
	blocksBuiltCounter.Inc(1)
	txsIncludedCounter.Inc(int64(len(res.Transactions)))
	txsDroppedCounter.Inc(int64(len(res.Dropped)))
	blockGasHistogram.Update(int64(block.GasUsed()))
	blockTxsHistogram.Update(int64(len(res.Transactions)))
	headGauge.Update(int64(block.NumberU64()))
	buildTimer.UpdateSince(start)
	s.log.Info("Built block", "number", block.Number(), "hash", hash, "txs", len(res.Transactions),
		"dropped", len(res.Dropped), "deposits", len(attrs.Deposits), "gas", block.GasUsed(),
		"elapsed", time.Since(start).Round(time.Microsecond))
	return true, nil
}

// importBuilt makes a block built here the head, handing the processor
// the execution result so that the block is not executed twice.
func (s *Sequencer) importBuilt(block *types.Block, res *parallel.Result) error {
	hash := block.Hash()
	s.processor.remember(hash, &builtBlock{result: res})
	_, err := s.chain.InsertChain(types.Blocks{block})
	s.processor.forget(hash)
	if err != nil {
		return fmt.Errorf("import built block %d [%v]: %w", block.NumberU64(), hash, err)
	}
	// The block's transaction lookups need no write here: go-ethereum
	// writes them in the batch that makes the block canonical.
	return nil
}

// selectTransactions takes pending transactions by priority fee, then
// nonce, until the block's gas limit is spent.
func (s *Sequencer) selectTransactions(config *params.ChainConfig, parent *types.Header, baseFee *uint256.Int) types.Transactions {
	filter := txpool.PendingFilter{
		MinTip:  uint256.NewInt(s.cfg.TxPool.PriceLimit),
		BaseFee: baseFee,
	}
	pending, _ := s.pool.Pending(filter)
	if len(pending) == 0 {
		return nil
	}
	signer := types.MakeSigner(config, new(uint256.Int).AddUint64(uint256.MustFromBig(parent.Number), 1).ToBig(), parent.Time)
	ordered := txorder.NewTransactionsByPriceAndNonce(signer, pending, baseFee.ToBig())
	gasLeft := parent.GasLimit
	var txs types.Transactions
	for gasLeft >= params.TxGas {
		ltx, _ := ordered.Peek()
		if ltx == nil {
			break
		}
		if ltx.Gas > gasLeft {
			// This sender's next transaction does not fit; its later ones
			// cannot go first.
			ordered.Pop()
			continue
		}
		tx := ltx.Resolve()
		if tx == nil {
			ordered.Pop() // evicted since Pending was taken
			continue
		}
		txs = append(txs, tx)
		gasLeft -= tx.Gas()
		ordered.Shift()
	}
	return txs
}
