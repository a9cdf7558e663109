package batcher

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/lanes-rollup/lanes/batcher/codec"
)

// anvilKey is anvil's first dev account (the well-known test mnemonic).
const anvilKey = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

const testL2ChainID = 901

// anvilPath finds anvil in $LANES_TOOLS or <repo>/tools/bin.
func anvilPath(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("LANES_TOOLS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(filepath.Dir(wd), "tools", "bin") // tests run in <repo>/batcher
	}
	path := filepath.Join(dir, "anvil")
	if info, err := os.Stat(path); err != nil || info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("anvil not found at %s: run make tools (or set LANES_TOOLS)", path)
	}
	return path
}

// startAnvil starts anvil on a free loopback port, waits until it answers
// and kills it when the test ends. It returns the HTTP URL and a client.
func startAnvil(t testing.TB, args ...string) (string, *ethclient.Client) {
	t.Helper()
	bin := anvilPath(t)
	for attempt := 0; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command(bin, append([]string{"--host", "127.0.0.1", "--port", strconv.Itoa(port), "--silent"}, args...)...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("start anvil: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-exited })
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			select {
			case <-exited:
				if attempt < 3 { // the port was taken in between: try another
					goto retry
				}
				t.Fatal("anvil exited before answering")
			default:
			}
			if c, err := ethclient.Dial(url); err == nil {
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				_, err := c.ChainID(ctx)
				cancel()
				if err == nil {
					t.Cleanup(c.Close)
					return url, c
				}
				c.Close()
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("anvil did not answer within 30s")
	retry:
	}
}

func devKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := crypto.HexToECDSA(anvilKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fakeL2 is an in-memory L2 chain implementing L2Source. head can be moved
// to make blocks appear.
type fakeL2 struct {
	mu     sync.Mutex
	blocks []*types.Block
	head   uint64
}

func (f *fakeL2) BlockByNumber(_ context.Context, n uint64) (*types.Block, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if n > f.head || n >= uint64(len(f.blocks)) {
		return nil, fmt.Errorf("no L2 block %d", n)
	}
	return f.blocks[n], nil
}

func (f *fakeL2) Head(context.Context) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.head, nil
}

func (f *fakeL2) setHead(n uint64) {
	f.mu.Lock()
	f.head = n
	f.mu.Unlock()
}

// chainSpec describes a fake L2 chain.
type chainSpec struct {
	blocks    int
	startTime uint64
	origin    func(i int) codec.L1Origin // origin of block i >= 1
	txs       func(i int) int            // transactions in block i
	txData    int                        // calldata bytes per transaction (random)
	zeroData  bool                       // calldata of zeros instead
	seed      int64
}

// makeChain builds genesis plus spec.blocks blocks with Lanes-shaped headers
// and signed transactions (alternately EIP-155 legacy and EIP-1559). State
// roots are made up: the batcher only reads headers and bodies.
func makeChain(t testing.TB, spec chainSpec) *fakeL2 {
	t.Helper()
	rng := rand.New(rand.NewSource(spec.seed))
	key, err := ecdsa.GenerateKey(crypto.S256(), rng)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(big.NewInt(testL2ChainID))
	genesis := types.NewBlock(&types.Header{
		Number: new(big.Int), Time: spec.startTime, GasLimit: 30_000_000, BaseFee: big.NewInt(1e9),
		Root: common.Hash{0x01}, Difficulty: new(big.Int),
	}, nil, nil, trie.NewStackTrie(nil))
	blocks := []*types.Block{genesis}
	nonce := uint64(0)
	for i := 1; i <= spec.blocks; i++ {
		var txs []*types.Transaction
		for j := 0; j < spec.txs(i); j++ {
			to := common.Address{byte(rng.Intn(256)), byte(j)}
			data := make([]byte, spec.txData)
			if !spec.zeroData {
				rng.Read(data)
			}
			var inner types.TxData
			if nonce%2 == 0 {
				inner = &types.LegacyTx{Nonce: nonce, GasPrice: big.NewInt(2e9), Gas: 21_000 + 16*uint64(len(data)), To: &to, Value: big.NewInt(int64(j + 1)), Data: data}
			} else {
				inner = &types.DynamicFeeTx{ChainID: big.NewInt(testL2ChainID), Nonce: nonce, GasTipCap: big.NewInt(1e8), GasFeeCap: big.NewInt(3e9), Gas: 21_000 + 16*uint64(len(data)), To: &to, Value: big.NewInt(int64(j + 1)), Data: data}
			}
			tx, err := types.SignNewTx(key, signer, inner)
			if err != nil {
				t.Fatal(err)
			}
			txs = append(txs, tx)
			nonce++
		}
		o := spec.origin(i)
		extra := binary.BigEndian.AppendUint64(nil, o.Number)
		h := &types.Header{
			ParentHash: blocks[i-1].Hash(), Number: big.NewInt(int64(i)), Time: spec.startTime + uint64(i),
			GasLimit: 30_000_000, BaseFee: big.NewInt(1e9), Root: crypto.Keccak256Hash([]byte{byte(i)}),
			Difficulty: new(big.Int), Extra: extra, ParentBeaconRoot: &o.Hash,
		}
		blocks = append(blocks, types.NewBlock(h, &types.Body{Transactions: txs}, nil, trie.NewStackTrie(nil)))
	}
	return &fakeL2{blocks: blocks, head: uint64(spec.blocks)}
}

// codecBlock is what the batch must carry for blk.
func codecBlock(t testing.TB, blk *types.Block) codec.Block {
	t.Helper()
	o, err := codec.HeaderL1Origin(blk.Header())
	if err != nil {
		t.Fatal(err)
	}
	b := codec.Block{Timestamp: blk.Time(), L1Origin: o, Transactions: [][]byte{}}
	for _, tx := range blk.Transactions() {
		raw, err := tx.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		b.Transactions = append(b.Transactions, raw)
	}
	return b
}

// mineOrigins mines anvil up to at least block n and returns the hashes of
// blocks 0..n, for L2 blocks to name as L1 origins.
func mineOrigins(t testing.TB, ctx context.Context, url string, client *ethclient.Client, n uint64) []common.Hash {
	t.Helper()
	raw, err := rpc.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.CallContext(ctx, nil, "anvil_mine", hexutil.Uint64(n)); err != nil {
		t.Fatal(err)
	}
	hashes := make([]common.Hash, n+1)
	for i := range hashes {
		h, err := client.HeaderByNumber(ctx, big.NewInt(int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		hashes[i] = h.Hash()
	}
	return hashes
}
