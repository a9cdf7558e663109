package mpt

import (
	"bytes"
	"math/big"
	"math/rand"
	"sort"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/holiman/uint256"
)

// gethTrie is what the tests use of *trie.StateTrie and *trie.Trie.
type gethTrie interface {
	Prover
	MustGet(key []byte) []byte
	MustUpdate(key, value []byte)
	MustDelete(key []byte)
	Hash() common.Hash
}

// reference is the go-ethereum trie that the library is compared against.
type reference struct {
	gethTrie
	// secure: keys are addresses or slots, hashed by the trie itself (a
	// trie.StateTrie). Otherwise keys are the 32-byte paths themselves (a
	// trie.Trie), so that a test can pick paths sharing many nibbles: the
	// same structure, since a StateTrie is a Trie over hashed keys.
	secure bool
}

func newSecureRef(tb testing.TB) *reference {
	tb.Helper()
	db := triedb.NewDatabase(rawdb.NewMemoryDatabase(), nil)
	t, err := trie.NewStateTrie(trie.TrieID(types.EmptyRootHash), db)
	if err != nil {
		tb.Fatal(err)
	}
	return &reference{t, true}
}

func newPlainRef() *reference { return &reference{trie.NewEmpty(nil), false} }

// path is the trie path of key.
func (r *reference) path(key []byte) common.Hash {
	if r.secure {
		return crypto.Keccak256Hash(key)
	}
	return common.BytesToHash(key)
}

func (r *reference) get(key []byte) []byte { return r.MustGet(key) }
func (r *reference) root() common.Hash     { return r.Hash() }

// set sets key to value; an empty value deletes.
func (r *reference) set(key, value []byte) {
	if len(value) == 0 {
		r.MustDelete(key)
	} else {
		r.MustUpdate(key, value)
	}
}

// storageValue is a storage leaf: the RLP of the trimmed word.
func storageValue(v *uint256.Int) []byte {
	enc, err := rlp.EncodeToBytes(v.Bytes())
	if err != nil {
		panic(err)
	}
	return enc
}

// accountValue is an account leaf: the RLP of [nonce, balance, root, codeHash].
func accountValue(r *rand.Rand) []byte {
	acc := types.StateAccount{
		Nonce:    uint64(r.Intn(1000)),
		Balance:  uint256.NewInt(r.Uint64()),
		Root:     types.EmptyRootHash,
		CodeHash: types.EmptyCodeHash.Bytes(),
	}
	if r.Intn(3) == 0 {
		acc.Root = randHash(r)
		acc.CodeHash = randHash(r).Bytes()
	}
	enc, err := rlp.EncodeToBytes(&acc)
	if err != nil {
		panic(err)
	}
	return enc
}

// randomValue returns a leaf value, mostly tiny storage values (which make
// embedded nodes), sometimes wide words or accounts.
func randomValue(r *rand.Rand) []byte {
	switch r.Intn(8) {
	case 0, 1, 2, 3:
		return storageValue(uint256.NewInt(uint64(1 + r.Intn(0x7f)))) // one byte
	case 4:
		return storageValue(uint256.NewInt(uint64(0x80 + r.Intn(0xffff))))
	case 5:
		var b [32]byte
		r.Read(b[:])
		b[0] |= 1
		return storageValue(new(uint256.Int).SetBytes(b[:]))
	default:
		return accountValue(r)
	}
}

func randHash(r *rand.Rand) (h common.Hash) {
	r.Read(h[:])
	return h
}

// collidingSlots returns pairs of storage slots whose keccak hashes share
// at least seven leading nibbles, the longest first. They are found by
// sorting the hashes of the slots 0..2^20-1: neighbours in hash order share
// up to ~9 nibbles. Below eight shared nibbles, leaves with one-byte values
// are short enough to be embedded in their branch.
var collidingSlots = sync.OnceValue(func() [][2][]byte {
	const n = 1 << 20
	type entry struct {
		hash common.Hash
		slot uint64
	}
	entries := make([]entry, n)
	var slot common.Hash
	for i := range entries {
		new(big.Int).SetUint64(uint64(i)).FillBytes(slot[:])
		entries[i] = entry{crypto.Keccak256Hash(slot[:]), uint64(i)}
	}
	sort.Slice(entries, func(i, j int) bool { return bytes.Compare(entries[i].hash[:], entries[j].hash[:]) < 0 })
	type pair struct {
		slots  [2][]byte
		shared int
	}
	var pairs []pair
	for i := 1; i < n; i++ {
		if shared := sharedNibbles(entries[i-1].hash, entries[i].hash); shared >= 7 {
			pairs = append(pairs, pair{[2][]byte{slotBytes(entries[i-1].slot), slotBytes(entries[i].slot)}, shared})
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].shared > pairs[j].shared })
	out := make([][2][]byte, len(pairs))
	for i, p := range pairs {
		out[i] = p.slots
	}
	return out
})

// slotBytes is a storage slot number as a 32-byte word.
func slotBytes(n uint64) []byte {
	return common.BigToHash(new(big.Int).SetUint64(n)).Bytes()
}

// sharedNibbles counts the leading nibbles a and b share.
func sharedNibbles(a, b common.Hash) int {
	n := 0
	for n < 64 && nibble(a, n) == nibble(b, n) {
		n++
	}
	return n
}
