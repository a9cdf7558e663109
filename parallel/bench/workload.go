// Package bench measures the parallel executor against the sequential
// reference on synthetic blocks, in the same process and from the same
// pre-state. `lanes bench parallel` and the Go benchmarks both use it.
package bench

import (
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	pt "github.com/lanes-rollup/lanes/parallel/paralleltest"
)

// Workloads lists the workload names Run accepts, in report order.
var Workloads = []string{"transfer", "erc20", "erc20-hot", "uniswap", "mixed", "chain"}

// Block is a workload's pre-state and the block of transactions to run on it.
type Block struct {
	Fixture *pt.Fixture
	Txs     []*types.Transaction
}

var ether = big.NewInt(params.Ether)

// Build creates the pre-state and the block of n transactions of a
// workload. Senders are recovered (and cached in the transactions) before
// it returns, so that timing excludes signature recovery.
func Build(workload string, n int) (*Block, error) {
	if n < 1 {
		return nil, fmt.Errorf("need at least one transaction, have %d", n)
	}
	if n > MaxTxs {
		return nil, fmt.Errorf("at most %d transactions per block, have %d", MaxTxs, n)
	}
	var (
		blk *Block
		err error
	)
	switch workload {
	case "transfer":
		blk, err = buildTransfer(n)
	case "erc20":
		blk, err = buildToken(n, 0)
	case "erc20-hot":
		blk, err = buildToken(n, 100)
	case "mixed":
		blk, err = buildToken(n, 40)
	case "uniswap":
		blk, err = buildUniswap(n)
	case "chain":
		blk, err = buildChain(n)
	default:
		return nil, fmt.Errorf("unknown workload %q (have %v)", workload, Workloads)
	}
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", workload, err)
	}
	for _, tx := range blk.Txs {
		if _, err := types.Sender(blk.Fixture.Signer, tx); err != nil {
			return nil, err
		}
	}
	return blk, nil
}

// MaxTxs bounds the block size a workload is built for: building signs
// every transaction and funds every account, which takes about a minute
// and a few gigabytes at this size.
const MaxTxs = 200_000

// maxGasPerTx bounds the gas any workload's transaction, set-up included,
// may use.
const maxGasPerTx = 300_000

// newFixture returns a pre-state with the given number of funded accounts
// whose block gas limit fits txs transactions of any workload, and never
// less than the fixture's default: a large block is measured, not dropped.
func newFixture(accounts, txs int) (*pt.Fixture, error) {
	f, err := pt.NewFixture(accounts, nil)
	if err != nil {
		return nil, err
	}
	f.GasLimit = max(f.GasLimit, uint64(txs)*maxGasPerTx)
	return f, nil
}

// recipient returns a distinct address that holds nothing in the pre-state.
func recipient(i int) common.Address {
	return common.BigToAddress(new(big.Int).SetUint64(0xabc000000 + uint64(i)))
}

// buildTransfer: n senders each send ether to their own fresh recipient.
func buildTransfer(n int) (*Block, error) {
	f, err := newFixture(n, n)
	if err != nil {
		return nil, err
	}
	txs := make([]*types.Transaction, n)
	for i := range n {
		to := recipient(i)
		txs[i] = f.Tx(i, &to, ether, 21000, nil)
	}
	return &Block{Fixture: f, Txs: txs}, nil
}

// buildChain: one sender sends n transfers in a nonce chain.
func buildChain(n int) (*Block, error) {
	f, err := newFixture(1, n)
	if err != nil {
		return nil, err
	}
	txs := make([]*types.Transaction, n)
	for i := range n {
		to := recipient(i)
		txs[i] = f.Tx(0, &to, big.NewInt(1), 21000, nil)
	}
	return &Block{Fixture: f, Txs: txs}, nil
}

