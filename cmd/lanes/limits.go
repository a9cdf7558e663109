package main

import (
	"fmt"

	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

// checkBatchable refuses a block gas limit under which a block can hold
// more transactions than a batch carries per block (codec.DefaultLimits):
// the batcher could not post such a block, and verifiers would refuse it.
func checkBatchable(gasLimit uint64) error {
	maxTxs := uint64(codec.DefaultLimits.MaxTxsPerBlock)
	if limit := maxTxs * params.TxGas; gasLimit > limit {
		return fmt.Errorf("block gas limit %d fits %d transfers in a block, but a batch carries at most %d per block: the limit can be at most %d", gasLimit, gasLimit/params.TxGas, maxTxs, limit)
	}
	return nil
}
