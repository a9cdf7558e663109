package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

const categoryBatcher = "BATCHER"

func batcherCommand() *cli.Command {
	def := batcher.DefaultConfig()
	flags, before := withConfig([]cli.Flag{
		altsrc.NewPathFlag(&cli.PathFlag{Name: "rollup", Usage: "rollup config written by lanes deploy", Required: true, EnvVars: envVar("rollup"), Category: categoryBatcher}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "l1.rpc", Usage: "L1 endpoint", Value: "http://127.0.0.1:8545", EnvVars: envVar("l1.rpc"), Category: categoryBatcher}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "l2.rpc", Usage: "the sequencer's L2 endpoint", Value: "http://127.0.0.1:9545", EnvVars: envVar("l2.rpc"), Category: categoryBatcher}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "batcher.key", Usage: "hex private key of the sequencer's L1 account (the only one the Rollup accepts)", EnvVars: envVar("batcher.key"), Category: categoryBatcher}),
		altsrc.NewDurationFlag(&cli.DurationFlag{Name: "batcher.max-delay", Usage: "longest an L2 block waits to be posted", Value: def.MaxDelay, EnvVars: envVar("batcher.max-delay"), Category: categoryBatcher}),
		batcherDAFlag(),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "batcher.max-blobs", Usage: "most blobs in one L1 transaction (1..6) when posting blobs", Value: def.MaxBlobsPerTx, EnvVars: envVar("batcher.max-blobs"), Category: categoryBatcher}),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "batcher.pre-osaka-blobs", Usage: "send blob transactions with one KZG proof per blob, for an L1 before Osaka (default: cell proofs)", EnvVars: envVar("batcher.pre-osaka-blobs"), Category: categoryBatcher}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "batcher.max-batch-bytes", Usage: "largest encoded batch in calldata (and in auto mode)", Value: def.MaxBatchBytes, EnvVars: envVar("batcher.max-batch-bytes"), Category: categoryBatcher}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "batcher.max-blocks", Usage: "most L2 blocks in one batch", Value: def.MaxBlocksPerBatch, EnvVars: envVar("batcher.max-blocks"), Category: categoryBatcher}),
		altsrc.NewDurationFlag(&cli.DurationFlag{Name: "batcher.poll-interval", Usage: "how often L1 and L2 are polled", Value: def.PollInterval, EnvVars: envVar("batcher.poll-interval"), Category: categoryBatcher}),
		altsrc.NewDurationFlag(&cli.DurationFlag{Name: "batcher.resubmit-after", Usage: "how long an L1 transaction may stay unmined before its fees are bumped", Value: def.ResubmitAfter, EnvVars: envVar("batcher.resubmit-after"), Category: categoryBatcher}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "l1.confirmations", Usage: "L1 blocks on top of a batch before it counts", Value: def.Confirmations, EnvVars: envVar("l1.confirmations"), Category: categoryBatcher}),
	})
	return &cli.Command{
		Name:   "batcher",
		Usage:  "Post the sequencer's L2 blocks and their output roots to the L1 Rollup contract (calldata or blobs)",
		Flags:  flags,
		Before: before,
		Action: runBatcher,
	}
}

func runBatcher(ctx *cli.Context) error {
	rc, err := deploy.Load(ctx.Path("rollup"))
	if err != nil {
		return err
	}
	keyHex := ctx.String("batcher.key")
	if keyHex == "" {
		return errors.New("--batcher.key is required")
	}
	key, err := crypto.HexToECDSA(strings.TrimPrefix(keyHex, "0x"))
	if err != nil {
		return fmt.Errorf("--batcher.key: %w", err)
	}
	if addr := crypto.PubkeyToAddress(key.PublicKey); addr != rc.Sequencer {
		return fmt.Errorf("--batcher.key is %v, the rollup's sequencer is %v", addr, rc.Sequencer)
	}
	cfg := batcher.DefaultConfig()
	cfg.L1RPC = ctx.String("l1.rpc")
	cfg.Rollup = rc.Rollup
	cfg.L1StartBlock = rc.L1StartBlock
	cfg.Key = key
	cfg.MaxDelay = ctx.Duration("batcher.max-delay")
	if cfg.DA, err = batcher.ParseDAMode(ctx.String("batcher.da")); err != nil {
		return err
	}
	cfg.MaxBlobsPerTx = ctx.Int("batcher.max-blobs")
	cfg.PreOsakaBlobs = ctx.Bool("batcher.pre-osaka-blobs")
	cfg.MaxBatchBytes = ctx.Int("batcher.max-batch-bytes")
	cfg.MaxBlocksPerBatch = ctx.Int("batcher.max-blocks")
	cfg.PollInterval = ctx.Duration("batcher.poll-interval")
	cfg.ResubmitAfter = ctx.Duration("batcher.resubmit-after")
	cfg.Confirmations = ctx.Uint64("l1.confirmations")
	if err := cfg.Check(); err != nil {
		return err
	}
	l2, err := ethclient.Dial(ctx.String("l2.rpc"))
	if err != nil {
		return fmt.Errorf("dial L2: %w", err)
	}
	defer l2.Close()
	b, err := batcher.New(cfg, batcher.RPCSource{Client: l2}, nil)
	if err != nil {
		return err
	}
	if err := b.Start(context.Background()); err != nil {
		return errors.Join(err, b.Stop(context.Background()))
	}
	log.Info("Batcher running", "rollup", rc.Rollup, "l1", cfg.L1RPC, "l2", ctx.String("l2.rpc"), "da", cfg.DA)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	select {
	case sig := <-sigs:
		log.Info("Shutting down", "signal", sig)
	case <-b.Done():
	}
	return b.Stop(context.Background())
}

// batcherDAFlag selects where batch data goes on L1; lanes batcher and
// lanes devnet share it.
func batcherDAFlag() cli.Flag {
	return altsrc.NewStringFlag(&cli.StringFlag{
		Name:     "batcher.da",
		Aliases:  []string{"da"},
		Usage:    "where batch data goes on L1: calldata, blobs (EIP-4844), or auto (the cheaper at current L1 fees, per batch)",
		Value:    string(batcher.DefaultDA),
		EnvVars:  envVar("batcher.da"),
		Category: categoryBatcher,
	})
}
