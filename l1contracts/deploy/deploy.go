package deploy

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/lanes-rollup/lanes/l1contracts/bindings"
)

// Params are the constructor arguments of the L1 contracts.
type Params struct {
	Sequencer         common.Address
	ChallengeWindow   time.Duration
	SequencerBond     *big.Int
	GenesisOutputRoot common.Hash
	L2ChainID         uint64
}

// Deployment is where the contracts landed.
type Deployment struct {
	L1ChainID    uint64
	L1StartBlock uint64
	Rollup       common.Address
	Portal       common.Address
}

// Deploy deploys Rollup and Portal from key and waits for both receipts.
// L1StartBlock is the block of the earlier of the two deployments: nothing
// of the rollup exists on L1 before it.
func Deploy(ctx context.Context, client *ethclient.Client, key *ecdsa.PrivateKey, p Params) (*Deployment, error) {
	switch {
	case p.ChallengeWindow < time.Second:
		return nil, errors.New("challenge window must be at least 1s")
	case p.SequencerBond == nil || p.SequencerBond.Sign() <= 0:
		return nil, errors.New("sequencer bond must be positive")
	case p.Sequencer == (common.Address{}):
		return nil, errors.New("sequencer address must be set")
	case p.GenesisOutputRoot == (common.Hash{}) || p.L2ChainID == 0:
		return nil, errors.New("L2 genesis output root and chain ID must be set")
	}
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("L1 chain ID: %w", err)
	}
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx

	rollup := bindings.NewRollup()
	// The arguments are checked above; packing them cannot fail.
	rollupInput := rollup.PackConstructor(p.Sequencer, common.Address{}, uint64(p.ChallengeWindow/time.Second), p.SequencerBond, p.GenesisOutputRoot, p.L2ChainID)
	rollupAddr, rollupTx, err := bind.DeployContract(opts, common.FromHex(bindings.RollupMetaData.Bin), client, rollupInput)
	if err != nil {
		return nil, fmt.Errorf("deploy Rollup: %w", err)
	}
	portalAddr, portalTx, err := bind.DeployContract(opts, common.FromHex(bindings.PortalMetaData.Bin), client, nil)
	if err != nil {
		return nil, fmt.Errorf("deploy Portal: %w", err)
	}
	first, err := waitSuccess(ctx, client, rollupTx, "Rollup")
	if err != nil {
		return nil, err
	}
	if _, err := waitSuccess(ctx, client, portalTx, "Portal"); err != nil {
		return nil, err
	}
	return &Deployment{
		L1ChainID:    chainID.Uint64(),
		L1StartBlock: first.BlockNumber.Uint64(),
		Rollup:       rollupAddr,
		Portal:       portalAddr,
	}, nil
}

func waitSuccess(ctx context.Context, client *ethclient.Client, tx *types.Transaction, name string) (*types.Receipt, error) {
	r, err := bind.WaitMined(ctx, client, tx.Hash())
	if err != nil {
		return nil, fmt.Errorf("wait for %s deployment: %w", name, err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return nil, fmt.Errorf("%s deployment %v reverted", name, tx.Hash())
	}
	return r, nil
}
