// Package codec is the batch wire format shared by the batcher, which
// encodes, and the verifier, which decodes. It imports nothing else of ours.
//
// A batch is a run of consecutive L2 blocks; per block it carries the
// timestamp, the L1 origin and the raw EIP-2718 transactions. Everything else
// is derived elsewhere. Decoding rebuilds every transaction byte for byte
// (tx.MarshalBinary()).
//
// # Envelope
//
//	encoded = version (1 byte) ‖ compressed payload
//
// The compressed stream must end exactly at the end of the input
// (ErrTrailingData), and decompresses to at most Limits.MaxDecompressed
// bytes (ErrTooLarge). Decode checks every count against Limits before it
// allocates for it, and never panics.
//
// # Version 0: RLP + zlib (baseline)
//
//	payload = RLP([firstBlock, [[timestamp, originNumber, originHash, [tx, ...]], ...]])
//
// compressed with zlib (RFC 1950). Each tx is an RLP byte string holding the
// transaction's binary encoding. It carries any canonical legacy, 2930, 1559
// or 7702 transaction.
//
// # Version 1: columnar + raw DEFLATE
//
// The payload groups like fields of all transactions together so DEFLATE
// (RFC 1951, no zlib wrapper) sees them side by side. Notation: uvarint is
// encoding/binary's unsigned varint, minimal (no trailing 0x00 byte);
// svarint(a, b) is the zigzag uvarint of the wrapping difference a-b as an
// int64; u256 is one length byte L (0..32) then L big-endian bytes without a
// leading zero; bits(n) is ceil(n/8) bytes holding n flags LSB first, with
// zero padding. n is the block count, T the transaction count, and columns
// marked "per X tx" hold entries only for transactions of those types, in
// batch order.
//
//	chainID          u256        the one chain ID of every tx that names one
//	                             (typed txs, EIP-155 legacy); 0 if none does
//	firstBlock       uvarint
//	n                uvarint     >= 1
//	timestamps       uvarint t[0], then svarint(t[i], t[i-1]) for i = 1..n-1
//	originChanged    bits(n-1)   bit i-1: block i's origin differs from block i-1's
//	originNumbers    uvarint for block 0, then svarint(new, previous) per set bit
//	originHashes     32 bytes for block 0, then 32 per set bit
//	txCounts         n × uvarint (T = sum)
//	txTypes          T bytes: 0 legacy, 1 access list, 2 dynamic fee, 4 set code
//	protected        bits(#legacy)  EIP-155 (V = 2·chainID+35+parity) or not (V = 27+parity)
//	contractCreation bits(T)     to is nil (never set for type 4)
//	yParity          bits(T)
//	nonces           T × uvarint
//	gasLimits        T × uvarint
//	to               20 bytes per tx not creating a contract
//	values           T × u256
//	gasPrices        u256 per type 0 and 1 tx
//	gasTipCaps       u256 per type 2 and 4 tx
//	gasFeeCaps       u256 per type 2 and 4 tx
//	dataLengths      T × uvarint
//	data             the calldata of every tx, concatenated
//	accessLists      the RLP list, per type 1, 2 and 4 tx
//	authLists        the RLP list of authorizations, per type 4 tx
//	r                T × 32 bytes
//	s                T × 32 bytes
//
// Nothing may follow the last column. The encoder refuses blob transactions
// (the L2 does not accept them) and any transaction the split cannot rebuild
// byte for byte (a V that is not a y-parity, chain IDs that differ within the
// batch); it proves each split by rebuilding the transaction. The decoder
// rejects non-canonical fields (ErrNonCanonical) so that what decodes also
// encodes, to the same batch.
//
// # Choosing a version
//
// TestMeasure (LANES_CODEC_MEASURE=1) prints size and speed for three
// synthetic workloads of 200 blocks × 50 signed transactions. Version 1 at
// level 9 is 6-9% smaller than version 0 and within 2-5% of brotli-10 on the
// plain RLP; signatures and fresh recipient addresses, which no codec can
// shrink, are already 78-85% of brotli-10's output. Hence DefaultVersion is
// 1 and DefaultLevel is 9.
package codec