// deployToken deploys an OpenZeppelin ERC20 from account 0 and gives each
// of the other accounts a share, in a set-up block.
func deployToken(f *pt.Fixture) (common.Address, error) {
	owner := f.Addrs[0]
	token := crypto.CreateAddress(owner, f.Nonce(owner))
	supply := new(big.Int).Mul(ether, big.NewInt(1_000_000_000_000))
	txs := []*types.Transaction{f.Tx(0, nil, nil, 3_000_000, pt.Token.Deploy(supply))}
	share := new(big.Int).Mul(ether, big.NewInt(1000))
	for i := 1; i < len(f.Addrs); i++ {
		txs = append(txs, f.Tx(0, &token, nil, 100_000, pt.Token.Call("transfer", f.Addrs[i], share)))
	}
	return token, f.Commit(txs)
}

// buildToken: n token transfers from distinct senders; hotPercent of them
// go to one shared recipient, the others to fresh recipients of their own.
func buildToken(n, hotPercent int) (*Block, error) {
	f, err := newFixture(n+1, n)
	if err != nil {
		return nil, err
	}
	token, err := deployToken(f)
	if err != nil {
		return nil, err
	}
	hot := recipient(1 << 20)
	txs := make([]*types.Transaction, n)
	for i := range n {
		to := recipient(i)
		// Spread the hot transfers evenly through the block.
		if (i*hotPercent)/100 != ((i+1)*hotPercent)/100 {
			to = hot
		}
		txs[i] = f.Tx(i+1, &token, nil, 100_000, pt.Token.Call("transfer", to, big.NewInt(int64(1+i))))
	}
	return &Block{Fixture: f, Txs: txs}, nil
}

// buildUniswap: n swaps from distinct traders on one pool.
func buildUniswap(n int) (*Block, error) {
	f, err := newFixture(n+1, n)
	if err != nil {
		return nil, err
	}
	owner := f.Addrs[0]
	nonce := f.Nonce(owner)
	tokenA := crypto.CreateAddress(owner, nonce)
	tokenB := crypto.CreateAddress(owner, nonce+1)
	pair := crypto.CreateAddress(owner, nonce+2)
	supply := new(big.Int).Mul(ether, big.NewInt(1_000_000_000_000))
	setup := []*types.Transaction{
		f.Tx(0, nil, nil, 3_000_000, pt.Token.Deploy(supply)),
		f.Tx(0, nil, nil, 3_000_000, pt.Token.Deploy(supply)),
		f.Tx(0, nil, nil, 3_000_000, pt.Pair.Deploy(tokenA, tokenB)),
	}
	maxApproval := new(big.Int).Sub(new(big.Int).Lsh(common.Big1, 256), common.Big1)
	share := new(big.Int).Mul(ether, big.NewInt(1000))
	for i := range f.Addrs {
		if i > 0 {
			setup = append(setup,
				f.Tx(0, &tokenA, nil, 100_000, pt.Token.Call("transfer", f.Addrs[i], share)),
				f.Tx(0, &tokenB, nil, 100_000, pt.Token.Call("transfer", f.Addrs[i], share)))
		}
		setup = append(setup,
			f.Tx(i, &tokenA, nil, 100_000, pt.Token.Call("approve", pair, maxApproval)),
			f.Tx(i, &tokenB, nil, 100_000, pt.Token.Call("approve", pair, maxApproval)))
	}
	liquidity := new(big.Int).Mul(ether, big.NewInt(1_000_000_000))
	setup = append(setup, f.Tx(0, &pair, nil, 300_000, pt.Pair.Call("addLiquidity", liquidity, liquidity)))
	// Split the set-up so that no block exceeds the fixture's gas limit.
	for chunk := range slices.Chunk(setup, 5000) {
		if err := f.Commit(chunk); err != nil {
			return nil, err
		}
	}
	txs := make([]*types.Transaction, n)
	for i := range n {
		txs[i] = f.Tx(i+1, &pair, nil, 200_000, pt.Pair.Call("swap", ether, i%2 == 0, common.Big0))
	}
	return &Block{Fixture: f, Txs: txs}, nil
}
