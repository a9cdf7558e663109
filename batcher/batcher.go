package batcher

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/metrics"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// Defaults of Config.
const (
	DefaultMaxBatchBytes     = 120_000
	DefaultMaxBlocksPerBatch = 1_000
	DefaultMaxDelay          = 2 * time.Second
	DefaultPollInterval      = 500 * time.Millisecond
	DefaultResubmitAfter     = 12 * time.Second
	DefaultConfirmations     = 1
	DefaultDA                = DACalldata
	DefaultMaxBlobsPerTx     = codec.MaxBlobsPerTx
)

// maxCalldataBatch is the largest MaxBatchBytes Check accepts: an L1
// transaction is at most 128 KiB, and the ABI encoding and the other
// arguments need room.
const maxCalldataBatch = 126_000

// Config configures the batcher.
type Config struct {
	// L1RPC is dialled by Start when New is given no client.
	L1RPC string
	// Rollup is the address of the L1 Rollup contract.
	Rollup common.Address
	// L1StartBlock is the L1 block the contracts were deployed in. Reads
	// are never pinned below it, where the contract does not exist yet.
	L1StartBlock uint64
	// Key is the sequencer's L1 key: the only account the contract accepts.
	Key *ecdsa.PrivateKey
	// DA says where batch data goes: calldata, blobs, or the cheaper of the
	// two per batch (auto).
	DA DAMode
	// MaxBatchBytes bounds the encoded data of one calldata batch, and of
	// every batch in auto mode. A blob batch is bounded by MaxBlobsPerTx.
	MaxBatchBytes int
	// MaxBlobsPerTx bounds the blobs of one submitBatchBlobs (1..6).
	MaxBlobsPerTx int
	// PreOsakaBlobs sends blob transactions with one KZG proof per blob
	// (sidecar version 0), for an L1 before Osaka; otherwise cell proofs.
	PreOsakaBlobs bool
	// MaxBlocksPerBatch bounds the L2 blocks of one batch.
	MaxBlocksPerBatch int
	// MaxDelay is how long an L2 block may wait to be posted while the
	// batch is not full.
	MaxDelay time.Duration
	// PollInterval is how often the L2 head, L1 receipts and the contract
	// are polled.
	PollInterval time.Duration
	// ResubmitAfter is how long an L1 transaction may stay unmined before it
	// is replaced with higher fees.
	ResubmitAfter time.Duration
	// Confirmations is how many L1 blocks must be on top of a batch before
	// the next one is built on it.
	Confirmations uint64
	// MaxFeeCap bounds the L1 fee cap (wei per gas); nil for no bound.
	MaxFeeCap *big.Int
	// MaxBlobFeeCap bounds the L1 blob fee cap (wei per blob gas); nil for
	// no bound.
	MaxBlobFeeCap *big.Int
}

// DefaultConfig returns a Config with every default filled in; the caller
// sets L1RPC, Rollup and Key.
func DefaultConfig() Config {
	return Config{
		DA:                DefaultDA,
		MaxBatchBytes:     DefaultMaxBatchBytes,
		MaxBlobsPerTx:     DefaultMaxBlobsPerTx,
		MaxBlocksPerBatch: DefaultMaxBlocksPerBatch,
		MaxDelay:          DefaultMaxDelay,
		PollInterval:      DefaultPollInterval,
		ResubmitAfter:     DefaultResubmitAfter,
		Confirmations:     DefaultConfirmations,
	}
}

