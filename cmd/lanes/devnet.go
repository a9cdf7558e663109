package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/sequencer"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

func devnetCommand() *cli.Command {
	flags, before := withConfig(append(nodeFlags(),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "no-l1", Usage: "run the sequencer alone, without an L1", EnvVars: envVar("no-l1"), Category: categoryNode}),
		altsrc.NewPathFlag(&cli.PathFlag{Name: "l1.anvil", Usage: "anvil binary for the devnet's L1 (default: the tools folder's)", EnvVars: envVar("l1.anvil"), Category: categoryNode}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "l1.port", Usage: "port of the devnet's anvil", Value: 8545, EnvVars: envVar("l1.port"), Category: categoryNode}),
		batcherDAFlag(),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "no-verifier", Usage: "run no verifier beside the sequencer", EnvVars: envVar("no-verifier"), Category: categoryNode}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "verifier.http.port", Usage: "HTTP-RPC port of the devnet's verifier (0 picks a free one)", Value: 9547, EnvVars: envVar("verifier.http.port"), Category: categoryNode}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "verifier.ws.port", Usage: "WS-RPC port of the devnet's verifier (0 picks a free one)", Value: 9548, EnvVars: envVar("verifier.ws.port"), Category: categoryNode}),
	))
	return &cli.Command{
		Name:  "devnet",
		Usage: "Run the whole local system and print its endpoints, chain ID and dev keys",
		Description: `Runs a local Lanes network with its data in ./devnet-data (or --datadir):
anvil as the L1 (or the L1 at --l1.rpc), the Rollup and Portal contracts,
the sequencer following L1 deposits, the batcher posting its blocks, so
that safe and finalized follow L1, and a verifier that rebuilds the chain
from L1 alone and checks every output root the batcher commits (its own RPC
on --verifier.http.port; its data in <datadir>/verifier). The ten
well-known dev accounts are prefunded on both chains. With --no-l1 it is the
sequencer alone, and safe and finalized follow latest.`,
		Flags:  flags,
		Before: before,
		Action: runDevnet,
	}
}

func runDevnet(ctx *cli.Context) error {
	if !ctx.IsSet("datadir") {
		if err := ctx.Set("datadir", defaultDevnetDir); err != nil {
			return err
		}
	}
	if err := ctx.Set("dev", "true"); err != nil {
		return err
	}
	datadir := ctx.Path("datadir")
	var anvil *anvilProcess
	if !ctx.Bool("no-l1") {
		if err := os.MkdirAll(datadir, 0o755); err != nil {
			return err
		}
		l1URL := ctx.String("l1.rpc")
		if l1URL == "" {
			bin, err := findAnvil(ctx.Path("l1.anvil"))
			if err != nil {
				return err
			}
			if anvil, err = startAnvil(bin, ctx.Int("l1.port"), filepath.Join(datadir, "l1-state.json")); err != nil {
				return err
			}
			l1URL = anvil.url
			if err := ctx.Set("l1.rpc", l1URL); err != nil {
				return errors.Join(err, anvil.stop())
			}
		}
		deployCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		rollupPath := filepath.Join(datadir, "rollup.json")
		_, err := devnetRollup(deployCtx, l1URL, rollupPath, ctx.Uint64("block.gaslimit"), ctx.Duration("block.time"))
		cancel()
		if err != nil {
			return errors.Join(err, anvil.stop())
		}
		if err := ctx.Set("rollup", rollupPath); err != nil {
			return errors.Join(err, anvil.stop())
		}
	}
	cfg, err := readNodeConfig(ctx)
	if err != nil {
		return errors.Join(err, anvil.stop())
	}
	n, err := startNode(cfg)
	if err != nil {
		return errors.Join(err, anvil.stop())
	}
	var b *batcher.Batcher
	if cfg.Rollup != nil {
		bcfg := batcher.DefaultConfig()
		bcfg.Rollup = cfg.Rollup.Rollup
		bcfg.L1StartBlock = cfg.Rollup.L1StartBlock
		bcfg.Key = sequencer.DevKeys()[0]
		bcfg.MaxDelay = 2 * time.Second
		if bcfg.DA, err = batcher.ParseDAMode(ctx.String("batcher.da")); err != nil {
			return errors.Join(err, n.stop(), anvil.stop())
		}
		if b, err = batcher.New(bcfg, chainSource{n.seq}, n.l1); err == nil {
			err = b.Start(context.Background())
		}
		if err != nil {
			return errors.Join(err, n.stop(), anvil.stop())
		}
	}
	nodes := []*node{n}
	if cfg.Rollup != nil && !ctx.Bool("no-verifier") {
		v, err := startDevnetVerifier(cfg, ctx.Int("verifier.http.port"), ctx.Int("verifier.ws.port"))
		if err != nil {
			return errors.Join(err, b.Stop(context.Background()), n.stop(), anvil.stop())
		}
		nodes = append(nodes, v)
	}
	printDevnet(ctx.App.Writer, nodes, cfg, anvil)
	err = waitForShutdown(b, nodes...)
	return errors.Join(err, anvil.stop())
}

