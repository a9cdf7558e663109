// Package verifier runs derivation against a live L1: it rebuilds the L2
// chain from the batches the Rollup holds, block by block, and compares the
// output roots it computes with the ones the sequencer committed. Every
// difference is reported with the batch, the block and both roots; turning
// one into a challenge is the dispute game's job.
//
// The stages themselves live in fraudproof/derive. This package owns the
// loop around them: waiting for L1, starting over after an L1 reorg,
// stopping on a batch that breaks the rules, and what it has seen so far.
package verifier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/metrics"

	"github.com/lanes-rollup/lanes/fraudproof/derive"
)

var (
	headGauge        = metrics.NewRegisteredGauge("verifier/head", nil)
	batchesCounter   = metrics.NewRegisteredCounter("verifier/batches", nil)
	mismatchCounter  = metrics.NewRegisteredCounter("verifier/mismatches", nil)
	invalidCounter   = metrics.NewRegisteredCounter("verifier/invalid", nil)
	resetCounter     = metrics.NewRegisteredCounter("verifier/resets", nil)
	l1ErrorCounter   = metrics.NewRegisteredCounter("verifier/l1errors", nil)
	batchCheckTimer  = metrics.NewRegisteredTimer("verifier/batch", nil)
	lastBatchL1Gauge = metrics.NewRegisteredGauge("verifier/lastbatch/l1block", nil)
)

// DefaultPollInterval is how often the verifier looks for new L1 blocks
// when it has caught up.
const DefaultPollInterval = time.Second

// Config configures a Verifier.
type Config struct {
	Derive derive.Config
	// PollInterval is the wait after the pipeline runs out of confirmed L1
	// blocks, or after an L1 read fails. Zero means DefaultPollInterval.
	PollInterval time.Duration
}

// Status is what the verifier has done so far.
type Status struct {
	// Head is the last L2 block built from L1; Batches the batches checked.
	Head    uint64
	Batches uint64
	// LastBatch is the index of the last batch checked, valid when Batches
	// is positive.
	LastBatch uint64
	// Mismatches lists every committed root that differs from the
	// computed one, in the order found.
	Mismatches []derive.OutputMismatch
	// Invalid is the batch derivation stopped at because it breaks the
	// rules, or nil.
	Invalid *derive.InvalidBatchError
}

// Verifier rebuilds the L2 chain from L1 and checks the sequencer's output
// roots. Run drives it; Status may be read at any time.
type Verifier struct {
	cfg     Config
	l1      derive.L1Reader
	chain   derive.L2Chain
	genesis *types.Header
	log     log.Logger

	// OnBatch, when set before Run, is called with every checked batch.
	OnBatch func(*derive.CheckedBatch)

	mu     sync.Mutex
	status Status
}

// New returns a verifier building on chain, whose genesis is genesis, from
// the L1 that l1 reads.
func New(cfg Config, l1 derive.L1Reader, chain derive.L2Chain, genesis *types.Header) (*Verifier, error) {
	if err := cfg.Derive.Check(); err != nil {
		return nil, err
	}
	if genesis == nil || genesis.Number.Sign() != 0 {
		return nil, errors.New("verifier: the L2 genesis header is required")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	return &Verifier{cfg: cfg, l1: l1, chain: chain, genesis: genesis, log: log.New("module", "verifier")}, nil
}

// Status returns a copy of what the verifier has done so far.
func (v *Verifier) Status() Status {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := v.status
	s.Mismatches = append([]derive.OutputMismatch(nil), s.Mismatches...)
	return s
}

// stages is one run of the derivation stages, from the L2 genesis.
type stages struct {
	check *derive.OutputCheck
}

func (v *Verifier) newStages() (*stages, error) {
	pipeline, err := derive.NewPipeline(v.cfg.Derive, v.l1)
	if err != nil {
		return nil, err
	}
	exec := derive.NewExecution(pipeline, v.chain)
	return &stages{check: derive.NewOutputCheck(exec, v.genesis)}, nil
}

// Run derives until ctx ends, which is not an error, or until derivation
// hits a *derive.CriticalError, which it returns. A batch that breaks the
// rules stops derivation but not Run: the chain built so far stays served,
// and the batch is in Status.
//
// Derivation always starts from the L2 genesis; the blocks the chain
// already holds are recognised and kept (derive.L2Chain.ApplyBlock), so a
// restart re-reads L1 but re-executes nothing.
func (v *Verifier) Run(ctx context.Context) error {
	st, err := v.newStages()
	if err != nil {
		return err
	}
	v.log.Info("Verifier started", "rollup", v.cfg.Derive.Rollup, "l1start", v.cfg.Derive.StartBlock, "confirmations", v.cfg.Derive.Confirmations)
	for {
		start := time.Now()
		batch, err := st.check.NextBatch(ctx)
		var (
			reset    *derive.ResetError
			invalid  *derive.InvalidBatchError
			critical *derive.CriticalError
		)
		switch {
		case err == nil:
			batchCheckTimer.UpdateSince(start)
			v.record(batch)
			continue
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, derive.ErrNotReady):
		case errors.As(err, &reset):
			resetCounter.Inc(1)
			v.log.Warn("L1 reorganised under derivation; deriving again from the L2 genesis", "err", err)
			if st, err = v.newStages(); err != nil {
				return err
			}
			continue
		case errors.As(err, &invalid):
			invalidCounter.Inc(1)
			v.mu.Lock()
			v.status.Invalid = invalid
			v.mu.Unlock()
			v.log.Error("Batch breaks the derivation rules; derivation stops here", "batch", invalid.BatchIndex, "l1block", invalid.L1Block, "l2block", invalid.L2Block, "reason", invalid.Err)
			<-ctx.Done()
			return nil
		case errors.As(err, &critical):
			return fmt.Errorf("verifier stopped: %w", err)
		default:
			l1ErrorCounter.Inc(1)
			v.log.Warn("Derivation step failed; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(v.cfg.PollInterval):
		}
	}
}

// record notes a checked batch and reports its mismatches.
func (v *Verifier) record(b *derive.CheckedBatch) {
	c := b.Commitment
	mismatches := b.Mismatches()
	v.mu.Lock()
	v.status.Head = c.LastL2Block
	v.status.Batches++
	v.status.LastBatch = c.BatchIndex
	v.status.Mismatches = append(v.status.Mismatches, mismatches...)
	v.mu.Unlock()

	batchesCounter.Inc(1)
	headGauge.Update(int64(c.LastL2Block))
	lastBatchL1Gauge.Update(int64(c.L1Block))
	for _, m := range mismatches {
		mismatchCounter.Inc(1)
		// Whole hashes, not the terminal format's abbreviation: these are
		// what an operator takes to L1.
		v.log.Error("Committed output root differs from the computed one", "batch", m.BatchIndex, "l1block", m.L1Block,
			"field", m.Field, "l2block", m.Block, "computed", m.Computed.Hex(), "committed", m.Committed.Hex())
	}
	if len(mismatches) == 0 {
		v.log.Info("Batch verified", "batch", c.BatchIndex, "l1block", c.L1Block, "blocks", fmt.Sprintf("%d-%d", c.FirstL2Block, c.LastL2Block), "output", b.LastOutputRoot)
	}
	if v.OnBatch != nil {
		v.OnBatch(b)
	}
}
