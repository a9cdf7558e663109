package sequencer

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/consensus/misc/eip4844"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/lanes-rollup/lanes/parallel"
)

// L1Origin names the L1 block an L2 block derives its deposits from.
type L1Origin struct {
	Number uint64
	Hash   common.Hash
}

// Attributes is everything besides its parent that determines an L2 block:
// what a batch carries so that a verifier can rebuild the block exactly.
type Attributes struct {
	Timestamp uint64
	L1Origin  L1Origin
	// Deposits are the L1 deposits credited in this block, as withdrawals
	// entries (amounts in gwei). Empty unless the L1 origin advanced.
	Deposits types.Withdrawals
	// Transactions are the candidate transactions, in the order to apply
	// them. In Build mode some may be dropped.
	Transactions types.Transactions
}

// l1OriginExtraLen is the size of the L1 origin number in the extra-data.
const l1OriginExtraLen = 8

// HeaderL1Origin reads the L1 origin a Lanes header commits to: its number
// in the extra-data and its hash in the parent beacon root, which the
// EIP-4788 contract then exposes to L2 contracts.
func HeaderL1Origin(h *types.Header) (L1Origin, error) {
	if len(h.Extra) != l1OriginExtraLen || h.ParentBeaconRoot == nil {
		return L1Origin{}, fmt.Errorf("block %d carries no L1 origin", h.Number)
	}
	return L1Origin{Number: binary.BigEndian.Uint64(h.Extra), Hash: *h.ParentBeaconRoot}, nil
}

// newHeader derives the header of the child of parent from the chain rules
// and attrs. Root, GasUsed, receipts and bloom are filled in after
// execution.
func newHeader(config *params.ChainConfig, parent *types.Header, attrs *Attributes) *types.Header {
	extra := make([]byte, l1OriginExtraLen)
	binary.BigEndian.PutUint64(extra, attrs.L1Origin.Number)
	originHash := attrs.L1Origin.Hash
	header := &types.Header{
		ParentHash:       parent.Hash(),
		Coinbase:         parent.Coinbase,
		Number:           new(big.Int).Add(parent.Number, common.Big1),
		GasLimit:         parent.GasLimit,
		Time:             attrs.Timestamp,
		Difficulty:       new(big.Int),
		Extra:            extra,
		BaseFee:          eip1559.CalcBaseFee(config, parent),
		ParentBeaconRoot: &originHash,
	}
	if config.IsCancun(header.Number, header.Time) {
		excess := eip4844.CalcExcessBlobGas(config, parent, header.Time)
		header.ExcessBlobGas = &excess
		header.BlobGasUsed = new(uint64)
	}
	return header
}

// buildBlock executes attrs on top of parent and assembles the block. It
// returns the block and the executor's result, which the processor uses to
// import the block without executing it again.
func buildBlock(ctx context.Context, chain *core.BlockChain, exec parallel.Executor, parent *types.Header, attrs *Attributes, mode parallel.Mode) (*types.Block, *parallel.Result, error) {
	config := chain.Config()
	// The same state database BlockChain.StateAt opens, with a second reader
	// over the StateDB's cache for the parallel executor's workers.
	db := state.NewMPTDatabase(chain.TrieDB(), chain.CodeDB()).WithSnapshot(chain.Snapshots())
	statedb, reader, err := parallel.OpenState(db, parent.Root)
	if err != nil {
		return nil, nil, fmt.Errorf("state of parent %d: %w", parent.Number, err)
	}
	header := newHeader(config, parent, attrs)
	deposits := attrs.Deposits
	if deposits == nil {
		deposits = types.Withdrawals{}
	}
	env := &parallel.Env{
		Config:       config,
		Chain:        chain,
		Header:       header,
		Parent:       parent,
		Withdrawals:  deposits,
		ParentReader: reader,
	}
	res, err := exec.Execute(ctx, env, attrs.Transactions, statedb, mode)
	if err != nil {
		return nil, nil, err
	}
	return assemble(config, header, statedb, deposits, res), res, nil
}

// assemble completes header from the execution result and seals the block.
func assemble(config *params.ChainConfig, header *types.Header, statedb *state.StateDB, deposits types.Withdrawals, res *parallel.Result) *types.Block {
	rules := config.Rules(header.Number, true, header.Time)
	header.GasUsed = res.GasUsed
	header.Root = statedb.IntermediateRoot(rules)
	if config.IsPrague(header.Number, header.Time) {
		reqHash := types.CalcRequestsHash(res.Requests)
		header.RequestsHash = &reqHash
	}
	body := &types.Body{Transactions: res.Transactions, Withdrawals: deposits}
	return types.NewBlock(header, body, res.Receipts, trie.NewStackTrie(nil))
}
