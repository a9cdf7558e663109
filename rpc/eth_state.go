package rpc

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// maxProofKeys bounds eth_getProof storage keys, as go-ethereum does.
const maxProofKeys = 1024

// StateAPI serves the eth_ methods that read account state at a block.
type StateAPI struct {
	state StateReader
	pool  TxPool
}

// NewStateAPI returns the state readers of the eth namespace.
func NewStateAPI(s StateReader, pool TxPool) *StateAPI { return &StateAPI{state: s, pool: pool} }

// orLatest defaults an omitted block argument to latest.
func orLatest(ref *gethrpc.BlockNumberOrHash) gethrpc.BlockNumberOrHash {
	if ref == nil {
		return gethrpc.BlockNumberOrHashWithNumber(gethrpc.LatestBlockNumber)
	}
	return *ref
}

// GetBalance returns the balance of address in wei.
func (api *StateAPI) GetBalance(ctx context.Context, address common.Address, ref *gethrpc.BlockNumberOrHash) (*hexutil.Big, error) {
	st, _, err := api.state.StateAndHeaderByNumberOrHash(ctx, orLatest(ref))
	if st == nil || err != nil {
		return nil, err
	}
	return (*hexutil.Big)(st.GetBalance(address).ToBig()), st.Error()
}

// GetTransactionCount returns the nonce of address; at "pending" it counts
// transactions waiting in the pool.
func (api *StateAPI) GetTransactionCount(ctx context.Context, address common.Address, ref *gethrpc.BlockNumberOrHash) (*hexutil.Uint64, error) {
	r := orLatest(ref)
	if number, ok := r.Number(); ok && number == gethrpc.PendingBlockNumber {
		nonce, err := api.pool.GetPoolNonce(ctx, address)
		if err != nil {
			return nil, err
		}
		return (*hexutil.Uint64)(&nonce), nil
	}
	st, _, err := api.state.StateAndHeaderByNumberOrHash(ctx, r)
	if st == nil || err != nil {
		return nil, err
	}
	nonce := st.GetNonce(address)
	return (*hexutil.Uint64)(&nonce), st.Error()
}

// GetCode returns the code of address.
func (api *StateAPI) GetCode(ctx context.Context, address common.Address, ref *gethrpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	st, _, err := api.state.StateAndHeaderByNumberOrHash(ctx, orLatest(ref))
	if st == nil || err != nil {
		return nil, err
	}
	return st.GetCode(address), st.Error()
}

// GetStorageAt returns one storage slot of address.
func (api *StateAPI) GetStorageAt(ctx context.Context, address common.Address, hexKey string, ref *gethrpc.BlockNumberOrHash) (hexutil.Bytes, error) {
	key, _, err := parseStorageKey(hexKey)
	if err != nil {
		return nil, &InvalidParamsError{fmt.Sprintf("%v: %q", err, hexKey)}
	}
	st, _, err := api.state.StateAndHeaderByNumberOrHash(ctx, orLatest(ref))
	if st == nil || err != nil {
		return nil, err
	}
	v := st.GetState(address, key)
	return v[:], st.Error()
}

// AccountResult is the eth_getProof answer (EIP-1186).
type AccountResult struct {
	Address      common.Address  `json:"address"`
	AccountProof []string        `json:"accountProof"`
	Balance      *hexutil.Big    `json:"balance"`
	CodeHash     common.Hash     `json:"codeHash"`
	Nonce        hexutil.Uint64  `json:"nonce"`
	StorageHash  common.Hash     `json:"storageHash"`
	StorageProof []StorageResult `json:"storageProof"`
}

// StorageResult is the proof of one storage slot.
type StorageResult struct {
	Key   string       `json:"key"`
	Value *hexutil.Big `json:"value"`
	Proof []string     `json:"proof"`
}

// proofCollector gathers trie proof nodes as hex strings.
type proofCollector []string

