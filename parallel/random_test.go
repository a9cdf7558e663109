package parallel_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"math/rand"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/parallel"
	pt "github.com/lanes-rollup/lanes/parallel/paralleltest"
)

// storageLoop writes slots base..base+n-1 (calldata words 0 and 1), each
// with its own key as value.
var (
	storageLoop     = common.FromHex("6000356020355b80156018576001900380820180556006565b00")
	storageLoopAddr = common.HexToAddress("0x100c")
)

const worldSenders = 16

// world is a pre-state with real contracts: two OpenZeppelin ERC20 tokens,
// a constant-product pair over them with liquidity, and the hand-assembled
// contracts. Every sender holds both tokens and has approved the pair.
type world struct {
	f              *pt.Fixture
	tokenA, tokenB common.Address
	pair           common.Address
	fresh          []common.Address
	// empty holds accounts that exist in the pre-state with no balance,
	// nonce or code, one of them with storage: touching one removes it.
	empty              []common.Address
	morph, createdInit common.Address
	// feeKey signs for feeAddr, an account missing from the pre-state that
	// some blocks make their fee recipient: it is funded by the block's
	// fees and transfers, and sends transactions of its own.
	feeKey  *ecdsa.PrivateKey
	feeAddr common.Address
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

func sharedWorld(t testing.TB) *world {
	worldOnce.Do(func() { theWorld, worldErr = buildWorld() })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return theWorld
}

func buildWorld() (*world, error) {
	alloc := pt.StandardAlloc()
	alloc[storageLoopAddr] = types.Account{Code: storageLoop, Nonce: 1}
	alloc[emptyAccount] = types.Account{}
	addStorageCopy(alloc)
	f, err := pt.NewFixture(worldSenders, alloc)
	if err != nil {
		return nil, err
	}
	w := &world{f: f}
	owner := f.Addrs[0]
	supply := new(big.Int).Mul(ether, big.NewInt(1_000_000_000))
	w.tokenA = crypto.CreateAddress(owner, f.Nonce(owner))
	w.tokenB = crypto.CreateAddress(owner, f.Nonce(owner)+1)
	w.pair = crypto.CreateAddress(owner, f.Nonce(owner)+2)
	txs := []*types.Transaction{
		f.Tx(0, nil, nil, 3_000_000, pt.Token.Deploy(supply)),
		f.Tx(0, nil, nil, 3_000_000, pt.Token.Deploy(supply)),
		f.Tx(0, nil, nil, 3_000_000, pt.Pair.Deploy(w.tokenA, w.tokenB)),
	}
	share := new(big.Int).Mul(ether, big.NewInt(1_000_000))
	for i := 1; i < worldSenders; i++ {
		txs = append(txs,
			f.Tx(0, &w.tokenA, nil, 100_000, pt.Token.Call("transfer", f.Addrs[i], share)),
			f.Tx(0, &w.tokenB, nil, 100_000, pt.Token.Call("transfer", f.Addrs[i], share)),
		)
	}
	maxApproval := new(big.Int).Sub(new(big.Int).Lsh(common.Big1, 256), common.Big1)
	for i := range worldSenders {
		txs = append(txs,
			f.Tx(i, &w.tokenA, nil, 100_000, pt.Token.Call("approve", w.pair, maxApproval)),
			f.Tx(i, &w.tokenB, nil, 100_000, pt.Token.Call("approve", w.pair, maxApproval)),
		)
	}
	liquidity := new(big.Int).Mul(ether, big.NewInt(10_000_000))
	txs = append(txs, f.Tx(0, &w.pair, nil, 300_000, pt.Pair.Call("addLiquidity", liquidity, liquidity)))
	if err := f.Commit(txs); err != nil {
		return nil, err
	}
	for i := range 4 {
		w.fresh = append(w.fresh, common.BigToAddress(big.NewInt(int64(0xfee0+i))))
	}
	w.empty = []common.Address{emptyAccount, storageCopy}
	w.morph = crypto.CreateAddress2(pt.FactoryAddr, common.Hash{}, crypto.Keccak256(pt.MorphInit))
	w.feeKey = feeRecipientKey
	w.feeAddr = crypto.PubkeyToAddress(feeRecipientKey.PublicKey)
	return w, nil
}

// chooser is the source of a generated block's decisions: a seeded PRNG or
// fuzz bytes.
type chooser interface {
	Intn(n int) int
}

type byteChooser struct {
	data []byte
	pos  int
}

func (b *byteChooser) Intn(n int) int {
	if b.pos >= len(b.data) {
		return 0
	}
	v := int(b.data[b.pos])
	b.pos++
	return v % n
}

func (b *byteChooser) exhausted() bool { return b.pos >= len(b.data) }

// genBlock generates up to n transactions over the world, including ones
// that cannot be applied (nonce gaps, unaffordable values, gas beyond the
// block's). f must be a clone: its nonces advance.
func (w *world) genBlock(f *pt.Fixture, c chooser, n int, stop func() bool) []*types.Transaction {
	var txs []*types.Transaction
	one := big.NewInt(1)
	feeFunded := false
	for len(txs) < n && !stop() {
		s := c.Intn(worldSenders)
		target := func() common.Address {
			switch c.Intn(4) {
			case 0:
				return f.Coinbase
			case 1:
				if c.Intn(3) == 0 {
					return w.empty[c.Intn(len(w.empty))]
				}
				return w.fresh[c.Intn(len(w.fresh))]
			default:
				return f.Addrs[c.Intn(worldSenders)]
			}
		}
		var tx *types.Transaction
		if f.Coinbase == w.feeAddr {
			// Until a transfer funds it, the fee recipient exists only
			// through fees; then it also sends.
			switch {
			case !feeFunded && c.Intn(8) == 0:
				feeFunded = true
				txs = append(txs, f.Tx(s, &w.feeAddr, big.NewInt(50*params1e15), 21000, nil))
				continue
			case feeFunded && c.Intn(5) == 0:
				to := target()
				txs = append(txs, w.feeTx(f, to, big.NewInt(int64(c.Intn(3))*params1e15/4)))
				continue
			}
		}
		switch c.Intn(22) {
		case 0, 1:
			to := target()
			tx = f.Tx(s, &to, big.NewInt(int64(c.Intn(3))*params1e15), 21000, nil)
		case 2, 3:
			to := target()
			tx = f.Tx(s, &w.tokenA, nil, 100_000, pt.Token.Call("transfer", to, big.NewInt(int64(1+c.Intn(1000)))))
		case 4, 5:
			amount := new(big.Int).Mul(ether, big.NewInt(int64(1+c.Intn(100))))
			tx = f.Tx(s, &w.pair, nil, 200_000, pt.Pair.Call("swap", amount, c.Intn(2) == 0, common.Big0))
		case 6:
			tx = f.Tx(s, &pt.IncrementerAddr, nil, 60_000, nil)
		case 7:
			tx = f.Tx(s, &pt.SlotWriterAddr, nil, 60_000, cat(pt.Word(uint64(c.Intn(6))), pt.Word(uint64(c.Intn(3)))))
		case 8:
			tx = f.Tx(s, &storageLoopAddr, nil, 700_000, cat(pt.Word(uint64(1+c.Intn(40))), pt.Word(uint64(c.Intn(24)))))
		case 9:
			init := pt.MorphInit
			if c.Intn(3) == 0 { // creates a contract over a storage-only account
				init = storageCopyInit
			}
			tx = f.Tx(s, &pt.FactoryAddr, big.NewInt(int64(c.Intn(2))), 200_000, init)
		case 10:
			tx = f.Tx(s, &w.morph, nil, 60_000, nil)
		case 11:
			init := pt.SelfDestructInit
			if c.Intn(2) == 0 {
				init = cat(common.FromHex("600a600c600039600a6000f3"), pt.Incrementer)
			}
			tx = f.Tx(s, nil, big.NewInt(int64(c.Intn(2))), 150_000, init)
		case 12:
			tx = f.Tx(s, &pt.CoinbaseBalanceAddr, nil, 60_000, nil)
		case 13:
			to := pt.LoggerAddr
			if c.Intn(2) == 0 {
				to = pt.BlockHasherAddr
			}
			tx = f.Tx(s, &to, nil, 80_000, nil)
		case 14:
			to := target()
			tx = f.Tx(s, &pt.DestructorAddr, one, 60_000, common.LeftPadBytes(to[:], 32))
		case 15:
			to := target()
			tx = f.Tx(s, &pt.BalanceOfAddr, nil, 60_000, common.LeftPadBytes(to[:], 32))
		case 16:
			switch c.Intn(3) {
			case 0: // nonce gap; later transactions of s become gaps too
				tx = f.TxWithNonce(s, f.Nonce(f.Addrs[s])+1+uint64(c.Intn(2)), &f.Addrs[0], one, 21000, nil)
			case 1: // cannot afford the value
				to := target()
				tx = f.Tx(s, &to, new(big.Int).Mul(pt.Funding, big.NewInt(2)), 21000, nil)
			default: // a large gas limit that may not fit what is left
				tx = f.Tx(s, &storageLoopAddr, nil, 900_000+uint64(c.Intn(4))*100_000, cat(pt.Word(200), pt.Word(2)))
			}
		case 17:
			tx = f.Tx(s, &pt.TransientAddr, nil, 100_000, nil)
		case 18:
			if c.Intn(2) == 0 {
				tx = f.Tx(s, &pt.ReverterAddr, big.NewInt(int64(c.Intn(2))), 100_000, nil)
			} else { // runs out of gas
				tx = f.Tx(s, &pt.LooperAddr, nil, 30_000+uint64(c.Intn(3))*10_000, nil)
			}
		case 19:
			tx = f.Tx(s, &pt.HasherAddr, nil, 100_000, pt.Word(uint64(c.Intn(4))))
		case 20:
			// A run of transactions from one sender: a nonce chain.
			for k := 2 + c.Intn(7); k > 0 && len(txs) < n-1; k-- {
				to := target()
				txs = append(txs, f.Tx(s, &to, big.NewInt(int64(1+c.Intn(3))), 21000, nil))
			}
			to := target()
			tx = f.Tx(s, &w.tokenA, nil, 100_000, pt.Token.Call("transfer", to, big.NewInt(int64(1+c.Intn(1000)))))
		case 21:
			// EIP-7702: a sender (perhaps s itself) delegates its account
			// to a contract, or clears its delegation, and the transaction
			// calls it or another account.
			authority := c.Intn(worldSenders)
			delegates := []common.Address{pt.IncrementerAddr, pt.LoggerAddr, pt.TransientAddr, {}}
			to := f.Addrs[authority]
			if c.Intn(3) == 0 {
				to = target()
			}
			tx = f.SetCodeTx(s, authority, delegates[c.Intn(len(delegates))], to, nil)
		}
		txs = append(txs, tx)
	}
	return txs
}

const params1e15 = 1_000_000_000_000_000

// feeTx signs a transfer from the fee recipient w.feeAddr with its next
// nonce in f.
func (w *world) feeTx(f *pt.Fixture, to common.Address, value *big.Int) *types.Transaction {
	nonce := f.Nonce(w.feeAddr)
	f.SetNonce(w.feeAddr, nonce+1)
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
		ChainID: f.Config.ChainID, Nonce: nonce, GasTipCap: pt.GasTip, GasFeeCap: pt.GasFeeCap,
		Gas: 21000, To: &to, Value: value,
	}), f.Signer, w.feeKey)
	if err != nil {
		panic(err)
	}
	return tx
}

