package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"

	"github.com/lanes-rollup/lanes/fraudproof/derive"
	"github.com/lanes-rollup/lanes/fraudproof/verifier"
	"github.com/lanes-rollup/lanes/sequencer"
)

func verifierCommand() *cli.Command {
	flags, before := withConfig(append(nodeFlags(),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "l1.beacon", Usage: "beacon API base URL for blob batches (default: the L1 RPC's host, where anvil serves it)", EnvVars: envVar("l1.beacon"), Category: categoryNode}),
	))
	return &cli.Command{
		Name:  "verifier",
		Usage: "Rebuild the L2 chain from L1 alone, check every committed output root, and serve the same RPC as the sequencer",
		Description: `The verifier starts from the L2 genesis the rollup config fixes and an
empty (or its own earlier) data directory. It reads every batch the Rollup
contract holds, rebuilds each L2 block, and compares the output roots with
the committed ones. On an earlier data directory it resumes from the batch
holding its head instead of reading L1 from the rollup's start. A mismatch is logged with the batch, the block and both
roots, and counted in the verifier/mismatches metric.

It needs --l1.rpc, --rollup and --datadir.`,
		Flags:  flags,
		Before: before,
		Action: runNode("Verifier", func(ctx *cli.Context, cfg *nodeConfig) error {
			return replicaConfig(cfg, ctx.String("l1.beacon"))
		}),
	}
}

// replicaConfig turns a node configuration into a verifier's. beacon is
// the beacon API URL, or empty for the L1 RPC's host.
func replicaConfig(cfg *nodeConfig, beacon string) error {
	if cfg.Rollup == nil || cfg.L1RPC == "" {
		return errors.New("the verifier needs --rollup and --l1.rpc: it reads everything from L1")
	}
	if cfg.Sequencer.DataDir == "" {
		return errors.New("the verifier needs --datadir")
	}
	if beacon == "" {
		var err error
		if beacon, err = derive.DefaultBeaconURL(cfg.L1RPC); err != nil {
			return fmt.Errorf("%w (set --l1.beacon)", err)
		}
	}
	cfg.Sequencer.Replica = true
	cfg.Sequencer.TxPool.NoJournal = true
	cfg.BeaconURL = beacon
	return nil
}

// startVerifier starts the verifier that feeds the replica n.seq.
func (n *node) startVerifier(cfg nodeConfig) error {
	rc := cfg.Rollup
	beacon, err := derive.NewBeaconClient(derive.BeaconConfig{URL: cfg.BeaconURL}, n.l1)
	if err != nil {
		return err
	}
	vcfg := verifier.Config{Derive: derive.Config{
		Rollup:        rc.Rollup,
		Portal:        rc.Portal,
		StartBlock:    rc.L1StartBlock,
		Confirmations: cfg.L1Confirmations,
		Blobs:         beacon,
	}}
	v, err := verifier.New(vcfg, n.l1, replicaChain{n.seq}, n.seq.Chain().Genesis().Header())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.verifier, n.stopVerifier, n.verifierDone = v, cancel, make(chan struct{})
	go func() {
		defer close(n.verifierDone)
		n.verifierErr = v.Run(ctx)
	}()
	return nil
}

// replicaChain is the L2 chain a verifier builds: a sequencer in replica
// mode.
type replicaChain struct{ seq *sequencer.Sequencer }

// ApplyBlock converts derived attributes into the sequencer's and marks a
// block that cannot be built as derive.ErrUnbuildable.
func (c replicaChain) ApplyBlock(ctx context.Context, attrs *derive.Attributes) (*types.Header, error) {
	h, err := c.seq.ApplyBlock(ctx, attrs.Number, &sequencer.Attributes{
		Timestamp:    attrs.Timestamp,
		L1Origin:     sequencer.L1Origin{Number: attrs.L1Origin.Number, Hash: attrs.L1Origin.Hash},
		Deposits:     attrs.Deposits,
		Transactions: attrs.Transactions,
	})
	if unbuildable := (*sequencer.UnbuildableError)(nil); errors.As(err, &unbuildable) {
		return nil, fmt.Errorf("%w: %w", derive.ErrUnbuildable, err)
	}
	return h, err
}

// Head returns the replica's head header.
func (c replicaChain) Head() *types.Header { return c.seq.Chain().CurrentBlock() }

// HeaderByNumber returns the replica's canonical header at number, or nil.
func (c replicaChain) HeaderByNumber(number uint64) *types.Header {
	return c.seq.Chain().GetHeaderByNumber(number)
}

var _ verifier.Chain = replicaChain{}
