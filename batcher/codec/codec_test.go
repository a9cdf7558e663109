package codec

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"math/big"
	"math/rand"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/holiman/uint256"
)

// signedTxs returns one real signed transaction per supported form.
func signedTxs(t *testing.T) map[string]*types.Transaction {
	key := testKey(0)
	to := common.HexToAddress("0x00000000000000000000000000000000deadbeef")
	al := types.AccessList{{Address: to, StorageKeys: []common.Hash{{1}, {2}}}}
	latest := types.LatestSignerForChainID(testChainID)
	sign := func(signer types.Signer, inner types.TxData) *types.Transaction {
		tx, err := types.SignNewTx(key, signer, inner)
		if err != nil {
			t.Fatal(err)
		}
		return tx
	}
	auth, err := types.SignSetCode(testKey(1), types.SetCodeAuthorization{
		ChainID: *uint256.MustFromBig(testChainID), Address: to, Nonce: 7})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]*types.Transaction{
		"legacy-eip155": sign(types.NewEIP155Signer(testChainID), &types.LegacyTx{
			Nonce: 1, GasPrice: big.NewInt(1e9), Gas: 21000, To: &to, Value: big.NewInt(1e18)}),
		"legacy-unprotected": sign(types.HomesteadSigner{}, &types.LegacyTx{
			Nonce: 2, GasPrice: big.NewInt(1e9), Gas: 50000, To: &to, Data: []byte{1, 2, 3}}),
		"legacy-create": sign(types.NewEIP155Signer(testChainID), &types.LegacyTx{
			Nonce: 3, GasPrice: big.NewInt(7), Gas: 1e6, Data: bytes.Repeat([]byte{0x60}, 100)}),
		"access-list": sign(latest, &types.AccessListTx{ChainID: testChainID,
			Nonce: 4, GasPrice: big.NewInt(1e9), Gas: 60000, To: &to, AccessList: al}),
		"access-list-create": sign(latest, &types.AccessListTx{ChainID: testChainID,
			Nonce: 5, GasPrice: big.NewInt(1e9), Gas: 60000, Data: []byte{0xfe}}),
		"dynamic-fee": sign(latest, &types.DynamicFeeTx{ChainID: testChainID, Nonce: 6,
			GasTipCap: big.NewInt(1e8), GasFeeCap: big.NewInt(3e9), Gas: 21000, To: &to, Value: big.NewInt(12345)}),
		"dynamic-fee-access-list": sign(latest, &types.DynamicFeeTx{ChainID: testChainID, Nonce: 7,
			GasTipCap: big.NewInt(0), GasFeeCap: big.NewInt(3e9), Gas: 90000, To: &to, AccessList: al,
			Data: common.FromHex("a9059cbb")}),
		"dynamic-fee-create": sign(latest, &types.DynamicFeeTx{ChainID: testChainID, Nonce: 8,
			GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 5e6, Data: []byte{0x60, 0x80}}),
		"set-code": sign(latest, &types.SetCodeTx{ChainID: uint256.MustFromBig(testChainID), Nonce: 9,
			GasTipCap: uint256.NewInt(1e8), GasFeeCap: uint256.NewInt(3e9), Gas: 100000, To: to,
			AccessList: al, AuthList: []types.SetCodeAuthorization{auth}}),
	}
}

func TestRoundTripPerType(t *testing.T) {
	for name, tx := range signedTxs(t) {
		t.Run(name, func(t *testing.T) {
			raw := mustMarshal(t, tx)
			b := &Batch{FirstBlock: 100, Blocks: []Block{
				{Timestamp: 1000, L1Origin: L1Origin{Number: 5, Hash: common.Hash{5}}, Transactions: [][]byte{raw}},
				{Timestamp: 1002, L1Origin: L1Origin{Number: 5, Hash: common.Hash{5}}},
				{Timestamp: 1004, L1Origin: L1Origin{Number: 6, Hash: common.Hash{6}}, Transactions: [][]byte{raw, raw}},
			}}
			for _, version := range []byte{VersionRLP, VersionColumnar} {
				for _, level := range []int{1, 6, 9} {
					roundTrip(t, b, version, level)
				}
			}
		})
	}
}

