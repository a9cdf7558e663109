package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
	"github.com/lanes-rollup/lanes/sequencer"
)

// devnetChallengeWindow is short so that finality shows within a minute.
const devnetChallengeWindow = 30 * time.Second

// anvilProcess is the devnet's L1, a child process stopped with the devnet.
type anvilProcess struct {
	cmd  *exec.Cmd
	done chan error
	url  string
}

// findAnvil returns the anvil the Makefile installed: $LANES_TOOLS/anvil,
// else tools/bin/anvil under the working directory.
func findAnvil(flag string) (string, error) {
	candidates := []string{flag}
	if dir := os.Getenv("LANES_TOOLS"); dir != "" {
		candidates = append(candidates, filepath.Join(dir, "anvil"))
	}
	candidates = append(candidates, filepath.Join("tools", "bin", "anvil"))
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if info, err := os.Stat(c); err == nil && !info.IsDir() {
			return c, nil
		}
	}
	return "", errors.New("anvil not found: run `make tools`, or pass --l1.anvil or --l1.rpc")
}

// startAnvil runs anvil on loopback with one-second blocks, keeping its
// state in stateFile across devnet restarts, and waits until it answers.
func startAnvil(bin string, port int, stateFile string) (*anvilProcess, error) {
	cmd := exec.Command(bin, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--block-time", "1", "--state", stateFile, "--silent")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start anvil: %w", err)
	}
	a := &anvilProcess{cmd: cmd, done: make(chan error, 1), url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	go func() { a.done <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if c, err := ethclient.DialContext(ctx, a.url); err == nil {
			_, err = c.ChainID(ctx)
			c.Close()
			if err == nil {
				return a, nil
			}
		}
		select {
		case err := <-a.done:
			return nil, fmt.Errorf("anvil exited: %v", err)
		case <-ctx.Done():
			return nil, errors.Join(errors.New("anvil did not answer within 20s"), a.stop())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop asks anvil to exit (it writes its state file then) and waits.
func (a *anvilProcess) stop() error {
	if a == nil {
		return nil
	}
	_ = a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
		_ = a.cmd.Process.Kill()
		<-a.done
	}
	return nil
}

// devnetRollup returns the devnet's rollup config: the one in the data
// directory when its contracts still exist on L1, or a fresh deployment.
func devnetRollup(ctx context.Context, l1URL, path string, gasLimit uint64, blockTime time.Duration) (*deploy.RollupConfig, error) {
	client, err := ethclient.DialContext(ctx, l1URL)
	if err != nil {
		return nil, fmt.Errorf("dial L1: %w", err)
	}
	defer client.Close()
	if cfg, err := deploy.Load(path); err == nil {
		code, err := client.CodeAt(ctx, cfg.Rollup, nil)
		if err != nil {
			return nil, err
		}
		if len(code) == 0 {
			return nil, fmt.Errorf("the L1 no longer has the contracts of %s: remove the devnet's data directory to start over", path)
		}
		return cfg, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	key := sequencer.DevKeys()[0]
	gcfg := sequencer.GenesisConfig{
		ChainID:   sequencer.DefaultChainID,
		GasLimit:  gasLimit,
		Timestamp: uint64(time.Now().Unix()),
		Alloc:     sequencer.DevAlloc(),
	}
	cfg, err := deployRollup(ctx, client, key, crypto.PubkeyToAddress(key.PublicKey), gcfg, devnetChallengeWindow, big.NewInt(params.Ether), blockTime)
	if err != nil {
		return nil, err
	}
	if err := cfg.Save(path); err != nil {
		return nil, err
	}
	log.Info("Deployed the devnet's L1 contracts", "rollup", cfg.Rollup, "portal", cfg.Portal)
	return cfg, nil
}

// chainSource lets an in-process batcher read the sequencer's chain.
type chainSource struct{ seq *sequencer.Sequencer }

func (s chainSource) BlockByNumber(_ context.Context, n uint64) (*types.Block, error) {
	if b := s.seq.Chain().GetBlockByNumber(n); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("no L2 block %d", n)
}

func (s chainSource) Head(context.Context) (uint64, error) {
	return s.seq.Chain().CurrentBlock().Number.Uint64(), nil
}

var _ batcher.L2Source = chainSource{}
