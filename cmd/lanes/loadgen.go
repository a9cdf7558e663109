package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/lanes-rollup/lanes/rpc/loadgen"
	"github.com/urfave/cli/v2"
)

// devKey0 is the first well-known dev key, prefunded on a Lanes devnet.
const devKey0 = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

func loadgenCommand() *cli.Command {
	return &cli.Command{
		Name:  "loadgen",
		Usage: "Send pre-signed ETH or ERC20 transfers from many senders and measure inclusion rate and latency",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "rpc", Usage: "node endpoint, http:// or ws://", Value: "http://127.0.0.1:9545", EnvVars: envVar("loadgen.rpc"), Category: categoryLoadgen},
			&cli.StringFlag{Name: "kind", Usage: "workload: eth or erc20", Value: loadgen.KindETH, EnvVars: envVar("loadgen.kind"), Category: categoryLoadgen},
			&cli.IntFlag{Name: "txs", Usage: "measured transactions", Value: 20_000, EnvVars: envVar("loadgen.txs"), Category: categoryLoadgen},
			&cli.IntFlag{Name: "senders", Usage: "distinct sending accounts", Value: 500, EnvVars: envVar("loadgen.senders"), Category: categoryLoadgen},
			&cli.Float64Flag{Name: "rate", Usage: "submissions per second; 0 sends a burst", EnvVars: envVar("loadgen.rate"), Category: categoryLoadgen},
			&cli.IntFlag{Name: "workers", Usage: "concurrent submitters", Value: 32, EnvVars: envVar("loadgen.workers"), Category: categoryLoadgen},
			&cli.StringFlag{Name: "key", Usage: "hex private key that funds the senders (default: dev account 0)", Value: devKey0, EnvVars: envVar("loadgen.key"), Category: categoryLoadgen},
			&cli.BoolFlag{Name: "fund-from-node", Usage: "first fund --key from the node's own unlocked account (go-ethereum --dev)", EnvVars: envVar("loadgen.fund-from-node"), Category: categoryLoadgen},
			&cli.Uint64Flag{Name: "seed", Usage: "seed of the sender and recipient keys", Value: 1, EnvVars: envVar("loadgen.seed"), Category: categoryLoadgen},
			&cli.DurationFlag{Name: "timeout", Usage: "limit of the whole run", Value: 10 * time.Minute, EnvVars: envVar("loadgen.timeout"), Category: categoryLoadgen},
			&cli.IntFlag{Name: "node-pid", Usage: "report the peak RSS of this process (the node) after the run", EnvVars: envVar("loadgen.node-pid"), Category: categoryLoadgen},
			&cli.BoolFlag{Name: "json", Usage: "print the report as one JSON object", Category: categoryLoadgen},
		},
		Action: func(ctx *cli.Context) error {
			key, err := crypto.HexToECDSA(strings.TrimPrefix(ctx.String("key"), "0x"))
			if err != nil {
				return fmt.Errorf("--key: %w", err)
			}
			cfg := loadgen.Config{
				RPC:                 ctx.String("rpc"),
				Kind:                ctx.String("kind"),
				Txs:                 ctx.Int("txs"),
				Senders:             ctx.Int("senders"),
				Rate:                ctx.Float64("rate"),
				Workers:             ctx.Int("workers"),
				Funder:              key,
				FundFromNodeAccount: ctx.Bool("fund-from-node"),
				Timeout:             ctx.Duration("timeout"),
				Seed:                ctx.Uint64("seed"),
			}
			runCtx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			logf := func(format string, args ...any) {
				fmt.Fprintf(ctx.App.ErrWriter, "loadgen: "+format+"\n", args...)
			}
			report, err := loadgen.Run(runCtx, cfg, logf)
			if report != nil {
				out := struct {
					*loadgen.Report
					NodePeakRSSMiB float64 `json:"node_peak_rss_mib,omitempty"`
				}{Report: report}
				if pid := ctx.Int("node-pid"); pid > 0 {
					if rss, rerr := peakRSS(pid); rerr == nil {
						out.NodePeakRSSMiB = rss
					} else {
						logf("peak RSS of %d: %v", pid, rerr)
					}
				}
				if ctx.Bool("json") {
					enc := json.NewEncoder(ctx.App.Writer)
					if jerr := enc.Encode(out); jerr != nil {
						return jerr
					}
				} else {
					fmt.Fprintln(ctx.App.Writer, report)
					if out.NodePeakRSSMiB > 0 {
						fmt.Fprintf(ctx.App.Writer, "node peak RSS %.0f MiB\n", out.NodePeakRSSMiB)
					}
				}
			}
			return err
		},
	}
}

// peakRSS reads a process's peak resident set size (VmHWM) from /proc.
func peakRSS(pid int) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%f kB", &kb); err != nil {
				return 0, err
			}
			return kb / 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}
