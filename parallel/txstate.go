package parallel

import (
	"bytes"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/stateless"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/types/bal"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// ripemd keeps its dirty mark across reverts in go-ethereum's journal (a
// mainnet consensus exception); the transaction state mirrors it.
var ripemd = common.BytesToAddress([]byte{3})

// dependencyAbort is thrown (as a panic value) by a read that must wait for
// a lower transaction that is not running, to stop the incarnation; the
// worker catches it and suspends the transaction until that one has run.
type dependencyAbort struct{ blocking int }

// journalKind tags an undo record of the transaction state.
type journalKind uint8

const (
	jKey journalKind = iota
	jNewContract
	jSelfDestruct
	jTouch
	jRefund
	jLog
	jTransient
	jAccessAddr
	jAccessSlot
)

type journalEntry struct {
	kind    journalKind
	key     stateKey
	had     bool
	prev    value
	refund  uint64
	addr    common.Address
	slot    common.Hash
	prevRaw common.Hash
}

type slotRef struct {
	addr common.Address
	slot common.Hash
}

// txState is the vm.StateDB of one incarnation. Reads go to the incarnation's
// own writes first, then to multi-version memory, and are recorded once per
// key. Writes stay local until Finalise turns them into the incarnation's
// write set. Refund, access list, transient storage and logs are local to the
// transaction, as in go-ethereum.
type txState struct {
	mv       *mvMemory
	coinbase common.Address
	tx       int
	inc      int
	// pendingBelow, when set, returns the highest transaction between lo
	// and hi (exclusive) that has not been executed yet, or -1.
	pendingBelow func(lo, hi int) int
	// awaitRunning, when set, blocks while transaction b is being
	// executed by another worker and reports whether it did; the read
	// is then retried instead of abandoning the incarnation.
	awaitRunning func(b int) bool
	// started is when the incarnation began; dependedAt is how long it
	// had run when it first read a value written by a transaction close
	// below it, or waited for one (-1: neither), and waited how long it
	// waited in all.
	started    time.Time
	dependedAt time.Duration
	waited     time.Duration

	// reads indexes readBuf, the first read of each key in read order
	// (map values stay small so that the map stores them inline).
	reads   map[stateKey]int32
	readBuf []readOutcome
	cur     map[stateKey]value
	journal []journalEntry

	newContract  map[common.Address]bool
	selfDestruct map[common.Address]bool

	refund     uint64
	accessAddr map[common.Address]struct{}
	accessSlot map[slotRef]struct{}
	transient  map[slotRef]common.Hash
	logs       []*types.Log
	preimages  map[common.Hash][]byte
	thash      common.Hash
	txIndex    int

	// The fee recipient's balance is credited as a delta unless the
	// transaction read it (materialised).
	coinbaseMaterialised bool
	coinbaseFee          uint256.Int
	coinbaseFeePaid      bool

	// writes is the write set Finalise produced.
	writes []keyWrite

	// Scratch space of Finalise, reused across incarnations.
	dirtyBuf   map[common.Address]struct{}
	deletedBuf map[common.Address]bool
	addrBuf    []common.Address
	keyBuf     []stateKey
}

var _ vm.StateDB = (*txState)(nil)

func newTxState(mv *mvMemory, coinbase common.Address) *txState {
	return &txState{
		mv:           mv,
		coinbase:     coinbase,
		reads:        make(map[stateKey]int32),
		cur:          make(map[stateKey]value),
		newContract:  make(map[common.Address]bool),
		selfDestruct: make(map[common.Address]bool),
		accessAddr:   make(map[common.Address]struct{}),
		accessSlot:   make(map[slotRef]struct{}),
		transient:    make(map[slotRef]common.Hash),
		dirtyBuf:     make(map[common.Address]struct{}),
		deletedBuf:   make(map[common.Address]bool),
	}
}

// reset prepares the state for a new incarnation.
func (t *txState) reset(tx, inc int) {
	t.tx, t.inc = tx, inc
	t.started = time.Now()
	t.dependedAt, t.waited = -1, 0
	clear(t.reads)
	t.readBuf = t.readBuf[:0]
	clear(t.cur)
	t.journal = t.journal[:0]
	clear(t.newContract)
	clear(t.selfDestruct)
	t.refund = 0
	clear(t.accessAddr)
	clear(t.accessSlot)
	clear(t.transient)
	t.logs = nil
	// The previous incarnation's output owns its map; most transactions
	// add no preimage, so the next map is made on first use.
	t.preimages = nil
	t.coinbaseMaterialised = false
	t.coinbaseFee.Clear()
	t.coinbaseFeePaid = false
	t.writes = nil
}

// readKey returns the value k held before this transaction.
func (t *txState) readKey(k stateKey) readOutcome {
	if i, ok := t.reads[k]; ok {
		return t.readBuf[i]
	}
	for {
		r := t.mv.read(k, t.tx)
		blocking := r.blocking
		if blocking < 0 && r.rec.kind != readSum && r.rec.cell.hot.Load() && t.pendingBelow != nil {
			// A hot key: a lower transaction still running is likely to
			// write it, and this read to fail validation. Wait for that
			// transaction instead, as for an estimate.
			lower := -1
			if r.rec.kind == readVersion {
				lower = int(r.rec.tx)
			}
			blocking = t.pendingBelow(lower, t.tx)
		}
		if blocking < 0 {
			if t.dependedAt < 0 && r.rec.kind == readVersion && int(r.rec.tx) >= t.tx-hotWindow {
				t.dependedAt = time.Since(t.started) - t.waited
			}
			t.reads[k] = int32(len(t.readBuf))
			t.readBuf = append(t.readBuf, r)
			return r
		}
		// A writer another worker is running will be done soon: wait for
		// it here rather than throw away the work done so far.
		before := time.Now()
		if t.awaitRunning == nil || !t.awaitRunning(blocking) {
			panic(dependencyAbort{blocking: blocking})
		}
		if t.dependedAt < 0 {
			t.dependedAt = before.Sub(t.started) - t.waited
		}
		t.waited += time.Since(before)
	}
}

// dependedEarly reports whether the incarnation depended on a transaction
// close below it (read its write, or waited for it) before it had run for
// half of its time: most of it then could not run beside that transaction.
// Measured on 2000-transaction blocks with two workers: swaps on one pool
// first depend on the previous swap after about a fifth of their time and
// run faster sequentially; token transfers to one recipient after about
// seven tenths, and run faster in parallel. Timing only steers the choice
// between speculation and the sequential tail, never a result.
func (t *txState) dependedEarly() bool {
	if t.dependedAt < 0 {
		return false
	}
	return t.dependedAt*2 < time.Since(t.started)-t.waited
}

// get returns k's current value within the transaction.
func (t *txState) get(k stateKey) value {
	if v, ok := t.cur[k]; ok {
		return v
	}
	if k.addr == t.coinbase {
		t.materialiseCoinbase()
	}
	if k.kind == kindExists && k.addr == t.coinbase {
		return t.coinbaseExists()
	}
	return t.readKey(k).val
}

func (t *txState) set(k stateKey, v value) {
	if k.addr == t.coinbase {
		t.materialiseCoinbase()
	}
	prev, had := t.cur[k]
	t.journal = append(t.journal, journalEntry{kind: jKey, key: k, had: had, prev: prev})
	t.cur[k] = v
}

// materialiseCoinbase makes the fee recipient an ordinary account for the
// rest of the transaction: its balance is read (summing the fee deltas of
// all lower transactions) and later written as an absolute value.
func (t *txState) materialiseCoinbase() {
	if t.coinbaseMaterialised {
		return
	}
	t.coinbaseMaterialised = true
	if t.coinbaseFeePaid {
		// The fee is credited last, so nothing should read the account
		// afterwards; keep the accounting exact regardless.
		bal := t.readKey(balanceKey(t.coinbase)).val
		bal.num.Add(&bal.num, &t.coinbaseFee)
		t.cur[balanceKey(t.coinbase)] = bal
		t.coinbaseFeePaid = false
	}
}

// coinbaseExists derives the fee recipient's existence before this
// transaction. Fee deltas do not write the existence key: a positive credit
// creates the account, a zero one removes it again if it is empty (EIP-158).
func (t *txState) coinbaseExists() value {
	bal := t.readKey(balanceKey(t.coinbase))
	var v value
	if !bal.val.isZero() {
		v.num.SetOne()
		return v
	}
	exists := t.readKey(existsKey(t.coinbase)).val
	if exists.isZero() || !bal.sawDelta {
		return exists
	}
	// Touched by a zero fee after the last absolute write: it survived only
	// if it is not empty.
	if t.readKey(nonceKey(t.coinbase)).val.isZero() && t.readKey(codeKey(t.coinbase)).val.codeHash() == types.EmptyCodeHash {
		return v
	}
	return exists
}

func (t *txState) exist(addr common.Address) bool {
	v := t.get(existsKey(addr))
	return !v.isZero()
}

func (t *txState) empty(addr common.Address) bool {
	if b := t.get(balanceKey(addr)); !b.isZero() {
		return false
	}
	if n := t.get(nonceKey(addr)); !n.isZero() {
		return false
	}
	c := t.get(codeKey(addr))
	return c.codeHash() == types.EmptyCodeHash
}

// getOrNew makes sure the account exists, creating it as go-ethereum's
// getOrNewStateObject does.
func (t *txState) getOrNew(addr common.Address) {
	if !t.exist(addr) {
		t.createObject(addr)
	}
}

func (t *txState) createObject(addr common.Address) {
	existed := t.exist(addr)
	var one value
	one.num.SetOne()
	t.set(existsKey(addr), one)
	// A missing account's fields read as zero: deletions write zeros. Only
	// replacing an existing account (go-ethereum overwrites it with a fresh
	// object) needs them reset.
	if !existed {
		return
	}
	var zero value
	if !t.get(balanceKey(addr)).isZero() {
		t.set(balanceKey(addr), zero)
	}
	if !t.get(nonceKey(addr)).isZero() {
		t.set(nonceKey(addr), zero)
	}
	if t.get(codeKey(addr)).codeHash() != types.EmptyCodeHash {
		t.set(codeKey(addr), value{code: emptyCode})
	}
}

func (t *txState) touch(addr common.Address) {
	t.journal = append(t.journal, journalEntry{kind: jTouch, addr: addr})
}

// CreateAccount implements vm.StateDB.
func (t *txState) CreateAccount(addr common.Address) { t.createObject(addr) }

// CreateContract implements vm.StateDB.
func (t *txState) CreateContract(addr common.Address) {
	if !t.newContract[addr] {
		t.newContract[addr] = true
		t.journal = append(t.journal, journalEntry{kind: jNewContract, addr: addr})
	}
}

// SubBalance implements vm.StateDB.
func (t *txState) SubBalance(addr common.Address, amount *uint256.Int, _ tracing.BalanceChangeReason) uint256.Int {
	t.getOrNew(addr)
	prev := t.get(balanceKey(addr))
	if amount.IsZero() {
		return prev.num
	}
	var v value
	v.num.Sub(&prev.num, amount)
	t.set(balanceKey(addr), v)
	return prev.num
}

// AddBalance implements vm.StateDB. The transaction fee credited to the fee
// recipient becomes a delta unless the transaction read that balance.
func (t *txState) AddBalance(addr common.Address, amount *uint256.Int, reason tracing.BalanceChangeReason) uint256.Int {
	if addr == t.coinbase && reason == tracing.BalanceIncreaseRewardTransactionFee && !t.coinbaseMaterialised {
		t.coinbaseFee.Add(&t.coinbaseFee, amount)
		t.coinbaseFeePaid = true
		return uint256.Int{}
	}
	t.getOrNew(addr)
	prev := t.get(balanceKey(addr))
	if amount.IsZero() {
		if t.empty(addr) {
			t.touch(addr)
		}
		return prev.num
	}
	var v value
	v.num.Add(&prev.num, amount)
	t.set(balanceKey(addr), v)
	return prev.num
}

// GetBalance implements vm.StateDB.
func (t *txState) GetBalance(addr common.Address) *uint256.Int {
	v := t.get(balanceKey(addr))
	return &v.num
}

// GetNonce implements vm.StateDB.
func (t *txState) GetNonce(addr common.Address) uint64 {
	v := t.get(nonceKey(addr))
	return v.num.Uint64()
}

// SetNonce implements vm.StateDB.
func (t *txState) SetNonce(addr common.Address, nonce uint64, _ tracing.NonceChangeReason) {
	t.getOrNew(addr)
	var v value
	v.num.SetUint64(nonce)
	t.set(nonceKey(addr), v)
}

// GetCodeHash implements vm.StateDB: the zero hash for a missing account.
func (t *txState) GetCodeHash(addr common.Address) common.Hash {
	if !t.exist(addr) {
		return common.Hash{}
	}
	return t.get(codeKey(addr)).codeHash()
}

// GetCode implements vm.StateDB.
func (t *txState) GetCode(addr common.Address) []byte {
	c := t.get(codeKey(addr)).code
	if c == nil {
		return nil
	}
	return c.code
}

// SetCode implements vm.StateDB.
func (t *txState) SetCode(addr common.Address, code []byte, _ tracing.CodeChangeReason) []byte {
	t.getOrNew(addr)
	prev := t.GetCode(addr)
	t.set(codeKey(addr), value{code: newCodeValue(code)})
	return prev
}

// GetCodeSize implements vm.StateDB.
func (t *txState) GetCodeSize(addr common.Address) int { return len(t.GetCode(addr)) }

// AddRefund implements vm.StateDB.
func (t *txState) AddRefund(gas uint64) {
	t.journal = append(t.journal, journalEntry{kind: jRefund, refund: t.refund})
	t.refund += gas
}

// SubRefund implements vm.StateDB; like go-ethereum it panics below zero.
func (t *txState) SubRefund(gas uint64) {
	t.journal = append(t.journal, journalEntry{kind: jRefund, refund: t.refund})
	if gas > t.refund {
		panic("refund counter below zero")
	}
	t.refund -= gas
}

// GetRefund implements vm.StateDB.
func (t *txState) GetRefund() uint64 { return t.refund }

// GetStateAndCommittedState implements vm.StateDB. The committed value is the
// one before this transaction.
func (t *txState) GetStateAndCommittedState(addr common.Address, slot common.Hash) (common.Hash, common.Hash) {
	if !t.exist(addr) {
		return common.Hash{}, common.Hash{}
	}
	k := slotKey(addr, slot)
	committed := common.Hash(t.readKey(k).val.word())
	if v, ok := t.cur[k]; ok {
		return common.Hash(v.num.Bytes32()), committed
	}
	return committed, committed
}

// GetState implements vm.StateDB.
func (t *txState) GetState(addr common.Address, slot common.Hash) common.Hash {
	cur, _ := t.GetStateAndCommittedState(addr, slot)
	return cur
}

// SetState implements vm.StateDB.
func (t *txState) SetState(addr common.Address, slot, val common.Hash) common.Hash {
	t.getOrNew(addr)
	prev := t.GetState(addr, slot)
	if prev == val {
		return prev
	}
	var v value
	v.num.SetBytes32(val[:])
	t.set(slotKey(addr, slot), v)
	return prev
}

// GetTransientState implements vm.StateDB.
func (t *txState) GetTransientState(addr common.Address, key common.Hash) common.Hash {
	return t.transient[slotRef{addr, key}]
}

// SetTransientState implements vm.StateDB.
func (t *txState) SetTransientState(addr common.Address, key, val common.Hash) {
	ref := slotRef{addr, key}
	prev := t.transient[ref]
	if prev == val {
		return
	}
	t.journal = append(t.journal, journalEntry{kind: jTransient, addr: addr, slot: key, prevRaw: prev})
	t.transient[ref] = val
}

// SelfDestruct implements vm.StateDB.
func (t *txState) SelfDestruct(addr common.Address) {
	if !t.exist(addr) {
		return
	}
	if !t.selfDestruct[addr] {
		t.selfDestruct[addr] = true
		t.journal = append(t.journal, journalEntry{kind: jSelfDestruct, addr: addr})
	}
}

// HasSelfDestructed implements vm.StateDB.
func (t *txState) HasSelfDestructed(addr common.Address) bool {
	if !t.exist(addr) {
		return false
	}
	return t.selfDestruct[addr]
}

// Exist implements vm.StateDB.
func (t *txState) Exist(addr common.Address) bool { return t.exist(addr) }

// Touch implements vm.StateDB; like go-ethereum it only loads the account.
func (t *txState) Touch(addr common.Address) { t.exist(addr) }

// IsNewContract implements vm.StateDB.
func (t *txState) IsNewContract(addr common.Address) bool {
	return t.exist(addr) && t.newContract[addr]
}

// Empty implements vm.StateDB.
func (t *txState) Empty(addr common.Address) bool {
	return !t.exist(addr) || t.empty(addr)
}

// AddressInAccessList implements vm.StateDB.
func (t *txState) AddressInAccessList(addr common.Address) bool {
	_, ok := t.accessAddr[addr]
	return ok
}

// SlotInAccessList implements vm.StateDB.
func (t *txState) SlotInAccessList(addr common.Address, slot common.Hash) (bool, bool) {
	_, a := t.accessAddr[addr]
	_, s := t.accessSlot[slotRef{addr, slot}]
	return a, s
}

// AddAddressToAccessList implements vm.StateDB.
func (t *txState) AddAddressToAccessList(addr common.Address) {
	if _, ok := t.accessAddr[addr]; !ok {
		t.accessAddr[addr] = struct{}{}
		t.journal = append(t.journal, journalEntry{kind: jAccessAddr, addr: addr})
	}
}

// AddSlotToAccessList implements vm.StateDB.
func (t *txState) AddSlotToAccessList(addr common.Address, slot common.Hash) {
	t.AddAddressToAccessList(addr)
	ref := slotRef{addr, slot}
	if _, ok := t.accessSlot[ref]; !ok {
		t.accessSlot[ref] = struct{}{}
		t.journal = append(t.journal, journalEntry{kind: jAccessSlot, addr: addr, slot: slot})
	}
}

// Prepare implements vm.StateDB, following StateDB.Prepare.
func (t *txState) Prepare(rules params.Rules, sender, coinbase common.Address, dst *common.Address, precompiles []common.Address, list types.AccessList) {
	if rules.IsEIP2929 {
		clear(t.accessAddr)
		clear(t.accessSlot)
		t.accessAddr[sender] = struct{}{}
		if dst != nil {
			t.accessAddr[*dst] = struct{}{}
		}
		for _, addr := range precompiles {
			t.accessAddr[addr] = struct{}{}
		}
		for _, el := range list {
			t.accessAddr[el.Address] = struct{}{}
			for _, key := range el.StorageKeys {
				t.accessSlot[slotRef{el.Address, key}] = struct{}{}
			}
		}
		if rules.IsShanghai {
			t.accessAddr[coinbase] = struct{}{}
		}
	}
	clear(t.transient)
}

// Snapshot implements vm.StateDB.
func (t *txState) Snapshot() int { return len(t.journal) }

// RevertToSnapshot implements vm.StateDB.
func (t *txState) RevertToSnapshot(id int) {
	keepRipemd := false
	for i := len(t.journal) - 1; i >= id; i-- {
		e := &t.journal[i]
		switch e.kind {
		case jKey:
			if e.had {
				t.cur[e.key] = e.prev
			} else {
				delete(t.cur, e.key)
			}
		case jNewContract:
			delete(t.newContract, e.addr)
		case jSelfDestruct:
			delete(t.selfDestruct, e.addr)
		case jRefund:
			t.refund = e.refund
		case jLog:
			t.logs = t.logs[:len(t.logs)-1]
		case jTransient:
			t.transient[slotRef{e.addr, e.slot}] = e.prevRaw
		case jAccessAddr:
			delete(t.accessAddr, e.addr)
		case jAccessSlot:
			delete(t.accessSlot, slotRef{e.addr, e.slot})
		case jTouch:
			keepRipemd = keepRipemd || e.addr == ripemd
		}
	}
	t.journal = t.journal[:id]
	if keepRipemd {
		// Kept dirty across the revert, as go-ethereum's journal does.
		t.journal = append(t.journal, journalEntry{kind: jTouch, addr: ripemd})
	}
}

// AddLog implements vm.StateDB. Block-wide indexes are assigned at
// settlement, when the transaction's place among the included ones is known.
func (t *txState) AddLog(l *types.Log) {
	t.journal = append(t.journal, journalEntry{kind: jLog})
	l.TxHash = t.thash
	l.TxIndex = uint(t.txIndex)
	t.logs = append(t.logs, l)
}

// AddPreimage implements vm.StateDB.
func (t *txState) AddPreimage(hash common.Hash, preimage []byte) {
	if _, ok := t.preimages[hash]; !ok {
		if t.preimages == nil {
			t.preimages = make(map[common.Hash][]byte)
		}
		t.preimages[hash] = slices.Clone(preimage)
	}
}

// Witness implements vm.StateDB; the parallel path never collects witnesses.
func (t *txState) Witness() *stateless.Witness { return nil }

// AccessEvents implements vm.StateDB; verkle access events are not modelled.
func (t *txState) AccessEvents() *state.AccessEvents { return nil }

// SetTxContext implements vm.StateDB.
func (t *txState) SetTxContext(thash common.Hash, ti int, _ uint32) {
	t.thash, t.txIndex = thash, ti
}

// Finalise implements vm.StateDB. It applies go-ethereum's end-of-transaction
// rules to the accounts the surviving journal touched (self-destructed and,
// under EIP-158, empty accounts are deleted) and turns the transaction's
// changes into its write set.
func (t *txState) Finalise(rules params.Rules) *bal.ConstructionBlockAccessList {
	dirty := t.dirtyBuf
	clear(dirty)
	for i := range t.journal {
		e := &t.journal[i]
		switch e.kind {
		case jKey:
			dirty[e.key.addr] = struct{}{}
		case jNewContract, jSelfDestruct, jTouch:
			dirty[e.addr] = struct{}{}
		}
	}
	addrs := t.addrBuf[:0]
	for a := range dirty {
		addrs = append(addrs, a)
	}
	t.addrBuf = addrs
	slices.SortFunc(addrs, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })

	deleted := t.deletedBuf
	clear(deleted)
	writes := make([]keyWrite, 0, len(t.cur)+1)
	for _, addr := range addrs {
		if !t.exist(addr) {
			continue
		}
		if t.selfDestruct[addr] || (rules.IsEIP158 && t.empty(addr)) {
			deleted[addr] = true
			if !t.readKey(existsKey(addr)).val.isZero() || (addr == t.coinbase && !t.coinbaseExists().isZero()) {
				writes = append(writes, keyWrite{key: existsKey(addr)})
			}
			var zero value
			for _, k := range []stateKey{balanceKey(addr), nonceKey(addr)} {
				if !t.readKey(k).val.isZero() {
					writes = append(writes, keyWrite{key: k, val: zero})
				}
			}
			if t.readKey(codeKey(addr)).val.codeHash() != types.EmptyCodeHash {
				writes = append(writes, keyWrite{key: codeKey(addr), val: value{code: emptyCode}})
			}
			continue
		}
		// The stored key, not the fee recipient's derived existence: fee
		// credits create that account without writing the key, and a
		// later absolute write may leave it with a zero balance, from
		// which readers could no longer tell that it exists.
		if t.readKey(existsKey(addr)).val.isZero() {
			var one value
			one.num.SetOne()
			writes = append(writes, keyWrite{key: existsKey(addr), val: one})
		}
	}
	keys := t.keyBuf[:0]
	for k := range t.cur {
		if k.kind == kindExists || deleted[k.addr] {
			continue
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareKeys)
	t.keyBuf = keys
	for _, k := range keys {
		v := t.cur[k]
		var cell *mvCell
		if i, ok := t.reads[k]; ok {
			if t.readBuf[i].val.equal(&v) {
				continue
			}
			cell = t.readBuf[i].rec.cell
		}
		writes = append(writes, keyWrite{key: k, val: v, cell: cell})
	}
	if t.coinbaseFeePaid {
		var d value
		d.num = t.coinbaseFee
		writes = append(writes, keyWrite{key: balanceKey(t.coinbase), val: d, delta: true})
	}
	t.writes = writes
	t.journal = t.journal[:0]
	t.refund = 0
	return nil
}

func compareKeys(a, b stateKey) int {
	if c := bytes.Compare(a.addr[:], b.addr[:]); c != 0 {
		return c
	}
	if a.kind != b.kind {
		return int(a.kind) - int(b.kind)
	}
	return bytes.Compare(a.slot[:], b.slot[:])
}

// readSet returns the recorded reads in the order they happened.
func (t *txState) readSet() []readRecord {
	out := make([]readRecord, len(t.readBuf))
	for i := range t.readBuf {
		out[i] = t.readBuf[i].record()
	}
	return out
}
