package sequencer

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/lanes-rollup/lanes/parallel"
)

// ErrReplica is returned for a transaction sent to a replica: it replays
// the chain from L1 and orders nothing. Send transactions to the sequencer.
var ErrReplica = errors.New("this node replays the chain from L1 and does not accept transactions; send them to the sequencer")

// ErrNotReplica is returned by ApplyBlock on a node that builds its own
// blocks: two writers would race for the head.
var ErrNotReplica = errors.New("ApplyBlock needs a replica node (Config.Replica)")

// UnbuildableError says why attributes cannot make a block: one of their
// transactions cannot be included on the parent (bad nonce, funds, gas), so
// the batch that carries them is invalid.
type UnbuildableError struct {
	Number uint64      // the block the attributes were for
	Index  int         // the transaction's position in the attributes
	Tx     common.Hash // the transaction
	Err    error       // why the executor refused it
}

func (e *UnbuildableError) Error() string {
	return fmt.Sprintf("block %d: transaction %d [%v] cannot be included: %v", e.Number, e.Index, e.Tx, e.Err)
}

func (e *UnbuildableError) Unwrap() error { return e.Err }

// ApplyBlock makes block number attrs' parent + 1 from attrs and returns
// its header. It is how a replica follows L1:
//   - when the chain already holds a block at that height built from the
//     same attributes (a restart, or a pipeline reset that re-derives what
//     is unchanged), that block is returned as it is;
//   - when it holds a different one (L1 reorganised under the batches that
//     made it), the chain is rewound to parent and the block rebuilt;
//   - number must not exceed the head + 1.
//
// Every transaction must be included, in order: a batch decides the block,
// so a transaction the executor would drop makes an *UnbuildableError.
func (s *Sequencer) ApplyBlock(ctx context.Context, number uint64, attrs *Attributes) (*types.Header, error) {
	if !s.cfg.Replica {
		return nil, ErrNotReplica
	}
	if number == 0 {
		return nil, errors.New("the genesis block is not applied")
	}
	head := s.chain.CurrentBlock()
	if number > head.Number.Uint64()+1 {
		return nil, fmt.Errorf("block %d does not follow the head %d", number, head.Number)
	}
	if number <= head.Number.Uint64() {
		existing := s.chain.GetBlockByNumber(number)
		if existing != nil && builtFrom(existing, attrs) {
			return existing.Header(), nil
		}
		s.log.Warn("Rewinding the chain to rebuild a block from new attributes", "number", number, "head", head.Number)
		if err := s.chain.SetHead(number - 1); err != nil {
			return nil, fmt.Errorf("rewind to %d: %w", number-1, err)
		}
	}
	parent := s.chain.CurrentBlock()
	block, res, err := buildBlock(ctx, s.chain, s.exec, parent, attrs, parallel.Build)
	if err != nil {
		return nil, fmt.Errorf("build block %d: %w", number, err)
	}
	if len(res.Dropped) > 0 {
		d := res.Dropped[0]
		index := 0
		for i, tx := range attrs.Transactions {
			if tx.Hash() == d.Tx.Hash() {
				index = i
				break
			}
		}
		return nil, &UnbuildableError{Number: number, Index: index, Tx: d.Tx.Hash(), Err: d.Err}
	}
	if err := s.importBuilt(block, res); err != nil {
		return nil, err
	}
	return block.Header(), nil
}

// builtFrom reports whether block is the one attrs make on its parent: the
// header fields the attributes decide and the transactions and deposits,
// compared by their trie roots. Everything else follows from the parent.
func builtFrom(block *types.Block, attrs *Attributes) bool {
	origin, err := HeaderL1Origin(block.Header())
	if err != nil || origin != attrs.L1Origin || block.Time() != attrs.Timestamp {
		return false
	}
	deposits := attrs.Deposits
	if deposits == nil {
		deposits = types.Withdrawals{}
	}
	h := block.Header()
	return h.TxHash == types.DeriveSha(attrs.Transactions, trie.NewStackTrie(nil)) &&
		h.WithdrawalsHash != nil && *h.WithdrawalsHash == types.DeriveSha(deposits, trie.NewStackTrie(nil))
}
