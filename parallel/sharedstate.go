package parallel

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
)

// cacheSharingDatabase is implemented by go-ethereum's state databases that
// can hand out two readers over one cache, as BlockChain does for its
// processor and prefetcher.
type cacheSharingDatabase interface {
	ReadersWithCacheStats(root common.Hash) (state.Reader, state.Reader, error)
}

// OpenState opens the state at root for a block about to be executed, and
// returns with it a reader of the same state, safe for concurrent use, that
// shares its cache with the StateDB's own reader. Passed as
// Env.ParentReader, it lets the parallel executor's workers and its
// settlement onto the StateDB read each account and slot from disk once
// between them. When db cannot share a cache the reader is nil and the
// executor opens its own.
func OpenState(db state.Database, root common.Hash) (*state.StateDB, state.Reader, error) {
	if sharing, ok := db.(cacheSharingDatabase); ok {
		own, workers, err := sharing.ReadersWithCacheStats(root)
		if err == nil {
			statedb, err := state.NewWithReader(root, db, own)
			if err != nil {
				return nil, nil, err
			}
			return statedb, workers, nil
		}
	}
	statedb, err := state.New(root, db)
	return statedb, nil, err
}
