package parallel

import (
	"bytes"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types/bal"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"
)

// AccountWrite is the final state of one account that a block wrote.
type AccountWrite struct {
	Address common.Address
	// Deleted is set when the account does not exist after the block.
	// The other fields are then meaningless.
	Deleted bool
	// Recreated is set when the account existed before the block, was
	// removed during it, and exists again at its end: none of its storage
	// from before the block is left, and Storage holds all it has. It may
	// also be set for an account the block created, removed and created
	// again, which had nothing to remove; Apply treats both alike.
	Recreated bool
	Balance   *uint256.Int
	Nonce     uint64
	// Code is the account's code after the block; it is only meaningful when
	// CodeChanged is set.
	Code        []byte
	CodeChanged bool
	// Storage holds the final value of every slot the block wrote.
	Storage map[common.Hash]common.Hash
}

// WriteSet is the net effect of a block on state: the final value of every
// account field and storage slot the block wrote, after EIP-158 deletions.
// Applying it to the block's pre-state yields its post-state.
type WriteSet struct {
	// Accounts is sorted by address, so that applying it is deterministic.
	Accounts []*AccountWrite
}

// Len returns the number of accounts the write set touches.
func (ws *WriteSet) Len() int { return len(ws.Accounts) }

// Apply writes the write set onto statedb, which must hold the block's
// pre-state, and finalises it. statedb's IntermediateRoot then equals the
// root of the state the write set was collected from.
func (ws *WriteSet) Apply(statedb *state.StateDB, rules params.Rules) {
	// Remove recreated accounts first, so that their old storage goes.
	removed := false
	for _, acc := range ws.Accounts {
		if acc.Recreated && statedb.Exist(acc.Address) {
			statedb.SelfDestruct(acc.Address)
			removed = true
		}
	}
	if removed {
		statedb.Finalise(rules)
	}
	for _, acc := range ws.Accounts {
		if acc.Deleted {
			// Only an account that existed before the block needs removing;
			// one created and deleted within it was never in the pre-state.
			if statedb.Exist(acc.Address) {
				statedb.SelfDestruct(acc.Address)
			}
			continue
		}
		if !statedb.Exist(acc.Address) {
			statedb.CreateAccount(acc.Address)
		}
		// Only what changed is written: writing an unchanged field still
		// touches the account, and EIP-158 would then remove an empty
		// one that the block only touched in a reverted call. (Storage
		// needs no check: an unchanged slot is not written.)
		if statedb.GetBalance(acc.Address).Cmp(acc.Balance) != 0 {
			statedb.SetBalance(acc.Address, acc.Balance, tracing.BalanceChangeUnspecified)
		}
		if statedb.GetNonce(acc.Address) != acc.Nonce {
			statedb.SetNonce(acc.Address, acc.Nonce, tracing.NonceChangeUnspecified)
		}
		if acc.CodeChanged && !bytes.Equal(statedb.GetCode(acc.Address), acc.Code) {
			statedb.SetCode(acc.Address, acc.Code, tracing.CodeChangeUnspecified)
		}
		for _, slot := range sortedSlots(acc.Storage) {
			statedb.SetState(acc.Address, slot, acc.Storage[slot])
		}
	}
	statedb.Finalise(rules)
}

// writeRecorder learns, through go-ethereum's state hooks, which accounts,
// code and slots a block writes. It records keys only; the final values are
// read from the state once the block is done.
type writeRecorder struct {
	accounts map[common.Address]*recordedAccount
	// pending lists the accounts changed through the recording state since
	// its last Finalise, which may remove them; mayGo is Finalise's
	// scratch space.
	pending []common.Address
	mayGo   []common.Address
}

type recordedAccount struct {
	code bool
	// removed is set once the account has been removed in the block.
	removed bool
	// slots is made on the first storage write: most accounts a block
	// writes are plain balances and nonces.
	slots map[common.Hash]struct{}
}

func (a *recordedAccount) addSlot(slot common.Hash) {
	if a.slots == nil {
		a.slots = make(map[common.Hash]struct{})
	}
	a.slots[slot] = struct{}{}
}

// newWriteRecorder returns a recorder with room for about the given number
// of accounts, so that a large block does not rehash the map as it grows.
// Executors pass twice the transaction count: a sender and a recipient each.
func newWriteRecorder(accounts int) *writeRecorder {
	return &writeRecorder{accounts: make(map[common.Address]*recordedAccount, accounts)}
}

func (r *writeRecorder) account(addr common.Address) *recordedAccount {
	acc := r.accounts[addr]
	if acc == nil {
		acc = new(recordedAccount)
		r.accounts[addr] = acc
	}
	return acc
}

