package batcher

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
)

// RPCSource reads L2 blocks from a node's eth_ JSON-RPC, for a batcher
// running as a process of its own.
type RPCSource struct {
	Client *ethclient.Client
}

var _ L2Source = RPCSource{}

// BlockByNumber returns the L2 block with the given number.
func (s RPCSource) BlockByNumber(ctx context.Context, n uint64) (*types.Block, error) {
	b, err := s.Client.BlockByNumber(ctx, new(big.Int).SetUint64(n))
	if err != nil {
		return nil, fmt.Errorf("L2 block %d: %w", n, err)
	}
	return b, nil
}

// Head returns the L2 head's number.
func (s RPCSource) Head(ctx context.Context) (uint64, error) {
	return s.Client.BlockNumber(ctx)
}
