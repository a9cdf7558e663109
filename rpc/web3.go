package rpc

import (
	"fmt"
	"runtime"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
)

// Web3API serves the web3 namespace.
type Web3API struct {
	clientVersion string
}

// NewWeb3API returns the web3 namespace for the given node version ("1.2.3").
func NewWeb3API(version string) *Web3API {
	return &Web3API{clientVersion: ClientVersion(version)}
}

// ClientVersion formats "Lanes/v<version>/<os>-<arch>/<go version>".
func ClientVersion(version string) string {
	return fmt.Sprintf("Lanes/v%s/%s-%s/%s", version, runtime.GOOS, runtime.GOARCH, runtime.Version())
}

// ClientVersion returns the node's version string.
func (api *Web3API) ClientVersion() string { return api.clientVersion }

// Sha3 returns the Keccak-256 hash of the input.
func (api *Web3API) Sha3(input hexutil.Bytes) hexutil.Bytes { return crypto.Keccak256(input) }