// note records that addr changed in the current transaction.
func (r *writeRecorder) note(addr common.Address) *recordedAccount {
	r.pending = append(r.pending, addr)
	return r.account(addr)
}

func (r *writeRecorder) hooks() *tracing.Hooks {
	return &tracing.Hooks{
		OnBalanceChange: func(addr common.Address, _, _ *big.Int, _ tracing.BalanceChangeReason) {
			r.note(addr)
		},
		OnNonceChangeV2: func(addr common.Address, _, _ uint64, _ tracing.NonceChangeReason) {
			r.note(addr)
		},
		OnCodeChangeV2: func(addr common.Address, _ common.Hash, _ []byte, _ common.Hash, _ []byte, _ tracing.CodeChangeReason) {
			r.note(addr).code = true
		},
		OnStorageChange: func(addr common.Address, slot common.Hash, _, _ common.Hash) {
			r.note(addr).addSlot(slot)
		},
	}
}

// state returns the vm.StateDB that records statedb's writes: go-ethereum's
// hooked state, plus what its hooks do not report.
func (r *writeRecorder) state(statedb *state.StateDB) vm.StateDB {
	return &recordingState{StateDB: state.NewHookedState(statedb, r.hooks()), rec: r}
}

// recordingState completes the hooks. A balance change of zero fires no
// hook but touches the account, which EIP-158 then removes if it is empty;
// and no hook reports that removal, which wipes the account's storage.
type recordingState struct {
	vm.StateDB
	rec *writeRecorder
}

// AddBalance implements vm.StateDB.
func (s *recordingState) AddBalance(addr common.Address, amount *uint256.Int, reason tracing.BalanceChangeReason) uint256.Int {
	if amount.IsZero() {
		s.rec.note(addr)
	}
	return s.StateDB.AddBalance(addr, amount, reason)
}

// SubBalance implements vm.StateDB.
func (s *recordingState) SubBalance(addr common.Address, amount *uint256.Int, reason tracing.BalanceChangeReason) uint256.Int {
	if amount.IsZero() {
		s.rec.note(addr)
	}
	return s.StateDB.SubBalance(addr, amount, reason)
}

// Finalise implements vm.StateDB, noting the accounts it removes.
func (s *recordingState) Finalise(rules params.Rules) *bal.ConstructionBlockAccessList {
	r := s.rec
	mayGo := r.mayGo[:0]
	for _, addr := range r.pending {
		if (s.HasSelfDestructed(addr) || (rules.IsEIP158 && s.Empty(addr))) && s.Exist(addr) {
			mayGo = append(mayGo, addr)
		}
	}
	list := s.StateDB.Finalise(rules)
	r.pending = r.pending[:0]
	for _, addr := range mayGo {
		if !s.Exist(addr) {
			r.account(addr).removed = true
		}
	}
	r.mayGo = mayGo
	return list
}

// collect reads the final value of every recorded key from statedb, which
// must be finalised.
func (r *writeRecorder) collect(statedb *state.StateDB) *WriteSet {
	var (
		// One allocation for all accounts and one for all balances,
		// rather than two per account.
		accs     = make([]AccountWrite, len(r.accounts))
		balances = make([]uint256.Int, len(r.accounts))
		ws       = &WriteSet{Accounts: make([]*AccountWrite, 0, len(r.accounts))}
	)
	for addr, rec := range r.accounts {
		acc := &accs[len(ws.Accounts)]
		acc.Address = addr
		if !statedb.Exist(addr) {
			acc.Deleted = true
			ws.Accounts = append(ws.Accounts, acc)
			continue
		}
		acc.Recreated = rec.removed
		acc.Balance = &balances[len(ws.Accounts)]
		acc.Balance.Set(statedb.GetBalance(addr))
		acc.Nonce = statedb.GetNonce(addr)
		if rec.code {
			acc.CodeChanged = true
			acc.Code = statedb.GetCode(addr)
		}
		if len(rec.slots) > 0 {
			acc.Storage = make(map[common.Hash]common.Hash, len(rec.slots))
			for slot := range rec.slots {
				acc.Storage[slot] = statedb.GetState(addr, slot)
			}
		}
		ws.Accounts = append(ws.Accounts, acc)
	}
	slices.SortFunc(ws.Accounts, func(a, b *AccountWrite) int { return bytes.Compare(a.Address[:], b.Address[:]) })
	return ws
}

func sortedSlots(m map[common.Hash]common.Hash) []common.Hash {
	slots := make([]common.Hash, 0, len(m))
	for k := range m {
		slots = append(slots, k)
	}
	slices.SortFunc(slots, func(a, b common.Hash) int { return bytes.Compare(a[:], b[:]) })
	return slots
}