func TestRoundTripAllTypesOneBatch(t *testing.T) {
	var txs [][]byte
	for _, tx := range signedTxs(t) {
		txs = append(txs, mustMarshal(t, tx))
	}
	b := &Batch{FirstBlock: 1, Blocks: []Block{{Timestamp: 9, Transactions: txs}}}
	roundTrip(t, b, VersionRLP, DefaultLevel)
	roundTrip(t, b, VersionColumnar, DefaultLevel)
}

func TestRoundTripRandom(t *testing.T) {
	for seed := int64(0); seed < 60; seed++ {
		rng := rand.New(rand.NewSource(seed))
		b := randBatch(t, rng, 20, 8)
		for _, version := range []byte{VersionRLP, VersionColumnar} {
			roundTrip(t, b, version, 1+int(seed%9))
		}
	}
}

func blobTx(t *testing.T) []byte {
	to := common.Address{1}
	tx := types.NewTx(&types.BlobTx{ChainID: uint256.MustFromBig(testChainID), Nonce: 1, GasTipCap: uint256.NewInt(1),
		GasFeeCap: uint256.NewInt(1), Gas: 21000, To: to, Value: uint256.NewInt(0), BlobFeeCap: uint256.NewInt(1),
		BlobHashes: []common.Hash{{1}}, V: uint256.NewInt(0), R: uint256.NewInt(1), S: uint256.NewInt(1)})
	return mustMarshal(t, tx)
}

