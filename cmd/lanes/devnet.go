package main

import (
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/sequencer"
	"github.com/urfave/cli/v2"
)

func devnetCommand() *cli.Command {
	flags, before := withConfig(nodeFlags())
	return &cli.Command{
		Name:  "devnet",
		Usage: "Run the whole local system and print its endpoints, chain ID and dev keys",
		Description: `Runs a local Lanes network with its data in ./devnet-data (or --datadir).
The ten well-known dev accounts are prefunded. Until the L1 side lands the
devnet is the sequencer alone, and safe and finalized follow latest.`,
		Flags:  flags,
		Before: before,
		Action: func(ctx *cli.Context) error {
			if !ctx.IsSet("datadir") {
				if err := ctx.Set("datadir", defaultDevnetDir); err != nil {
					return err
				}
			}
			if err := ctx.Set("dev", "true"); err != nil {
				return err
			}
			cfg, err := readNodeConfig(ctx)
			if err != nil {
				return err
			}
			n, err := startNode(cfg)
			if err != nil {
				return err
			}
			printDevnet(ctx.App.Writer, n, cfg)
			return waitForShutdown(n)
		},
	}
}

// printDevnet prints what a developer needs to connect to the devnet.
func printDevnet(w io.Writer, n *node, cfg nodeConfig) {
	chainID := n.seq.Chain().Config().ChainID
	fmt.Fprintf(w, "\nLanes devnet is running\n\n")
	fmt.Fprintf(w, "  L2 HTTP RPC   %s\n", n.rpc.HTTPEndpoint())
	fmt.Fprintf(w, "  L2 WS RPC     %s\n", n.rpc.WSEndpoint())
	fmt.Fprintf(w, "  Chain ID      %d (%s)\n", chainID, hexutil.EncodeBig(chainID))
	fmt.Fprintf(w, "  Data dir      %s\n", cfg.Sequencer.DataDir)
	if cfg.Metrics {
		fmt.Fprintf(w, "  Metrics       http://%s/metrics\n", cfg.MetricsAddress)
	}
	fmt.Fprintf(w, "\nDev accounts (10,000 ETH each; public keys, never use them with real value)\n\n")
	for i, key := range sequencer.DevKeys() {
		fmt.Fprintf(w, "  (%d) %s  %s\n", i, crypto.PubkeyToAddress(key.PublicKey).Hex(), hexutil.Encode(crypto.FromECDSA(key)))
	}
	fmt.Fprintf(w, "\nTry: cast block-number --rpc-url %s\n\n", n.rpc.HTTPEndpoint())
}