// Check validates every field.
func (c *Config) Check() error {
	var errs []error
	if c.Rollup == (common.Address{}) {
		errs = append(errs, errors.New("batcher: rollup address must be set"))
	}
	if c.Key == nil {
		errs = append(errs, errors.New("batcher: sequencer L1 key must be set"))
	}
	if c.MaxBatchBytes < 1_000 || c.MaxBatchBytes > maxCalldataBatch {
		errs = append(errs, fmt.Errorf("batcher: max batch bytes %d outside 1000..%d", c.MaxBatchBytes, maxCalldataBatch))
	}
	if _, err := ParseDAMode(string(c.DA)); err != nil {
		errs = append(errs, err)
	}
	if c.MaxBlobsPerTx < 1 || c.MaxBlobsPerTx > codec.MaxBlobsPerTx {
		errs = append(errs, fmt.Errorf("batcher: max blobs per transaction %d outside 1..%d", c.MaxBlobsPerTx, codec.MaxBlobsPerTx))
	}
	if c.MaxBlocksPerBatch < 1 || c.MaxBlocksPerBatch > codec.DefaultLimits.MaxBlocks {
		errs = append(errs, fmt.Errorf("batcher: max blocks per batch %d outside 1..%d", c.MaxBlocksPerBatch, codec.DefaultLimits.MaxBlocks))
	}
	if c.MaxDelay <= 0 || c.PollInterval <= 0 || c.ResubmitAfter <= 0 {
		errs = append(errs, errors.New("batcher: max delay, poll interval and resubmit interval must be positive"))
	}
	if c.Confirmations > L1OriginMargin/2 {
		errs = append(errs, fmt.Errorf("batcher: %d confirmations is more than %d", c.Confirmations, L1OriginMargin/2))
	}
	if c.MaxFeeCap != nil && c.MaxFeeCap.Sign() <= 0 {
		errs = append(errs, errors.New("batcher: max fee cap must be positive"))
	}
	if c.MaxBlobFeeCap != nil && c.MaxBlobFeeCap.Sign() <= 0 {
		errs = append(errs, errors.New("batcher: max blob fee cap must be positive"))
	}
	return errors.Join(errs...)
}

// batchLimit is the most encoded bytes of one batch: what calldata takes,
// or what MaxBlobsPerTx blobs hold. In auto mode a batch must fit calldata;
// maxCalldataBatch is below one blob's capacity, so it fits a blob too.
func (c *Config) batchLimit() int {
	if c.DA == DABlobs {
		return codec.BlobDataCapacity(c.MaxBlobsPerTx)
	}
	return c.MaxBatchBytes
}

// CriticalError is an error the batcher cannot retry: it stops and reports
// it from Stop and Err. Anything else is logged and retried after
// PollInterval.
type CriticalError struct{ Err error }

func (e *CriticalError) Error() string { return "batcher halted: " + e.Err.Error() }
func (e *CriticalError) Unwrap() error { return e.Err }

// ErrNotSequencer is returned when Key is not the Rollup's sequencer.
var ErrNotSequencer = errors.New("batcher: key is not the rollup's sequencer")

// Lifecycle is the service shape shared by the node's parts.
type Lifecycle interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

var _ Lifecycle = (*Batcher)(nil)

var (
	batchesMeter     = metrics.GetOrRegisterCounter("batcher/batches", nil)
	bytesMeter       = metrics.GetOrRegisterCounter("batcher/bytes", nil)
	compressionGauge = metrics.GetOrRegisterGauge("batcher/compression_ratio", nil) // raw/encoded ×1000
	l1GasMeter       = metrics.GetOrRegisterCounter("batcher/l1_gas", nil)
	lagGauge         = metrics.GetOrRegisterGauge("batcher/lag_blocks", nil)
	blobGasMeter     = metrics.GetOrRegisterCounter("batcher/l1_blob_gas", nil)
	blobsMeter       = metrics.GetOrRegisterCounter("batcher/blobs", nil)
	calldataBatches  = metrics.GetOrRegisterCounter("batcher/batches_calldata", nil)
	blobBatches      = metrics.GetOrRegisterCounter("batcher/batches_blobs", nil)
	l1FeeMeter       = metrics.GetOrRegisterCounter("batcher/l1_fee_gwei", nil) // gas and blob gas paid
	reorgedTxsMeter  = metrics.GetOrRegisterCounter("batcher/l1_reorged_txs", nil)
)

// Batcher posts the L2 chain to the Rollup contract as calldata or blob
// batches. It
// takes its position from the contract on every round, never from memory,
// so a restart (even after kill -9) neither skips nor double-posts.
type Batcher struct {
	cfg      Config
	l2       L2Source
	l1       *ethclient.Client
	ownsL1   bool
	rollup   *bindings.Rollup
	contract *bind.BoundContract
	txm      *TxManager
	from     common.Address
	now      func() time.Time

	safeHead atomic.Uint64

	mu      sync.Mutex
	started bool
	cancel  context.CancelFunc
	done    chan struct{}
	err     error // the loop's critical error, set before done closes
}

