package sequencer

import (
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/filtermaps"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethdb"
)

// logIndexer keeps go-ethereum's log index (core/filtermaps), which
// eth_getLogs and the log filters search, following the chain head. It is
// wired the way go-ethereum's eth package wires it.
type logIndexer struct {
	chain *core.BlockChain
	maps  *filtermaps.FilterMaps
	quit  chan chan struct{}
}

func newLogIndexer(db ethdb.Database, chain *core.BlockChain) (*logIndexer, error) {
	cfg := filtermaps.Config{HashScheme: true}
	head := chain.CurrentBlock()
	view := filtermaps.NewChainView(chain, head.Number.Uint64(), head.Hash())
	cutoff, _ := chain.HistoryPruningCutoff()
	var final uint64
	if fb := chain.CurrentFinalBlock(); fb != nil {
		final = fb.Number.Uint64()
	}
	maps, err := filtermaps.NewFilterMaps(db, view, cutoff, final, filtermaps.DefaultParams, cfg)
	if err != nil {
		return nil, fmt.Errorf("open log index: %w", err)
	}
	return &logIndexer{chain: chain, maps: maps, quit: make(chan chan struct{})}, nil
}

// Maps returns the index, for the RPC layer's filter backend.
func (l *logIndexer) Maps() *filtermaps.FilterMaps { return l.maps }

func (l *logIndexer) start() {
	heads := make(chan core.ChainEvent, 16)
	procs := make(chan bool, 16)
	headSub := l.chain.SubscribeChainEvent(heads)
	procSub := l.chain.SubscribeBlockProcessingEvent(procs)
	l.maps.Start()
	go func() {
		defer headSub.Unsubscribe()
		defer procSub.Unsubscribe()
		var head *types.Header
		setHead := func(h *types.Header) {
			if h == nil || (head != nil && head.Hash() == h.Hash()) {
				return
			}
			// The view walks back from h through the database; it is nil
			// when an ancestor cannot be read, as while the chain shuts
			// down or h was just reorged away. The next head retries.
			view := filtermaps.NewChainView(l.chain, h.Number.Uint64(), h.Hash())
			if view == nil {
				return
			}
			head = h
			cutoff, _ := l.chain.HistoryPruningCutoff()
			var final uint64
			if fb := l.chain.CurrentFinalBlock(); fb != nil {
				final = fb.Number.Uint64()
			}
			l.maps.SetTarget(view, cutoff, final)
		}
		setHead(l.chain.CurrentBlock())
		ticker := time.NewTicker(10 * time.Second)
		defer ticker.Stop()
		for {
			select {
			case ev := <-heads:
				setHead(ev.Header)
			case p := <-procs:
				l.maps.SetBlockProcessing(p)
			case <-ticker.C:
				setHead(l.chain.CurrentBlock())
			case done := <-l.quit:
				close(done)
				return
			}
		}
	}()
}

// stop stops the follower goroutine, if started, and the index.
func (l *logIndexer) stop() {
	done := make(chan struct{})
	select {
	case l.quit <- done:
		<-done
	default:
		// never started
	}
	l.maps.Stop()
}
