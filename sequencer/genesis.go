package sequencer

import (
	"crypto/ecdsa"
	"maps"
	"math/big"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// DefaultChainID is the chain ID of a Lanes devnet. It is not anvil's 31337,
// so that a wallet never confuses the L2 with its L1.
const DefaultChainID = 42_4242

// DefaultGasLimit is the block gas limit of a Lanes chain.
//
// A block is made at most every 250 ms, so the limit must exceed what the
// executor can run in one block time, or it would cap throughput. Measured
// on the 2-core reference machine (BenchmarkBuildAndImport), the sequential
// executor runs 2,000 plain transfers, 42M gas, in about 225 ms: roughly
// 190 Mgas/s, 47M gas per block time. The parallel executor at most doubles
// that on two cores. 200M is twice the highest of those, so the limit never
// binds before the executor does, and the EIP-1559 target (100M) is only
// crossed under real saturation. The EIP-7825 per-transaction cap (16.7M)
// still bounds any single transaction.
const DefaultGasLimit = 200_000_000

// DefaultFeeRecipient receives the priority fees of every L2 block. It is a
// fixed address, not a key anyone holds, so the fee recipient is part of the
// chain's rules and a verifier can rebuild the header.
var DefaultFeeRecipient = common.HexToAddress("0x1a4e5000000000000000000000000000000fee00")

// DevBalance is what genesis credits to each dev account: 10,000 ETH, as
// anvil does.
var DevBalance = new(big.Int).Mul(big.NewInt(10_000), big.NewInt(params.Ether))

// devKeyHex are the first ten keys of the well-known
// "test test test test test test test test test test test junk" mnemonic
// (BIP-44 path m/44'/60'/0'/0/i), the accounts anvil, hardhat and foundry
// prefund. They are public: never use them on a network with real value.
var devKeyHex = [...]string{
	"ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
	"59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
	"5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
	"7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
	"47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
	"8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
	"92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
	"4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
	"dbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
	"2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
}

// DevKeys returns the private keys of the ten prefunded dev accounts.
func DevKeys() []*ecdsa.PrivateKey {
	return slices.Clone(devKeys())
}

// devKeys parses the keys once: each parse derives a public key, which
// costs a scalar multiplication.
var devKeys = sync.OnceValue(func() []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, len(devKeyHex))
	for i, h := range devKeyHex {
		keys[i] = crypto.ToECDSAUnsafe(common.FromHex(h))
	}
	return keys
})

// DevAccounts returns the addresses of the ten prefunded dev accounts.
func DevAccounts() []common.Address {
	keys := DevKeys()
	addrs := make([]common.Address, len(keys))
	for i, k := range keys {
		addrs[i] = crypto.PubkeyToAddress(k.PublicKey)
	}
	return addrs
}

// ChainConfig returns the EVM rules of a Lanes chain: from genesis, every
// fork go-ethereum's mainnet chainspec activates, through Osaka and its blob
// parameter forks. Unscheduled forks (Amsterdam and later) stay off.
func ChainConfig(chainID uint64) *params.ChainConfig {
	zero := uint64(0)
	return &params.ChainConfig{
		ChainID:                 new(big.Int).SetUint64(chainID),
		HomesteadBlock:          big.NewInt(0),
		EIP150Block:             big.NewInt(0),
		EIP155Block:             big.NewInt(0),
		EIP158Block:             big.NewInt(0),
		ByzantiumBlock:          big.NewInt(0),
		ConstantinopleBlock:     big.NewInt(0),
		PetersburgBlock:         big.NewInt(0),
		IstanbulBlock:           big.NewInt(0),
		MuirGlacierBlock:        big.NewInt(0),
		BerlinBlock:             big.NewInt(0),
		LondonBlock:             big.NewInt(0),
		ArrowGlacierBlock:       big.NewInt(0),
		GrayGlacierBlock:        big.NewInt(0),
		MergeNetsplitBlock:      big.NewInt(0),
		TerminalTotalDifficulty: big.NewInt(0),
		ShanghaiTime:            &zero,
		CancunTime:              &zero,
		PragueTime:              &zero,
		OsakaTime:               &zero,
		BPO1Time:                &zero,
		BPO2Time:                &zero,
		BlobScheduleConfig: &params.BlobScheduleConfig{
			Cancun: params.DefaultCancunBlobConfig,
			Prague: params.DefaultPragueBlobConfig,
			BPO1:   params.DefaultBPO1BlobConfig,
			BPO2:   params.DefaultBPO2BlobConfig,
		},
	}
}

// GenesisConfig selects what goes into a Lanes genesis block.
type GenesisConfig struct {
	ChainID  uint64
	GasLimit uint64
	// Timestamp of the genesis block. Zero is allowed; a devnet uses the
	// time it was first started.
	Timestamp uint64
	// FeeRecipient is the chain's fee recipient; zero means
	// DefaultFeeRecipient.
	FeeRecipient common.Address
	// Alloc is credited on top of the system contracts. DevAlloc fills it
	// with the dev accounts.
	Alloc types.GenesisAlloc
}

// DevAlloc prefunds the ten dev accounts with DevBalance each.
func DevAlloc() types.GenesisAlloc {
	alloc := make(types.GenesisAlloc)
	for _, addr := range DevAccounts() {
		alloc[addr] = types.Account{Balance: new(big.Int).Set(DevBalance)}
	}
	return alloc
}

// Genesis builds the genesis block specification. It carries the system
// contracts the active forks call (EIP-4788 beacon roots, EIP-2935 block
// hashes, the EIP-7002 and EIP-7251 request queues), as go-ethereum's own
// developer genesis does.
func Genesis(cfg GenesisConfig) *core.Genesis {
	alloc := core.SystemContractAllocs()
	maps.Copy(alloc, cfg.Alloc)
	feeRecipient := cfg.FeeRecipient
	if feeRecipient == (common.Address{}) {
		feeRecipient = DefaultFeeRecipient
	}
	return &core.Genesis{
		Config:     ChainConfig(cfg.ChainID),
		Timestamp:  cfg.Timestamp,
		GasLimit:   cfg.GasLimit,
		BaseFee:    big.NewInt(params.InitialBaseFee),
		Difficulty: big.NewInt(0),
		Coinbase:   feeRecipient,
		Alloc:      alloc,
	}
}