func TestEncodeErrors(t *testing.T) {
	txs := signedTxs(t)
	good := mustMarshal(t, txs["dynamic-fee"])
	otherChain := mustMarshal(t, types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), GasTipCap: big.NewInt(1),
		GasFeeCap: big.NewInt(1), Value: big.NewInt(0), V: big.NewInt(0), R: big.NewInt(1), S: big.NewInt(1)}))
	badV := mustMarshal(t, types.NewTx(&types.DynamicFeeTx{ChainID: testChainID, GasTipCap: big.NewInt(1),
		GasFeeCap: big.NewInt(1), Value: big.NewInt(0), V: big.NewInt(5), R: big.NewInt(1), S: big.NewInt(1)}))
	legacyBadV := mustMarshal(t, types.NewTx(&types.LegacyTx{GasPrice: big.NewInt(1), Value: big.NewInt(0),
		V: big.NewInt(30), R: big.NewInt(1), S: big.NewInt(1)}))
	block := func(txs ...[]byte) *Batch { return &Batch{Blocks: []Block{{Transactions: txs}}} }
	tests := []struct {
		name    string
		batch   *Batch
		version byte
		want    error
	}{
		{"empty batch", &Batch{}, VersionColumnar, ErrEmptyBatch},
		{"unknown version", block(good), 7, ErrUnknownVersion},
		{"garbage tx v0", block([]byte{0x02, 0xc0}), VersionRLP, ErrInvalidTx},
		{"garbage tx v1", block([]byte{0xff}), VersionColumnar, ErrInvalidTx},
		{"empty tx v1", block([]byte{}), VersionColumnar, ErrInvalidTx},
		{"blob tx v0", block(blobTx(t)), VersionRLP, ErrUnsupportedTx},
		{"blob tx v1", block(blobTx(t)), VersionColumnar, ErrUnsupportedTx},
		{"mixed chain IDs v1", block(good, otherChain), VersionColumnar, ErrUnsupportedTx},
		{"typed V not a parity v1", block(badV), VersionColumnar, ErrUnsupportedTx},
		{"legacy V 30 v1", block(legacyBadV), VersionColumnar, ErrUnsupportedTx},
		// What Decode would refuse under DefaultLimits is not encoded.
		{"too many blocks", &Batch{Blocks: make([]Block, DefaultLimits.MaxBlocks+1)}, VersionColumnar, ErrTooLarge},
		{"too many transactions", block(slices.Repeat([][]byte{good}, DefaultLimits.MaxTxsPerBlock+1)...), VersionRLP, ErrTooLarge},
		{"transaction too large", block(make([]byte, DefaultLimits.MaxTxSize+1)), VersionColumnar, ErrTooLarge},
		{"too many transactions in the batch", &Batch{Blocks: slices.Repeat([]Block{{Transactions: slices.Repeat([][]byte{good}, DefaultLimits.MaxTxsPerBlock)}}, DefaultLimits.MaxTxs/DefaultLimits.MaxTxsPerBlock+1)}, VersionRLP, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(tt.batch, tt.version)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// The baseline carries any canonical transaction, even ones v1 cannot.
	if _, err := Encode(block(otherChain, good, badV, legacyBadV), VersionRLP); err != nil {
		t.Fatalf("v0 refused a valid transaction: %v", err)
	}
}

func compressV1(payload []byte) []byte {
	var buf bytes.Buffer
	buf.WriteByte(VersionColumnar)
	w, _ := flate.NewWriter(&buf, 9)
	w.Write(payload)
	w.Close()
	return buf.Bytes()
}

func compressV0(payload []byte) []byte {
	var buf bytes.Buffer
	buf.WriteByte(VersionRLP)
	w := zlib.NewWriter(&buf)
	w.Write(payload)
	w.Close()
	return buf.Bytes()
}

// v1Header is a version 1 payload up to the tx counts: chain ID 1, first
// block 0, n blocks at timestamp 0 with one origin.
func v1Header(n int) *writer { return v1HeaderChain(1, n) }

// v1HeaderChain is v1Header with the given chain ID.
func v1HeaderChain(chainID uint64, n int) *writer {
	w := &writer{}
	w.u256(uint256.NewInt(chainID))
	w.uvarint(0)
	w.uvarint(uint64(n))
	w.uvarint(0)
	for i := 1; i < n; i++ {
		w.uvarint(0)
	}
	w.bitsColumn(make([]bool, n-1))
	w.uvarint(0)
	w.bytes(make([]byte, 32))
	return w
}

func TestDecodeErrors(t *testing.T) {
	good, err := Encode(&Batch{Blocks: []Block{{Transactions: [][]byte{mustMarshal(t, signedTxs(t)["set-code"])}}}}, VersionColumnar)
	if err != nil {
		t.Fatal(err)
	}
	payload := func(build func(w *writer)) []byte {
		w := &writer{}
		build(w)
		return compressV1(w.buf)
	}
	withCounts := func(counts ...uint64) []byte {
		w := v1Header(len(counts))
		for _, c := range counts {
			w.uvarint(c)
		}
		return compressV1(w.buf)
	}
	// one legacy tx with every column present; mutate picks a byte to change
	oneTx := func(typ byte, creation bool, extra []byte) []byte {
		w := v1Header(1)
		w.uvarint(1)
		w.bytes([]byte{typ})
		if typ == 0 {
			w.bitsColumn([]bool{true})
		}
		w.bitsColumn([]bool{creation})
		w.bitsColumn([]bool{false})
		w.uvarint(0)
		w.uvarint(21000)
		if !creation {
			w.bytes(make([]byte, 20))
		}
		w.u256(uint256.NewInt(0))
		if hasTipCap(typ) {
			w.u256(uint256.NewInt(1))
		}
		w.u256(uint256.NewInt(1))
		w.uvarint(0)
		if hasAccessList(typ) {
			w.bytes([]byte{0xc0})
		}
		if typ == types.SetCodeTxType {
			w.bytes([]byte{0xc0})
		}
		w.bytes(make([]byte, 64))
		w.bytes(extra)
		return compressV1(w.buf)
	}
	blob := blobTx(t)
	v0 := func(first uint64, blocks ...rlpBlock) []byte {
		enc, err := rlp.EncodeToBytes(&rlpBatch{FirstBlock: first, Blocks: blocks})
		if err != nil {
			t.Fatal(err)
		}
		return compressV0(enc)
	}
	small := Limits{MaxDecompressed: 1 << 16, MaxBlocks: 4, MaxTxsPerBlock: 2, MaxTxs: 4, MaxTxSize: 100}
	fewer := small
	fewer.MaxTxs = 3
	tests := []struct {
		name   string
		data   []byte
		limits Limits
		want   error
	}{
		{"empty input", nil, DefaultLimits, ErrTruncated},
		{"unknown version", []byte{9, 1, 2}, DefaultLimits, ErrUnknownVersion},
		{"no stream", []byte{VersionColumnar}, DefaultLimits, ErrTruncated},
		{"truncated stream", good[:len(good)/2], DefaultLimits, ErrTruncated},
		{"trailing after stream", append(append([]byte{}, good...), 0), DefaultLimits, ErrTrailingData},
		{"corrupt stream", []byte{VersionColumnar, 0xff, 0xff, 0xff}, DefaultLimits, ErrMalformed},
		{"bad zlib header", []byte{VersionRLP, 0x00, 0x00}, DefaultLimits, ErrMalformed},
		{"decompressed too large", compressV1(make([]byte, 1<<16+1)), small, ErrTooLarge},
		{"valid is valid", good, DefaultLimits, nil},
		{"valid over tx size", good, small, ErrTooLarge},
		{"no blocks", payload(func(w *writer) { w.u256(uint256.NewInt(1)); w.uvarint(0); w.uvarint(0) }), DefaultLimits, ErrMalformed},
		{"too many blocks", payload(func(w *writer) { w.u256(uint256.NewInt(1)); w.uvarint(0); w.uvarint(5) }), small, ErrTooLarge},
		{"blocks beyond payload", payload(func(w *writer) { w.u256(uint256.NewInt(1)); w.uvarint(0); w.uvarint(3) }), small, ErrTruncated},
		{"non-canonical varint", payload(func(w *writer) { w.u256(uint256.NewInt(1)); w.bytes([]byte{0x80, 0x00}) }), DefaultLimits, ErrNonCanonical},
		{"varint overflow", payload(func(w *writer) { w.u256(uint256.NewInt(1)); w.bytes(bytes.Repeat([]byte{0xff}, 11)) }), DefaultLimits, ErrMalformed},
		{"chain ID leading zero", payload(func(w *writer) { w.bytes([]byte{2, 0, 1}) }), DefaultLimits, ErrNonCanonical},
		{"chain ID over 32 bytes", payload(func(w *writer) { w.bytes([]byte{33}) }), DefaultLimits, ErrMalformed},
		{"padding bits", payload(func(w *writer) {
			w.u256(uint256.NewInt(1))
			w.uvarint(0)
			w.uvarint(2)
			w.uvarint(0)
			w.uvarint(0)
			w.bytes([]byte{0x02})
		}), DefaultLimits, ErrNonCanonical},
		{"origin changed but equal", payload(func(w *writer) {
			w.u256(uint256.NewInt(1))
			w.uvarint(0)
			w.uvarint(2)
			w.uvarint(0)
			w.uvarint(0)
			w.bitsColumn([]bool{true})
			w.uvarint(0)
			w.uvarint(0)
			w.bytes(make([]byte, 64))
			w.uvarint(0)
			w.uvarint(0)
		}), DefaultLimits, ErrNonCanonical},
		{"too many txs in block", withCounts(0, 3), small, ErrTooLarge},
		{"txs beyond payload", withCounts(2, 2), small, ErrTruncated},
		{"too many txs in batch", func() []byte {
			w := v1Header(2)
			w.uvarint(2)
			w.uvarint(2)
			w.bytes(make([]byte, 4*minTxBytes)) // room for them, so that the count is what fails
			return compressV1(w.buf)
		}(), fewer, ErrTooLarge},
		{"empty blocks ok", func() []byte {
			w := v1HeaderChain(0, 2)
			w.uvarint(0)
			w.uvarint(0)
			return compressV1(w.buf)
		}(), small, nil},
		// Without a transaction to carry it, the chain ID is zero.
		{"chain ID no transaction uses", withCounts(0, 0), small, ErrNonCanonical},
		{"trailing in payload", func() []byte {
			w := v1Header(1)
			w.uvarint(0)
			w.uvarint(0)
			return compressV1(w.buf)
		}(), DefaultLimits, ErrTrailingData},
		{"legacy tx ok", oneTx(0, false, nil), DefaultLimits, nil},
		{"set-code tx ok", oneTx(4, false, nil), DefaultLimits, nil},
		{"trailing after columns", oneTx(0, false, []byte{0}), DefaultLimits, ErrTrailingData},
		{"blob type", oneTx(3, false, nil), DefaultLimits, ErrInvalidTx},
		{"unknown type", oneTx(0x7f, false, nil), DefaultLimits, ErrInvalidTx},
		{"set-code creation", oneTx(4, true, nil), DefaultLimits, ErrInvalidTx},
		{"v0 valid", v0(1, rlpBlock{Transactions: [][]byte{mustMarshal(t, signedTxs(t)["legacy-eip155"])}}), DefaultLimits, nil},
		{"v0 no blocks", v0(1), DefaultLimits, ErrMalformed},
		{"v0 too many blocks", v0(1, rlpBlock{}, rlpBlock{}, rlpBlock{}, rlpBlock{}, rlpBlock{}), small, ErrTooLarge},
		{"v0 too many txs", v0(1, rlpBlock{Transactions: [][]byte{{1}, {2}, {3}}}), small, ErrTooLarge},
		{"v0 tx too large", v0(1, rlpBlock{Transactions: [][]byte{make([]byte, 101)}}), small, ErrTooLarge},
		{"v0 garbage tx", v0(1, rlpBlock{Transactions: [][]byte{{0x02, 0x01}}}), DefaultLimits, ErrInvalidTx},
		{"v0 blob tx", v0(1, rlpBlock{Transactions: [][]byte{blob}}), DefaultLimits, ErrInvalidTx},
		{"v0 trailing rlp", compressV0([]byte{0xc3, 0x01, 0xc0, 0x00, 0x00}), DefaultLimits, ErrTrailingData},
		{"v0 truncated rlp", compressV0([]byte{0xc5, 0x01, 0xc0}), DefaultLimits, ErrTruncated},
		{"v0 non-canonical int", compressV0([]byte{0xc3, 0x81, 0x01, 0xc0}), DefaultLimits, ErrNonCanonical},
		{"v0 short origin hash", compressV0([]byte{0xc6, 0x01, 0xc4, 0xc3, 0x01, 0x01, 0x80}), DefaultLimits, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, tt.limits)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			t.Log(err)
		})
	}
}

// TestDecodeTxsPerBatchV0 checks the per-batch transaction limit on the
// RLP encoding, which counts block by block.
func TestDecodeTxsPerBatchV0(t *testing.T) {
	tx := mustMarshal(t, signedTxs(t)["dynamic-fee"])
	b := &Batch{FirstBlock: 1, Blocks: []Block{{Transactions: [][]byte{tx, tx}}, {Transactions: [][]byte{tx, tx}}}}
	data, err := Encode(b, VersionRLP)
	if err != nil {
		t.Fatal(err)
	}
	limits := DefaultLimits
	limits.MaxTxs = 4
	if _, err := Decode(data, limits); err != nil {
		t.Fatalf("4 transactions within a limit of 4: %v", err)
	}
	limits.MaxTxs = 3
	if _, err := Decode(data, limits); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("4 transactions over a limit of 3: %v, want %v", err, ErrTooLarge)
	}
}
