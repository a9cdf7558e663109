package sequencer

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/triedb"
)

func TestDevAccountsAreTheWellKnownOnes(t *testing.T) {
	// The addresses every Foundry and Hardhat user knows.
	want := []string{
		"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
		"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
		"0x90F79bf6EB2c4f870365E785982E1f101E93b906",
		"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
		"0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
		"0x976EA74026E726554dB657fA54763abd0C3a0aa9",
		"0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
		"0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
		"0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
	}
	got := DevAccounts()
	if len(got) != len(want) {
		t.Fatalf("have %d dev accounts, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != common.HexToAddress(want[i]) {
			t.Errorf("dev account %d: have %v, want %v", i, got[i], want[i])
		}
	}
}

func TestChainConfigForks(t *testing.T) {
	cfg := ChainConfig(DefaultChainID)
	if err := cfg.CheckConfigForkOrder(); err != nil {
		t.Fatalf("fork order: %v", err)
	}
	zero := big.NewInt(0)
	for name, active := range map[string]bool{
		"london":   cfg.IsLondon(zero),
		"shanghai": cfg.IsShanghai(zero, 0),
		"cancun":   cfg.IsCancun(zero, 0),
		"prague":   cfg.IsPrague(zero, 0),
		"osaka":    cfg.IsOsaka(zero, 0),
	} {
		if !active {
			t.Errorf("%s not active at genesis", name)
		}
	}
	if cfg.IsAmsterdam(zero, 1<<40) {
		t.Error("Amsterdam is unscheduled on mainnet and must stay off")
	}
	if cfg.ChainID.Uint64() == 31337 {
		t.Error("chain ID must differ from anvil's")
	}
}

func TestGenesisCarriesSystemContractsAndDevFunds(t *testing.T) {
	g := Genesis(GenesisConfig{ChainID: DefaultChainID, GasLimit: DefaultGasLimit, Alloc: DevAlloc()})
	for _, addr := range []common.Address{params.BeaconRootsAddress, params.HistoryStorageAddress, params.WithdrawalQueueAddress, params.ConsolidationQueueAddress} {
		if len(g.Alloc[addr].Code) == 0 {
			t.Errorf("system contract %v missing from genesis", addr)
		}
	}
	for _, addr := range DevAccounts() {
		if g.Alloc[addr].Balance.Cmp(DevBalance) != 0 {
			t.Errorf("dev account %v has %v, want %v", addr, g.Alloc[addr].Balance, DevBalance)
		}
	}
	db := rawdb.NewMemoryDatabase()
	block, err := g.Commit(db, triedb.NewDatabase(db, triedb.HashDefaults), nil)
	if err != nil {
		t.Fatalf("commit genesis: %v", err)
	}
	if block.GasLimit() != DefaultGasLimit || block.BaseFee().Uint64() != params.InitialBaseFee {
		t.Fatalf("genesis gas limit %d base fee %v", block.GasLimit(), block.BaseFee())
	}
	if block.Coinbase() != DefaultFeeRecipient {
		t.Fatalf("genesis coinbase %v, want %v", block.Coinbase(), DefaultFeeRecipient)
	}
}
