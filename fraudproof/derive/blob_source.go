package derive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/crypto/kzg4844"

	"github.com/lanes-rollup/lanes/batcher/codec"
)

// Reasons a blob batch cannot be read. They are wrapped in a
// *CriticalError, except ErrBadBlobEncoding (an *InvalidBatchError: the
// sequencer committed to blobs that hold no batch).
var (
	// ErrBlobNotFound is returned when the beacon node's answer for the
	// including block lacks a blob the batch committed to (pruned, or the
	// node follows another chain).
	ErrBlobNotFound = errors.New("blob not served by the beacon node")
	// ErrBlobHashMismatch is returned for blobs whose KZG commitment does
	// not hash to the versioned hash the transaction committed to.
	ErrBlobHashMismatch = errors.New("blob does not match its versioned hash")
	// ErrMalformedBlobTx is returned when a blob batch's transaction is not
	// a type-3 submitBatchBlobs call whose blob count matches its blobs.
	ErrMalformedBlobTx = errors.New("malformed submitBatchBlobs transaction")
	// ErrBeaconResponse is returned for a beacon answer that is too large
	// or does not parse.
	ErrBeaconResponse = errors.New("bad beacon node response")
	// ErrBadBlobEncoding is returned when verified blobs do not unpack
	// (codec.DecodeBlobs); ErrBatchUndecodable and codec.ErrBadBlobEncoding
	// are wrapped as well.
	ErrBadBlobEncoding = errors.New("blobs do not hold a batch")
)

// BlobSource fetches the blobs an L1 block carries; a *BeaconClient reads
// them from a beacon node.
type BlobSource interface {
	// Blobs returns blobs of the L1 block with this header, at least those
	// with the given versioned hashes, in any order. The caller verifies
	// them. A transport error is returned as is and retried.
	Blobs(ctx context.Context, block *types.Header, hashes []common.Hash) ([]kzg4844.Blob, error)
}

// RetrievalOption configures a BatchRetrieval.
type RetrievalOption func(*BatchRetrieval)

// WithBlobs lets the stage read blob batches from src. Without it, a blob
// batch halts the pipeline with ErrBlobsUnsupported.
func WithBlobs(src BlobSource) RetrievalOption {
	return func(r *BatchRetrieval) { r.blobs = src }
}

// VersionedHash returns the EIP-4844 versioned hash of a blob: version byte
// 0x01, then sha256 of its KZG commitment without its first byte.
func VersionedHash(blob *kzg4844.Blob) (common.Hash, error) {
	c, err := kzg4844.BlobToCommitment(blob)
	if err != nil {
		return common.Hash{}, err
	}
	return kzg4844.CalcBlobHashV1(sha256.New(), &c), nil
}

// SelectBlobs returns, in the order of hashes, the blob of got whose KZG
// commitment has each versioned hash. A blob that fails to commit (a field
// element beyond the modulus) matches nothing.
func SelectBlobs(got []kzg4844.Blob, hashes []common.Hash) ([]kzg4844.Blob, error) {
	byHash := make(map[common.Hash]int, len(got))
	for i := range got {
		if h, err := VersionedHash(&got[i]); err == nil {
			byHash[h] = i
		}
	}
	out := make([]kzg4844.Blob, len(hashes))
	for i, h := range hashes {
		j, ok := byHash[h]
		if !ok {
			if len(got) == len(hashes) {
				// The node answered with as many blobs as asked for, so it
				// meant to send ours: they are wrong, not missing.
				return nil, fmt.Errorf("%w: blob %d (%v): none of the %d served blobs commits to it", ErrBlobHashMismatch, i, h, len(got))
			}
			return nil, fmt.Errorf("%w: blob %d (%v), %d blobs served", ErrBlobNotFound, i, h, len(got))
		}
		out[i] = got[j]
	}
	return out, nil
}

// blobBatch reads a blob batch: the transaction's versioned hashes must
// hash to the recorded dataHash, then the blobs are fetched, checked
// against those hashes and unpacked.
func (r *BatchRetrieval) blobBatch(ctx context.Context, block *types.Block, tx *types.Transaction, index uint64, dataHash common.Hash) (*submitCall, []byte, error) {
	critical := func(err error) error {
		return &CriticalError{L1Block: block.NumberU64(), Err: fmt.Errorf("batch %d, tx %v: %w", index, tx.Hash(), err)}
	}
	if r.blobs == nil {
		return nil, nil, critical(ErrBlobsUnsupported)
	}
	if tx.Type() != types.BlobTxType {
		return nil, nil, critical(fmt.Errorf("%w: type %d", ErrMalformedBlobTx, tx.Type()))
	}
	input := tx.Data()
	if len(input) < 4 || !bytes.Equal(input[:4], r.submitBlobs.ID) {
		return nil, nil, critical(fmt.Errorf("%w: not submitBatchBlobs", ErrMalformedBlobTx))
	}
	args, err := r.submitBlobs.Inputs.Unpack(input[4:])
	if err != nil {
		return nil, nil, critical(fmt.Errorf("%w: %v", ErrMalformedBlobTx, err))
	}
	var call submitCall
	if err := r.submitBlobs.Inputs.Copy(&call, args); err != nil {
		return nil, nil, critical(fmt.Errorf("%w: %v", ErrMalformedBlobTx, err))
	}
	hashes := tx.BlobHashes()
	if call.BlobCount == nil || !call.BlobCount.IsUint64() || call.BlobCount.Uint64() != uint64(len(hashes)) {
		return nil, nil, critical(fmt.Errorf("%w: blobCount %v, %d blobs", ErrMalformedBlobTx, call.BlobCount, len(hashes)))
	}
	var concat []byte
	for _, h := range hashes {
		concat = append(concat, h[:]...)
	}
	if got := crypto.Keccak256Hash(concat); got != dataHash {
		return nil, nil, critical(fmt.Errorf("%w: versioned hashes hash to %v, Rollup recorded %v", ErrDataHashMismatch, got, dataHash))
	}
	served, err := r.blobs.Blobs(ctx, block.Header(), hashes)
	if err != nil {
		var critErr *CriticalError
		if errors.Is(err, ErrBeaconResponse) && !errors.As(err, &critErr) {
			return nil, nil, critical(err)
		}
		return nil, nil, fmt.Errorf("blobs of batch %d in L1 block %d: %w", index, block.NumberU64(), err)
	}
	blobs, err := SelectBlobs(served, hashes)
	if err != nil {
		return nil, nil, critical(err)
	}
	data, err := codec.DecodeBlobs(blobs)
	if err != nil {
		return nil, nil, &InvalidBatchError{BatchIndex: index, L1Block: block.NumberU64(), Err: fmt.Errorf("%w: %w: %w", ErrBatchUndecodable, ErrBadBlobEncoding, err)}
	}
	return &call, data, nil
}
