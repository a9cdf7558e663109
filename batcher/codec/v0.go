package codec

import (
	"errors"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rlp"
)

// rlpBatch and rlpBlock are the version 0 payload:
// [firstBlock, [[timestamp, originNumber, originHash, [tx, ...]], ...]].
type rlpBatch struct {
	FirstBlock uint64
	Blocks     []rlpBlock
}

type rlpBlock struct {
	Timestamp    uint64
	OriginNumber uint64
	OriginHash   common.Hash
	Transactions [][]byte
}

func encodeRLP(b *Batch) ([]byte, error) {
	out := rlpBatch{FirstBlock: b.FirstBlock, Blocks: make([]rlpBlock, len(b.Blocks))}
	for i, blk := range b.Blocks {
		for j, raw := range blk.Transactions {
			if _, err := checkTx(raw); err != nil {
				return nil, fmt.Errorf("block %d tx %d: %w", i, j, err)
			}
		}
		out.Blocks[i] = rlpBlock{blk.Timestamp, blk.L1Origin.Number, blk.L1Origin.Hash, blk.Transactions}
	}
	return rlp.EncodeToBytes(&out)
}

// decodeRLP walks the payload with rlp.Split so that every count is checked
// against the limits before a slice is allocated for it.
func decodeRLP(payload []byte, limits Limits) (*Batch, error) {
	batch, rest, err := rlp.SplitList(payload)
	if err != nil {
		return nil, rlpError("batch", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%d bytes after batch: %w", len(rest), ErrTrailingData)
	}
	first, batch, err := rlp.SplitUint64(batch)
	if err != nil {
		return nil, rlpError("first block", err)
	}
	blocks, rest, err := rlp.SplitList(batch)
	if err != nil {
		return nil, rlpError("blocks", err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: extra batch fields", ErrMalformed)
	}
	n, err := rlp.CountValues(blocks)
	if err != nil {
		return nil, rlpError("blocks", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no blocks", ErrMalformed)
	}
	if n > limits.MaxBlocks {
		return nil, fmt.Errorf("%w: %d blocks, limit %d", ErrTooLarge, n, limits.MaxBlocks)
	}
	out := &Batch{FirstBlock: first, Blocks: make([]Block, n)}
	budget := limits.MaxTxs // transactions the rest of the batch may hold
	for i := range out.Blocks {
		if out.Blocks[i], blocks, err = decodeRLPBlock(blocks, limits, budget); err != nil {
			return nil, fmt.Errorf("block %d: %w", i, err)
		}
		budget -= len(out.Blocks[i].Transactions)
	}
	return out, nil
}

func decodeRLPBlock(in []byte, limits Limits, budget int) (Block, []byte, error) {
	var blk Block
	fields, rest, err := rlp.SplitList(in)
	if err != nil {
		return blk, nil, rlpError("block", err)
	}
	if blk.Timestamp, fields, err = rlp.SplitUint64(fields); err != nil {
		return blk, nil, rlpError("timestamp", err)
	}
	if blk.L1Origin.Number, fields, err = rlp.SplitUint64(fields); err != nil {
		return blk, nil, rlpError("origin number", err)
	}
	hash, fields, err := rlp.SplitString(fields)
	if err != nil {
		return blk, nil, rlpError("origin hash", err)
	}
	if len(hash) != common.HashLength {
		return blk, nil, fmt.Errorf("%w: origin hash of %d bytes", ErrMalformed, len(hash))
	}
	blk.L1Origin.Hash = common.BytesToHash(hash)
	txs, fields, err := rlp.SplitList(fields)
	if err != nil {
		return blk, nil, rlpError("transactions", err)
	}
	if len(fields) != 0 {
		return blk, nil, fmt.Errorf("%w: extra block fields", ErrMalformed)
	}
	n, err := rlp.CountValues(txs)
	if err != nil {
		return blk, nil, rlpError("transactions", err)
	}
	if n > limits.MaxTxsPerBlock {
		return blk, nil, fmt.Errorf("%w: %d transactions, limit %d", ErrTooLarge, n, limits.MaxTxsPerBlock)
	}
	if n > budget {
		return blk, nil, fmt.Errorf("%w: over %d transactions in the batch", ErrTooLarge, limits.MaxTxs)
	}
	if n > 0 {
		blk.Transactions = make([][]byte, n)
	}
	for j := range blk.Transactions {
		raw, more, err := rlp.SplitString(txs)
		if err != nil {
			return blk, nil, rlpError(fmt.Sprintf("tx %d", j), err)
		}
		txs = more
		if len(raw) > limits.MaxTxSize {
			return blk, nil, fmt.Errorf("%w: tx %d of %d bytes, limit %d", ErrTooLarge, j, len(raw), limits.MaxTxSize)
		}
		if _, err := checkTx(raw); err != nil {
			if !errors.Is(err, ErrMalformed) { // e.g. a blob transaction
				err = fmt.Errorf("%w: %v", ErrInvalidTx, err)
			}
			return blk, nil, fmt.Errorf("tx %d: %w", j, err)
		}
		blk.Transactions[j] = raw
	}
	return blk, rest, nil
}

func rlpError(what string, err error) error {
	if errors.Is(err, rlp.ErrValueTooLarge) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %w", what, ErrTruncated)
	}
	if errors.Is(err, rlp.ErrCanonSize) || errors.Is(err, rlp.ErrCanonInt) {
		return fmt.Errorf("%s: %w", what, ErrNonCanonical)
	}
	return fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
}