// New returns a batcher reading L2 blocks from l2 and talking to L1 through
// l1, or through a client dialled from cfg.L1RPC at Start when l1 is nil.
func New(cfg Config, l2 L2Source, l1 *ethclient.Client) (*Batcher, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if l2 == nil {
		return nil, errors.New("batcher: no L2 source")
	}
	if l1 == nil && cfg.L1RPC == "" {
		return nil, errors.New("batcher: neither an L1 client nor an L1 RPC URL")
	}
	return &Batcher{
		cfg:    cfg,
		l2:     l2,
		l1:     l1,
		rollup: bindings.NewRollup(),
		from:   crypto.PubkeyToAddress(cfg.Key.PublicKey),
		now:    time.Now,
	}, nil
}

// SafeHead returns the highest L2 block covered by a batch confirmed on L1,
// as last read from the contract (0 before the first read).
func (b *Batcher) SafeHead() uint64 { return b.safeHead.Load() }

// Start checks the contract and starts the posting loop. It is a no-op on a
// started batcher.
func (b *Batcher) Start(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.started {
		return nil
	}
	if b.l1 == nil {
		c, err := ethclient.DialContext(ctx, b.cfg.L1RPC)
		if err != nil {
			return fmt.Errorf("batcher: dial L1: %w", err)
		}
		b.l1, b.ownsL1 = c, true
	}
	b.contract = b.rollup.Instance(b.l1, b.cfg.Rollup)
	b.txm = NewTxManager(b.l1, b.cfg.Key, TxManagerConfig{
		ResubmitAfter: b.cfg.ResubmitAfter,
		Confirmations: b.cfg.Confirmations,
		PollInterval:  b.cfg.PollInterval,
		MaxFeeCap:     b.cfg.MaxFeeCap,
		MaxBlobFeeCap: b.cfg.MaxBlobFeeCap,
		BlobProofs:    map[bool]byte{true: types.BlobSidecarVersion0, false: types.BlobSidecarVersion1}[b.cfg.PreOsakaBlobs],
	})
	seq, err := bind.Call(b.contract, &bind.CallOpts{Context: ctx}, b.rollup.PackSequencer(), b.rollup.UnpackSequencer)
	if err != nil {
		return errors.Join(fmt.Errorf("batcher: read rollup sequencer: %w", err), b.closeL1())
	}
	if seq != b.from {
		return errors.Join(fmt.Errorf("%w: rollup %v wants %v, key is %v", ErrNotSequencer, b.cfg.Rollup, seq, b.from), b.closeL1())
	}
	// The first position read may fail on an L1 that cannot serve the
	// confirmed block yet (anvil restored from a state file keeps no
	// history); the loop reads it again every round, so that is retried.
	latest := uint64(0)
	if pos, err := b.position(ctx); err != nil {
		log.Warn("Batcher cannot read its position yet, will retry", "err", err)
	} else {
		latest = pos.latestL2Block
		b.safeHead.Store(latest)
	}

	loopCtx, cancel := context.WithCancel(context.Background())
	b.cancel, b.done, b.started = cancel, make(chan struct{}), true
	go b.loop(loopCtx)
	log.Info("Batcher started", "rollup", b.cfg.Rollup, "sequencer", b.from, "latestL2Block", latest, "da", b.cfg.DA)
	return nil
}

// Stop stops the loop, waits for it and returns its critical error, if any.
// An L1 transaction in flight is abandoned; the next start reads the
// contract and carries on from whatever landed. Stop is idempotent.
func (b *Batcher) Stop(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.started {
		return b.closeL1()
	}
	b.cancel()
	select {
	case <-b.done:
	case <-ctx.Done():
		return fmt.Errorf("batcher: stop: %w", ctx.Err())
	}
	b.started = false
	return errors.Join(b.err, b.closeL1())
}

// Done is closed when the loop has stopped, by Stop or by a critical error;
// it is nil before Start.
func (b *Batcher) Done() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.done
}

// Err returns the critical error that halted the loop, or nil while it runs.
func (b *Batcher) Err() error {
	b.mu.Lock()
	done := b.done
	b.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return b.err
	default:
		return nil
	}
}

func (b *Batcher) closeL1() error {
	if b.ownsL1 && b.l1 != nil {
		b.l1.Close()
		b.l1, b.ownsL1 = nil, false
	}
	return nil
}

