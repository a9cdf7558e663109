package sequencer

import (
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/consensus/misc/eip4844"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
)

// Header rule violations reported by Engine.
var (
	// ErrTimestampDecreased is returned for a block older than its parent.
	// Several L2 blocks may share a second, so equal timestamps are allowed.
	ErrTimestampDecreased = errors.New("timestamp older than parent")
	// ErrFutureTimestamp is returned for a block too far ahead of the clock.
	ErrFutureTimestamp = errors.New("timestamp too far in the future")
	// ErrGasLimitChanged is returned when a block's gas limit differs from its
	// parent's: the limit is fixed at genesis.
	ErrGasLimitChanged = errors.New("gas limit differs from parent")
	// ErrWrongFeeRecipient is returned when a block's coinbase is not the
	// chain's fee recipient, fixed at genesis.
	ErrWrongFeeRecipient = errors.New("coinbase is not the chain's fee recipient")
	// ErrSealedFields is returned when a field that proof-of-work or clique
	// would use (difficulty, nonce, uncles) is set.
	ErrSealedFields = errors.New("difficulty, nonce and uncles must be empty")
	// ErrMissingForkFields is returned when a field an active fork requires
	// is absent.
	ErrMissingForkFields = errors.New("header lacks a field its fork requires")
	// ErrSealUnsupported is returned by Seal: rollup blocks carry no seal.
	ErrSealUnsupported = errors.New("rollup blocks are not sealed")
)

// maxFutureDrift bounds how far ahead of the local clock a block may be.
const maxFutureDrift = 15 * time.Second

// Engine is the rollup's consensus engine. The sequencer alone makes blocks
// and L1 decides which of them are final, so the engine only checks that a
// header is well formed against its parent: number, non-decreasing
// timestamps, the fixed gas limit and fee recipient, the EIP-1559 base fee,
// and the fields of the active forks. There are no rewards and no seals.
type Engine struct {
	// now is the clock a header's timestamp may not run ahead of (by more
	// than maxFutureDrift), or nil on a node whose blocks come from L1.
	now func() time.Time
}

var _ consensus.Engine = (*Engine)(nil)

// NewEngine returns the rollup consensus engine of the sequencer, which
// refuses headers from too far in the future of its clock.
func NewEngine() *Engine { return &Engine{now: time.Now} }

// NewDerivedEngine returns the engine of a replica, whose blocks are
// derived from L1: their timestamps are bound by derivation's rules, not by
// the local clock, so that whether a block is valid does not depend on when
// a verifier checks it.
func NewDerivedEngine() *Engine { return &Engine{} }

// Author returns the block's fee recipient.
func (e *Engine) Author(header *types.Header) (common.Address, error) {
	return header.Coinbase, nil
}

// VerifyHeader checks header against its parent, which must be known.
func (e *Engine) VerifyHeader(chain consensus.ChainHeaderReader, header *types.Header) error {
	parent := chain.GetHeader(header.ParentHash, header.Number.Uint64()-1)
	if parent == nil {
		return consensus.ErrUnknownAncestor
	}
	return e.verify(chain, header, parent)
}

// VerifyHeaders checks a run of headers, each against the one before it.
// It returns a channel to abort the checks and one that yields a result per
// header, in order.
func (e *Engine) VerifyHeaders(chain consensus.ChainHeaderReader, headers []*types.Header) (chan<- struct{}, <-chan error) {
	abort := make(chan struct{})
	results := make(chan error, len(headers))
	go func() {
		for i, header := range headers {
			var parent *types.Header
			if i == 0 {
				parent = chain.GetHeader(header.ParentHash, header.Number.Uint64()-1)
			} else if headers[i-1].Hash() == header.ParentHash {
				parent = headers[i-1]
			}
			var err error
			if parent == nil {
				err = consensus.ErrUnknownAncestor
			} else {
				err = e.verify(chain, header, parent)
			}
			select {
			case <-abort:
				return
			case results <- err:
			}
		}
	}()
	return abort, results
}

