package codec

import (
	"math/rand"
	"testing"
)

// fuzzLimits keep one fuzz input cheap.
var fuzzLimits = Limits{MaxDecompressed: 1 << 20, MaxBlocks: 256, MaxTxsPerBlock: 256, MaxTxs: 1 << 16, MaxTxSize: 1 << 16}

func FuzzDecode(f *testing.F) {
	for seed := int64(0); seed < 8; seed++ {
		b := randBatch(f, rand.New(rand.NewSource(seed)), 4, 3)
		for _, version := range []byte{VersionRLP, VersionColumnar} {
			enc, err := EncodeLevel(b, version, 1+int(seed))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(enc)
		}
	}
	f.Add([]byte{})
	f.Add([]byte{VersionColumnar})
	f.Add(compressV1(v1Header(3).buf))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Decode(data, fuzzLimits)
		if err != nil {
			return
		}
		// Whatever decodes must encode again, to the same batch.
		enc, err := Encode(b, data[0])
		if err != nil {
			t.Fatalf("decoded batch does not re-encode: %v", err)
		}
		again, err := Decode(enc, DefaultLimits)
		if err != nil {
			t.Fatalf("re-encoded batch does not decode: %v", err)
		}
		if !batchesEqual(b, again) {
			t.Fatal("re-encoded batch differs")
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(1), uint8(3), uint8(2), uint8(9))
	f.Add(int64(2), uint8(1), uint8(0), uint8(1))
	f.Add(int64(3), uint8(16), uint8(8), uint8(6))
	f.Fuzz(func(t *testing.T, seed int64, blocks, txs, level uint8) {
		b := randBatch(t, rand.New(rand.NewSource(seed)), 1+int(blocks%32), int(txs%16))
		for _, version := range []byte{VersionRLP, VersionColumnar} {
			roundTrip(t, b, version, 1+int(level%9))
		}
	})
}