// loop owns the builder. Each round reads the contract, pulls new L2 blocks
// and posts at most one batch.
func (b *Batcher) loop(ctx context.Context) {
	defer close(b.done)
	builder := (*Builder)(nil)
	for {
		var err error
		builder, err = b.round(ctx, builder)
		var critical *CriticalError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &critical):
			log.Error("Batcher halted", "err", err)
			b.err = err
			return
		case err != nil:
			log.Warn("Batcher round failed, retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(b.cfg.PollInterval):
		}
	}
}

// l1Position is the contract's view of what is posted.
type l1Position struct {
	latestL2Block  uint64
	latestOutput   common.Hash
	batchCount     uint64
	lastL1Origin   uint64 // the previous batch's l1OriginNumber, 0 if none
	bond, required *big.Int
}

func (b *Batcher) position(ctx context.Context) (*l1Position, error) {
	// Every read is pinned to one L1 block: a batch landing between two
	// reads would otherwise pair one batch's block number with another's
	// output root, which looks exactly like a forked L2 chain. The block is
	// Confirmations below the head, so SafeHead only counts confirmed
	// batches; our own posts are confirmed that deep before the next read.
	head, err := b.l1.BlockNumber(ctx)
	if err != nil {
		return nil, fmt.Errorf("batcher: L1 head: %w", err)
	}
	at := max(head-min(head, b.cfg.Confirmations), min(b.cfg.L1StartBlock, head))
	// Pinned by hash, not number: an L1 reorg between two reads would
	// otherwise answer them from two different blocks. A block reorged away
	// meanwhile fails the read, and the next round starts over.
	pinned, err := b.l1.HeaderByNumber(ctx, new(big.Int).SetUint64(at))
	if err != nil {
		return nil, fmt.Errorf("batcher: L1 block %d: %w", at, err)
	}
	opts := &bind.CallOpts{Context: ctx, BlockHash: pinned.Hash()}
	var p l1Position
	wrap := func(what string, err error) error {
		return fmt.Errorf("batcher: read rollup %s at L1 block %d: %w", what, at, err)
	}
	if p.latestL2Block, err = bind.Call(b.contract, opts, b.rollup.PackLatestL2Block(), b.rollup.UnpackLatestL2Block); err != nil {
		return nil, wrap("latestL2Block", err)
	}
	out, err := bind.Call(b.contract, opts, b.rollup.PackLatestOutputRoot(), b.rollup.UnpackLatestOutputRoot)
	if err != nil {
		return nil, wrap("latestOutputRoot", err)
	}
	p.latestOutput = out
	count, err := bind.Call(b.contract, opts, b.rollup.PackBatchCount(), b.rollup.UnpackBatchCount)
	if err != nil {
		return nil, wrap("batchCount", err)
	}
	p.batchCount = count.Uint64()
	if p.batchCount > 0 {
		last, err := bind.Call(b.contract, opts, b.rollup.PackBatch(new(big.Int).SetUint64(p.batchCount-1)), b.rollup.UnpackBatch)
		if err != nil {
			return nil, wrap("batch", err)
		}
		p.lastL1Origin = last.L1OriginNumber
	}
	if p.bond, err = bind.Call(b.contract, opts, b.rollup.PackBond(), b.rollup.UnpackBond); err != nil {
		return nil, wrap("bond", err)
	}
	if p.required, err = bind.Call(b.contract, opts, b.rollup.PackSequencerBond(), b.rollup.UnpackSequencerBond); err != nil {
		return nil, wrap("sequencerBond", err)
	}
	return &p, nil
}

