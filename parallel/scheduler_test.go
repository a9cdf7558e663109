package parallel

import (
	"runtime"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestPendingBelow(t *testing.T) {
	s := newScheduler(20)
	setStatus := func(st txStatus, txs ...int) {
		for _, tx := range txs {
			s.txs[tx].status = st
		}
	}
	if got := s.pendingBelow(-1, 10); got != 9 {
		t.Fatalf("all ready: pending below 10 is %d, want 9", got)
	}
	setStatus(statusExecuted, 9, 8)
	setStatus(statusCommitted, 7)
	if got := s.pendingBelow(-1, 10); got != 6 {
		t.Fatalf("pending below 10 is %d, want 6", got)
	}
	// lo is exclusive: the version read was written by 6 itself.
	if got := s.pendingBelow(6, 10); got != -1 {
		t.Fatalf("pending in (6, 10) is %d, want none", got)
	}
	setStatus(statusExecuting, 6)
	if got := s.pendingBelow(5, 10); got != 6 {
		t.Fatalf("executing 6: pending in (5, 10) is %d, want 6", got)
	}
	// Only hotWindow transactions below the reader are looked at.
	setStatus(statusExecuted, 2, 3, 4, 5, 6)
	if got := s.pendingBelow(-1, 10); got != -1 {
		t.Fatalf("pending within the window below 10 is %d, want none (0 and 1 are outside)", got)
	}
}

func TestFailedValidationMarksKeyHot(t *testing.T) {
	mv := newTestMemory(t, 3)
	hot := slotKey(common.HexToAddress("0x1"), common.Hash{})
	cold := slotKey(common.HexToAddress("0x2"), common.Hash{})
	// Transaction 2 reads both keys from the pre-state.
	reads := []readRecord{mv.read(hot, 2).rec, mv.read(cold, 2).rec}
	mv.record(2, 0, reads, nil)
	if !mv.validate(2) {
		t.Fatal("untouched reads failed validation")
	}
	// Transaction 1 then writes one of them: the read is stale.
	mv.record(1, 0, nil, []keyWrite{{key: hot, val: word(1)}})
	if mv.validate(2) {
		t.Fatal("stale read passed validation")
	}
	if !mv.cell(hot).hot.Load() {
		t.Error("the key read stale is not marked hot")
	}
	if mv.cell(cold).hot.Load() {
		t.Error("a key read correctly is marked hot")
	}
}

// waitUntilAsleep returns once a goroutine calling awaitRunning on a
// running transaction sleeps on the condition variable: it registers and
// checks the status holding ranMu, which Wait releases.
func waitUntilAsleep(s *scheduler) {
	for s.runWaiters.Load() == 0 {
		runtime.Gosched()
	}
	// An empty critical section: it orders the caller after the waiter's
	// status check.
	s.ranMu.Lock()
	s.ranMu.Unlock()
}

func TestAwaitRunning(t *testing.T) {
	s := newScheduler(4)
	// Transaction 0 is waiting to be scheduled: nobody will finish it while
	// the caller waits, so the caller must suspend instead.
	if s.awaitRunning(0) {
		t.Fatal("waited for a transaction that is not running")
	}
	// Transaction 1 is running: the wait ends when its execution does.
	s.txs[1].status = statusExecuting
	waited := make(chan bool)
	go func() { waited <- s.awaitRunning(1) }()
	waitUntilAsleep(s)
	select {
	case <-waited:
		t.Fatal("wait ended while the transaction was still running")
	default:
	}
	s.numActive.Add(1) // the task finishExecution releases
	s.finishExecution(1, 0, false)
	if !<-waited {
		t.Fatal("wait ended without reporting it waited")
	}
	// Transaction 2 is running and suspends itself on 0: the waiter on 2
	// wakes, and must suspend too.
	s.txs[2].status = statusExecuting
	go func() { waited <- s.awaitRunning(2) }()
	waitUntilAsleep(s)
	s.numActive.Add(1)
	if !s.addDependency(2, 0) {
		t.Fatal("dependency on a transaction not executed was refused")
	}
	if !<-waited {
		t.Fatal("wait on a transaction that suspended did not report waiting")
	}
	if s.awaitRunning(2) {
		t.Fatal("waited for a suspended transaction")
	}
	// A stopped run releases every waiter, which then gives up.
	s.txs[3].status = statusExecuting
	go func() { waited <- s.awaitRunning(3) }()
	waitUntilAsleep(s)
	s.stop("test")
	if <-waited {
		t.Fatal("a wait ended by stop reported success")
	}
}
