package rpc

import "github.com/ethereum/go-ethereum/common/hexutil"

// NetAPI serves the net namespace. The sequencer has no peer-to-peer network,
// so it reports itself listening with no peers.
type NetAPI struct {
	chain ChainReader
}

// NewNetAPI returns the net namespace.
func NewNetAPI(chain ChainReader) *NetAPI { return &NetAPI{chain: chain} }

// Version returns the chain ID as a decimal string (wallets compare it with eth_chainId).
func (api *NetAPI) Version() string { return api.chain.ChainConfig().ChainID.String() }

// Listening returns true: the node accepts RPC connections.
func (api *NetAPI) Listening() bool { return true }

// PeerCount returns 0.
func (api *NetAPI) PeerCount() hexutil.Uint { return 0 }
