package codec

import (
	"errors"
	"fmt"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/holiman/uint256"
)

// minTxBytes is the fewest payload bytes one transaction occupies in version
// 1 (type, nonce, gas, value, data length, r, s). The decoder uses it to
// reject a transaction count the payload cannot hold before allocating.
const minTxBytes = 1 + 1 + 1 + 1 + 1 + 64

func encodeColumnar(b *Batch) ([]byte, error) {
	var (
		txs     []*txFields
		chainID *uint256.Int
		rawSize int
	)
	for i, blk := range b.Blocks {
		for j, raw := range blk.Transactions {
			f, id, err := splitTx(raw, chainID)
			if err != nil {
				return nil, fmt.Errorf("block %d tx %d: %w", i, j, err)
			}
			chainID = id
			txs = append(txs, f)
			rawSize += len(raw)
		}
	}
	if chainID == nil {
		chainID = new(uint256.Int)
	}
	w := &writer{buf: make([]byte, 0, rawSize+len(b.Blocks)*40+64)}

	// Batch header and per-block columns.
	w.u256(chainID)
	w.uvarint(b.FirstBlock)
	w.uvarint(uint64(len(b.Blocks)))
	w.uvarint(b.Blocks[0].Timestamp)
	for i := 1; i < len(b.Blocks); i++ {
		w.zigzag(b.Blocks[i].Timestamp, b.Blocks[i-1].Timestamp)
	}
	changed := make([]bool, len(b.Blocks)-1)
	for i := range changed {
		changed[i] = b.Blocks[i+1].L1Origin != b.Blocks[i].L1Origin
	}
	w.bitsColumn(changed)
	prev := b.Blocks[0].L1Origin
	w.uvarint(prev.Number)
	for i, c := range changed {
		if c {
			w.zigzag(b.Blocks[i+1].L1Origin.Number, prev.Number)
			prev = b.Blocks[i+1].L1Origin
		}
	}
	w.bytes(b.Blocks[0].L1Origin.Hash[:])
	for i, c := range changed {
		if c {
			w.bytes(b.Blocks[i+1].L1Origin.Hash[:])
		}
	}
	for _, blk := range b.Blocks {
		w.uvarint(uint64(len(blk.Transactions)))
	}

	// Transaction columns.
	var protected, creation, parity []bool
	for _, f := range txs {
		w.buf = append(w.buf, f.typ)
		if f.typ == types.LegacyTxType {
			protected = append(protected, f.protected)
		}
		creation = append(creation, f.to == nil)
		parity = append(parity, f.yParity)
	}
	w.bitsColumn(protected)
	w.bitsColumn(creation)
	w.bitsColumn(parity)
	for _, f := range txs {
		w.uvarint(f.nonce)
	}
	for _, f := range txs {
		w.uvarint(f.gas)
	}
	for _, f := range txs {
		if f.to != nil {
			w.bytes(f.to[:])
		}
	}
	for _, f := range txs {
		w.u256(f.value)
	}
	for _, f := range txs {
		if !hasTipCap(f.typ) {
			w.u256(f.gasPrice)
		}
	}
	for _, f := range txs {
		if hasTipCap(f.typ) {
			w.u256(f.tipCap)
		}
	}
	for _, f := range txs {
		if hasTipCap(f.typ) {
			w.u256(f.feeCap)
		}
	}
	for _, f := range txs {
		w.uvarint(uint64(len(f.data)))
	}
	for _, f := range txs {
		w.bytes(f.data)
	}
	for _, f := range txs {
		w.bytes(f.accessList)
	}
	for _, f := range txs {
		w.bytes(f.authList)
	}
	for _, f := range txs {
		w.bytes(f.r[:])
	}
	for _, f := range txs {
		w.bytes(f.s[:])
	}
	return w.buf, nil
}

