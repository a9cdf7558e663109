package paralleltest

import (
	"embed"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

//go:embed contracts
var contractFiles embed.FS

// Contract is a compiled Solidity contract from parallel/testdata.
type Contract struct {
	ABI      abi.ABI
	Bytecode []byte
}

// ContractFile returns the embedded copy of a file of parallel/testdata.
func ContractFile(name string) []byte {
	data, err := contractFiles.ReadFile("contracts/" + name)
	if err != nil {
		panic(err)
	}
	return data
}

func loadContract(name string) *Contract {
	parsed, err := abi.JSON(strings.NewReader(string(ContractFile(name + ".abi"))))
	if err != nil {
		panic(err)
	}
	code, err := hex.DecodeString(strings.TrimSpace(string(ContractFile(name + ".bin"))))
	if err != nil {
		panic(err)
	}
	return &Contract{ABI: parsed, Bytecode: code}
}

var (
	// Token is OpenZeppelin's ERC20 (constructor: uint256 supply).
	Token = loadContract("Token")
	// Pair is the constant-product pair (constructor: token0, token1).
	Pair = loadContract("Pair")
)

// Deploy returns the creation input for the contract with constructor args.
func (c *Contract) Deploy(args ...any) []byte {
	packed, err := c.ABI.Pack("", args...)
	if err != nil {
		panic(err)
	}
	return append(append([]byte{}, c.Bytecode...), packed...)
}

// Call returns the call input of method with args.
func (c *Contract) Call(method string, args ...any) []byte {
	packed, err := c.ABI.Pack(method, args...)
	if err != nil {
		panic(err)
	}
	return packed
}

// CreateAddress is the address a contract created by sender at nonce gets.
func CreateAddress(sender common.Address, nonce uint64) common.Address {
	return crypto.CreateAddress(sender, nonce)
}

// Hand-assembled contracts for the targeted cases.
var (
	// SlotWriter stores calldata word 1 into the slot named by word 0.
	SlotWriter = common.FromHex("6000356020359055" + "00")
	// Incrementer adds one to slot 0.
	Incrementer = common.FromHex("600054600101600055" + "00")
	// CoinbaseBalance stores BALANCE(COINBASE) in slot 0.
	CoinbaseBalance = common.FromHex("4131600055" + "00")
	// BalanceOf stores BALANCE(calldata word 0) in slot 0.
	BalanceOf = common.FromHex("6000353160005500")
	// Transient stores TLOAD(0) in slot 1, then TSTOREs 42 at 0: a leak of
	// transient storage across transactions would store 42.
	Transient = common.FromHex("60005c600155" + "602a60005d" + "00")
	// Reverter writes slot 0 and reverts.
	Reverter = common.FromHex("6001600055" + "60006000fd")
	// Looper loops until it runs out of gas.
	Looper = common.FromHex("5b600056")
	// Hasher stores KECCAK256 of calldata word 0 in slot 0 (a preimage).
	Hasher = common.FromHex("600035600052" + "60206000" + "20" + "600055" + "00")
	// Logger emits LOG1(topic 7) with data 42 and stores the caller in slot 0.
	Logger = common.FromHex("602a600052" + "6007" + "60206000a1" + "33600055" + "00")
	// Factory CREATE2s (salt 0, value CALLVALUE) the calldata as init code
	// and stores the new address (0 on failure) in slot 0.
	Factory = common.FromHex("366000600037" + "600036600034f5" + "600055" + "00")
	// SelfDestructInit is init code that self-destructs to the caller
	// during creation (EIP-6780: deleted in the creating transaction).
	SelfDestructInit = common.FromHex("33ff")
	// MorphInit is init code that self-destructs when created without value
	// and deploys Incrementer otherwise: one CREATE2 address, two lives.
	MorphInit = common.FromHex("34600657" + "33ff" + "5b" + "600a6013600039" + "600a6000f3" + "600054600101600055" + "00")
	// Destructor self-destructs to the address in calldata word 0 when
	// called; as a contract from an earlier transaction it only moves its
	// balance (EIP-6780).
	Destructor = common.FromHex("600035ff")
	// BlockHasher stores BLOCKHASH(NUMBER-1) in slot 0 and BLOCKHASH(0)
	// in slot 1.
	BlockHasher = common.FromHex("4360019003" + "40600055" + "600040600155" + "00")
)

// Word returns v as a 32-byte big-endian word.
func Word(v uint64) []byte {
	return common.BigToHash(new(big.Int).SetUint64(v)).Bytes()
}

// Addresses of the hand-assembled contracts in StandardAlloc.
var (
	SlotWriterAddr      = common.HexToAddress("0x1001")
	IncrementerAddr     = common.HexToAddress("0x1002")
	CoinbaseBalanceAddr = common.HexToAddress("0x1003")
	BalanceOfAddr       = common.HexToAddress("0x1004")
	TransientAddr       = common.HexToAddress("0x1005")
	ReverterAddr        = common.HexToAddress("0x1006")
	LooperAddr          = common.HexToAddress("0x1007")
	HasherAddr          = common.HexToAddress("0x1008")
	LoggerAddr          = common.HexToAddress("0x1009")
	FactoryAddr         = common.HexToAddress("0x100a")
	DestructorAddr      = common.HexToAddress("0x100b")
	BlockHasherAddr     = common.HexToAddress("0x100d")
)