func (e *Engine) verify(chain consensus.ChainHeaderReader, header, parent *types.Header) error {
	config := chain.Config()
	if header.Number == nil || header.Number.Cmp(new(big.Int).Add(parent.Number, common.Big1)) != 0 {
		return consensus.ErrInvalidNumber
	}
	if header.Time < parent.Time {
		return fmt.Errorf("%w: %d < %d", ErrTimestampDecreased, header.Time, parent.Time)
	}
	if e.now != nil {
		if limit := uint64(e.now().Add(maxFutureDrift).Unix()); header.Time > limit {
			return fmt.Errorf("%w: %d > %d", ErrFutureTimestamp, header.Time, limit)
		}
	}
	if len(header.Extra) > int(params.MaximumExtraDataSize) {
		return fmt.Errorf("extra-data too long: %d > %d", len(header.Extra), params.MaximumExtraDataSize)
	}
	if header.GasLimit != parent.GasLimit {
		return fmt.Errorf("%w: have %d, want %d", ErrGasLimitChanged, header.GasLimit, parent.GasLimit)
	}
	if header.GasUsed > header.GasLimit {
		return fmt.Errorf("invalid gasUsed: have %d, gasLimit %d", header.GasUsed, header.GasLimit)
	}
	if header.Coinbase != parent.Coinbase {
		return fmt.Errorf("%w: have %v, want %v", ErrWrongFeeRecipient, header.Coinbase, parent.Coinbase)
	}
	if header.Difficulty == nil || header.Difficulty.Sign() != 0 || header.Nonce != (types.BlockNonce{}) || header.UncleHash != types.EmptyUncleHash {
		return ErrSealedFields
	}
	if err := eip1559.VerifyEIP1559Header(config, parent, header); err != nil {
		return err
	}
	if config.IsShanghai(header.Number, header.Time) && header.WithdrawalsHash == nil {
		return fmt.Errorf("%w: withdrawals hash", ErrMissingForkFields)
	}
	if config.IsCancun(header.Number, header.Time) {
		if header.ParentBeaconRoot == nil {
			return fmt.Errorf("%w: parent beacon root", ErrMissingForkFields)
		}
		if err := eip4844.VerifyEIP4844Header(config, parent, header); err != nil {
			return err
		}
		if *header.BlobGasUsed != 0 {
			return fmt.Errorf("blob gas used %d: blob transactions are not allowed on L2", *header.BlobGasUsed)
		}
	}
	if config.IsPrague(header.Number, header.Time) && header.RequestsHash == nil {
		return fmt.Errorf("%w: requests hash", ErrMissingForkFields)
	}
	return nil
}

// VerifyUncles rejects any uncle: a rollup has a single block producer.
func (e *Engine) VerifyUncles(chain consensus.ChainReader, block *types.Block) error {
	if len(block.Uncles()) > 0 {
		return errors.New("uncles not allowed")
	}
	return nil
}

// Prepare sets the header fields the engine owns.
func (e *Engine) Prepare(chain consensus.ChainHeaderReader, header *types.Header) error {
	header.Difficulty = new(big.Int)
	return nil
}

// Finalize does nothing: the rollup pays no block reward.
func (e *Engine) Finalize(chain consensus.ChainHeaderReader, header *types.Header, state vm.StateDB, body *types.Body) {
}

// Seal is not supported: the sequencer inserts blocks it built directly.
func (e *Engine) Seal(chain consensus.ChainHeaderReader, block *types.Block, results chan<- *types.Block, stop <-chan struct{}) error {
	return ErrSealUnsupported
}

// SealHash returns the header hash; there is no separate seal.
func (e *Engine) SealHash(header *types.Header) common.Hash { return header.Hash() }

// CalcDifficulty is always zero.
func (e *Engine) CalcDifficulty(chain consensus.ChainHeaderReader, time uint64, parent *types.Header) *big.Int {
	return new(big.Int)
}

// Close releases nothing.
func (e *Engine) Close() error { return nil }
