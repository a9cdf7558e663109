package loadgen

import (
	_ "embed"
	"math/big"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// The token the ERC20 workload transfers: contracts/LoadToken.sol, compiled
// with solc 0.8.37 (optimizer on, 200 runs, EVM prague) by
// scripts/compile-contract.js.
var (
	//go:embed contracts/LoadToken.bin
	tokenBin string
	//go:embed contracts/LoadToken.abi
	tokenABIJSON string
)

var tokenABI = sync.OnceValue(func() abi.ABI {
	parsed, err := abi.JSON(strings.NewReader(tokenABIJSON))
	if err != nil {
		panic("loadgen: embedded token ABI is invalid: " + err.Error())
	}
	return parsed
})

// tokenDeployCode returns the creation code deploying supply tokens to the
// sender.
func tokenDeployCode(supply *big.Int) []byte {
	args, err := tokenABI().Pack("", supply)
	if err != nil {
		panic(err) // the constructor takes one uint256; packing cannot fail
	}
	return append(common.FromHex(strings.TrimSpace(tokenBin)), args...)
}

// tokenTransfer returns the calldata of transfer(to, amount).
func tokenTransfer(to common.Address, amount *big.Int) []byte {
	data, err := tokenABI().Pack("transfer", to, amount)
	if err != nil {
		panic(err)
	}
	return data
}