// round does one step of the loop and returns the builder to keep.
func (b *Batcher) round(ctx context.Context, builder *Builder) (*Builder, error) {
	pos, err := b.position(ctx)
	if err != nil {
		return builder, err
	}
	b.safeHead.Store(pos.latestL2Block)
	if builder, err = b.sync(ctx, builder, pos); err != nil {
		return builder, err
	}

	head, err := b.l2.Head(ctx)
	if err != nil {
		return builder, fmt.Errorf("batcher: L2 head: %w", err)
	}
	lagGauge.Update(int64(head) - int64(pos.latestL2Block))
	for n := builder.NextNumber(); n <= head && !builder.Full(); n++ {
		blk, err := b.l2.BlockByNumber(ctx, n)
		if err != nil {
			return builder, fmt.Errorf("batcher: L2 block %d: %w", n, err)
		}
		if err := builder.Add(blk); err != nil {
			// An L2 reorg below the pending blocks: start over from the
			// contract's position next round.
			return nil, err
		}
	}
	cand, err := builder.Next()
	if err != nil {
		if errors.Is(err, ErrBlockTooLarge) {
			return builder, &CriticalError{err}
		}
		return builder, err
	}
	if cand == nil {
		return builder, nil
	}
	if pos.bond.Cmp(pos.required) < 0 {
		if err := b.topUpBond(ctx, pos); err != nil {
			return builder, err
		}
	}
	return builder, b.post(ctx, cand, pos)
}

// sync positions the builder at the contract's latest L2 block, checking
// that the output root the contract holds for it is the one our L2 chain
// gives. A mismatch halts the batcher: the chain differs from what was
// posted, and posting on top would commit to a fork.
func (b *Batcher) sync(ctx context.Context, builder *Builder, pos *l1Position) (*Builder, error) {
	cfg := BuilderConfig{MaxBatchBytes: b.cfg.batchLimit(), MaxBlocks: b.cfg.MaxBlocksPerBatch, MaxDelay: b.cfg.MaxDelay}
	if builder != nil {
		known, err := builder.Advance(pos.latestL2Block, pos.latestOutput)
		if err != nil {
			return builder, &CriticalError{err}
		}
		if known {
			return builder, nil
		}
		// The contract is ahead of the pending blocks (another instance
		// posted them) or behind (batches were invalidated): start over.
	}
	blk, err := b.l2.BlockByNumber(ctx, pos.latestL2Block)
	if err != nil {
		return builder, fmt.Errorf("batcher: L2 block %d, the contract's latest: %w", pos.latestL2Block, err)
	}
	ours := codec.BlockOutputRoot(blk.Header())
	if ours != pos.latestOutput {
		return builder, &CriticalError{fmt.Errorf("%w: block %d: L1 has %v, we have %v", ErrOutputMismatch, pos.latestL2Block, pos.latestOutput, ours)}
	}
	nb := NewBuilder(cfg, b.now)
	nb.Reset(pos.latestL2Block, blk.Hash(), ours)
	return nb, nil
}

// topUpBond deposits what is missing of the sequencer bond.
func (b *Batcher) topUpBond(ctx context.Context, pos *l1Position) error {
	missing := new(big.Int).Sub(pos.required, pos.bond)
	log.Info("Topping up the sequencer bond", "bond", pos.bond, "required", pos.required, "deposit", missing)
	if _, err := b.txm.Send(ctx, b.cfg.Rollup, b.rollup.PackDepositBond(), missing); err != nil {
		return fmt.Errorf("batcher: deposit bond: %w", err)
	}
	return nil
}

