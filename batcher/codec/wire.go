package codec

import (
	"encoding/binary"
	"fmt"

	"github.com/holiman/uint256"
)

// writer appends the primitive fields of the columnar layout.
type writer struct{ buf []byte }

func (w *writer) uvarint(x uint64) { w.buf = binary.AppendUvarint(w.buf, x) }

// zigzag writes a wrapping difference as a signed varint, so a small step in
// either direction stays small and every uint64 pair round-trips.
func (w *writer) zigzag(cur, prev uint64) {
	d := int64(cur - prev)
	w.buf = binary.AppendUvarint(w.buf, uint64(d<<1)^uint64(d>>63))
}

func (w *writer) bytes(b []byte) { w.buf = append(w.buf, b...) }

// u256 writes a length byte (0 to 32) and the minimal big-endian bytes.
func (w *writer) u256(x *uint256.Int) {
	n := (x.BitLen() + 7) / 8
	w.buf = append(w.buf, byte(n))
	var b [32]byte
	x.WriteToSlice(b[:])
	w.buf = append(w.buf, b[32-n:]...)
}

// bitsColumn packs bits LSB first into ceil(len/8) bytes.
func (w *writer) bitsColumn(bits []bool) {
	packed := make([]byte, (len(bits)+7)/8)
	for i, set := range bits {
		if set {
			packed[i/8] |= 1 << (i % 8)
		}
	}
	w.buf = append(w.buf, packed...)
}

// reader consumes the columnar layout. The first error sticks: later reads
// return zero values, so decoding loops need to check r.err only where the
// values decide how much to allocate.
type reader struct {
	buf []byte
	err error
	col string // column being read, for error context
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = fmt.Errorf("column %s: %w", r.col, err)
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	x, n := binary.Uvarint(r.buf)
	switch {
	case n == 0:
		r.fail(ErrTruncated)
		return 0
	case n < 0:
		r.fail(fmt.Errorf("%w: varint overflows uint64", ErrMalformed))
		return 0
	case n > 1 && r.buf[n-1] == 0:
		r.fail(fmt.Errorf("varint: %w", ErrNonCanonical))
		return 0
	}
	r.buf = r.buf[n:]
	return x
}

func (r *reader) zigzag(prev uint64) uint64 {
	u := r.uvarint()
	d := int64(u>>1) ^ -int64(u&1)
	return prev + uint64(d)
}

func (r *reader) bytes(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.buf) {
		r.fail(ErrTruncated)
		return nil
	}
	b := r.buf[:n:n]
	r.buf = r.buf[n:]
	return b
}

func (r *reader) u256() *uint256.Int {
	x := new(uint256.Int)
	n := r.bytes(1)
	if n == nil {
		return x
	}
	if n[0] > 32 {
		r.fail(fmt.Errorf("%w: integer of %d bytes", ErrMalformed, n[0]))
		return x
	}
	b := r.bytes(int(n[0]))
	if len(b) > 0 && b[0] == 0 {
		r.fail(fmt.Errorf("integer with leading zero: %w", ErrNonCanonical))
		return x
	}
	return x.SetBytes(b)
}

// bitsColumn reads n packed bits; padding bits must be zero.
func (r *reader) bitsColumn(n int) []bool {
	packed := r.bytes((n + 7) / 8)
	if r.err != nil {
		return nil
	}
	if n%8 != 0 && packed[len(packed)-1]>>(n%8) != 0 {
		r.fail(fmt.Errorf("padding bits: %w", ErrNonCanonical))
		return nil
	}
	out := make([]bool, n)
	for i := range out {
		out[i] = packed[i/8]&(1<<(i%8)) != 0
	}
	return out
}

func popcount(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
