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
// key's value in the pre-state. Which key it is, and how its pre-state value
// is loaded, belong to its owner: an account (acct) or a storage slot
// (slot), exactly one of which is set. Cells are the bulk of multi-version
// memory, so they carry nothing their owner can hold once.
type mvCell struct {
	mu      sync.RWMutex
	entries []mvEntry
	base    value
	// acct is the account a balance, nonce, code or existence cell belongs
	// to: its pre-state value is loaded with the account's other fields.
	acct *mvAccount
	// slot is the storage slot a storage cell belongs to.
	slot *mvSlot
	// hot is set once a read of the key has been found stale or has hit
	// an estimate: the key is written by transactions close together, and
	// readers do better to wait for lower transactions still running than
	// to read a version that is likely to change (see txState.readKey).
	hot atomic.Bool
}

// markHot records that a read of c went wrong.
func (c *mvCell) markHot() {
	if !c.hot.Load() {
		c.hot.Store(true)
	}
}

// mvAccount holds the cells of one account's fields (indexed by keyKind), so
// that an account costs one lookup in multi-version memory and one read of
// the pre-state per block, whichever of its fields a transaction touches.
type mvAccount struct {
	cells    [kindStorage]mvCell
	addr     common.Address
	baseOnce sync.Once
	// removableStorage is set when the account holds storage in the
	// pre-state but no code and a zero nonce: the only kind of account
	// that a block can remove with its storage (nonces never go down, and
	// a contract can only be destroyed in the transaction creating it).
	removableStorage bool
}

// mvSlot is the cell of one storage slot, with the slot's key.
type mvSlot struct {
	cell     mvCell
	addr     common.Address
	key      common.Hash
	baseOnce sync.Once
}

// mvShards is how many independently locked parts multi-version memory is
// split into. Shards are read-locked for a lookup only, so a few times the
// worker count keeps contention low; more would spread each block's keys
// over more half-used maps and slabs.
const mvShards = 64

type mvShard struct {
	mu       sync.RWMutex
	accounts map[common.Address]*mvAccount
	slots    map[slotRef]*mvCell
	// Accounts and cells are carved from slabs to spare allocations.
	acctSlab slab[mvAccount]
	slotSlab slab[mvSlot]
}

// Slabs start small and double up to a limit, so that a shard that holds
// a few keys does not allocate room for many: most of a block's keys are
// spread thinly over the shards.
const (
	cellSlabMin, cellSlabMax       = 4, 64
	accountSlabMin, accountSlabMax = 1, 16
)

// accountsPerTx and slotsPerTx size the shards' maps up front for a typical
// transaction (a sender and a recipient; two balances of a token), so that
// they grow rarely without holding much unused room: the maps stay live,
// and marked by every collection, for the whole block.
const (
	accountsPerTx = 2
	slotsPerTx    = 2
)

// baseState serves the pre-state to the workers. Every account and slot
// reaches it at most once per block: its value is then cached in
// multi-version memory.
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

