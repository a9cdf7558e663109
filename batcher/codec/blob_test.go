package codec

import (
	"bytes"
	"errors"
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/crypto/kzg4844"
)

func TestBlobRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, tt := range []struct{ size, blobs int }{
		{1, 1},
		{31, 1},
		{BlobCapacity - blobHeader, 1},
		{BlobCapacity - blobHeader + 1, 2},
		{3*BlobCapacity + 17, 4},
		{BlobDataCapacity(MaxBlobsPerTx), MaxBlobsPerTx},
	} {
		data := make([]byte, tt.size)
		rng.Read(data)
		blobs, err := EncodeBlobs(data, MaxBlobsPerTx)
		if err != nil {
			t.Fatalf("size %d: %v", tt.size, err)
		}
		if len(blobs) != tt.blobs || BlobsNeeded(tt.size) != tt.blobs {
			t.Fatalf("size %d: %d blobs (BlobsNeeded %d), want %d", tt.size, len(blobs), BlobsNeeded(tt.size), tt.blobs)
		}
		for b := range blobs {
			for e := 0; e < BlobFieldElements; e++ {
				if blobs[b][e*32] != 0 {
					t.Fatalf("size %d: blob %d element %d top byte set", tt.size, b, e)
				}
			}
		}
		got, err := DecodeBlobs(blobs)
		if err != nil {
			t.Fatalf("size %d: decode: %v", tt.size, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("size %d: round trip differs", tt.size)
		}
	}
	// Every blob is a valid set of field elements: KZG commits to it.
	blobs, _ := EncodeBlobs(bytes.Repeat([]byte{0xff}, 1000), 1)
	if _, err := kzg4844.BlobToCommitment(&blobs[0]); err != nil {
		t.Fatalf("commit to an all-0xff blob: %v", err)
	}
}

func TestBlobErrors(t *testing.T) {
	if _, err := EncodeBlobs(nil, 6); !errors.Is(err, ErrBadBlobEncoding) {
		t.Errorf("encode empty: %v", err)
	}
	if _, err := EncodeBlobs(make([]byte, BlobDataCapacity(2)+1), 2); !errors.Is(err, ErrTooManyBlobs) {
		t.Errorf("encode over 2 blobs: %v", err)
	}
	valid := func(size, n int) []kzg4844.Blob {
		data := bytes.Repeat([]byte{0xab}, size)
		blobs, err := EncodeBlobs(data, n)
		if err != nil {
			t.Fatal(err)
		}
		return blobs
	}
	for _, tt := range []struct {
		name  string
		blobs func() []kzg4844.Blob
	}{
		{"no blobs", func() []kzg4844.Blob { return nil }},
		{"top byte set", func() []kzg4844.Blob { b := valid(100, 1); b[0][32*7] = 1; return b }},
		{"unknown version", func() []kzg4844.Blob { b := valid(100, 1); b[0][1] = 1; return b }},
		{"zero length", func() []kzg4844.Blob { return make([]kzg4844.Blob, 1) }},
		{"length beyond blobs", func() []kzg4844.Blob { b := valid(100, 1); b[0][2] = 0x10; return b }},
		{"nonzero padding", func() []kzg4844.Blob { b := valid(100, 1); b[0][32*100+5] = 1; return b }},
		{"trailing padding blob", func() []kzg4844.Blob { return append(valid(100, 1), kzg4844.Blob{}) }},
	} {
		if _, err := DecodeBlobs(tt.blobs()); !errors.Is(err, ErrBadBlobEncoding) {
			t.Errorf("%s: error %v, want ErrBadBlobEncoding", tt.name, err)
		}
	}
}
