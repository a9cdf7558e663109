package loadgen

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// pollInterval is how often the watcher asks for the head. It bounds the
// error of every latency figure from above.
const pollInterval = 5 * time.Millisecond

// inclusionWatcher follows new blocks and records when each measured
// transaction first appears in one.
type inclusionWatcher struct {
	raw  *gethrpc.Client
	next uint64

	mu       sync.Mutex
	index    map[common.Hash]int
	included []time.Time
	waiting  int
	blocks   int
	last     time.Time
	done     chan struct{}
}

func newInclusionWatcher(raw *gethrpc.Client, index map[common.Hash]int, after uint64) *inclusionWatcher {
	return &inclusionWatcher{
		raw:      raw,
		next:     after + 1,
		index:    index,
		included: make([]time.Time, len(index)),
		waiting:  len(index),
		done:     make(chan struct{}),
	}
}

// forget stops waiting for transaction i, which the node rejected.
func (w *inclusionWatcher) forget(i int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.included[i].IsZero() {
		w.waiting--
		w.checkDone()
	}
}

func (w *inclusionWatcher) checkDone() {
	if w.waiting == 0 {
		select {
		case <-w.done:
		default:
			close(w.done)
		}
	}
}

// results returns the inclusion time of every transaction (zero if never
// included), the number of blocks that carried any, and the last inclusion.
func (w *inclusionWatcher) results() ([]time.Time, int, time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Time(nil), w.included...), w.blocks, w.last
}

func (w *inclusionWatcher) run(ctx context.Context) error {
	ticker := time.NewTicker(pollInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.done:
			return nil
		case <-ticker.C:
		}
		var head hexutil.Uint64
		if err := w.raw.CallContext(ctx, &head, "eth_blockNumber"); err != nil {
			return fmt.Errorf("eth_blockNumber: %w", err)
		}
		for ; w.next <= uint64(head); w.next++ {
			var block struct {
				Transactions []common.Hash `json:"transactions"`
			}
			if err := w.raw.CallContext(ctx, &block, "eth_getBlockByNumber", hexutil.Uint64(w.next), false); err != nil {
				return fmt.Errorf("eth_getBlockByNumber(%d): %w", w.next, err)
			}
			w.record(block.Transactions, time.Now())
		}
	}
}

func (w *inclusionWatcher) record(hashes []common.Hash, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	counted := false
	for _, h := range hashes {
		i, ok := w.index[h]
		if !ok || !w.included[i].IsZero() {
			continue
		}
		w.included[i] = at
		w.waiting--
		w.last = at
		if !counted {
			w.blocks++
			counted = true
		}
	}
	w.checkDone()
}
