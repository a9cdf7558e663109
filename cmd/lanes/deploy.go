package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/batcher/codec"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
	"github.com/lanes-rollup/lanes/sequencer"
	"github.com/urfave/cli/v2"
)

const categoryDeploy = "DEPLOY"

func deployCommand() *cli.Command {
	def := sequencer.DefaultConfig()
	return &cli.Command{
		Name:  "deploy",
		Usage: "Deploy the L1 contracts and write the rollup config every other component reads",
		Description: `Fixes the L2 genesis (chain ID, gas limit, fee recipient, timestamp and
whether the dev accounts are prefunded), deploys Rollup and Portal to the L1
committed to that genesis's output root, and writes rollup.json.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "l1.rpc", Usage: "L1 endpoint", Value: "http://127.0.0.1:8545", EnvVars: envVar("l1.rpc"), Category: categoryDeploy},
			&cli.StringFlag{Name: "l1.key", Usage: "hex private key that pays for the deployment (and is the sequencer unless --sequencer.address)", Required: true, EnvVars: envVar("l1.key"), Category: categoryDeploy},
			&cli.PathFlag{Name: "out", Usage: "where to write the rollup config", Value: "rollup.json", EnvVars: envVar("out"), Category: categoryDeploy},
			&cli.StringFlag{Name: "sequencer.address", Usage: "L1 address allowed to post batches (default: the --l1.key address)", EnvVars: envVar("sequencer.address"), Category: categoryDeploy},
			&cli.DurationFlag{Name: "challenge-window", Usage: "time after which a batch is final", Value: time.Minute, EnvVars: envVar("challenge-window"), Category: categoryDeploy},
			&cli.StringFlag{Name: "sequencer.bond", Usage: "bond (wei) the sequencer must hold to post", Value: big.NewInt(params.Ether).String(), EnvVars: envVar("sequencer.bond"), Category: categoryDeploy},
			&cli.Uint64Flag{Name: "chain.id", Usage: "L2 chain ID", Value: def.ChainID, EnvVars: envVar("chain.id"), Category: categoryChain},
			&cli.Uint64Flag{Name: "block.gaslimit", Usage: "L2 block gas limit", Value: def.GasLimit, EnvVars: envVar("block.gaslimit"), Category: categoryChain},
			&cli.DurationFlag{Name: "block.time", Usage: "L2 block time", Value: def.BlockTime, EnvVars: envVar("block.time"), Category: categoryChain},
			&cli.StringFlag{Name: "block.fee-recipient", Usage: "L2 fee recipient", Value: def.FeeRecipient.Hex(), EnvVars: envVar("block.fee-recipient"), Category: categoryChain},
			&cli.BoolFlag{Name: "dev", Usage: "prefund the ten dev accounts in the L2 genesis", EnvVars: envVar("dev"), Category: categoryChain},
			&cli.DurationFlag{Name: "timeout", Usage: "limit of the whole deployment", Value: 2 * time.Minute, EnvVars: envVar("deploy.timeout"), Category: categoryDeploy},
		},
		Action: runDeploy,
	}
}

func runDeploy(ctx *cli.Context) error {
	key, err := crypto.HexToECDSA(strings.TrimPrefix(ctx.String("l1.key"), "0x"))
	if err != nil {
		return fmt.Errorf("--l1.key: %w", err)
	}
	seqAddr := crypto.PubkeyToAddress(key.PublicKey)
	if s := ctx.String("sequencer.address"); s != "" {
		if !common.IsHexAddress(s) {
			return fmt.Errorf("--sequencer.address %q is not an address", s)
		}
		seqAddr = common.HexToAddress(s)
	}
	bond, ok := new(big.Int).SetString(ctx.String("sequencer.bond"), 10)
	if !ok || bond.Sign() <= 0 {
		return fmt.Errorf("--sequencer.bond %q is not a positive integer (wei)", ctx.String("sequencer.bond"))
	}
	feeRecipient := ctx.String("block.fee-recipient")
	if !common.IsHexAddress(feeRecipient) {
		return fmt.Errorf("--block.fee-recipient %q is not an address", feeRecipient)
	}
	if err := checkBatchable(ctx.Uint64("block.gaslimit")); err != nil {
		return err
	}
	gcfg := sequencer.GenesisConfig{
		ChainID:      ctx.Uint64("chain.id"),
		GasLimit:     ctx.Uint64("block.gaslimit"),
		Timestamp:    uint64(time.Now().Unix()),
		FeeRecipient: common.HexToAddress(feeRecipient),
	}
	if ctx.Bool("dev") {
		gcfg.Alloc = sequencer.DevAlloc()
	}
	runCtx, cancel := context.WithTimeout(context.Background(), ctx.Duration("timeout"))
	defer cancel()
	client, err := ethclient.DialContext(runCtx, ctx.String("l1.rpc"))
	if err != nil {
		return fmt.Errorf("dial L1: %w", err)
	}
	defer client.Close()
	cfg, err := deployRollup(runCtx, client, key, seqAddr, gcfg, ctx.Duration("challenge-window"), bond, ctx.Duration("block.time"))
	if err != nil {
		return err
	}
	if err := cfg.Save(ctx.Path("out")); err != nil {
		return fmt.Errorf("write %s: %w", ctx.Path("out"), err)
	}
	fmt.Fprintf(ctx.App.Writer, "Rollup %s\nPortal %s\nL2 genesis %s\nwrote %s\n", cfg.Rollup.Hex(), cfg.Portal.Hex(), cfg.L2GenesisHash.Hex(), ctx.Path("out"))
	return nil
}

// deployRollup fixes the L2 genesis described by gcfg, deploys the L1
// contracts committed to its output root, and returns the rollup config
// that describes both.
func deployRollup(ctx context.Context, client *ethclient.Client, key *ecdsa.PrivateKey, seqAddr common.Address, gcfg sequencer.GenesisConfig, challengeWindow time.Duration, bond *big.Int, blockTime time.Duration) (*deploy.RollupConfig, error) {
	genesis := sequencer.Genesis(gcfg).ToBlock()
	// The message passer does not exist yet: its storage root is empty.
	outputRoot := codec.OutputRoot(genesis.Root(), types.EmptyRootHash, genesis.Hash())
	d, err := deploy.Deploy(ctx, client, key, deploy.Params{
		Sequencer:         seqAddr,
		ChallengeWindow:   challengeWindow,
		SequencerBond:     bond,
		GenesisOutputRoot: outputRoot,
		L2ChainID:         gcfg.ChainID,
	})
	if err != nil {
		return nil, err
	}
	feeRecipient := gcfg.FeeRecipient
	if feeRecipient == (common.Address{}) {
		feeRecipient = sequencer.DefaultFeeRecipient
	}
	cfg := &deploy.RollupConfig{
		L1ChainID:         d.L1ChainID,
		L1StartBlock:      d.L1StartBlock,
		Rollup:            d.Rollup,
		Portal:            d.Portal,
		Sequencer:         seqAddr,
		L2ChainID:         gcfg.ChainID,
		L2GenesisHash:     genesis.Hash(),
		L2GenesisTime:     gcfg.Timestamp,
		L2GasLimit:        gcfg.GasLimit,
		L2FeeRecipient:    feeRecipient,
		L2DevAccounts:     len(gcfg.Alloc) > 0,
		GenesisOutputRoot: outputRoot,
		BlockTime:         deploy.Duration(blockTime),
		ChallengeWindow:   deploy.Duration(challengeWindow),
		SequencerBond:     bond,
	}
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	return cfg, nil
}
