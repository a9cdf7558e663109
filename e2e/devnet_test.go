package e2e

import (
	"fmt"
	"math/big"
	"net"
	"path/filepath"
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
// deploys the contracts, and runs the sequencer and the batcher, so that a
// transaction sent to L2 becomes safe. Stopping it stops anvil too.
func TestDevnetRunsTheL1Path(t *testing.T) {
	ctx := testContext(t)
	bin := proc.BuildLanes(t)
	httpPort, wsPort, l1Port := proc.FreePort(t), proc.FreePort(t), proc.FreePort(t)
	p := proc.Start(t, bin, "devnet", "--datadir", filepath.Join(t.TempDir(), "devnet"),
		"--http.port", strconv.Itoa(httpPort), "--ws.port", strconv.Itoa(wsPort),
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
	if err := p.Stop(); err != nil {
		t.Fatalf("devnet did not stop cleanly: %v\n%s", err, p.Output())
	}
	if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", l1Port), time.Second); err == nil {
		c.Close()
		t.Fatal("anvil still listens after the devnet stopped")
	}
}
