package parallel

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
)

func word(v uint64) value {
	var x value
	x.num.SetUint64(v)
	return x
}

func newTestMemory(t *testing.T, n int) *mvMemory {
	db, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		t.Fatal(err)
	}
	return newMVMemory(n, &baseState{db: db})
}

func TestMVMemoryReadsHighestLowerWrite(t *testing.T) {
	mv := newTestMemory(t, 4)
	k := slotKey(common.HexToAddress("0x1"), common.Hash{})
	if r := mv.read(k, 2); r.rec.kind != readBase || !r.val.isZero() {
		t.Fatalf("base read %+v", r)
	}
	mv.record(0, 0, nil, []keyWrite{{key: k, val: word(10)}})
	mv.record(2, 0, nil, []keyWrite{{key: k, val: word(30)}})
	if r := mv.read(k, 2); r.rec.tx != 0 || r.val.num.Uint64() != 10 {
		t.Fatalf("tx 2 reads %+v, want tx 0's write", r)
	}
	if r := mv.read(k, 3); r.rec.tx != 2 || r.val.num.Uint64() != 30 {
		t.Fatalf("tx 3 reads %+v, want tx 2's write", r)
	}
	mv.markEstimates(2)
	if r := mv.read(k, 3); r.blocking != 2 {
		t.Fatalf("tx 3 reads %+v, want to wait for tx 2", r)
	}
	// A new incarnation of 2 that no longer writes k removes the entry.
	if newPath := mv.record(2, 1, nil, nil); newPath {
		t.Fatal("writing nothing reported a new path")
	}
	if r := mv.read(k, 3); r.rec.tx != 0 {
		t.Fatalf("tx 3 reads %+v after removal, want tx 0", r)
	}
}

func TestMVMemorySumsDeltas(t *testing.T) {
	mv := newTestMemory(t, 5)
	k := balanceKey(common.HexToAddress("0xc0"))
	mv.record(0, 0, nil, []keyWrite{{key: k, val: word(5), delta: true}})
	mv.record(1, 0, nil, []keyWrite{{key: k, val: word(100)}})
	mv.record(2, 0, nil, []keyWrite{{key: k, val: word(7), delta: true}})
	mv.record(3, 0, nil, []keyWrite{{key: k, val: word(1), delta: true}})
	r := mv.read(k, 4)
	if r.rec.kind != readSum || r.val.num.Uint64() != 108 || !r.sawDelta {
		t.Fatalf("read %+v, want the sum 108", r)
	}
	mv.last[4].Store(&execRecord{reads: []readRecord{r.record()}})
	if !mv.validate(4) {
		t.Fatal("unchanged sum failed validation")
	}
	// The same fee from a new incarnation keeps the read valid; a
	// different one does not.
	mv.record(2, 1, nil, []keyWrite{{key: k, val: word(7), delta: true}})
	if !mv.validate(4) {
		t.Fatal("equal delta failed validation")
	}
	mv.record(2, 2, nil, []keyWrite{{key: k, val: word(8), delta: true}})
	if mv.validate(4) {
		t.Fatal("changed delta passed validation")
	}
}

func TestMVMemoryValidatesByVersion(t *testing.T) {
	mv := newTestMemory(t, 3)
	k := nonceKey(common.HexToAddress("0x2"))
	mv.record(0, 0, nil, []keyWrite{{key: k, val: word(1)}})
	r := mv.read(k, 1)
	mv.last[1].Store(&execRecord{reads: []readRecord{r.record()}})
	if !mv.validate(1) {
		t.Fatal("fresh read failed validation")
	}
	// Same value, new incarnation: a version change fails validation.
	mv.record(0, 1, nil, []keyWrite{{key: k, val: word(1)}})
	if mv.validate(1) {
		t.Fatal("read of a replaced incarnation passed validation")
	}
}

func TestSchedulerRunsEveryTransaction(t *testing.T) {
	s := newScheduler(5)
	s.waitFor(3, 1)
	executed := make(map[int]int)
	for {
		tk, ok := s.nextTask()
		if !ok {
			break
		}
		for ok {
			switch tk.kind {
			case taskExecute:
				executed[tk.tx]++
				tk, ok = s.finishExecution(tk.tx, tk.inc, true)
			case taskValidate:
				tk, ok = s.finishValidation(tk.tx, false)
			}
		}
	}
	for i := range 5 {
		if executed[i] != 1 {
			t.Errorf("tx %d executed %d times", i, executed[i])
		}
	}
	if s.txs[3].incarnation != 1 {
		t.Errorf("hinted tx 3 ran as incarnation %d, want 1", s.txs[3].incarnation)
	}
}