// loadAccount stores the pre-state balance, nonce, code and existence of
// addr in the base values of a's cells.
func (b *baseState) loadAccount(addr common.Address, a *mvAccount) {
	if b.reader != nil && !b.overlay[addr] {
		if b.loadAccountReader(addr, a) == nil {
			return
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	a.cells[kindBalance].base.num.Set(b.db.GetBalance(addr))
	a.cells[kindNonce].base.num.SetUint64(b.db.GetNonce(addr))
	code := &a.cells[kindCode].base
	code.code = emptyCode
	if c := b.db.GetCode(addr); len(c) > 0 {
		code.code = &codeValue{code: c, hash: b.db.GetCodeHash(addr)}
	}
	if b.db.Exist(addr) {
		a.cells[kindExists].base.num.SetOne()
	}
	a.removableStorage = hasStorage(b.db.GetStorageRoot(addr)) && b.db.GetNonce(addr) == 0 && code.code == emptyCode
}

// hasStorage reports whether an account with the given storage root holds
// any slot (a missing account's root reads as zero).
func hasStorage(root common.Hash) bool {
	return root != (common.Hash{}) && root != types.EmptyRootHash
}

func (b *baseState) loadAccountReader(addr common.Address, a *mvAccount) error {
	acc, err := b.reader.Account(addr)
	if err != nil {
		return err
	}
	cv := emptyCode
	if acc != nil && common.BytesToHash(acc.CodeHash) != types.EmptyCodeHash {
		hash := common.BytesToHash(acc.CodeHash)
		code := b.reader.Code(addr, hash)
		if len(code) == 0 {
			return errMissingCode
		}
		cv = &codeValue{code: code, hash: hash}
	}
	a.cells[kindCode].base.code = cv
	if acc != nil {
		a.cells[kindBalance].base.num.Set(acc.Balance)
		a.cells[kindNonce].base.num.SetUint64(acc.Nonce)
		a.cells[kindExists].base.num.SetOne()
		a.removableStorage = hasStorage(acc.Root) && acc.Nonce == 0 && cv == emptyCode
	}
	return nil
}

// loadSlot returns the pre-state value of a storage slot.
func (b *baseState) loadSlot(addr common.Address, slot common.Hash) value {
	var v value
	if b.reader != nil && !b.overlay[addr] {
		// flatStorage moves its arguments to the heap (its account-hash
		// cache keeps the address), so it is only called when it can
		// serve the read: with a shared reader, flat is nil.
		var (
			word common.Hash
			err  error
		)
		if b.flat != nil {
			word, err = b.flatStorage(addr, slot)
		}
		if b.flat == nil || err != nil {
			word, err = b.slotReader.Storage(addr, slot)
		}
		if err == nil {
			v.num.SetBytes32(word[:])
			return v
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	word := b.db.GetState(addr, slot)
	v.num.SetBytes32(word[:])
	return v
}

var errMissingCode = errors.New("missing code")

// flatStorage reads a slot from the flat state as go-ethereum's flat reader
// does (the value is stored RLP-encoded), reusing the account's hash.
func (b *baseState) flatStorage(addr common.Address, slot common.Hash) (common.Hash, error) {
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
	// sum is the value observed, for readSum only: set when the read is
	// stored (readOutcome.record), as sums are rare and records many.
	sum  *uint256.Int
	tx   int32 // the writer, for readVersion
	inc  int32
	kind readKind
}

// readOutcome is the result of reading a key for a transaction.
type readOutcome struct {
	rec      readRecord
	val      value
	sawDelta bool // a delta lies between the reader and the last absolute write
	blocking int  // >= 0 when an estimate was hit: the writer to wait for
}

// record returns the read as a read set stores it for validation.
func (o *readOutcome) record() readRecord {
	rec := o.rec
	if rec.kind == readSum {
		sum := o.val.num
		rec.sum = &sum
	}
	return rec
}

// execRecord is what one incarnation read and wrote.
type execRecord struct {
	reads  []readRecord
	writes []keyWrite
}

// mvMemory is Block-STM's multi-version data structure: for every key, the
// values written by each transaction of the block, so that transaction i
// reads the write of the highest transaction below i.
type mvMemory struct {
	shards [mvShards]mvShard
	base   *baseState

	// last[i] holds the read and write sets of transaction i's latest
	// recorded incarnation; only the worker executing i replaces it.
	last []atomic.Pointer[execRecord]

	// records counts the executions recorded so far; recordMark[i] is the
	// count just after transaction i's latest one. A validation that began
	// when the count was c saw every record numbered c or below.
	records    atomic.Uint64
	recordMark []atomic.Uint64
}

func newMVMemory(n int, base *baseState) *mvMemory {
	mv := &mvMemory{
		base:       base,
		last:       make([]atomic.Pointer[execRecord], n),
		recordMark: make([]atomic.Uint64, n),
	}
	for i := range mv.shards {
		mv.shards[i].accounts = make(map[common.Address]*mvAccount, n*accountsPerTx/mvShards)
		mv.shards[i].slots = make(map[slotRef]*mvCell, n*slotsPerTx/mvShards)
	}
	return mv
}

func shardOf(addr common.Address, slot *common.Hash) int {
	h := uint(addr[19]) ^ uint(addr[7])<<1
	if slot != nil {
		h ^= uint(slot[31]) ^ uint(slot[15])<<2 ^ 13
	}
	return int(h % mvShards)
}

// cell returns k's cell, creating it on first use.
func (mv *mvMemory) cell(k stateKey) *mvCell {
	if k.kind == kindStorage {
		return mv.slotCell(k)
	}
	return &mv.account(k.addr).cells[k.kind]
}

// account returns the cells of addr's fields, creating them on first use.
func (mv *mvMemory) account(addr common.Address) *mvAccount {
	sh := &mv.shards[shardOf(addr, nil)]
	return lookupOrCreate(&sh.mu, sh.accounts, addr, func() *mvAccount {
		a := sh.acctSlab.take(accountSlabMin, accountSlabMax)
		a.addr = addr
		for kind := range a.cells {
			a.cells[kind].acct = a
		}
		return a
	})
}

// slotCell returns the cell of storage key k, creating it on first use.
func (mv *mvMemory) slotCell(k stateKey) *mvCell {
	sh := &mv.shards[shardOf(k.addr, &k.slot)]
	return lookupOrCreate(&sh.mu, sh.slots, slotRef{k.addr, k.slot}, func() *mvCell {
		sl := sh.slotSlab.take(cellSlabMin, cellSlabMax)
		sl.addr, sl.key = k.addr, k.slot
		sl.cell.slot = sl
		return &sl.cell
	})
}

// lookupOrCreate returns m[k], read under mu's read lock, or stores and
// returns create() under its write lock when k is missing.
func lookupOrCreate[K comparable, V any](mu *sync.RWMutex, m map[K]*V, k K, create func() *V) *V {
	mu.RLock()
	v := m[k]
	mu.RUnlock()
	if v != nil {
		return v
	}
	mu.Lock()
	defer mu.Unlock()
	if v = m[k]; v == nil {
		v = create()
		m[k] = v
	}
	return v
}

// slab hands out elements of T from chunks that double in size, from lo
// to hi elements, as they are used up.
type slab[T any] struct {
	free []T
	next int
}

// take returns a zeroed element.
func (s *slab[T]) take(lo, hi int) *T {
	if len(s.free) == 0 {
		size := max(s.next, lo)
		s.free = make([]T, size)
		s.next = min(size*2, hi)
	}
	v := &s.free[0]
	s.free = s.free[1:]
	return v
}

// baseValue returns c's value in the pre-state, loading it on first use.
func (mv *mvMemory) baseValue(c *mvCell) value {
	if a := c.acct; a != nil {
		mv.loadAccount(a)
		return c.base
	}
	sl := c.slot
	sl.baseOnce.Do(func() { c.base = mv.base.loadSlot(sl.addr, sl.key) })
	return c.base
}

// loadAccount loads a's pre-state on first use.
func (mv *mvMemory) loadAccount(a *mvAccount) {
	a.baseOnce.Do(func() { mv.base.loadAccount(a.addr, a) })
}

// removableStorage reports whether the block may remove addr with storage
// it holds in the pre-state (mvAccount.removableStorage).
func (mv *mvMemory) removableStorage(addr common.Address) bool {
	a := mv.account(addr)
	mv.loadAccount(a)
	return a.removableStorage
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
			c.markHot()
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
		out.rec.kind, out.rec.tx, out.rec.inc = readVersion, int32(e.tx), int32(e.inc)
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
	var prev []keyWrite
	if p := mv.last[tx].Load(); p != nil {
		prev = p.writes
	}
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
		for i := range prev {
			w := &prev[i]
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
	mv.last[tx].Store(&execRecord{reads: reads, writes: writes})
	// Numbered once its writes are in place: a validation that reads the
	// count afterwards sees them.
	mv.recordMark[tx].Store(mv.records.Add(1))
	return newPath
}

// mark returns the number of executions recorded so far, to be read before
// a validation starts.
func (mv *mvMemory) mark() uint64 { return mv.records.Load() }

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
	p := mv.last[tx].Load()
	if p == nil {
		return
	}
	for i := range p.writes {
		c := p.writes[i].cell
		c.mu.Lock()
		if j := searchBelow(c.entries, tx+1); j >= 0 && c.entries[j].tx == tx {
			c.entries[j].estimate = true
		}
		c.mu.Unlock()
	}
}

// revalidate reports whether read r of transaction tx would still be served
// from the same version (or, for a delta sum, yield the same value).
func (mv *mvMemory) revalidate(r *readRecord, tx int) bool {
	now := mv.readCell(r.cell, tx)
	if now.blocking >= 0 || now.rec.kind != r.kind {
		return false
	}
	switch r.kind {
	case readVersion:
		return now.rec.tx == r.tx && now.rec.inc == r.inc
	case readSum:
		return r.sum != nil && now.val.num == *r.sum
	}
	return true
}

// validate re-reads the read set of transaction tx's latest recorded
// incarnation and reports whether every read would still be served from the
// same version (or, for delta sums, yield the same value).
func (mv *mvMemory) validate(tx int) bool {
	p := mv.last[tx].Load()
	if p == nil {
		return true
	}
	for i := range p.reads {
		r := &p.reads[i]
		if !mv.revalidate(r, tx) {
			r.cell.markHot()
			return false
		}
	}
	return true
}
