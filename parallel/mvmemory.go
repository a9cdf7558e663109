package parallel

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/triedb/database"
	"github.com/holiman/uint256"
)

// keyKind names the part of an account a stateKey refers to. Each kind is a
// separate conflict key, so that two transactions touching different fields
// or slots of one account do not conflict.
type keyKind uint8

const (
	kindBalance keyKind = iota
	kindNonce
	kindCode
	kindExists
	kindStorage
)

// stateKey is one conflict key of the multi-version memory.
type stateKey struct {
	addr common.Address
	kind keyKind
	slot common.Hash // only for kindStorage
}

func balanceKey(addr common.Address) stateKey { return stateKey{addr: addr, kind: kindBalance} }
func nonceKey(addr common.Address) stateKey   { return stateKey{addr: addr, kind: kindNonce} }
func codeKey(addr common.Address) stateKey    { return stateKey{addr: addr, kind: kindCode} }
func existsKey(addr common.Address) stateKey  { return stateKey{addr: addr, kind: kindExists} }
func slotKey(addr common.Address, slot common.Hash) stateKey {
	return stateKey{addr: addr, kind: kindStorage, slot: slot}
}

// codeValue is an account's code together with its hash. They live under one
// key so that an execution can never see a code and a hash from different
// writers: the interpreter keys its jumpdest analysis by the hash.
type codeValue struct {
	code []byte
	hash common.Hash
}

var emptyCode = &codeValue{hash: types.EmptyCodeHash}

func newCodeValue(code []byte) *codeValue {
	if len(code) == 0 {
		return emptyCode
	}
	return &codeValue{code: code, hash: crypto.Keccak256Hash(code)}
}

// value is what one key holds. num carries a balance, a nonce, an existence
// flag (0 or 1) or a storage word; code is set for kindCode only.
type value struct {
	num  uint256.Int
	code *codeValue
}

func (v *value) equal(o *value) bool {
	if v.code != nil || o.code != nil {
		return v.codeHash() == o.codeHash()
	}
	return v.num == o.num
}

func (v value) isZero() bool { return v.num.IsZero() }

func (v value) word() common.Hash { return v.num.Bytes32() }

func (v value) codeHash() common.Hash {
	if v.code == nil {
		return types.EmptyCodeHash
	}
	return v.code.hash
}

// mvEntry is one transaction's write to a key. A delta entry adds to what the
// key held before instead of replacing it; only the fee recipient's balance
// is written that way. An estimate entry marks the write of an aborted
// incarnation that is likely to be written again.
type mvEntry struct {
	tx       int
	inc      int
	estimate bool
	delta    bool
	val      value
}

// mvCell holds the versions of one key, ordered by transaction index, and the
// key's value in the pre-state.
type mvCell struct {
	key      stateKey
	mu       sync.RWMutex
	entries  []mvEntry
	baseOnce sync.Once
	base     value
}

const mvShards = 256

type mvShard struct {
	mu    sync.RWMutex
	cells map[stateKey]*mvCell
	slab  []mvCell // cells are carved from slabs to spare allocations
}

// cellSlab is how many cells a shard allocates at once.
const cellSlab = 32

// keysPerTx sizes the shards' maps up front, so that they rarely grow.
const keysPerTx = 12

// baseState serves the pre-state to the workers. Every key reaches it at
// most once per block: its value is then cached in the key's cell.
//
// Accounts are read without locks from reader (a cached, thread-safe reader
// of the parent state) when there is one. The accounts the pre-execution
// system calls changed, and every account when there is no reader, come
// from db, a *state.StateDB, which does not allow concurrent use and so is
// read under mu.
type baseState struct {
	mu     sync.Mutex
	db     *state.StateDB
	reader state.Reader
	// slotReader serves storage slots, each read once, without a cache.
	slotReader state.Reader
	// flat, when set, is the parent state's flat (snapshot) reader. Slots
	// are read from it directly, with each account's hash computed once
	// per block (addrHashes) rather than for every slot; a slot it cannot
	// serve goes to slotReader.
	flat       database.StateReader
	addrHashes sync.Map // common.Address -> common.Hash
	overlay    map[common.Address]bool
}

