package codec

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/common"
)

// Versions of the batch encoding. The version is the first byte of every
// encoded batch.
const (
	// VersionRLP is the baseline: the RLP of the batch, compressed with zlib.
	VersionRLP byte = 0
	// VersionColumnar is the columnar layout described in doc.go, compressed
	// with raw DEFLATE.
	VersionColumnar byte = 1
)

// DefaultVersion is the version Encode uses when the caller has no reason to
// choose; see doc.go for the measurements behind it.
const DefaultVersion = VersionColumnar

// DefaultLevel is the compression level Encode uses for every version.
const DefaultLevel = flate.BestCompression

var (
	// ErrUnknownVersion is returned for a version byte this package does not
	// know, on encode and on decode.
	ErrUnknownVersion = errors.New("codec: unknown batch version")
	// ErrTooLarge is returned when decoding would exceed one of the Limits:
	// decompressed size, blocks, transactions per block or transaction size.
	ErrTooLarge = errors.New("codec: batch exceeds decoding limits")
	// ErrMalformed is returned for any input that is not a valid encoding.
	// The more specific errors below all wrap it.
	ErrMalformed = errors.New("codec: malformed batch")
	// ErrTruncated is returned when the input ends before the encoding does.
	ErrTruncated = fmt.Errorf("%w: truncated", ErrMalformed)
	// ErrTrailingData is returned when bytes follow a complete encoding,
	// either after the compressed stream or inside the decompressed payload.
	ErrTrailingData = fmt.Errorf("%w: trailing data", ErrMalformed)
	// ErrNonCanonical is returned for a field that has more than one
	// encoding and is not in the one the encoder writes (over-long varints,
	// leading zeros, stray padding bits, repeated L1 origins).
	ErrNonCanonical = fmt.Errorf("%w: non-canonical encoding", ErrMalformed)
	// ErrInvalidTx is returned for a transaction that is not a valid,
	// canonical EIP-2718 encoding of a type the L2 accepts.
	ErrInvalidTx = fmt.Errorf("%w: invalid transaction", ErrMalformed)
	// ErrUnsupportedTx is returned by the encoder for a valid transaction the
	// L2 refuses (blob transactions) or the columnar layout cannot carry
	// (a signature V outside the EIP-155 forms, or a chain ID that differs
	// from the batch's).
	ErrUnsupportedTx = errors.New("codec: unsupported transaction")
	// ErrEmptyBatch is returned by the encoder for a batch without blocks.
	ErrEmptyBatch = errors.New("codec: batch has no blocks")
)

// L1Origin is the L1 block an L2 block was derived from.
type L1Origin struct {
	Number uint64
	Hash   common.Hash
}

// Block carries what the verifier needs to rebuild one L2 block; everything
// else in its header is derived from the parent and the chain config.
type Block struct {
	Timestamp uint64
	L1Origin  L1Origin
	// Transactions are EIP-2718 binary encodings (tx.MarshalBinary()).
	Transactions [][]byte
}

// Batch is a run of consecutive L2 blocks.
type Batch struct {
	// FirstBlock is the L2 number of Blocks[0].
	FirstBlock uint64
	Blocks     []Block
}

// Limits bound the work and memory Decode spends on untrusted input. Every
// count is checked before anything is allocated for it.
type Limits struct {
	MaxDecompressed int // bytes of decompressed payload
	MaxBlocks       int // blocks per batch
	MaxTxsPerBlock  int // transactions per block
	MaxTxs          int // transactions per batch
	MaxTxSize       int // bytes of one encoded transaction
}

// DefaultLimits fit any batch that fits in L1 calldata or a set of blobs
// compressed at a sane ratio.
var DefaultLimits = Limits{
	MaxDecompressed: 64 << 20,
	MaxBlocks:       10_000,
	MaxTxsPerBlock:  10_000,
	// A decoded transaction costs a few hundred bytes of memory and a
	// parse, whatever its size on the wire: this bounds a hostile batch's
	// cost (700,000 tiny transactions took 500 MB and 2.4 s) well above
	// what honest batches hold: a signature alone is 64 incompressible
	// bytes, so six blobs carry fewer than 12,000 transactions.
	MaxTxs:    100_000,
	MaxTxSize: 1 << 20,
}