func decodeColumnar(payload []byte, limits Limits) (*Batch, error) {
	r := &reader{buf: payload}

	r.col = "header"
	chainID := r.u256()
	first := r.uvarint()
	n := r.uvarint()
	if r.err != nil {
		return nil, r.err
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no blocks", ErrMalformed)
	}
	if n > uint64(limits.MaxBlocks) {
		return nil, fmt.Errorf("%w: %d blocks, limit %d", ErrTooLarge, n, limits.MaxBlocks)
	}
	if n > uint64(len(r.buf)) { // every block takes at least a timestamp byte
		return nil, fmt.Errorf("%d blocks: %w", n, ErrTruncated)
	}
	out := &Batch{FirstBlock: first, Blocks: make([]Block, n)}
	blocks := out.Blocks

	r.col = "timestamps"
	blocks[0].Timestamp = r.uvarint()
	for i := 1; i < len(blocks); i++ {
		blocks[i].Timestamp = r.zigzag(blocks[i-1].Timestamp)
	}
	r.col = "origin bits"
	changed := r.bitsColumn(len(blocks) - 1)
	r.col = "origin numbers"
	blocks[0].L1Origin.Number = r.uvarint()
	for i, c := range changed {
		blocks[i+1].L1Origin.Number = blocks[i].L1Origin.Number
		if c {
			blocks[i+1].L1Origin.Number = r.zigzag(blocks[i].L1Origin.Number)
		}
	}
	r.col = "origin hashes"
	blocks[0].L1Origin.Hash = common.BytesToHash(r.bytes(common.HashLength))
	for i, c := range changed {
		blocks[i+1].L1Origin.Hash = blocks[i].L1Origin.Hash
		if c {
			blocks[i+1].L1Origin.Hash = common.BytesToHash(r.bytes(common.HashLength))
			if r.err == nil && blocks[i+1].L1Origin == blocks[i].L1Origin {
				return nil, fmt.Errorf("block %d: origin marked changed but equal: %w", i+1, ErrNonCanonical)
			}
		}
	}

	r.col = "tx counts"
	counts := make([]int, n)
	total := 0
	for i := range counts {
		c := r.uvarint()
		if r.err != nil {
			return nil, r.err
		}
		if c > uint64(limits.MaxTxsPerBlock) {
			return nil, fmt.Errorf("block %d: %w: %d transactions, limit %d", i, ErrTooLarge, c, limits.MaxTxsPerBlock)
		}
		counts[i] = int(c)
		total += int(c)
		if total > limits.MaxTxs {
			return nil, fmt.Errorf("%w: over %d transactions in the batch", ErrTooLarge, limits.MaxTxs)
		}
		if total > len(r.buf)/minTxBytes {
			return nil, fmt.Errorf("%d transactions: %w", total, ErrTruncated)
		}
	}

	txs, err := decodeTxColumns(r, total, limits)
	if err != nil {
		return nil, err
	}
	if len(r.buf) != 0 {
		return nil, fmt.Errorf("%d bytes after last column: %w", len(r.buf), ErrTrailingData)
	}
	// The encoder writes a zero chain ID when no transaction carries one,
	// so that what decodes also encodes to the same bytes.
	if !chainID.IsZero() && !slices.ContainsFunc(txs, func(f txFields) bool { return f.typ != types.LegacyTxType || f.protected }) {
		return nil, fmt.Errorf("chain ID %v that no transaction uses: %w", chainID, ErrNonCanonical)
	}
	next := 0
	for i := range blocks {
		if counts[i] == 0 {
			continue
		}
		blocks[i].Transactions = make([][]byte, counts[i])
		for j := range blocks[i].Transactions {
			raw, err := txs[next].build(chainID)
			if err != nil {
				if !errors.Is(err, ErrMalformed) {
					err = fmt.Errorf("%w: %v", ErrInvalidTx, err)
				}
				return nil, fmt.Errorf("block %d tx %d: %w", i, j, err)
			}
			if len(raw) > limits.MaxTxSize {
				return nil, fmt.Errorf("block %d tx %d: %w: %d bytes, limit %d", i, j, ErrTooLarge, len(raw), limits.MaxTxSize)
			}
			blocks[i].Transactions[j] = raw
			next++
		}
	}
	return out, nil
}

