package sequencer

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// DepositEventTopic is the topic of the L1 Portal's
// DepositETH(uint256 indexed nonce, address indexed from, address indexed
// to, uint64 amountGwei) event.
var DepositEventTopic = crypto.Keccak256Hash([]byte("DepositETH(uint256,address,address,uint64)"))

// Errors of the L1 deposit source.
var (
	// ErrL1Reorg is returned when the next L1 block does not extend the
	// parent's origin: the L1 block an L2 block derived from is gone.
	ErrL1Reorg = errors.New("L1 origin is no longer canonical")
	// ErrBadDepositLog is returned for a Portal log that does not decode.
	ErrBadDepositLog = errors.New("malformed deposit log")
)

// L1Client is what the deposit source reads from L1.
type L1Client interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q ethereum.FilterQuery) ([]types.Log, error)
}

// L1Deposits follows the L1 Portal and decides each L2 block's L1 origin.
//
// The origin advances one L1 block at a time, never past the L1 head minus
// Confirmations, and never to an L1 block newer than the L2 block's own
// timestamp. When it advances, the Portal's deposits in the new origin are
// credited in the L2 block, in log order, one withdrawals entry each (its
// index is the deposit nonce). Each deposit is thus credited exactly once:
// in the only L2 block whose origin moves onto its L1 block.
type L1Deposits struct {
	Client        L1Client
	Portal        common.Address
	StartBlock    uint64 // the L1 block the rollup starts from (the deploy block)
	Confirmations uint64
}

var _ DepositSource = (*L1Deposits)(nil)

// NextOrigin implements DepositSource.
func (d *L1Deposits) NextOrigin(ctx context.Context, parent L1Origin, timestamp uint64) (L1Origin, types.Withdrawals, error) {
	next := parent.Number + 1
	if parent == (L1Origin{}) {
		next = d.StartBlock // the genesis has no origin yet
	}
	head, err := d.Client.HeaderByNumber(ctx, nil)
	if err != nil {
		return parent, nil, fmt.Errorf("L1 head: %w", err)
	}
	if head.Number.Uint64() < next+d.Confirmations {
		return parent, nil, nil // not confirmed yet
	}
	header, err := d.Client.HeaderByNumber(ctx, new(big.Int).SetUint64(next))
	if err != nil {
		return parent, nil, fmt.Errorf("L1 block %d: %w", next, err)
	}
	if header.Time > timestamp {
		return parent, nil, nil // the L2 block would predate its origin
	}
	if parent != (L1Origin{}) && header.ParentHash != parent.Hash {
		return parent, nil, fmt.Errorf("%w: block %d has parent %v, L2 derived from %v", ErrL1Reorg, next, header.ParentHash, parent.Hash)
	}
	hash := header.Hash()
	logs, err := d.Client.FilterLogs(ctx, ethereum.FilterQuery{
		BlockHash: &hash,
		Addresses: []common.Address{d.Portal},
		Topics:    [][]common.Hash{{DepositEventTopic}},
	})
	if err != nil {
		return parent, nil, fmt.Errorf("deposit logs of L1 block %d: %w", next, err)
	}
	deposits := make(types.Withdrawals, 0, len(logs))
	for i := range logs {
		w, err := decodeDeposit(&logs[i])
		if err != nil {
			return parent, nil, fmt.Errorf("L1 block %d log %d: %w", next, logs[i].Index, err)
		}
		deposits = append(deposits, w)
	}
	return L1Origin{Number: next, Hash: hash}, deposits, nil
}

// decodeDeposit turns a Portal DepositETH log into a withdrawals entry.
func decodeDeposit(l *types.Log) (*types.Withdrawal, error) {
	if len(l.Topics) != 4 || l.Topics[0] != DepositEventTopic || len(l.Data) != 32 || l.Removed {
		return nil, ErrBadDepositLog
	}
	nonce := new(big.Int).SetBytes(l.Topics[1][:])
	amount := new(big.Int).SetBytes(l.Data)
	if !nonce.IsUint64() || !amount.IsUint64() {
		return nil, ErrBadDepositLog
	}
	if !isAddressWord(l.Topics[3]) {
		return nil, ErrBadDepositLog
	}
	return &types.Withdrawal{
		Index:   nonce.Uint64(),
		Amount:  amount.Uint64(),
		Address: common.BytesToAddress(l.Topics[3][12:]),
	}, nil
}

// isAddressWord reports whether a 32-byte word is a left-padded address.
func isAddressWord(w common.Hash) bool {
	for _, b := range w[:12] {
		if b != 0 {
			return false
		}
	}
	return true
}
