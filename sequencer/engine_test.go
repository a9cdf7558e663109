package sequencer

import (
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// headerReader is a hand-written consensus.ChainHeaderReader over a map.
type headerReader struct {
	config  *params.ChainConfig
	headers map[common.Hash]*types.Header
}

func (r *headerReader) Config() *params.ChainConfig  { return r.config }
func (r *headerReader) CurrentHeader() *types.Header { return nil }
func (r *headerReader) GetHeader(h common.Hash, n uint64) *types.Header {
	if hd := r.headers[h]; hd != nil && hd.Number.Uint64() == n {
		return hd
	}
	return nil
}
func (r *headerReader) GetHeaderByNumber(uint64) *types.Header { return nil }
func (r *headerReader) GetHeaderByHash(h common.Hash) *types.Header {
	return r.headers[h]
}

// testParent is a plausible Lanes block at height 10.
func testParent(config *params.ChainConfig) *types.Header {
	zero := uint64(0)
	return &types.Header{
		Number:           big.NewInt(10),
		Time:             1_700_000_000,
		GasLimit:         DefaultGasLimit,
		GasUsed:          DefaultGasLimit / 4,
		BaseFee:          big.NewInt(params.InitialBaseFee),
		Coinbase:         DefaultFeeRecipient,
		Difficulty:       new(big.Int),
		UncleHash:        types.EmptyUncleHash,
		ExcessBlobGas:    &zero,
		BlobGasUsed:      &zero,
		ParentBeaconRoot: &common.Hash{},
		WithdrawalsHash:  &types.EmptyWithdrawalsHash,
		RequestsHash:     &types.EmptyRequestsHash,
	}
}

// validChild derives the child header the builder would make.
func validChild(config *params.ChainConfig, parent *types.Header) *types.Header {
	h := newHeader(config, parent, &Attributes{Timestamp: parent.Time + 1})
	h.UncleHash = types.EmptyUncleHash
	h.WithdrawalsHash = &types.EmptyWithdrawalsHash
	h.RequestsHash = &types.EmptyRequestsHash
	return h
}

func TestEngineVerifyHeader(t *testing.T) {
	config := ChainConfig(DefaultChainID)
	parent := testParent(config)
	reader := &headerReader{config: config, headers: map[common.Hash]*types.Header{parent.Hash(): parent}}
	engine := NewEngine()
	engine.now = func() time.Time { return time.Unix(int64(parent.Time)+100, 0) }

	tests := []struct {
		name   string
		modify func(h *types.Header)
		want   error
	}{
		{"valid", func(h *types.Header) {}, nil},
		{"same second as parent", func(h *types.Header) { h.Time = parent.Time }, nil},
		{"older than parent", func(h *types.Header) { h.Time = parent.Time - 1 }, ErrTimestampDecreased},
		{"too far in the future", func(h *types.Header) { h.Time = parent.Time + 1000 }, ErrFutureTimestamp},
		{"wrong number", func(h *types.Header) { h.Number = big.NewInt(12) }, consensus.ErrUnknownAncestor},
		{"gas limit changed", func(h *types.Header) { h.GasLimit++ }, ErrGasLimitChanged},
		{"fee recipient changed", func(h *types.Header) { h.Coinbase = common.Address{1} }, ErrWrongFeeRecipient},
		{"difficulty set", func(h *types.Header) { h.Difficulty = big.NewInt(1) }, ErrSealedFields},
		{"nonce set", func(h *types.Header) { h.Nonce = types.EncodeNonce(1) }, ErrSealedFields},
		{"uncles set", func(h *types.Header) { h.UncleHash = common.Hash{1} }, ErrSealedFields},
		{"no withdrawals hash", func(h *types.Header) { h.WithdrawalsHash = nil }, ErrMissingForkFields},
		{"no beacon root", func(h *types.Header) { h.ParentBeaconRoot = nil }, ErrMissingForkFields},
		{"no requests hash", func(h *types.Header) { h.RequestsHash = nil }, ErrMissingForkFields},
		{"unknown parent", func(h *types.Header) { h.ParentHash = common.Hash{2} }, consensus.ErrUnknownAncestor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := validChild(config, parent)
			tt.modify(h)
			err := engine.VerifyHeader(reader, h)
			if tt.want == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("have error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEngineRejectsBadBaseFeeAndBlobGas(t *testing.T) {
	config := ChainConfig(DefaultChainID)
	parent := testParent(config)
	reader := &headerReader{config: config, headers: map[common.Hash]*types.Header{parent.Hash(): parent}}
	engine := NewEngine()
	engine.now = func() time.Time { return time.Unix(int64(parent.Time)+100, 0) }

	h := validChild(config, parent)
	h.BaseFee = new(big.Int).Add(h.BaseFee, common.Big1)
	if err := engine.VerifyHeader(reader, h); err == nil {
		t.Fatal("accepted a wrong base fee")
	}
	h = validChild(config, parent)
	used := uint64(params.BlobTxBlobGasPerBlob)
	h.BlobGasUsed = &used
	if err := engine.VerifyHeader(reader, h); err == nil {
		t.Fatal("accepted blob gas on L2")
	}
}

func TestEngineVerifyHeadersChainsWithinBatch(t *testing.T) {
	config := ChainConfig(DefaultChainID)
	parent := testParent(config)
	reader := &headerReader{config: config, headers: map[common.Hash]*types.Header{parent.Hash(): parent}}
	engine := NewEngine()
	engine.now = func() time.Time { return time.Unix(int64(parent.Time)+100, 0) }

	first := validChild(config, parent)
	second := validChild(config, first)
	bad := validChild(config, second)
	bad.Coinbase = common.Address{9}
	_, results := engine.VerifyHeaders(reader, []*types.Header{first, second, bad})
	for i, want := range []error{nil, nil, ErrWrongFeeRecipient} {
		err := <-results
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("header %d: have %v, want %v", i, err, want)
		}
	}
}

// TestDerivedEngineIgnoresTheClock checks that a replica's engine judges a
// header by the chain alone: a timestamp far ahead of the clock, which the
// sequencer's engine refuses, is valid there, and the chain's own rules
// still hold.
func TestDerivedEngineIgnoresTheClock(t *testing.T) {
	config := ChainConfig(DefaultChainID)
	parent := testParent(config)
	reader := &headerReader{config: config, headers: map[common.Hash]*types.Header{parent.Hash(): parent}}
	future := validChild(config, parent)
	future.Time = uint64(time.Now().Add(24 * time.Hour).Unix())
	if err := NewEngine().VerifyHeader(reader, future); !errors.Is(err, ErrFutureTimestamp) {
		t.Fatalf("sequencer engine: %v, want %v", err, ErrFutureTimestamp)
	}
	if err := NewDerivedEngine().VerifyHeader(reader, future); err != nil {
		t.Fatalf("derived engine: %v", err)
	}
	older := validChild(config, parent)
	older.Time = parent.Time - 1
	if err := NewDerivedEngine().VerifyHeader(reader, older); !errors.Is(err, ErrTimestampDecreased) {
		t.Fatalf("derived engine, older than parent: %v, want %v", err, ErrTimestampDecreased)
	}
}
