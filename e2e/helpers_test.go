// Package e2e runs Lanes end to end: the sequencer and its JSON-RPC server
// in process over real HTTP and WebSocket listeners (rpc_test.go), the lanes
// binary driven by Foundry's cast and forge (cast_test.go), and the binary
// killed and restarted on its data directory (crash_test.go).
package e2e

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	"github.com/lanes-rollup/lanes/sequencer"
)

// chainID is the chain ID of a dev node.
var chainID = big.NewInt(sequencer.DefaultChainID)

// hangGuard bounds every wait in this package. It only catches hangs: no
// test depends on anything finishing sooner.
const hangGuard = 60 * time.Second

// Fees of the transactions the tests send. A dev chain starts at a 1 gwei
// base fee that only falls while blocks stay under the gas target, so a
// 10 gwei cap always covers it.
var (
	testTip    = big.NewInt(1_000_000_000)
	testFeeCap = big.NewInt(10_000_000_000)
)

func TestMain(m *testing.M) {
	code := m.Run()
	proc.Cleanup()
	os.Exit(code)
}

// testContext returns a context that ends at the hang guard or when the
// test ends.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// probe is the compiled testdata/Probe.sol.
type probe struct {
	abi      abi.ABI
	initCode []byte
}

func loadProbe(t testing.TB) probe {
	t.Helper()
	abiJSON, err := os.ReadFile(filepath.Join("testdata", "Probe.abi"))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := abi.JSON(strings.NewReader(string(abiJSON)))
	if err != nil {
		t.Fatal(err)
	}
	binHex, err := os.ReadFile(filepath.Join("testdata", "Probe.bin"))
	if err != nil {
		t.Fatal(err)
	}
	code := common.FromHex(strings.TrimSpace(string(binHex)))
	if len(code) == 0 {
		t.Fatal("testdata/Probe.bin is empty")
	}
	return probe{abi: parsed, initCode: code}
}

// pack ABI-encodes a call, failing the test on error.
func (p probe) pack(t testing.TB, method string, args ...any) []byte {
	t.Helper()
	data, err := p.abi.Pack(method, args...)
	if err != nil {
		t.Fatalf("pack %s: %v", method, err)
	}
	return data
}

// devKey returns dev account i's key and address.
func devKey(i int) (*ecdsa.PrivateKey, common.Address) {
	key := sequencer.DevKeys()[i]
	return key, crypto.PubkeyToAddress(key.PublicKey)
}

// dynTx is a dynamic-fee transaction with the test fees.
func dynTx(nonce uint64, to *common.Address, value *big.Int, gas uint64, data []byte) *types.DynamicFeeTx {
	if value == nil {
		value = new(big.Int)
	}
	return &types.DynamicFeeTx{
		ChainID:   chainID,
		Nonce:     nonce,
		GasTipCap: testTip,
		GasFeeCap: testFeeCap,
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	}
}

// sign signs tx for the dev chain.
func sign(t testing.TB, key *ecdsa.PrivateKey, tx types.TxData) *types.Transaction {
	t.Helper()
	signed, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), tx)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// send submits tx and fails the test if the node refuses it.
func send(t testing.TB, ctx context.Context, c *ethclient.Client, tx *types.Transaction) {
	t.Helper()
	if err := c.SendTransaction(ctx, tx); err != nil {
		t.Fatalf("send tx nonce %d: %v", tx.Nonce(), err)
	}
}

// txIndexingMessage is go-ethereum's answer to a transaction lookup while
// the transaction index is being built.
const txIndexingMessage = "transaction indexing is in progress"

// waitReceipt polls for a receipt until ctx ends.
func waitReceipt(t testing.TB, ctx context.Context, c *ethclient.Client, hash common.Hash) *types.Receipt {
	t.Helper()
	for {
		r, err := c.TransactionReceipt(ctx, hash)
		if err == nil {
			return r
		}
		// A node that has just started answers "transaction indexing is in
		// progress" until its indexer has covered the genesis, as
		// go-ethereum does: not yet, rather than not found.
		if !errors.Is(err, ethereum.NotFound) && err.Error() != txIndexingMessage {
			t.Fatalf("receipt of %v: %v", hash, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no receipt for %v: %v", hash, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// mustSucceed waits for tx's receipt and fails unless it succeeded.
func mustSucceed(t testing.TB, ctx context.Context, c *ethclient.Client, tx *types.Transaction) *types.Receipt {
	t.Helper()
	r := waitReceipt(t, ctx, c, tx.Hash())
	if r.Status != types.ReceiptStatusSuccessful {
		t.Fatalf("tx %v (nonce %d) failed: status %d", tx.Hash(), tx.Nonce(), r.Status)
	}
	return r
}

// lanesNode is a `lanes sequencer --dev` process started by startLanes.
type lanesNode struct {
	proc    *proc.Process
	url     string // HTTP JSON-RPC endpoint
	datadir string
}

// startLanes builds bin/lanes (once per test binary) and starts a dev
// sequencer on datadir, on free loopback ports, with extra flags appended.
// It waits until the node answers eth_chainId. The process is stopped in
// t.Cleanup (SIGTERM, then SIGKILL) by proc.Start.
func startLanes(t *testing.T, datadir string, extra ...string) *lanesNode {
	t.Helper()
	return startLanesCommand(t, []string{"sequencer", "--dev"}, datadir, extra...)
}

// startLanesCommand is startLanes for any node command (sequencer or
// verifier) with its leading arguments.
func startLanesCommand(t *testing.T, command []string, datadir string, extra ...string) *lanesNode {
	t.Helper()
	bin := proc.BuildLanes(t)
	// Another process can take a free port before lanes binds it; lanes
	// then exits at once, and new ports are tried.
	const attempts = 3
	for i := 0; ; i++ {
		httpPort, wsPort := proc.FreePort(t), proc.FreePort(t)
		for wsPort == httpPort {
			wsPort = proc.FreePort(t)
		}
		args := append(append([]string(nil), command...),
			"--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(httpPort),
			"--ws.addr", "127.0.0.1", "--ws.port", strconv.Itoa(wsPort),
			"--datadir", datadir)
		args = append(args, extra...)
		p := proc.Start(t, bin, args...)
		url := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
		deadline := time.Now().Add(hangGuard)
		for {
			if id, err := proc.ChainID(url); err == nil {
				if id != sequencer.DefaultChainID {
					t.Fatalf("lanes on %s answers chain ID %d, want %d", url, id, sequencer.DefaultChainID)
				}
				return &lanesNode{proc: p, url: url, datadir: datadir}
			}
			if exited, err := p.Exited(); exited {
				if i+1 < attempts {
					t.Logf("lanes exited before answering (%v), retrying on new ports; output:\n%s", err, p.Output())
					break
				}
				t.Fatalf("lanes exited before answering (%v); output:\n%s", err, p.Output())
			}
			if time.Now().After(deadline) {
				t.Fatalf("lanes on %s did not answer eth_chainId within %v; output:\n%s", url, hangGuard, p.Output())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// dial connects an ethclient to an HTTP or WebSocket url, closed in
// t.Cleanup. It uses Go's default HTTP transport, keep-alives included, as
// real clients do: a node must stop cleanly even when a client left an idle
// connection open.
func dial(t testing.TB, url string) *ethclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	rc, err := gethrpc.DialContext(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	c := ethclient.NewClient(rc)
	t.Cleanup(c.Close)
	return c
}