// checkCounts refuses a batch with more blocks, transactions or bytes per
// transaction than Decode accepts within l.
func (l Limits) checkCounts(b *Batch) error {
	if len(b.Blocks) > l.MaxBlocks {
		return fmt.Errorf("%w: %d blocks, limit %d", ErrTooLarge, len(b.Blocks), l.MaxBlocks)
	}
	total := 0
	for i := range b.Blocks {
		txs := b.Blocks[i].Transactions
		if len(txs) > l.MaxTxsPerBlock {
			return fmt.Errorf("block %d: %w: %d transactions, limit %d", i, ErrTooLarge, len(txs), l.MaxTxsPerBlock)
		}
		if total += len(txs); total > l.MaxTxs {
			return fmt.Errorf("%w: over %d transactions in the batch", ErrTooLarge, l.MaxTxs)
		}
		for j, tx := range txs {
			if len(tx) > l.MaxTxSize {
				return fmt.Errorf("block %d tx %d: %w: %d bytes, limit %d", i, j, ErrTooLarge, len(tx), l.MaxTxSize)
			}
		}
	}
	return nil
}

// Encode encodes b in the given version at DefaultLevel.
func Encode(b *Batch, version byte) ([]byte, error) {
	return EncodeLevel(b, version, DefaultLevel)
}

// EncodeLevel encodes b in the given version at a compress/flate level
// (1 to 9, or flate.DefaultCompression). The level only affects the encoder;
// Decode reads any of them. A batch that Decode would refuse under
// DefaultLimits is refused here (ErrTooLarge), so that what is posted can
// be read back.
func EncodeLevel(b *Batch, version byte, level int) ([]byte, error) {
	if len(b.Blocks) == 0 {
		return nil, ErrEmptyBatch
	}
	if err := DefaultLimits.checkCounts(b); err != nil {
		return nil, err
	}
	var payload []byte
	var err error
	switch version {
	case VersionRLP:
		payload, err = encodeRLP(b)
	case VersionColumnar:
		payload, err = encodeColumnar(b)
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnknownVersion, version)
	}
	if err != nil {
		return nil, err
	}
	if len(payload) > DefaultLimits.MaxDecompressed {
		return nil, fmt.Errorf("%w: decompressed size %d bytes, limit %d", ErrTooLarge, len(payload), DefaultLimits.MaxDecompressed)
	}
	var out bytes.Buffer
	out.Grow(len(payload)/2 + 64)
	out.WriteByte(version)
	var w io.WriteCloser
	if version == VersionRLP {
		w, err = zlib.NewWriterLevel(&out, level)
	} else {
		w, err = flate.NewWriter(&out, level)
	}
	if err != nil {
		return nil, fmt.Errorf("codec: compressor: %w", err)
	}
	if _, err := w.Write(payload); err != nil {
		return nil, fmt.Errorf("codec: compress: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("codec: compress: %w", err)
	}
	return out.Bytes(), nil
}

// Decode decodes an encoded batch of any known version, within limits.
// It never panics; every failure wraps one of the sentinel errors above.
func Decode(data []byte, limits Limits) (*Batch, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("version byte: %w", ErrTruncated)
	}
	version := data[0]
	if version != VersionRLP && version != VersionColumnar {
		return nil, fmt.Errorf("%w: %d", ErrUnknownVersion, version)
	}
	payload, err := decompress(version, data[1:], limits.MaxDecompressed)
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", version, err)
	}
	var b *Batch
	if version == VersionRLP {
		b, err = decodeRLP(payload, limits)
	} else {
		b, err = decodeColumnar(payload, limits)
	}
	if err != nil {
		return nil, fmt.Errorf("version %d: %w", version, err)
	}
	return b, nil
}

// decompress inflates data, reading at most max bytes of output, and insists
// that the compressed stream ends exactly where data does.
func decompress(version byte, data []byte, max int) ([]byte, error) {
	src := bytes.NewReader(data) // an io.ByteReader, so the inflater never reads ahead
	var r io.ReadCloser
	if version == VersionRLP {
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, decompressError(err)
		}
		r = zr
	} else {
		r = flate.NewReader(src)
	}
	defer r.Close()
	if max < 0 {
		max = 0
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(max)+1))
	if err != nil {
		return nil, decompressError(err)
	}
	if len(out) > max {
		return nil, fmt.Errorf("%w: decompressed size over %d bytes", ErrTooLarge, max)
	}
	if src.Len() != 0 {
		return nil, fmt.Errorf("%d bytes after compressed stream: %w", src.Len(), ErrTrailingData)
	}
	return out, nil
}

func decompressError(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("decompress: %w", ErrTruncated)
	}
	return fmt.Errorf("%w: decompress: %v", ErrMalformed, err)
}
