package batcher

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

// TestTxManagerSendsBlobs sends a type-3 transaction with a cell-proof
// sidecar to anvil at its default hardfork and checks what was mined.
func TestTxManagerSendsBlobs(t *testing.T) {
	url, client := startAnvil(t)
	keepMining(t, url, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := NewTxManager(client, devKey(t), TxManagerConfig{ResubmitAfter: 10 * time.Second, Confirmations: 1, PollInterval: 20 * time.Millisecond, BlobProofs: types.BlobSidecarVersion1})
	data := make([]byte, codec.BlobCapacity) // two blobs
	for i := range data {
		data[i] = byte(i * 7)
	}
	blobs, err := codec.EncodeBlobs(data, codec.MaxBlobsPerTx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := m.SendTx(ctx, TxCandidate{To: common.Address{0xcc}, Data: []byte{1}, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	tx, _, err := client.TransactionByHash(ctx, r.TxHash)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Type() != types.BlobTxType || len(tx.BlobHashes()) != 2 || r.BlobGasUsed != 2*131072 {
		t.Fatalf("mined tx type %d with %d blob hashes, blob gas %d", tx.Type(), len(tx.BlobHashes()), r.BlobGasUsed)
	}
	sc, err := MakeSidecar(blobs, types.BlobSidecarVersion1)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range sc.BlobHashes() {
		if tx.BlobHashes()[i] != h {
			t.Fatalf("blob hash %d: mined %v, want %v", i, tx.BlobHashes()[i], h)
		}
	}
}
