package e2e

import (
	"fmt"
	"math/big"
	"net"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
)

// lanes devnet runs the whole local system in one command: it starts anvil,
// deploys the contracts, and runs the sequencer, the batcher and a
// verifier, so that a transaction sent to L2 becomes safe and the verifier
// rebuilds its block from L1. Stopping it stops anvil too.
func TestDevnetRunsTheL1Path(t *testing.T) {
	ctx := testContext(t)
	bin := proc.BuildLanes(t)
	ports := make([]int, 5)
	for i := range ports {
		ports[i] = proc.FreePort(t)
		for slices.Contains(ports[:i], ports[i]) {
			ports[i] = proc.FreePort(t)
		}
	}
	httpPort, wsPort, l1Port, vHTTPPort, vWSPort := ports[0], ports[1], ports[2], ports[3], ports[4]
	p := proc.Start(t, bin, "devnet", "--datadir", filepath.Join(t.TempDir(), "devnet"),
		"--http.port", strconv.Itoa(httpPort), "--ws.port", strconv.Itoa(wsPort),
		"--verifier.http.port", strconv.Itoa(vHTTPPort), "--verifier.ws.port", strconv.Itoa(vWSPort),
		"--l1.port", strconv.Itoa(l1Port), "--l1.anvil", proc.ToolPath(t, "anvil"))
	url := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	proc.WaitHTTP(t, url, hangGuard)
	for deadline := time.Now().Add(hangGuard); !strings.Contains(p.Output(), "Portal"); {
		if time.Now().After(deadline) {
			t.Fatalf("devnet did not print its L1 contracts:\n%s", p.Output())
		}
		time.Sleep(50 * time.Millisecond)
	}
	l2 := dial(t, url)
	key, _ := devKey(3)
	to := common.HexToAddress("0x00000000000000000000000000000000000de701")
	tx := sendNew(t, ctx, l2, key, dynTx(0, &to, big.NewInt(1), params.TxGas, nil))
	block := mustSucceed(t, ctx, l2, tx).BlockNumber.Uint64()
	for deadline := time.Now().Add(hangGuard); ; {
		h, err := l2.HeaderByNumber(ctx, big.NewInt(int64(rpc.SafeBlockNumber)))
		if err == nil && h.Number.Uint64() >= block {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("block %d never became safe (%v, %v); output:\n%s", block, h, err, p.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	// The verifier rebuilds the same block from L1.
	verifier := dial(t, fmt.Sprintf("http://127.0.0.1:%d", vHTTPPort))
	for deadline := time.Now().Add(hangGuard); ; {
		h, err := verifier.HeaderByNumber(ctx, new(big.Int).SetUint64(block))
		if err == nil {
			want, err := l2.HeaderByNumber(ctx, new(big.Int).SetUint64(block))
			if err != nil {
				t.Fatal(err)
			}
			if h.Hash() != want.Hash() {
				t.Fatalf("verifier block %d is %v, sequencer's %v", block, h.Hash(), want.Hash())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("verifier did not rebuild block %d (%v); output:\n%s", block, err, p.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := p.Stop(); err != nil {
		t.Fatalf("devnet did not stop cleanly: %v\n%s", err, p.Output())
	}
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", l1Port), time.Second); err == nil {
		c.Close()
		t.Fatal("anvil still listens after the devnet stopped")
	}
}
