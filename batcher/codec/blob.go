package codec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto/kzg4844"
)

// Blob packing: how an encoded batch (the bytes Encode returns) is laid out
// in EIP-4844 blobs. The batcher packs with EncodeBlobs; the verifier
// unpacks with DecodeBlobs.
//
// A blob is 4096 field elements of 32 bytes each, and every element must be
// below the BLS12-381 scalar modulus (about 2^254.9). Lanes keeps it simple:
// the first byte of every element is zero and the other 31 carry data, so
// any byte string is a valid blob and no element needs checking against the
// modulus. That is 126,976 bytes per blob. OP's packing (four elements carry
// 4×31 bytes plus 3 bytes spread over their top 6 bits) gets 130,044, 2.4%
// more, for bit-level shuffling that is easy to get wrong; at the batch
// sizes Lanes posts, 2.4% rarely saves a blob.
//
// The blobs of one transaction form one stream, blob after blob, element
// after element, 31 bytes each:
//
//	stream = BlobEncodingVersion (1 byte) ‖ len(data) (4 bytes, big-endian) ‖ data ‖ zero padding
//
// A stream uses the fewest blobs that hold it (no blob is padding only).
// DecodeBlobs accepts exactly what EncodeBlobs writes: a set top byte, an
// unknown version, a length beyond the blobs, a nonzero byte after the data,
// or a trailing blob of padding are all ErrBadBlobEncoding.
const (
	// BlobEncodingVersion is the first byte of a blob stream.
	BlobEncodingVersion byte = 0
	// BlobFieldElements is the number of field elements in one blob.
	BlobFieldElements = 4096
	// BlobBytesPerElement is the data carried by one field element.
	BlobBytesPerElement = 31
	// BlobCapacity is the stream bytes one blob carries.
	BlobCapacity = BlobFieldElements * BlobBytesPerElement
	// blobHeader is the version byte and the length.
	blobHeader = 5
	// MaxBlobsPerTx is the most blobs one submitBatchBlobs may carry (the
	// Rollup's MAX_BLOBS).
	MaxBlobsPerTx = 6
)

// ErrBadBlobEncoding is returned by DecodeBlobs for blobs EncodeBlobs cannot
// have written.
var ErrBadBlobEncoding = errors.New("codec: malformed blob encoding")

// ErrTooManyBlobs is returned by EncodeBlobs when the data needs more than
// the allowed blobs.
var ErrTooManyBlobs = errors.New("codec: data needs too many blobs")

// BlobDataCapacity returns the most data bytes n blobs carry.
func BlobDataCapacity(n int) int { return max(0, n*BlobCapacity-blobHeader) }

// BlobsNeeded returns how many blobs EncodeBlobs uses for size bytes of data.
func BlobsNeeded(size int) int { return (size + blobHeader + BlobCapacity - 1) / BlobCapacity }

// EncodeBlobs packs data into the fewest blobs that hold it, at most
// maxBlobs of them.
func EncodeBlobs(data []byte, maxBlobs int) ([]kzg4844.Blob, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: no data", ErrBadBlobEncoding)
	}
	n := BlobsNeeded(len(data))
	if n > maxBlobs {
		return nil, fmt.Errorf("%w: %d bytes need %d blobs, at most %d allowed", ErrTooManyBlobs, len(data), n, maxBlobs)
	}
	stream := make([]byte, blobHeader, blobHeader+len(data))
	stream[0] = BlobEncodingVersion
	binary.BigEndian.PutUint32(stream[1:], uint32(len(data)))
	stream = append(stream, data...)
	blobs := make([]kzg4844.Blob, n)
	for i := 0; len(stream) > 0; i++ {
		blob, elem := i/BlobFieldElements, i%BlobFieldElements
		k := copy(blobs[blob][elem*32+1:elem*32+32], stream)
		stream = stream[k:]
	}
	return blobs, nil
}

// DecodeBlobs unpacks the data EncodeBlobs packed into blobs.
func DecodeBlobs(blobs []kzg4844.Blob) ([]byte, error) {
	if len(blobs) == 0 {
		return nil, fmt.Errorf("%w: no blobs", ErrBadBlobEncoding)
	}
	stream := make([]byte, 0, len(blobs)*BlobCapacity)
	for b := range blobs {
		for e := 0; e < BlobFieldElements; e++ {
			elem := blobs[b][e*32 : e*32+32]
			if elem[0] != 0 {
				return nil, fmt.Errorf("%w: blob %d element %d has top byte %#x", ErrBadBlobEncoding, b, e, elem[0])
			}
			stream = append(stream, elem[1:]...)
		}
	}
	if stream[0] != BlobEncodingVersion {
		return nil, fmt.Errorf("%w: version %d", ErrBadBlobEncoding, stream[0])
	}
	size := binary.BigEndian.Uint32(stream[1:blobHeader])
	if size == 0 || uint64(size) > uint64(len(stream)-blobHeader) {
		return nil, fmt.Errorf("%w: length %d in %d blobs", ErrBadBlobEncoding, size, len(blobs))
	}
	if need := BlobsNeeded(int(size)); need != len(blobs) {
		return nil, fmt.Errorf("%w: %d bytes need %d blobs, got %d", ErrBadBlobEncoding, size, need, len(blobs))
	}
	end := blobHeader + int(size)
	for i, c := range stream[end:] {
		if c != 0 {
			return nil, fmt.Errorf("%w: nonzero padding at stream byte %d", ErrBadBlobEncoding, end+i)
		}
	}
	return stream[blobHeader:end:end], nil
}