// Put records one proof node.
func (p *proofCollector) Put(_ []byte, value []byte) error {
	*p = append(*p, hexutil.Encode(value))
	return nil
}

// Delete is never called by trie.Prove.
func (p *proofCollector) Delete([]byte) error { return errors.New("not supported") }

// GetProof returns Merkle proofs of an account and some of its storage slots
// against the state root of the block.
func (api *StateAPI) GetProof(ctx context.Context, address common.Address, storageKeys []string, ref *gethrpc.BlockNumberOrHash) (*AccountResult, error) {
	if len(storageKeys) > maxProofKeys {
		return nil, &InvalidParamsError{fmt.Sprintf("too many storage keys requested (max %d, got %d)", maxProofKeys, len(storageKeys))}
	}
	keys := make([]common.Hash, len(storageKeys))
	keyLens := make([]int, len(storageKeys))
	for i, k := range storageKeys {
		var err error
		if keys[i], keyLens[i], err = parseStorageKey(k); err != nil {
			return nil, &InvalidParamsError{fmt.Sprintf("%v: %q", err, k)}
		}
	}
	st, header, err := api.state.StateAndHeaderByNumberOrHash(ctx, orLatest(ref))
	if st == nil || err != nil {
		return nil, err
	}
	storageRoot := st.GetStorageRoot(address)
	storageProof, err := proveStorage(ctx, st, header.Root, address, storageRoot, keys, keyLens)
	if err != nil {
		return nil, err
	}
	accountTrie, err := st.Database().OpenTrie(header.Root)
	if err != nil {
		return nil, err
	}
	var accountProof proofCollector
	if err := accountTrie.Prove(crypto.Keccak256(address.Bytes()), &accountProof); err != nil {
		return nil, err
	}
	return &AccountResult{
		Address:      address,
		AccountProof: accountProof,
		Balance:      (*hexutil.Big)(st.GetBalance(address).ToBig()),
		CodeHash:     st.GetCodeHash(address),
		Nonce:        hexutil.Uint64(st.GetNonce(address)),
		StorageHash:  storageRoot,
		StorageProof: storageProof,
	}, st.Error()
}

// proveStorage proves each key in the account's storage trie. Keys given as
// 32 bytes are echoed as such; shorter ones as quantities, as geth does.
func proveStorage(ctx context.Context, st *state.StateDB, root common.Hash, address common.Address, storageRoot common.Hash, keys []common.Hash, keyLens []int) ([]StorageResult, error) {
	out := make([]StorageResult, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	var storageTrie state.Trie
	if storageRoot != types.EmptyRootHash && storageRoot != (common.Hash{}) {
		t, err := st.Database().OpenStorageTrie(root, address, storageRoot, nil)
		if err != nil {
			return nil, err
		}
		storageTrie = t
	}
	for i, key := range keys {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		outKey := hexutil.Encode(key[:])
		if keyLens[i] != 32 {
			outKey = hexutil.EncodeBig(key.Big())
		}
		if storageTrie == nil {
			out[i] = StorageResult{Key: outKey, Value: &hexutil.Big{}, Proof: []string{}}
			continue
		}
		var proof proofCollector
		if err := storageTrie.Prove(crypto.Keccak256(key.Bytes()), &proof); err != nil {
			return nil, err
		}
		out[i] = StorageResult{Key: outKey, Value: (*hexutil.Big)(st.GetState(address, key).Big()), Proof: proof}
	}
	return out, nil
}

// parseStorageKey decodes a hex slot key of at most 32 bytes; the 0x prefix
// is optional and odd lengths are padded, as go-ethereum accepts.
func parseStorageKey(s string) (common.Hash, int, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s = s[2:]
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	if len(s) > 64 {
		return common.Hash{}, len(s) / 2, errors.New("storage key too long (want at most 32 bytes)")
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return common.Hash{}, 0, errors.New("invalid hex in storage key")
	}
	return common.BytesToHash(b), len(b), nil
}