// chooseFeeRecipient makes the fee recipient of some blocks a sender of
// the world (funded in the pre-state) or w.feeAddr (missing from it),
// so that the fee recipient also sends transactions.
func (w *world) chooseFeeRecipient(f *pt.Fixture, choice int) {
	switch choice % 3 {
	case 1:
		f.Coinbase = f.Addrs[worldSenders-1]
	case 2:
		f.Coinbase = w.feeAddr
	}
}

// checkBlock runs txs in Build mode with both executors, then the included
// transactions in Validate mode, and compares everything.
func checkBlock(t *testing.T, f *pt.Fixture, txs []*types.Transaction, workers int) {
	t.Helper()
	ctx := context.Background()
	env := f.Env()
	seq, par, err := f.Compare(ctx, parallel.Sequential{}, parallel.NewParallel(workers), env, txs, parallel.Build)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if seq.Err != nil {
		t.Fatalf("build failed: %v", seq.Err)
	}
	checkWriteSets(t, f, env, seq, par)
	if par.Result.Stats.Fallback {
		t.Logf("fell back: %s", par.Result.Stats.FallbackReason)
	}
	included := seq.Result.Transactions
	env = f.Env()
	if _, _, err := f.Compare(ctx, parallel.Sequential{}, parallel.NewParallel(workers), env, included, parallel.Validate); err != nil {
		t.Fatalf("validate: %v", err)
	}
}