// decodeTxColumns reads the transaction columns of total transactions; the
// caller has checked that the payload can hold that many.
func decodeTxColumns(r *reader, total int, limits Limits) ([]txFields, error) {
	txs := make([]txFields, total)
	r.col = "tx types"
	legacy := 0
	for i, typ := range r.bytes(total) {
		if !knownType(typ) {
			return nil, fmt.Errorf("tx %d: %w: type %d", i, ErrInvalidTx, typ)
		}
		txs[i].typ = typ
		if typ == types.LegacyTxType {
			legacy++
		}
	}
	r.col = "protected bits"
	protected := r.bitsColumn(legacy)
	r.col = "creation bits"
	creation := r.bitsColumn(total)
	r.col = "y-parity bits"
	parity := r.bitsColumn(total)
	if r.err != nil {
		return nil, r.err
	}
	next := 0
	for i := range txs {
		if txs[i].typ == types.LegacyTxType {
			txs[i].protected = protected[next]
			next++
		}
		txs[i].yParity = parity[i]
	}
	r.col = "nonces"
	for i := range txs {
		txs[i].nonce = r.uvarint()
	}
	r.col = "gas limits"
	for i := range txs {
		txs[i].gas = r.uvarint()
	}
	r.col = "recipients"
	for i := range txs {
		if !creation[i] {
			to := common.BytesToAddress(r.bytes(common.AddressLength))
			txs[i].to = &to
		}
	}
	r.col = "values"
	for i := range txs {
		txs[i].value = r.u256()
	}
	r.col = "gas prices"
	for i := range txs {
		if !hasTipCap(txs[i].typ) {
			txs[i].gasPrice = r.u256()
		}
	}
	r.col = "tip caps"
	for i := range txs {
		if hasTipCap(txs[i].typ) {
			txs[i].tipCap = r.u256()
		}
	}
	r.col = "fee caps"
	for i := range txs {
		if hasTipCap(txs[i].typ) {
			txs[i].feeCap = r.u256()
		}
	}
	r.col = "data lengths"
	lengths := make([]int, total)
	for i := range lengths {
		l := r.uvarint()
		if r.err != nil {
			return nil, r.err
		}
		if l > uint64(limits.MaxTxSize) {
			return nil, fmt.Errorf("tx %d: %w: %d bytes of data, limit %d", i, ErrTooLarge, l, limits.MaxTxSize)
		}
		lengths[i] = int(l)
	}
	r.col = "data"
	for i := range txs {
		txs[i].data = r.bytes(lengths[i])
	}
	r.col = "access lists"
	for i := range txs {
		if hasAccessList(txs[i].typ) {
			txs[i].accessList = r.rlpList(limits.MaxTxSize)
		}
	}
	r.col = "authorization lists"
	for i := range txs {
		if txs[i].typ == types.SetCodeTxType {
			txs[i].authList = r.rlpList(limits.MaxTxSize)
		}
	}
	r.col = "r"
	for i := range txs {
		copy(txs[i].r[:], r.bytes(32))
	}
	r.col = "s"
	for i := range txs {
		copy(txs[i].s[:], r.bytes(32))
	}
	return txs, r.err
}

// rlpList reads one RLP list, encoding included, of at most max bytes.
func (r *reader) rlpList(max int) []byte {
	if r.err != nil {
		return nil
	}
	kind, _, rest, err := rlp.Split(r.buf)
	switch {
	case err != nil:
		r.fail(rlpError("list", err))
		return nil
	case kind != rlp.List:
		r.fail(fmt.Errorf("%w: not an RLP list", ErrMalformed))
		return nil
	}
	size := len(r.buf) - len(rest)
	if size > max {
		r.fail(fmt.Errorf("%w: list of %d bytes, limit %d", ErrTooLarge, size, max))
		return nil
	}
	return r.bytes(size)
}