// startDevnetVerifier starts a verifier node beside the devnet's
// sequencer: the same rollup and L1, its own data directory and RPC ports.
// The process's metrics server, if any, already serves its metrics.
func startDevnetVerifier(seq nodeConfig, httpPort, wsPort int) (*node, error) {
	cfg := seq
	cfg.Sequencer.DataDir = filepath.Join(seq.Sequencer.DataDir, "verifier")
	cfg.RPC.HTTPPort, cfg.RPC.WSPort = httpPort, wsPort
	cfg.Metrics, cfg.Pprof = false, false
	if err := replicaConfig(&cfg, ""); err != nil {
		return nil, err
	}
	if err := cfg.RPC.Check(); err != nil {
		return nil, fmt.Errorf("verifier RPC: %w", err)
	}
	return startNode(cfg)
}

// printDevnet prints what a developer needs to connect to the devnet:
// nodes are the sequencer and, when one runs, the verifier.
func printDevnet(w io.Writer, nodes []*node, cfg nodeConfig, anvil *anvilProcess) {
	n := nodes[0]
	chainID := n.seq.Chain().Config().ChainID
	fmt.Fprintf(w, "\nLanes devnet is running\n\n")
	fmt.Fprintf(w, "  L2 HTTP RPC   %s\n", n.rpc.HTTPEndpoint())
	fmt.Fprintf(w, "  L2 WS RPC     %s\n", n.rpc.WSEndpoint())
	fmt.Fprintf(w, "  Chain ID      %d (%s)\n", chainID, hexutil.EncodeBig(chainID))
	fmt.Fprintf(w, "  Data dir      %s\n", cfg.Sequencer.DataDir)
	if cfg.Rollup != nil {
		fmt.Fprintf(w, "  L1 RPC        %s (chain ID %d)%s\n", cfg.L1RPC, cfg.Rollup.L1ChainID, map[bool]string{true: ", anvil started by the devnet", false: ""}[anvil != nil])
		fmt.Fprintf(w, "  Rollup        %s\n", cfg.Rollup.Rollup.Hex())
		fmt.Fprintf(w, "  Portal        %s  (deposit: cast send <portal> 'depositETH(address)' <to> --value 1ether)\n", cfg.Rollup.Portal.Hex())
		fmt.Fprintf(w, "  Batcher       posting every L2 block within %v; safe follows L1, finalized after %v\n", 2*time.Second, time.Duration(cfg.Rollup.ChallengeWindow))
	}
	if len(nodes) > 1 {
		fmt.Fprintf(w, "  Verifier RPC  %s  %s (the chain rebuilt from L1)\n", nodes[1].rpc.HTTPEndpoint(), nodes[1].rpc.WSEndpoint())
	}
	if cfg.Metrics {
		fmt.Fprintf(w, "  Metrics       http://%s/metrics\n", cfg.MetricsAddress)
	}
	fmt.Fprintf(w, "\nDev accounts (10,000 ETH each; public keys, never use them with real value)\n\n")
	for i, key := range sequencer.DevKeys() {
		fmt.Fprintf(w, "  (%d) %s  %s\n", i, crypto.PubkeyToAddress(key.PublicKey).Hex(), hexutil.Encode(crypto.FromECDSA(key)))
	}
	fmt.Fprintf(w, "\nTry: cast block-number --rpc-url %s\n\n", n.rpc.HTTPEndpoint())
}