// randomSeeds is how many seeded blocks TestParallelMatchesSequentialRandom
// runs; LANES_RANDOM_SEEDS raises it for a longer soak.
func randomSeeds() int {
	if n, err := strconv.Atoi(os.Getenv("LANES_RANDOM_SEEDS")); err == nil && n > 0 {
		return n
	}
	return 12
}

func TestParallelMatchesSequentialRandom(t *testing.T) {
	w := sharedWorld(t)
	for seed := range randomSeeds() {
		workers := 2 + seed%3
		rng := rand.New(rand.NewSource(int64(seed)))
		f := w.f.Clone()
		// Half the blocks read through a reader shared with the StateDB,
		// as the sequencer's builder does.
		f.SharedReader = seed%2 == 1
		// Some blocks are tight, so that gas drops happen.
		if seed%3 == 0 {
			f.GasLimit = 1_200_000
		}
		w.chooseFeeRecipient(f, seed/2)
		txs := w.genBlock(f, rng, 40, func() bool { return false })
		t.Run("", func(t *testing.T) { checkBlock(t, f, txs, workers) })
	}
}

func FuzzParallelMatchesSequential(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add([]byte("\x00\x04\x01\x05\x02\x04\x03\x05\x04\x04\x05\x05\x06\x09\x07\x0a\x08\x09\x01\x0a"))
	f.Add([]byte("\x01\x10\x00\x02\x10\x01\x03\x10\x02\x04\x0c\x05\x0c\x06\x00\x00\x07\x00\x01"))
	f.Add([]byte("\x03\x0b\x00\x01\x03\x0b\x01\x00\x05\x0e\x00\x06\x0e\x01\x07\x0f\x00\x08\x0c"))
	f.Add([]byte("\x02\x08\x05\x10\x03\x08\x05\x10\x04\x06\x05\x06\x06\x06\x07\x06\x08\x07\x01\x02"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		w := sharedWorld(t)
		fx := w.f.Clone()
		if data[0]%4 == 0 {
			fx.GasLimit = 1_000_000
		}
		w.chooseFeeRecipient(fx, int(data[0])/4)
		c := &byteChooser{data: data[1:]}
		txs := w.genBlock(fx, c, 48, c.exhausted)
		checkBlock(t, fx, txs, 2+int(data[0])%3)
	})
}
