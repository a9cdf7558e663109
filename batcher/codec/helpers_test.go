package codec

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"math/rand"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

var testChainID = big.NewInt(42069)

func testKey(i int) *ecdsa.PrivateKey {
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("lanes-codec-key-%d", i))))
	if err != nil {
		panic(err)
	}
	return key
}

func mustMarshal(t testing.TB, tx *types.Transaction) []byte {
	t.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func randAddr(rng *rand.Rand) common.Address {
	var a common.Address
	rng.Read(a[:])
	return a
}

func randHash(rng *rand.Rand) common.Hash {
	var h common.Hash
	rng.Read(h[:])
	return h
}

// randBig returns a value of up to maxBytes random bytes, often small or zero.
func randBig(rng *rand.Rand, maxBytes int) *big.Int {
	switch rng.Intn(4) {
	case 0:
		return new(big.Int)
	case 1:
		return big.NewInt(rng.Int63n(1000))
	}
	b := make([]byte, 1+rng.Intn(maxBytes))
	rng.Read(b)
	return new(big.Int).SetBytes(b)
}

func randData(rng *rand.Rand) []byte {
	if rng.Intn(3) == 0 {
		return nil
	}
	b := make([]byte, rng.Intn(300))
	rng.Read(b)
	return b
}

func randAccessList(rng *rand.Rand) types.AccessList {
	var al types.AccessList
	for i := rng.Intn(3); i > 0; i-- {
		tuple := types.AccessTuple{Address: randAddr(rng)}
		for j := rng.Intn(3); j > 0; j-- {
			tuple.StorageKeys = append(tuple.StorageKeys, randHash(rng))
		}
		al = append(al, tuple)
	}
	return al
}

func randAuthList(rng *rand.Rand) []types.SetCodeAuthorization {
	auths := make([]types.SetCodeAuthorization, 1+rng.Intn(2))
	for i := range auths {
		auths[i] = types.SetCodeAuthorization{
			ChainID: *uint256.MustFromBig(randBig(rng, 8)),
			Address: randAddr(rng),
			Nonce:   rng.Uint64() >> rng.Intn(64),
			V:       uint8(rng.Intn(2)),
			R:       *uint256.MustFromBig(randBig(rng, 32)),
			S:       *uint256.MustFromBig(randBig(rng, 32)),
		}
	}
	return auths
}

// randTx returns a random transaction of a type the codec carries, with
// random (not valid) signature values of the right form for chainID.
func randTx(rng *rand.Rand, chainID *big.Int) *types.Transaction {
	nonce := rng.Uint64() >> rng.Intn(64)
	gas := rng.Uint64() >> rng.Intn(64)
	var to *common.Address
	if rng.Intn(5) != 0 {
		a := randAddr(rng)
		to = &a
	}
	parity := big.NewInt(int64(rng.Intn(2)))
	r, s := randBig(rng, 32), randBig(rng, 32)
	switch rng.Intn(5) {
	case 0:
		v := new(big.Int).Add(parity, big.NewInt(27))
		if rng.Intn(4) != 0 {
			v.Add(parity, new(big.Int).Add(new(big.Int).Lsh(chainID, 1), big.NewInt(35)))
		}
		return types.NewTx(&types.LegacyTx{Nonce: nonce, GasPrice: randBig(rng, 32), Gas: gas, To: to,
			Value: randBig(rng, 32), Data: randData(rng), V: v, R: r, S: s})
	case 1:
		return types.NewTx(&types.AccessListTx{ChainID: chainID, Nonce: nonce, GasPrice: randBig(rng, 32),
			Gas: gas, To: to, Value: randBig(rng, 32), Data: randData(rng), AccessList: randAccessList(rng),
			V: parity, R: r, S: s})
	case 2, 3:
		return types.NewTx(&types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: randBig(rng, 32),
			GasFeeCap: randBig(rng, 32), Gas: gas, To: to, Value: randBig(rng, 32), Data: randData(rng),
			AccessList: randAccessList(rng), V: parity, R: r, S: s})
	default:
		return types.NewTx(&types.SetCodeTx{ChainID: uint256.MustFromBig(chainID), Nonce: nonce,
			GasTipCap: uint256.MustFromBig(randBig(rng, 32)), GasFeeCap: uint256.MustFromBig(randBig(rng, 32)),
			Gas: gas, To: randAddr(rng), Value: uint256.MustFromBig(randBig(rng, 32)), Data: randData(rng),
			AccessList: randAccessList(rng), AuthList: randAuthList(rng),
			V: uint256.MustFromBig(parity), R: uint256.MustFromBig(r), S: uint256.MustFromBig(s)})
	}
}

// randBatch returns a random batch; timestamps and origin numbers may go
// backwards, which the codec carries as it is.
func randBatch(t testing.TB, rng *rand.Rand, maxBlocks, maxTxs int) *Batch {
	b := &Batch{FirstBlock: rng.Uint64() >> rng.Intn(64), Blocks: make([]Block, 1+rng.Intn(maxBlocks))}
	ts := rng.Uint64()
	origin := L1Origin{Number: rng.Uint64() >> rng.Intn(64), Hash: randHash(rng)}
	for i := range b.Blocks {
		switch rng.Intn(10) {
		case 0:
			ts = rng.Uint64()
		default:
			ts += uint64(rng.Intn(3))
		}
		if rng.Intn(3) == 0 {
			origin = L1Origin{Number: origin.Number + uint64(rng.Intn(3)) - 1, Hash: randHash(rng)}
		}
		blk := Block{Timestamp: ts, L1Origin: origin}
		for j := rng.Intn(maxTxs + 1); j > 0; j-- {
			blk.Transactions = append(blk.Transactions, mustMarshal(t, randTx(rng, testChainID)))
		}
		b.Blocks[i] = blk
	}
	return b
}

// batchesEqual compares batches, treating nil and empty transaction lists
// alike.
func batchesEqual(a, b *Batch) bool {
	if a.FirstBlock != b.FirstBlock || len(a.Blocks) != len(b.Blocks) {
		return false
	}
	for i := range a.Blocks {
		x, y := a.Blocks[i], b.Blocks[i]
		if x.Timestamp != y.Timestamp || x.L1Origin != y.L1Origin || len(x.Transactions) != len(y.Transactions) {
			return false
		}
		for j := range x.Transactions {
			if !bytes.Equal(x.Transactions[j], y.Transactions[j]) {
				return false
			}
		}
	}
	return true
}

func roundTrip(t testing.TB, b *Batch, version byte, level int) {
	t.Helper()
	enc, err := EncodeLevel(b, version, level)
	if err != nil {
		t.Fatalf("encode v%d level %d: %v", version, level, err)
	}
	dec, err := Decode(enc, DefaultLimits)
	if err != nil {
		t.Fatalf("decode v%d level %d: %v", version, level, err)
	}
	if !batchesEqual(b, dec) {
		t.Fatalf("v%d level %d: decoded batch differs", version, level)
	}
}
