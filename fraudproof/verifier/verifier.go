// Package verifier runs derivation against a live L1: it rebuilds the L2
// chain from the batches the Rollup holds, block by block, and compares the
// output roots it computes with the ones the sequencer committed. Every
// difference is reported with the batch, the block and both roots; turning
// one into a challenge is the dispute game's job.
//
// The stages themselves live in fraudproof/derive. This package owns the
// loop around them: choosing where derivation starts, waiting for L1,
// starting over after an L1 reorg, stopping on a batch that breaks the
// rules, and what it has seen so far.
//
// Derivation resumes from the head's batch (resume.go): on Run, the batch
// that holds the chain's head is found through the Rollup's getters at the
// confirmed L1 head, and the pipeline starts at that batch's L1 block, from
// the block before it (whose output root must be the one the previous
// batch committed to). After an L1 reorg it steps back to the last batch
// included below the replaced L1 block. When L1 and the chain do not fit
// together it derives from the L2 genesis.
package verifier

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
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

// L1 is what the verifier reads from L1: what derivation reads, and calls
// of the Rollup's getters to find where to resume. An ethclient.Client
// satisfies it.
type L1 interface {
	derive.L1Reader
	ethereum.ContractCaller
}

// Chain is the L2 chain the verifier builds on and resumes from.
type Chain interface {
	derive.L2Chain
	// Head returns the header of the chain's head.
	Head() *types.Header
	// HeaderByNumber returns the canonical header at number, or nil.
	HeaderByNumber(number uint64) *types.Header
}

// Verifier rebuilds the L2 chain from L1 and checks the sequencer's output
// roots. Run drives it; Status may be read at any time.
type Verifier struct {
	cfg     Config
	l1      L1
	chain   Chain
	genesis *types.Header
	log     log.Logger

	// OnBatch, when set before Run, is called with every checked batch.
	OnBatch func(*derive.CheckedBatch)

	mu     sync.Mutex
	status Status
}

// New returns a verifier building on chain, whose genesis is genesis, from
// the L1 that l1 reads.
func New(cfg Config, l1 L1, chain Chain, genesis *types.Header) (*Verifier, error) {
	if err := cfg.Derive.Check(); err != nil {
		return nil, err
	}
	if genesis == nil || genesis.Number.Sign() != 0 {
		return nil, errors.New("verifier: the L2 genesis header is required")
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	// Block 1 is checked against the genesis the chain holds.
	cfg.Derive.GenesisTime = genesis.Time
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

// stages is one run of the derivation stages, from one start.
type stages struct {
	check *derive.OutputCheck
}

func (v *Verifier) newStages(start derive.Start) (*stages, error) {
	pipeline, err := derive.NewPipelineAt(v.cfg.Derive, start, v.l1)
	if err != nil {
		return nil, err
	}
	exec := derive.NewExecution(pipeline, v.chain)
	check := derive.NewOutputCheck(exec, v.genesis)
	check.ResumeAt(start)
	return &stages{check: check}, nil
}

// restart chooses the start (after reset, when not nil) and builds the
// stages from it. It retries L1 errors until ctx ends, when it returns
// nil stages and no error.
func (v *Verifier) restart(ctx context.Context, reset *derive.ResetError) (*stages, error) {
	var start derive.Start
	for {
		var err error
		if start, err = v.chooseStart(ctx, reset); err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, nil
		}
		l1ErrorCounter.Inc(1)
		v.log.Warn("Cannot read where to resume derivation; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil, nil
		case <-time.After(v.cfg.PollInterval):
		}
	}
	if start.IsGenesis() {
		v.log.Info("Derivation starts from the L2 genesis", "l1block", v.cfg.Derive.StartBlock)
		return v.newStages(start)
	}
	st, err := v.newStages(start)
	if err != nil {
		v.log.Warn("Cannot resume derivation; deriving from the L2 genesis", "batch", start.BatchIndex, "reason", err)
		return v.newStages(derive.Start{})
	}
	v.log.Info("Derivation resumes", "batch", start.BatchIndex, "l1block", start.L1Block, "after", start.L2Block, "output", start.OutputRoot)
	return st, nil
}

// Run derives until ctx ends, which is not an error, or until derivation
// hits a *derive.CriticalError, which it returns. A batch that breaks the
// rules stops derivation but not Run: the chain built so far stays served,
// and the batch is in Status.
//
// Derivation resumes from the batch holding the chain's head (see the
// package doc), so a restart re-reads L1 only from there; the blocks of
// that batch are recognised and kept (derive.L2Chain.ApplyBlock), and its
// output roots checked again.
func (v *Verifier) Run(ctx context.Context) error {
	v.log.Info("Verifier started", "rollup", v.cfg.Derive.Rollup, "l1start", v.cfg.Derive.StartBlock, "confirmations", v.cfg.Derive.Confirmations)
	st, err := v.restart(ctx, nil)
	if err != nil || st == nil {
		return err
	}
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
			v.log.Warn("L1 reorganised under derivation; deriving again from before the fork", "err", err)
			if st, err = v.restart(ctx, reset); err != nil || st == nil {
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
