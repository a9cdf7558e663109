package parallel_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/parallel"
	pt "github.com/lanes-rollup/lanes/parallel/paralleltest"
)

var (
	// feeRecipientKey signs for a fee recipient that is not in the
	// pre-state.
	feeRecipientKey, _ = crypto.ToECDSA(common.FromHex("0x7e57000000000000000000000000000000000000000000000000000000000001"))

	// storageCopyInit copies slot 0 to slot 1 and deploys empty code;
	// storageCopy is where the factory creates it.
	storageCopyInit = common.FromHex("600054600155" + "00")
	storageCopy     = crypto.CreateAddress2(pt.FactoryAddr, common.Hash{}, crypto.Keccak256(storageCopyInit))

	emptyAccount = common.HexToAddress("0xe3e3e3")

	// touchRevert calls emptyAccount without value, then reverts.
	touchRevertAddr = common.HexToAddress("0x10f0")
	touchRevert     = common.FromHex("6000600060006000600062e3e3e35af1" + "60006000fd")

	// createRevert has the factory create createdByRevert (one JUMPDEST of
	// code) over revertedCreation, an empty account, then reverts.
	createRevertAddr = common.HexToAddress("0x10f1")
	createdByRevert  = common.FromHex("6001600c60003960016000f3" + "5b")
	createRevert     = cat(common.FromHex("600d601b600039"+"6000600060"+"0d"+"60006000"+"61100a"+"5af1"+"60006000fd"), createdByRevert)
	revertedCreation = crypto.CreateAddress2(pt.FactoryAddr, common.Hash{}, crypto.Keccak256(createdByRevert))

	ether = big.NewInt(params.Ether)
	gwei  = big.NewInt(params.GWei)
)

func addr(a common.Address) *common.Address { return &a }

// zeroTipTx signs a one-wei transfer from account i whose effective tip
// is zero: it credits the fee recipient nothing, which touches it.
func zeroTipTx(f *pt.Fixture, i int, to common.Address) *types.Transaction {
	nonce := f.Nonce(f.Addrs[i])
	f.SetNonce(f.Addrs[i], nonce+1)
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
		ChainID: f.Config.ChainID, Nonce: nonce, GasTipCap: new(big.Int), GasFeeCap: pt.BaseFee,
		Gas: 21000, To: &to, Value: big.NewInt(1),
	}), f.Signer, f.Keys[i])
	if err != nil {
		panic(err)
	}
	return tx
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// withTransfers returns tx followed by three independent transfers, so
// that the block is large enough for the parallel path.
func withTransfers(f *pt.Fixture, tx *types.Transaction) []*types.Transaction {
	return []*types.Transaction{
		tx,
		f.Tx(2, addr(f.Addrs[4]), ether, 21000, nil),
		f.Tx(3, addr(f.Addrs[5]), ether, 21000, nil),
		f.Tx(6, addr(f.Addrs[7]), ether, 21000, nil),
	}
}

// addStorageCopy adds to a pre-state an account with one slot of storage
// and nothing else, where the factory creates storageCopyInit.
func addStorageCopy(alloc types.GenesisAlloc) {
	alloc[storageCopy] = types.Account{Storage: map[common.Hash]common.Hash{{}: common.BigToHash(big.NewInt(7))}}
}

// zeroTipRemoval is the case of a storage-only fee recipient that a
// zero-tip transaction removes; then comes the block's second
// transaction, after which slot must read zero.
func zeroTipRemoval(name string, then func(f *pt.Fixture) *types.Transaction, slot common.Hash) blockCase {
	return blockCase{
		name:     name,
		alloc:    addStorageCopy,
		setup:    func(f *pt.Fixture) { f.Coinbase = storageCopy },
		fallback: true,
		build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
			return []*types.Transaction{
				zeroTipTx(f, 0, f.Addrs[9]),
				then(f),
				f.Tx(2, addr(f.Addrs[4]), ether, 21000, nil),
				f.Tx(3, addr(f.Addrs[5]), ether, 21000, nil),
			}
		},
		check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
			if got := seq.State.GetState(storageCopy, slot); got != (common.Hash{}) {
				t.Errorf("slot %v = %v, want 0 (removed storage)", slot, got)
			}
		},
	}
}