func (b *baseState) load(k stateKey) value {
	if b.reader != nil && !b.overlay[k.addr] {
		if v, err := b.loadReader(k); err == nil {
			return v
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var v value
	switch k.kind {
	case kindBalance:
		v.num.Set(b.db.GetBalance(k.addr))
	case kindNonce:
		v.num.SetUint64(b.db.GetNonce(k.addr))
	case kindCode:
		code := b.db.GetCode(k.addr)
		if len(code) == 0 {
			v.code = emptyCode
		} else {
			v.code = &codeValue{code: code, hash: b.db.GetCodeHash(k.addr)}
		}
	case kindExists:
		if b.db.Exist(k.addr) {
			v.num.SetOne()
		}
	case kindStorage:
		word := b.db.GetState(k.addr, k.slot)
		v.num.SetBytes32(word[:])
	}
	return v
}

func (b *baseState) loadReader(k stateKey) (value, error) {
	var v value
	if k.kind == kindStorage {
		word, err := b.flatStorage(k.addr, k.slot)
		if err != nil {
			word, err = b.slotReader.Storage(k.addr, k.slot)
		}
		if err != nil {
			return v, err
		}
		v.num.SetBytes32(word[:])
		return v, nil
	}
	acc, err := b.reader.Account(k.addr)
	if err != nil {
		return v, err
	}
	switch k.kind {
	case kindBalance:
		if acc != nil {
			v.num.Set(acc.Balance)
		}
	case kindNonce:
		if acc != nil {
			v.num.SetUint64(acc.Nonce)
		}
	case kindExists:
		if acc != nil {
			v.num.SetOne()
		}
	case kindCode:
		v.code = emptyCode
		if acc != nil && common.BytesToHash(acc.CodeHash) != types.EmptyCodeHash {
			code := b.reader.Code(k.addr, common.BytesToHash(acc.CodeHash))
			if len(code) == 0 {
				return v, errMissingCode
			}
			v.code = &codeValue{code: code, hash: common.BytesToHash(acc.CodeHash)}
		}
	}
	return v, nil
}

var errMissingCode = errors.New("missing code")

var errNoFlatReader = errors.New("no flat state reader")

// flatStorage reads a slot from the flat state as go-ethereum's flat reader
// does (the value is stored RLP-encoded), reusing the account's hash.
func (b *baseState) flatStorage(addr common.Address, slot common.Hash) (common.Hash, error) {
	if b.flat == nil {
		return common.Hash{}, errNoFlatReader
	}
	var addrHash common.Hash
	if h, ok := b.addrHashes.Load(addr); ok {
		addrHash = h.(common.Hash)
	} else {
		addrHash = crypto.Keccak256Hash(addr[:])
		b.addrHashes.Store(addr, addrHash)
	}
	enc, err := b.flat.Storage(addrHash, crypto.Keccak256Hash(slot[:]))
	if err != nil || len(enc) == 0 {
		return common.Hash{}, err
	}
	_, content, _, err := rlp.Split(enc)
	if err != nil {
		return common.Hash{}, err
	}
	return common.BytesToHash(content), nil
}

// keyWrite is one key written by an incarnation, as recorded in memory.
type keyWrite struct {
	key   stateKey
	val   value
	delta bool
	// cell is the key's cell in multi-version memory when the writer knew
	// it (it read the key first); nil otherwise.
	cell *mvCell
}

// readKind says where a read was served from.
type readKind uint8

const (
	readBase    readKind = iota // the pre-state
	readVersion                 // a transaction's absolute write
	readSum                     // a chain of deltas (fee recipient balance)
)

// readRecord is one entry of an incarnation's read set.
type readRecord struct {
	cell *mvCell // the key's cell, so that validation need not look it up
	kind readKind
	tx   int
	inc  int
	sum  uint256.Int // for readSum: the value observed
}

// readOutcome is the result of reading a key for a transaction.
type readOutcome struct {
	rec      readRecord
	val      value
	sawDelta bool // a delta lies between the reader and the last absolute write
	blocking int  // >= 0 when an estimate was hit: the writer to wait for
}

// mvMemory is Block-STM's multi-version data structure: for every key, the
// values written by each transaction of the block, so that transaction i
// reads the write of the highest transaction below i.
type mvMemory struct {
	shards [mvShards]mvShard
	base   *baseState

	// lastWrites[i] holds the keys transaction i's latest incarnation wrote;
	// only the worker executing i replaces it.
	lastWrites []atomic.Pointer[[]keyWrite]
	lastReads  []atomic.Pointer[[]readRecord]
}

func newMVMemory(n int, base *baseState) *mvMemory {
	mv := &mvMemory{
		base:       base,
		lastWrites: make([]atomic.Pointer[[]keyWrite], n),
		lastReads:  make([]atomic.Pointer[[]readRecord], n),
	}
	for i := range mv.shards {
		mv.shards[i].cells = make(map[stateKey]*mvCell, n*keysPerTx/mvShards)
	}
	return mv
}

func shardOf(k stateKey) int {
	h := uint(k.addr[19]) ^ uint(k.addr[7])<<1 ^ uint(k.slot[31]) ^ uint(k.slot[15])<<2 ^ uint(k.kind)*13
	return int(h % mvShards)
}

func (mv *mvMemory) cell(k stateKey) *mvCell {
	sh := &mv.shards[shardOf(k)]
	sh.mu.RLock()
	c := sh.cells[k]
	sh.mu.RUnlock()
	if c != nil {
		return c
	}
	sh.mu.Lock()
	if c = sh.cells[k]; c == nil {
		if len(sh.slab) == 0 {
			sh.slab = make([]mvCell, cellSlab)
		}
		c = &sh.slab[0]
		c.key = k
		sh.slab = sh.slab[1:]
		sh.cells[k] = c
	}
	sh.mu.Unlock()
	return c
}

func (mv *mvMemory) baseValue(c *mvCell) value {
	c.baseOnce.Do(func() { c.base = mv.base.load(c.key) })
	return c.base
}

// read returns the value of k as transaction tx sees it. Deltas written by
// lower transactions are summed onto the last absolute value below them.
func (mv *mvMemory) read(k stateKey, tx int) readOutcome {
	return mv.readCell(mv.cell(k), tx)
}

// readCell is read on the key's cell c.
func (mv *mvMemory) readCell(c *mvCell, tx int) readOutcome {
	out := readOutcome{blocking: -1}
	out.rec.cell = c

	c.mu.RLock()
	i := searchBelow(c.entries, tx)
	var acc uint256.Int
	for ; i >= 0; i-- {
		e := &c.entries[i]
		if e.estimate {
			out.blocking = e.tx
			c.mu.RUnlock()
			return out
		}
		if e.delta {
			acc.Add(&acc, &e.val.num)
			if !out.sawDelta {
				out.sawDelta = true
			}
			continue
		}
		out.val = e.val
		out.rec.kind, out.rec.tx, out.rec.inc = readVersion, e.tx, e.inc
		break
	}
	c.mu.RUnlock()
	if i < 0 {
		out.val = mv.baseValue(c)
		out.rec.kind = readBase
	}
	if out.sawDelta {
		out.val.num.Add(&out.val.num, &acc)
		out.rec.kind = readSum
		out.rec.sum = out.val.num
	}
	return out
}

// searchBelow returns the index of the last entry with tx below the given
// one, or -1.
func searchBelow(entries []mvEntry, tx int) int {
	lo, hi := 0, len(entries)
	for lo < hi {
		m := (lo + hi) / 2
		if entries[m].tx < tx {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

// record stores an incarnation's read and write sets. It reports whether the
// incarnation wrote a key the previous one did not, which forces higher
// transactions to be validated again.
func (mv *mvMemory) record(tx, inc int, reads []readRecord, writes []keyWrite) bool {
	prev := mv.lastWrites[tx].Load()
	newPath := false
	for i := range writes {
		w := &writes[i]
		c := w.cell
		if c == nil {
			c = mv.cell(w.key)
			w.cell = c
		}
		c.mu.Lock()
		j := searchBelow(c.entries, tx+1)
		if j >= 0 && c.entries[j].tx == tx {
			c.entries[j] = mvEntry{tx: tx, inc: inc, delta: w.delta, val: w.val}
		} else {
			newPath = true
			c.entries = append(c.entries, mvEntry{})
			copy(c.entries[j+2:], c.entries[j+1:])
			c.entries[j+1] = mvEntry{tx: tx, inc: inc, delta: w.delta, val: w.val}
		}
		c.mu.Unlock()
	}
	if prev != nil {
		var written map[stateKey]struct{}
		if len(writes) > smallWriteSet {
			written = make(map[stateKey]struct{}, len(writes))
			for i := range writes {
				written[writes[i].key] = struct{}{}
			}
		}
		for i := range *prev {
			w := &(*prev)[i]
			if written != nil {
				if _, ok := written[w.key]; ok {
					continue
				}
			} else if hasKey(writes, w.key) {
				continue
			}
			mv.remove(w.cell, tx)
		}
	}
	mv.lastWrites[tx].Store(&writes)
	mv.lastReads[tx].Store(&reads)
	return newPath
}

// smallWriteSet is the size up to which a write set is searched linearly
// rather than through a map.
const smallWriteSet = 16

// hasKey reports whether writes holds k.
func hasKey(writes []keyWrite, k stateKey) bool {
	for i := range writes {
		if writes[i].key == k {
			return true
		}
	}
	return false
}

func (mv *mvMemory) remove(c *mvCell, tx int) {
	c.mu.Lock()
	if j := searchBelow(c.entries, tx+1); j >= 0 && c.entries[j].tx == tx {
		c.entries = append(c.entries[:j], c.entries[j+1:]...)
	}
	c.mu.Unlock()
}

// markEstimates turns the writes of transaction tx into estimates, after its
// incarnation failed validation.
func (mv *mvMemory) markEstimates(tx int) {
	prev := mv.lastWrites[tx].Load()
	if prev == nil {
		return
	}
	for i := range *prev {
		c := (*prev)[i].cell
		c.mu.Lock()
		if j := searchBelow(c.entries, tx+1); j >= 0 && c.entries[j].tx == tx {
			c.entries[j].estimate = true
		}
		c.mu.Unlock()
	}
}

// validate re-reads the read set of transaction tx's latest recorded
// incarnation and reports whether every read would still be served from the
// same version (or, for delta sums, yield the same value).
func (mv *mvMemory) validate(tx int) bool {
	reads := mv.lastReads[tx].Load()
	if reads == nil {
		return true
	}
	for i := range *reads {
		r := &(*reads)[i]
		now := mv.readCell(r.cell, tx)
		if now.blocking >= 0 || now.rec.kind != r.kind {
			return false
		}
		switch r.kind {
		case readVersion:
			if now.rec.tx != r.tx || now.rec.inc != r.inc {
				return false
			}
		case readSum:
			if now.val.num != r.sum {
				return false
			}
		}
	}
	return true
}
