package rpc

import (
	"context"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

type fixedVerifierStatus VerifierStatus

func (f fixedVerifierStatus) VerifierStatus() VerifierStatus { return VerifierStatus(f) }

func TestLanesSyncStatus(t *testing.T) {
	env := newTestEnv(t)
	ctx := context.Background()
	var st SyncStatus
	if err := env.rpc.CallContext(ctx, &st, "lanes_syncStatus"); err != nil {
		t.Fatal(err)
	}
	head := env.backend.CurrentHeader()
	if st.Latest == nil || uint64(st.Latest.Number) != head.Number.Uint64() || st.Latest.Hash != head.Hash() {
		t.Fatalf("latest %+v, want %d %v", st.Latest, head.Number, head.Hash())
	}
	if st.Verifier != nil {
		t.Fatalf("a sequencer reports verifier status %+v", st.Verifier)
	}
	// Without safe and finalized blocks yet, both are null.
	if safe := env.backend.bc.CurrentSafeBlock(); safe == nil && st.Safe != nil {
		t.Fatalf("safe %+v on a chain without one", st.Safe)
	}

	// A verifier's status rides along, mismatches as a list.
	wrong := OutputMismatch{Batch: 3, L1Block: 40, Field: "lastOutputRoot", L2Block: 17, Computed: common.Hash{1}, Committed: common.Hash{2}}
	srv, err := NewServer(testServerConfig(), env.backend, "0.1.0",
		WithVerifierStatus(fixedVerifierStatus{Batches: 4, LastBatch: 3, Mismatches: []OutputMismatch{wrong}}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	var vst SyncStatus
	client, err := gethrpc.DialContext(ctx, srv.HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	if err := client.CallContext(ctx, &vst, "lanes_syncStatus"); err != nil {
		t.Fatal(err)
	}
	if vst.Verifier == nil || vst.Verifier.Batches != 4 || len(vst.Verifier.Mismatches) != 1 || vst.Verifier.Mismatches[0] != wrong {
		t.Fatalf("verifier status %+v", vst.Verifier)
	}
}
