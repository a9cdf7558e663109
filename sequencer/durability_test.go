package sequencer

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/parallel"
)

// A node reopened on its data directory resumes at the head it wrote, and
// finds the queued local transactions its journal kept.
func TestRestartKeepsHeadAndJournaledTransactions(t *testing.T) {
	cfg := testConfig()
	cfg.Dev = true
	cfg.DataDir = t.TempDir()
	cfg.DatabaseCache, cfg.DatabaseHandles = 16, 16

	open := func() *Sequencer {
		s, err := New(cfg, parallel.Sequential{}, nil)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if err := s.Start(context.Background()); err != nil {
			t.Fatalf("start: %v", err)
		}
		return s
	}
	s := open()
	to := common.Address{0xd0}
	included := transfer(t, s, 0, 0, to, big.NewInt(1), big.NewInt(params.GWei))
	if err := s.SendTx(context.Background(), included); err != nil {
		t.Fatal(err)
	}
	waitIncluded(t, s, included.Hash())
	// Nonce 2 cannot run before nonce 1: it waits in the queue.
	queued := transfer(t, s, 0, 2, to, big.NewInt(1), big.NewInt(params.GWei))
	if err := s.SendTx(context.Background(), queued); err != nil {
		t.Fatal(err)
	}
	head := s.chain.CurrentBlock()
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("stop: %v", err)
	}

	s = open()
	t.Cleanup(func() { s.Stop(context.Background()) })
	if got := s.chain.CurrentBlock(); got.Hash() != head.Hash() {
		t.Fatalf("head after restart %d [%v], want %d [%v]", got.Number, got.Hash(), head.Number, head.Hash())
	}
	if s.pool.Get(queued.Hash()) == nil {
		t.Fatal("queued transaction lost across a graceful restart")
	}
	gapFiller := transfer(t, s, 0, 1, to, big.NewInt(1), big.NewInt(params.GWei))
	if err := s.SendTx(context.Background(), gapFiller); err != nil {
		t.Fatal(err)
	}
	waitIncluded(t, s, queued.Hash())
}
