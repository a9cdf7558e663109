package verifier

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/lanes-rollup/lanes/fraudproof/derive"
)

var testDerive = derive.Config{Rollup: common.Address{1}, Portal: common.Address{2}, StartBlock: 5}

func TestNewRejectsBadConfig(t *testing.T) {
	genesis := &types.Header{Number: new(big.Int), Difficulty: new(big.Int)}
	if _, err := New(Config{Derive: derive.Config{Portal: common.Address{2}}}, nil, nil, genesis); err == nil {
		t.Fatal("accepted a config without a Rollup address")
	}
	if _, err := New(Config{Derive: testDerive}, nil, nil, nil); err == nil {
		t.Fatal("accepted a missing genesis")
	}
	one := &types.Header{Number: big.NewInt(1), Difficulty: new(big.Int)}
	if _, err := New(Config{Derive: testDerive}, nil, nil, one); err == nil {
		t.Fatal("accepted block 1 as the genesis")
	}
	v, err := New(Config{Derive: testDerive}, nil, nil, genesis)
	if err != nil {
		t.Fatal(err)
	}
	if v.cfg.PollInterval != DefaultPollInterval {
		t.Fatalf("poll interval %v, want the default", v.cfg.PollInterval)
	}
}

// record keeps what Status and lanes_syncStatus report: the head, the
// batches checked and every mismatch in order; Status hands out a copy.
func TestRecordKeepsStatus(t *testing.T) {
	genesis := &types.Header{Number: new(big.Int), Difficulty: new(big.Int)}
	v, err := New(Config{Derive: testDerive}, nil, nil, genesis)
	if err != nil {
		t.Fatal(err)
	}
	var seen []uint64
	v.OnBatch = func(b *derive.CheckedBatch) { seen = append(seen, b.Commitment.BatchIndex) }

	root := common.Hash{0xaa}
	honest := &derive.CheckedBatch{
		Commitment:     &derive.BatchCommitment{BatchIndex: 0, L1Block: 7, FirstL2Block: 1, LastL2Block: 4, OutputsRoot: root, LastOutputRoot: root},
		OutputsRoot:    root,
		LastOutputRoot: root,
	}
	lying := &derive.CheckedBatch{
		Commitment:     &derive.BatchCommitment{BatchIndex: 1, L1Block: 9, FirstL2Block: 5, LastL2Block: 6, PrevOutputRoot: root, OutputsRoot: root, LastOutputRoot: common.Hash{0xbb}},
		PrevOutputRoot: root,
		OutputsRoot:    root,
		LastOutputRoot: root,
	}
	v.record(honest)
	v.record(lying)

	st := v.Status()
	if st.Head != 6 || st.Batches != 2 || st.LastBatch != 1 || st.Invalid != nil {
		t.Fatalf("status %+v", st)
	}
	if len(st.Mismatches) != 1 {
		t.Fatalf("mismatches %v, want the lying batch's lastOutputRoot", st.Mismatches)
	}
	m := st.Mismatches[0]
	if m.BatchIndex != 1 || m.Field != "lastOutputRoot" || m.Block != 6 || m.Computed != root || m.Committed != (common.Hash{0xbb}) {
		t.Fatalf("mismatch %+v", m)
	}
	if len(seen) != 2 || seen[0] != 0 || seen[1] != 1 {
		t.Fatalf("OnBatch saw %v", seen)
	}
	st.Mismatches[0].Field = "changed by the caller"
	if v.Status().Mismatches[0].Field != "lastOutputRoot" {
		t.Fatal("Status shares its mismatch list with the caller")
	}
}
