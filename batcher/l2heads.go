package batcher

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// maxFinalityScan bounds how many batches ReadL2Heads steps back to find
// one whose L1 block L1 has finalized.
const maxFinalityScan = 64

// ReadL2Heads reads from the Rollup contract how far L1 has taken the L2
// chain:
//   - safe is the last L2 block of the batches included on L1, read
//     confirmations blocks below the L1 head;
//   - finalized is the last L2 block of the newest batch that is past its
//     challenge window and was included in an L1 block L1 has finalized.
//
// Both are 0 while nothing qualifies.
//
// Reads are pinned confirmations below the L1 head, but never below
// startBlock, the block the contract was deployed in.
func ReadL2Heads(ctx context.Context, l1 *ethclient.Client, rollupAddr common.Address, startBlock, confirmations uint64) (safe, finalized uint64, err error) {
	head, err := l1.BlockNumber(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("L1 head: %w", err)
	}
	rollup := bindings.NewRollup()
	contract := rollup.Instance(l1, rollupAddr)
	at := max(head-min(head, confirmations), min(startBlock, head))
	// One block, by hash, for every read (see Batcher.position).
	pinned, err := l1.HeaderByNumber(ctx, new(big.Int).SetUint64(at))
	if err != nil {
		return 0, 0, fmt.Errorf("L1 block %d: %w", at, err)
	}
	opts := &bind.CallOpts{Context: ctx, BlockHash: pinned.Hash()}
	if safe, err = bind.Call(contract, opts, rollup.PackLatestL2Block(), rollup.UnpackLatestL2Block); err != nil {
		return 0, 0, fmt.Errorf("read latestL2Block: %w", err)
	}
	final, err := bind.Call(contract, opts, rollup.PackFinalizedBatchCount(), rollup.UnpackFinalizedBatchCount)
	if err != nil {
		return 0, 0, fmt.Errorf("read finalizedBatchCount: %w", err)
	}
	l1Final, err := l1.HeaderByNumber(ctx, big.NewInt(int64(rpc.FinalizedBlockNumber)))
	if err != nil {
		return safe, 0, fmt.Errorf("L1 finalized block: %w", err)
	}
	count := final.Uint64()
	for i := uint64(0); i < min(count, maxFinalityScan); i++ {
		batch, err := bind.Call(contract, opts, rollup.PackBatch(new(big.Int).SetUint64(count-1-i)), rollup.UnpackBatch)
		if err != nil {
			return safe, 0, fmt.Errorf("read batch %d: %w", count-1-i, err)
		}
		if batch.L1Block <= l1Final.Number.Uint64() {
			return safe, batch.LastL2Block, nil
		}
	}
	return safe, 0, nil
}

// FollowL2Heads calls update with ReadL2Heads' answer every interval until
// ctx ends. Read errors are logged and retried: L1 trouble delays the tags,
// it never moves them.
func FollowL2Heads(ctx context.Context, l1 *ethclient.Client, rollupAddr common.Address, startBlock, confirmations uint64, interval time.Duration, update func(safe, finalized uint64)) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		safe, finalized, err := ReadL2Heads(ctx, l1, rollupAddr, startBlock, confirmations)
		if err != nil && ctx.Err() == nil {
			log.Warn("Cannot read the L2 heads from L1", "err", err)
		} else if err == nil {
			update(safe, finalized)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
