package e2e

import (
	"context"
	"encoding/json"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/e2e/internal/proc"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
)

// lanes deploy puts the contracts on a real anvil and writes a rollup config
// that a sequencer then starts from: the L2 genesis it builds is the one the
// config names, and the Rollup contract holds that genesis's output root.
func TestDeployAndStartFromRollupConfig(t *testing.T) {
	ctx := testContext(t)
	l1 := proc.StartAnvil(t)
	bin := proc.BuildLanes(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "rollup.json")

	out, err := exec.CommandContext(ctx, bin, "deploy", "--l1.rpc", l1, "--l1.key", devKey0Hex,
		"--out", cfgPath, "--dev", "--challenge-window", "30s").CombinedOutput()
	if err != nil {
		t.Fatalf("lanes deploy: %v\n%s", err, out)
	}
	cfg, err := deploy.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.L1ChainID != 31337 || cfg.L2DevAccounts != true || cfg.L1StartBlock == 0 {
		t.Fatalf("unexpected rollup config %+v", cfg)
	}

	// The L1 contracts carry the L2 genesis's commitments.
	client := dial(t, l1)
	rollup := bindings.NewRollup()
	inst := rollup.Instance(client, cfg.Rollup)
	root, err := bind.Call(inst, nil, rollup.PackGenesisOutputRoot(), rollup.UnpackGenesisOutputRoot)
	if err != nil || root != cfg.GenesisOutputRoot {
		t.Fatalf("genesisOutputRoot on L1 = %x, %v; want %v", root, err, cfg.GenesisOutputRoot)
	}
	chainID, err := bind.Call(inst, nil, rollup.PackL2ChainId(), rollup.UnpackL2ChainId)
	if err != nil || chainID != cfg.L2ChainID {
		t.Fatalf("l2ChainId on L1 = %d, %v; want %d", chainID, err, cfg.L2ChainID)
	}
	if code, err := client.CodeAt(ctx, cfg.Portal, nil); err != nil || len(code) == 0 {
		t.Fatalf("no Portal code at %v: %v", cfg.Portal, err)
	}

	// A sequencer started from the config builds exactly that genesis.
	node := startLanes(t, filepath.Join(dir, "l2"), "--rollup", cfgPath)
	l2 := dial(t, node.url)
	genesis, err := l2.HeaderByNumber(ctx, big.NewInt(0))
	if err != nil {
		t.Fatal(err)
	}
	if genesis.Hash() != cfg.L2GenesisHash {
		t.Fatalf("L2 genesis %v, rollup config says %v", genesis.Hash(), cfg.L2GenesisHash)
	}
	if got := codec.OutputRoot(genesis.Root, types.EmptyRootHash, genesis.Hash()); got != cfg.GenesisOutputRoot {
		t.Fatalf("genesis output root %v, config says %v", got, cfg.GenesisOutputRoot)
	}
	node.proc.Stop()

	// A config naming another genesis refuses the existing data directory,
	// and a config whose genesis parameters do not produce the genesis it
	// names refuses a new one.
	var raw map[string]any
	data, _ := os.ReadFile(cfgPath)
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	otherPath := filepath.Join(dir, "other.json")
	refuse := func(datadir string, change func(map[string]any)) {
		t.Helper()
		changed := make(map[string]any, len(raw))
		for k, v := range raw {
			changed[k] = v
		}
		change(changed)
		data, _ := json.Marshal(changed)
		if err := os.WriteFile(otherPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		runCtx, cancel := context.WithTimeout(ctx, hangGuard)
		defer cancel()
		out, err := exec.CommandContext(runCtx, bin, "sequencer", "--rollup", otherPath, "--datadir", datadir,
			"--http.port", "0", "--ws.port", "0").CombinedOutput()
		if err == nil || runCtx.Err() != nil || !strings.Contains(string(out), "L2 genesis differs from the rollup config") {
			t.Fatalf("sequencer accepted a rollup config for another genesis: %v\n%s", err, out)
		}
	}
	refuse(filepath.Join(dir, "l2"), func(m map[string]any) {
		m["l2GenesisHash"] = "0x00000000000000000000000000000000000000000000000000000000000000aa"
	})
	refuse(filepath.Join(dir, "fresh"), func(m map[string]any) { m["l2GenesisTime"] = cfg.L2GenesisTime + 1 })

	// A config with an unknown field is refused, not half-read.
	raw["challengeWindw"] = "1s"
	typo, _ := json.Marshal(raw)
	if err := os.WriteFile(otherPath, typo, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := deploy.Load(otherPath); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("Load accepted an unknown field: %v", err)
	}
}
