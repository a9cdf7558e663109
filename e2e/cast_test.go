package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
)

// devKey0Hex is dev account 0's key, as Foundry users pass it.
const devKey0Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

// runTool runs a tool from the tools folder in dir and returns its
// standard output, failing the test (with both outputs) if it fails.
func runTool(t *testing.T, ctx context.Context, dir, tool string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, proc.ToolPath(t, tool), args...)
	cmd.Dir = dir
	// No telemetry, update checks or nightly warnings.
	cmd.Env = append(os.Environ(), "FOUNDRY_DISABLE_NIGHTLY_WARNING=1", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", tool, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// decodeJSON decodes the JSON object or array in a tool's output, which may
// be preceded by progress lines.
func decodeJSON(t *testing.T, out string, v any) {
	t.Helper()
	start := strings.IndexAny(out, "{[")
	if start < 0 {
		t.Fatalf("no JSON in output:\n%s", out)
	}
	if err := json.Unmarshal([]byte(out[start:]), v); err != nil {
		t.Fatalf("decode JSON %v in output:\n%s", err, out)
	}
}

func TestCastAndForge(t *testing.T) {
	ctx := testContext(t)
	node := startLanes(t, t.TempDir(), "--block.time", "100ms")
	dir := t.TempDir()
	rpcArgs := []string{"--rpc-url", node.url}

	// A value transfer with cast send, then its receipt with cast receipt.
	to := "0x00000000000000000000000000000000000e2e07"
	var sent struct {
		Status          string `json:"status"`
		TransactionHash string `json:"transactionHash"`
		GasUsed         string `json:"gasUsed"`
	}
	decodeJSON(t, runTool(t, ctx, dir, "cast", append([]string{"send", "--json", "--private-key", devKey0Hex, "--value", "1000", to}, rpcArgs...)...), &sent)
	if sent.Status != "0x1" || sent.GasUsed != "0x5208" {
		t.Fatalf("cast send: status %s gas used %s, want 0x1 0x5208", sent.Status, sent.GasUsed)
	}
	var receipt struct {
		Status          string `json:"status"`
		TransactionHash string `json:"transactionHash"`
		To              string `json:"to"`
		From            string `json:"from"`
		BlockHash       string `json:"blockHash"`
	}
	decodeJSON(t, runTool(t, ctx, dir, "cast", append([]string{"receipt", "--json", sent.TransactionHash}, rpcArgs...)...), &receipt)
	_, from := devKey(0)
	if receipt.Status != "0x1" || receipt.TransactionHash != sent.TransactionHash ||
		!strings.EqualFold(receipt.To, to) || !strings.EqualFold(receipt.From, from.Hex()) {
		t.Errorf("cast receipt = %+v, want success of %s from %v to %s", receipt, sent.TransactionHash, from, to)
	}
	if bal := strings.TrimSpace(runTool(t, ctx, dir, "cast", append([]string{"balance", to}, rpcArgs...)...)); bal != "1000" {
		t.Errorf("cast balance %s = %q, want 1000", to, bal)
	}

	// forge create of Probe from a throwaway Foundry project compiled by the
	// tools folder's solc, offline.
	project := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "Probe.sol"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(project, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "src", "Probe.sol"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	toml := fmt.Sprintf(`[profile.default]
src = "src"
out = "out"
libs = []
solc = %q
offline = true
evm_version = "prague"
optimizer = true
optimizer_runs = 200
`, proc.ToolPath(t, "solc"))
	if err := os.WriteFile(filepath.Join(project, "foundry.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	var created struct {
		Deployer        string `json:"deployer"`
		DeployedTo      string `json:"deployedTo"`
		TransactionHash string `json:"transactionHash"`
	}
	decodeJSON(t, runTool(t, ctx, project, "forge", append([]string{"create", "--broadcast", "--json", "--private-key", devKey0Hex, "src/Probe.sol:Probe"}, rpcArgs...)...), &created)
	// Dev account 0 has sent one transaction (the transfer) before.
	wantAddr := crypto.CreateAddress(from, 1)
	if !strings.EqualFold(created.DeployedTo, wantAddr.Hex()) || !strings.EqualFold(created.Deployer, from.Hex()) {
		t.Fatalf("forge create = %+v, want %v deployed by %v", created, wantAddr, from)
	}
	if code := strings.TrimSpace(runTool(t, ctx, dir, "cast", append([]string{"code", created.DeployedTo}, rpcArgs...)...)); len(code) <= 2 {
		t.Fatalf("cast code %s = %q, want runtime code", created.DeployedTo, code)
	}

	// increment() with cast send, read back with cast call.
	var inc struct {
		Status string `json:"status"`
	}
	decodeJSON(t, runTool(t, ctx, dir, "cast", append([]string{"send", "--json", "--private-key", devKey0Hex, created.DeployedTo, "increment()"}, rpcArgs...)...), &inc)
	if inc.Status != "0x1" {
		t.Fatalf("cast send increment(): status %s", inc.Status)
	}
	if got := strings.TrimSpace(runTool(t, ctx, dir, "cast", append([]string{"call", created.DeployedTo, "get()(uint256)"}, rpcArgs...)...)); got != "1" {
		t.Errorf("cast call get() = %q, want 1", got)
	}

	// cast logs sees exactly the one Incremented event.
	var logs []struct {
		Address string   `json:"address"`
		Topics  []string `json:"topics"`
		Removed bool     `json:"removed"`
	}
	decodeJSON(t, runTool(t, ctx, dir, "cast", append([]string{"logs", "--json", "--address", created.DeployedTo, "--from-block", "0"}, rpcArgs...)...), &logs)
	wantTopics := []string{
		crypto.Keccak256Hash([]byte("Incremented(address,uint256)")).Hex(),
		common.BytesToHash(from.Bytes()).Hex(),
		common.BigToHash(common.Big1).Hex(),
	}
	if len(logs) != 1 || !strings.EqualFold(logs[0].Address, created.DeployedTo) || logs[0].Removed ||
		!strings.EqualFold(strings.Join(logs[0].Topics, ","), strings.Join(wantTopics, ",")) {
		t.Errorf("cast logs = %+v, want one log of %s with topics %v", logs, created.DeployedTo, wantTopics)
	}
}
