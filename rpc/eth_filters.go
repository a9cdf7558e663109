package rpc

import (
	"github.com/ethereum/go-ethereum/eth/filters"
)

// DefaultFilterConfig is go-ethereum's filter system configuration: 32 cached
// blocks of logs, filters dropped after 5 idle minutes, at most 1000
// addresses per criteria.
var DefaultFilterConfig = filters.Config{
	LogCacheSize:  32,
	LogQueryLimit: 1000,
}

// newFilterAPI builds go-ethereum's filter API (eth_getLogs, eth_newFilter,
// eth_getFilterChanges, eth_subscribe newHeads/logs/newPendingTransactions)
// over the node's log index.
func newFilterAPI(b *gethBackend, cfg filters.Config) *filters.FilterAPI {
	return filters.NewFilterAPI(filters.NewFilterSystem(b, cfg))
}