// blockCase is one targeted block: how to build it, and what must hold
// beyond equality with the sequential reference.
type blockCase struct {
	name     string
	accounts int
	// alloc, when set, adds to the standard pre-state.
	alloc func(types.GenesisAlloc)
	setup func(f *pt.Fixture)
	build func(f *pt.Fixture, env *parallel.Env) []*types.Transaction
	// noConflicts asserts that the block ran without a re-execution.
	noConflicts bool
	// dropped is the number of transactions Build mode must drop.
	dropped int
	// invalid says Validate mode must reject the block.
	invalid bool
	// fallback says the block must leave speculation for the sequential
	// path.
	fallback bool
	check    func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome)
}

func blockCases() []blockCase {
	var drainProbe common.Address
	return []blockCase{
		{
			name:        "independent transfers",
			noConflicts: true,
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 8 {
					txs = append(txs, f.Tx(i, addr(common.BigToAddress(big.NewInt(int64(0x5000+i)))), ether, 21000, nil))
				}
				return txs
			},
		},
		{
			name:  "sender is fee recipient",
			setup: func(f *pt.Fixture) { f.Coinbase = f.Addrs[0] },
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					f.Tx(1, addr(f.Addrs[2]), ether, 21000, nil),
					f.Tx(0, addr(f.Addrs[3]), ether, 21000, nil),
					f.Tx(4, addr(f.Addrs[5]), ether, 21000, nil),
					f.Tx(0, addr(f.Addrs[6]), ether, 21000, nil),
					f.Tx(7, addr(f.Addrs[0]), ether, 21000, nil),
				}
			},
		},
		{
			name: "recipient is fee recipient",
			build: func(f *pt.Fixture, env *parallel.Env) []*types.Transaction {
				cb := env.Header.Coinbase
				return []*types.Transaction{
					f.Tx(1, addr(f.Addrs[2]), ether, 21000, nil),
					f.Tx(0, &cb, ether, 21000, nil),
					f.Tx(3, addr(f.Addrs[4]), ether, 21000, nil),
					f.Tx(5, &cb, big.NewInt(7), 21000, nil),
					f.Tx(6, addr(f.Addrs[7]), ether, 21000, nil),
				}
			},
		},
		{
			name: "balance of fee recipient",
			build: func(f *pt.Fixture, env *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					f.Tx(1, addr(f.Addrs[2]), ether, 21000, nil),
					f.Tx(3, addr(f.Addrs[4]), ether, 21000, nil),
					f.Tx(0, addr(pt.CoinbaseBalanceAddr), nil, 100_000, nil),
					f.Tx(5, addr(f.Addrs[6]), ether, 21000, nil),
					f.Tx(7, addr(pt.BalanceOfAddr), nil, 100_000, common.LeftPadBytes(env.Header.Coinbase[:], 32)),
				}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if seq.State.GetState(pt.CoinbaseBalanceAddr, common.Hash{}) == (common.Hash{}) {
					t.Error("BALANCE(COINBASE) saw no fees")
				}
			},
		},
		{
			name: "zero tip touches a missing fee recipient",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 5 {
					tx := types.NewTx(&types.DynamicFeeTx{ChainID: f.Config.ChainID, Nonce: f.Nonce(f.Addrs[i]), GasTipCap: new(big.Int), GasFeeCap: pt.BaseFee, Gas: 21000, To: addr(f.Addrs[i+1]), Value: big.NewInt(1)})
					f.SetNonce(f.Addrs[i], f.Nonce(f.Addrs[i])+1)
					signed, _ := types.SignTx(tx, f.Signer, f.Keys[i])
					txs = append(txs, signed)
				}
				return append(txs, f.Tx(6, addr(pt.CoinbaseBalanceAddr), nil, 100_000, nil))
			},
		},
		{
			// The fee recipient exists only through fee credits (deltas, which
			// do not write its existence), then sends a transaction that
			// leaves it with a zero balance and a nonce: it still exists,
			// and EXTCODEHASH must see it.
			name: "fee recipient created by fees, drained as a sender",
			setup: func(f *pt.Fixture) {
				f.Coinbase = crypto.PubkeyToAddress(feeRecipientKey.PublicKey)
			},
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				const gas = 21000
				tip := new(big.Int).Mul(big.NewInt(2), pt.BaseFee)
				earned := new(big.Int).Mul(big.NewInt(gas), tip)
				fee := new(big.Int).Mul(big.NewInt(gas), pt.BaseFee)
				sign := func(key *ecdsa.PrivateKey, tx types.TxData) *types.Transaction {
					signed, err := types.SignTx(types.NewTx(tx), f.Signer, key)
					if err != nil {
						panic(err)
					}
					return signed
				}
				pays := sign(f.Keys[1], &types.DynamicFeeTx{ChainID: f.Config.ChainID, Nonce: f.Nonce(f.Addrs[1]), GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, pt.BaseFee), Gas: gas, To: addr(f.Addrs[2]), Value: big.NewInt(1)})
				f.SetNonce(f.Addrs[1], f.Nonce(f.Addrs[1])+1)
				drains := sign(feeRecipientKey, &types.DynamicFeeTx{ChainID: f.Config.ChainID, GasTipCap: new(big.Int), GasFeeCap: pt.BaseFee, Gas: gas, To: addr(f.Addrs[3]), Value: new(big.Int).Sub(earned, fee)})
				// COINBASE EXTCODEHASH PUSH1 0 SSTORE STOP, as init code.
				drainProbe = pt.CreateAddress(f.Addrs[4], f.Nonce(f.Addrs[4]))
				probe := f.Tx(4, nil, nil, 100_000, common.FromHex("413f60005500"))
				return []*types.Transaction{pays, drains, probe, f.Tx(5, addr(f.Addrs[6]), ether, gas, nil)}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if n := seq.State.GetNonce(f.Coinbase); n != 1 {
					t.Fatalf("fee recipient nonce %d, want 1 (its transaction applied)", n)
				}
				if got := seq.State.GetState(drainProbe, common.Hash{}); got != types.EmptyCodeHash {
					t.Fatalf("EXTCODEHASH(COINBASE) after the drain = %x, want the empty code hash", got)
				}
			},
		},
		{
			name: "selfdestruct in creating transaction",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				created := crypto.CreateAddress(f.Addrs[0], f.Nonce(f.Addrs[0]))
				return []*types.Transaction{
					f.Tx(0, nil, ether, 100_000, pt.SelfDestructInit),
					f.Tx(1, &created, big.NewInt(5), 50_000, nil),
					f.Tx(2, addr(pt.BalanceOfAddr), nil, 100_000, common.LeftPadBytes(created[:], 32)),
					f.Tx(3, addr(pt.DestructorAddr), nil, 100_000, common.LeftPadBytes(f.Addrs[4][:], 32)),
					f.Tx(5, addr(pt.BalanceOfAddr), nil, 100_000, common.LeftPadBytes(f.Addrs[4][:], 32)),
				}
			},
		},
		{
			name: "metamorphic create2 redeploy",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				morph := crypto.CreateAddress2(pt.FactoryAddr, common.Hash{}, crypto.Keccak256(pt.MorphInit))
				return []*types.Transaction{
					f.Tx(0, addr(pt.FactoryAddr), nil, 200_000, pt.MorphInit),
					f.Tx(1, &morph, nil, 100_000, nil),
					f.Tx(2, addr(pt.FactoryAddr), big.NewInt(3), 200_000, pt.MorphInit),
					f.Tx(3, &morph, nil, 100_000, nil),
					f.Tx(4, addr(pt.FactoryAddr), big.NewInt(3), 200_000, pt.MorphInit),
					f.Tx(5, &morph, nil, 100_000, nil),
				}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				morph := crypto.CreateAddress2(pt.FactoryAddr, common.Hash{}, crypto.Keccak256(pt.MorphInit))
				if got := seq.State.GetState(morph, common.Hash{}); got != common.BigToHash(big.NewInt(2)) {
					t.Errorf("morph counter = %v, want 2", got)
				}
			},
		},
		{
			// An account with storage but no code, nonce or balance (only
			// a genesis allocation makes one) is removed when touched, and
			// its storage with it: a contract created at its address later
			// in the block starts with empty storage.
			name:     "storage-only account removed, then created again",
			alloc:    addStorageCopy,
			fallback: true,
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					f.Tx(0, addr(storageCopy), nil, 21000, nil),
					f.Tx(1, addr(pt.FactoryAddr), nil, 200_000, storageCopyInit),
					f.Tx(2, addr(f.Addrs[4]), ether, 21000, nil),
					f.Tx(3, addr(f.Addrs[5]), ether, 21000, nil),
				}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if n := seq.State.GetNonce(storageCopy); n != 1 {
					t.Errorf("created contract nonce = %d, want 1", n)
				}
				if got := seq.State.GetState(storageCopy, common.BigToHash(big.NewInt(1))); got != (common.Hash{}) {
					t.Errorf("init code read slot 0 = %v, want 0 (removed storage)", got)
				}
			},
		},
		// A zero tip credits the fee recipient nothing, which touches it:
		// a storage-only fee recipient is removed with its storage.
		zeroTipRemoval("storage-only fee recipient removed by a zero tip, then created again",
			func(f *pt.Fixture) *types.Transaction {
				return f.Tx(1, addr(pt.FactoryAddr), nil, 200_000, storageCopyInit)
			}, common.BigToHash(big.NewInt(1))),
		zeroTipRemoval("storage-only fee recipient removed by a zero tip, then paid",
			func(f *pt.Fixture) *types.Transaction {
				return f.Tx(1, addr(f.Addrs[6]), ether, 21000, nil)
			}, common.Hash{}),
		{
			// An empty fee recipient is removed by a zero tip and then
			// paid again: both write sets say it was recreated.
			name:  "empty fee recipient removed by a zero tip, then paid",
			alloc: func(alloc types.GenesisAlloc) { alloc[emptyAccount] = types.Account{} },
			setup: func(f *pt.Fixture) { f.Coinbase = emptyAccount },
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					zeroTipTx(f, 0, f.Addrs[9]),
					f.Tx(1, addr(f.Addrs[6]), ether, 21000, nil),
					f.Tx(2, addr(emptyAccount), ether, 21000, nil),
					f.Tx(3, addr(f.Addrs[5]), ether, 21000, nil),
				}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				for _, acc := range par.Result.WriteSet.Accounts {
					if acc.Address == emptyAccount && !acc.Recreated {
						t.Error("fee recipient removed and paid again is not marked recreated")
					}
				}
			},
		},
		{
			// A touch in a call that reverts is undone: the empty account
			// stays, and the write set must not remove it.
			name: "reverted touch of an empty account",
			alloc: func(alloc types.GenesisAlloc) {
				alloc[emptyAccount] = types.Account{}
				alloc[touchRevertAddr] = types.Account{Nonce: 1, Code: touchRevert}
			},
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return withTransfers(f, f.Tx(0, addr(touchRevertAddr), nil, 100_000, nil))
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if !seq.State.Exist(emptyAccount) {
					t.Error("the touch was reverted, yet the empty account is gone")
				}
			},
		},
		{
			// A contract created over an empty account in a call that
			// reverts: its nonce and code changes are undone.
			name: "reverted creation over an empty account",
			alloc: func(alloc types.GenesisAlloc) {
				alloc[revertedCreation] = types.Account{}
				alloc[createRevertAddr] = types.Account{Nonce: 1, Code: createRevert}
			},
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return withTransfers(f, f.Tx(0, addr(createRevertAddr), nil, 200_000, nil))
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if !seq.State.Exist(revertedCreation) || seq.State.GetNonce(revertedCreation) != 0 {
					t.Error("the creation was reverted, yet the empty account changed")
				}
			},
		},
		{
			// An empty account in the pre-state is removed when touched.
			name: "empty account touched",
			alloc: func(alloc types.GenesisAlloc) {
				alloc[emptyAccount] = types.Account{}
			},
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return withTransfers(f, f.Tx(0, addr(emptyAccount), nil, 21000, nil))
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if !f.State().Exist(emptyAccount) {
					t.Fatal("empty account missing from the pre-state")
				}
				if seq.State.Exist(emptyAccount) {
					t.Error("touched empty account still exists")
				}
			},
		},
		{
			name: "eip-7702 delegated code",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					f.Tx(2, addr(f.Addrs[3]), ether, 21000, nil),
					f.SetCodeTx(1, 2, pt.IncrementerAddr, f.Addrs[2], nil),
					f.Tx(3, addr(f.Addrs[2]), nil, 100_000, nil),
					f.Tx(2, addr(f.Addrs[2]), nil, 100_000, nil),
					f.Tx(4, addr(pt.BalanceOfAddr), nil, 100_000, common.LeftPadBytes(f.Addrs[2][:], 32)),
					f.SetCodeTx(5, 2, common.Address{}, f.Addrs[6], nil),
					f.Tx(6, addr(f.Addrs[2]), nil, 100_000, nil),
				}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				// The set-code call itself, the call from 3 and the self-call.
				if got := seq.State.GetState(f.Addrs[2], common.Hash{}); got != common.BigToHash(big.NewInt(3)) {
					t.Errorf("delegated counter = %v, want 3", got)
				}
			},
		},
		{
			name:  "preimages",
			setup: func(f *pt.Fixture) {},
			build: func(f *pt.Fixture, env *parallel.Env) []*types.Transaction {
				env.VMConfig.EnablePreimageRecording = true
				var txs []*types.Transaction
				for i := range 5 {
					txs = append(txs, f.Tx(i, addr(pt.HasherAddr), nil, 100_000, pt.Word(uint64(i+100))))
				}
				return txs
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				a, b := seq.State.Preimages(), par.State.Preimages()
				if len(a) != len(b) || len(a) < 5 {
					t.Fatalf("preimages: %d vs %d", len(a), len(b))
				}
				for h, p := range a {
					if string(b[h]) != string(p) {
						t.Errorf("preimage %v differs", h)
					}
				}
			},
		},
		{
			name:        "different slots of one contract",
			noConflicts: true,
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 8 {
					txs = append(txs, f.Tx(i, addr(pt.SlotWriterAddr), nil, 100_000, cat(pt.Word(uint64(i+1)), pt.Word(uint64(i+7)))))
				}
				return txs
			},
		},
		{
			name: "nonce chain from one sender",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 10 {
					txs = append(txs, f.Tx(0, addr(f.Addrs[1+i%3]), big.NewInt(int64(i+1)), 21000, nil))
				}
				return txs
			},
		},
		{
			name: "transient storage",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 5 {
					txs = append(txs, f.Tx(i, addr(pt.TransientAddr), nil, 100_000, nil))
				}
				return txs
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if got := par.State.GetState(pt.TransientAddr, common.BigToHash(common.Big1)); got != (common.Hash{}) {
					t.Errorf("transient storage leaked: %v", got)
				}
			},
		},
		{
			name: "revert and out of gas",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					f.Tx(0, addr(pt.ReverterAddr), big.NewInt(1), 100_000, nil),
					f.Tx(1, addr(pt.LooperAddr), nil, 80_000, nil),
					f.Tx(0, addr(pt.IncrementerAddr), nil, 100_000, nil),
					f.Tx(2, addr(pt.IncrementerAddr), nil, 100_000, nil),
					f.Tx(3, addr(pt.IncrementerAddr), nil, 23_000, nil),
				}
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				for i, want := range []uint64{0, 0, 1, 1, 0} {
					if got := par.Result.Receipts[i].Status; got != want {
						t.Errorf("receipt %d status %d, want %d", i, got, want)
					}
				}
			},
		},
		{
			name: "blockhash",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 6 {
					txs = append(txs, f.Tx(i, addr(pt.BlockHasherAddr), nil, 100_000, nil))
				}
				return txs
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				if par.State.GetState(pt.BlockHasherAddr, common.Hash{}) == (common.Hash{}) {
					t.Error("BLOCKHASH of the parent is zero")
				}
			},
		},
		{
			name: "logs",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				var txs []*types.Transaction
				for i := range 6 {
					txs = append(txs, f.Tx(i, addr(pt.LoggerAddr), nil, 100_000, nil))
				}
				return txs
			},
			check: func(t *testing.T, f *pt.Fixture, seq, par pt.Outcome) {
				for i, l := range par.Result.Logs {
					if l.Index != uint(i) {
						t.Errorf("log %d has index %d", i, l.Index)
					}
				}
			},
		},
		{
			name:    "dropped: nonce gap and insufficient funds",
			dropped: 4,
			invalid: true,
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				rich := new(big.Int).Mul(pt.Funding, big.NewInt(2))
				return []*types.Transaction{
					f.Tx(1, addr(f.Addrs[2]), ether, 21000, nil),
					f.TxWithNonce(0, 5, addr(f.Addrs[3]), ether, 21000, nil),
					f.Tx(4, addr(f.Addrs[5]), rich, 21000, nil),
					f.Tx(4, addr(f.Addrs[5]), ether, 21000, nil), // nonce now too high
					f.Tx(6, addr(f.Addrs[4]), ether, 21000, nil),
					f.Tx(4, addr(f.Addrs[6]), ether, 21000, nil), // still too high
					f.Tx(7, addr(f.Addrs[1]), ether, 21000, nil),
				}
			},
		},
		{
			name:    "dropped: gas above what is left",
			dropped: 3,
			invalid: true,
			setup:   func(f *pt.Fixture) { f.GasLimit = 120_000 },
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				return []*types.Transaction{
					f.Tx(0, addr(pt.IncrementerAddr), nil, 60_000, nil),
					f.Tx(1, addr(pt.IncrementerAddr), nil, 60_000, nil),
					f.Tx(2, addr(pt.IncrementerAddr), nil, 60_000, nil), // does not fit
					f.Tx(2, addr(f.Addrs[3]), ether, 21000, nil),        // nonce gap after the drop
					f.Tx(3, addr(pt.BalanceOfAddr), nil, 40_000, common.LeftPadBytes(f.Addrs[3][:], 32)),
					f.Tx(4, addr(f.Addrs[5]), new(big.Int).Mul(pt.Funding, big.NewInt(3)), 21000, nil),
				}
			},
		},
		{
			name: "withdrawals credit deposits",
			build: func(f *pt.Fixture, env *parallel.Env) []*types.Transaction {
				env.Withdrawals = types.Withdrawals{
					{Index: 0, Address: common.HexToAddress("0xd00d"), Amount: 5},
					{Index: 1, Address: env.Header.Coinbase, Amount: 7},
					{Index: 2, Address: f.Addrs[0], Amount: 9},
				}
				var txs []*types.Transaction
				for i := range 5 {
					txs = append(txs, f.Tx(i, addr(f.Addrs[i+1]), ether, 21000, nil))
				}
				return txs
			},
		},
		{
			name: "contract creation and calls into it",
			build: func(f *pt.Fixture, _ *parallel.Env) []*types.Transaction {
				token := crypto.CreateAddress(f.Addrs[0], f.Nonce(f.Addrs[0]))
				txs := []*types.Transaction{f.Tx(0, nil, nil, 3_000_000, pt.Token.Deploy(new(big.Int).Mul(ether, big.NewInt(1000))))}
				for i := range 4 {
					txs = append(txs, f.Tx(0, &token, nil, 100_000, pt.Token.Call("transfer", f.Addrs[i+1], ether)))
				}
				for i := range 4 {
					txs = append(txs, f.Tx(i+1, &token, nil, 100_000, pt.Token.Call("transfer", f.Addrs[9], big.NewInt(1))))
				}
				return txs
			},
		},
	}
}