// post submits cand and waits for it to be confirmed. It does not move the
// builder: the next round reads the contract for that.
func (b *Batcher) post(ctx context.Context, cand *Candidate, pos *l1Position) error {
	head, err := b.l1.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("batcher: L1 head: %w", err)
	}
	canonical := false
	if cand.LastOrigin.Number < head.Number.Uint64() {
		h, err := b.l1.HeaderByNumber(ctx, new(big.Int).SetUint64(cand.LastOrigin.Number))
		if err != nil {
			return fmt.Errorf("batcher: L1 origin %d: %w", cand.LastOrigin.Number, err)
		}
		canonical = h.Hash() == cand.LastOrigin.Hash
	}
	origin := ChooseL1Origin(cand.LastOrigin, canonical, pos.lastL1Origin, head)
	tx, mode, err := b.submission(ctx, cand, origin)
	if err != nil {
		return err
	}
	receipt, err := b.txm.SendTx(ctx, tx)
	if receipt != nil {
		l1GasMeter.Inc(int64(receipt.GasUsed))
		blobGasMeter.Inc(int64(receipt.BlobGasUsed))
		fee := new(big.Int).Mul(new(big.Int).SetUint64(receipt.GasUsed), receipt.EffectiveGasPrice)
		if receipt.BlobGasPrice != nil {
			fee.Add(fee, new(big.Int).Mul(new(big.Int).SetUint64(receipt.BlobGasUsed), receipt.BlobGasPrice))
		}
		l1FeeMeter.Inc(fee.Div(fee, big.NewInt(params.GWei)).Int64())
	}
	if err != nil {
		// Typically PrevOutputRootMismatch or L2BlockNotAfterPrevious
		// because an earlier attempt landed: the next round re-reads.
		return fmt.Errorf("batcher: submit blocks %d..%d: %w%s", cand.Batch.FirstBlock, cand.LastL2Block, err, b.revertReason(err))
	}
	batchesMeter.Inc(1)
	bytesMeter.Inc(int64(len(cand.Data)))
	compressionGauge.Update(int64(cand.RawSize) * 1000 / int64(len(cand.Data)))
	if mode == DABlobs {
		blobBatches.Inc(1)
		blobsMeter.Inc(int64(len(tx.Blobs)))
	} else {
		calldataBatches.Inc(1)
	}
	log.Info("Batch confirmed on L1", "first", cand.Batch.FirstBlock, "last", cand.LastL2Block, "da", mode,
		"bytes", len(cand.Data), "blobs", len(tx.Blobs), "l1Block", receipt.BlockNumber, "gas", receipt.GasUsed,
		"blobGas", receipt.BlobGasUsed, "l1Origin", origin.Number)
	return nil
}

// submission packs cand as the transaction of the configured DA mode; in
// auto mode it compares both at the L1 head's fees and logs the choice.
func (b *Batcher) submission(ctx context.Context, cand *Candidate, origin codec.L1Origin) (TxCandidate, DAMode, error) {
	calldata := func() []byte {
		return b.rollup.PackSubmitBatch(cand.Data, cand.PrevOutputRoot, cand.OutputsRoot, cand.LastOutputRoot,
			cand.LastL2Block, origin.Number, origin.Hash)
	}
	blobCall := func(n int) []byte {
		return b.rollup.PackSubmitBatchBlobs(big.NewInt(int64(n)), cand.PrevOutputRoot, cand.OutputsRoot, cand.LastOutputRoot,
			cand.LastL2Block, origin.Number, origin.Hash)
	}
	mode := b.cfg.DA
	if mode == DAAuto {
		f, err := readL1Fees(ctx, b.l1, true)
		if err != nil {
			return TxCandidate{}, "", fmt.Errorf("batcher: %w", err)
		}
		n := codec.BlobsNeeded(len(cand.Data))
		var cd, bl DACost
		mode, cd, bl = ChooseDA(calldata(), len(cand.Data), blobCall(n), n, f)
		log.Info("Chose data availability", "da", mode, "first", cand.Batch.FirstBlock, "last", cand.LastL2Block,
			"bytes", len(cand.Data), "calldataGas", cd.Gas, "calldataWei", cd.Wei, "blobs", n, "blobGas", bl.BlobGas,
			"blobExecGas", bl.Gas, "blobWei", bl.Wei, "baseFee", f.BaseFee, "tip", f.Tip, "blobBaseFee", f.BlobBaseFee)
	}
	if mode == DACalldata {
		return TxCandidate{To: b.cfg.Rollup, Data: calldata()}, DACalldata, nil
	}
	blobs, err := codec.EncodeBlobs(cand.Data, b.cfg.MaxBlobsPerTx)
	if err != nil {
		// The builder cut the batch to what the blobs hold.
		return TxCandidate{}, "", &CriticalError{fmt.Errorf("batcher: blocks %d..%d: %w", cand.Batch.FirstBlock, cand.LastL2Block, err)}
	}
	return TxCandidate{To: b.cfg.Rollup, Data: blobCall(len(blobs)), Blobs: blobs}, DABlobs, nil
}

// revertReason decodes a Rollup custom error carried by an RPC error, for
// the log only.
func (b *Batcher) revertReason(err error) string {
	var de rpc.DataError
	if !errors.As(err, &de) {
		return ""
	}
	s, ok := de.ErrorData().(string)
	if !ok {
		return ""
	}
	v, uerr := b.rollup.UnpackError(common.FromHex(s))
	if uerr != nil {
		return ""
	}
	return fmt.Sprintf(" (%T %+v)", v, v)
}