func TestParallelMatchesSequentialTargeted(t *testing.T) {
	for _, tc := range blockCases() {
		for _, mode := range []parallel.Mode{parallel.Build, parallel.Validate} {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				runCase(t, tc, mode, 2)
			})
		}
	}
}

func TestParallelMatchesSequentialFourWorkers(t *testing.T) {
	for _, tc := range blockCases() {
		t.Run(tc.name, func(t *testing.T) { runCase(t, tc, parallel.Build, 4) })
	}
}

func runCase(t *testing.T, tc blockCase, mode parallel.Mode, workers int) {
	accounts := tc.accounts
	if accounts == 0 {
		accounts = 10
	}
	alloc := pt.StandardAlloc()
	if tc.alloc != nil {
		tc.alloc(alloc)
	}
	f, err := pt.NewFixture(accounts, alloc)
	if err != nil {
		t.Fatal(err)
	}
	if tc.setup != nil {
		tc.setup(f)
	}
	env := f.Env()
	txs := tc.build(f, env)
	seq, par, err := f.Compare(context.Background(), parallel.Sequential{}, parallel.NewParallel(workers), env, txs, mode)
	if err != nil {
		t.Fatal(err)
	}
	if mode == parallel.Validate && tc.invalid {
		if !errors.Is(par.Err, parallel.ErrInvalidBlock) {
			t.Fatalf("validate: err %v, want ErrInvalidBlock", par.Err)
		}
		return
	}
	if par.Err != nil {
		t.Fatalf("unexpected error %v", par.Err)
	}
	if got := len(par.Result.Dropped); got != tc.dropped {
		t.Fatalf("dropped %d, want %d: %v", got, tc.dropped, par.Result.Dropped)
	}
	for i, d := range par.Result.Dropped {
		if !errors.Is(d.Err, unwrapSentinel(seq.Result.Dropped[i].Err)) {
			t.Errorf("dropped %d: %v is not %v", i, d.Err, seq.Result.Dropped[i].Err)
		}
	}
	if par.Result.Stats.Fallback != tc.fallback {
		t.Errorf("fell back %v, want %v: %s", par.Result.Stats.Fallback, tc.fallback, par.Result.Stats.FallbackReason)
	}
	if tc.noConflicts && par.Result.Stats.Incarnations != len(txs) {
		t.Errorf("incarnations %d, want %d (no conflicts)", par.Result.Stats.Incarnations, len(txs))
	}
	checkWriteSets(t, f, env, seq, par)
	if tc.check != nil {
		tc.check(t, f, seq, par)
	}
}

// unwrapSentinel returns the go-ethereum sentinel an error wraps, or the
// error itself.
func unwrapSentinel(err error) error {
	for _, s := range []error{core.ErrNonceTooHigh, core.ErrNonceTooLow, core.ErrInsufficientFunds, core.ErrGasLimitReached, core.ErrInsufficientFundsForTransfer, core.ErrIntrinsicGas} {
		if errors.Is(err, s) {
			return s
		}
	}
	return err
}
