package parallel

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
)

// errorsAfterPoolCheck are the consensus errors go-ethereum raises after it
// has reserved the transaction's gas in the block pool. A transaction that
// fails with one of them speculatively (where the pool was the whole block)
// fails with ErrGasLimitReached in block order when the real pool is short.
var errorsAfterPoolCheck = []error{
	core.ErrInsufficientFunds,
	core.ErrIntrinsicGas,
	core.ErrFloorDataGas,
	core.ErrInsufficientFundsForTransfer,
}

func reachedPoolCheck(err error) bool {
	for _, e := range errorsAfterPoolCheck {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// errNeedsSequential is returned by settlement.applyOutcome when a
// speculatively successful transaction does not fit the remaining block gas
// (Build mode): the transactions after it may have read its writes, so the
// rest of the block runs sequentially from there.
var errNeedsSequential = errors.New("transaction does not fit the remaining gas")

// settlement writes a block's outcome onto the caller's state in block
// order, framed by PreExecution and PostExecution. Transactions are settled
// either from their final speculative outcome (applyOutcome) or by
// executing them on the state (applySequential); the two can be mixed, in
// block order, because after each transaction the state is finalised
// exactly as go-ethereum's transaction application leaves it. It is used
// by the goroutine that owns statedb only.
type settlement struct {
	ctx       context.Context
	env       *Env
	mode      Mode
	rules     params.Rules
	signer    types.Signer
	blockHash common.Hash
	statedb   *state.StateDB
	recorder  *writeRecorder
	hooked    vm.StateDB
	evm       *vm.EVM
	gp        *core.GasPool
	res       *Result
	// unfinalised is set while settled transactions await Finalise.
	unfinalised bool
}

// newSettlement runs PreExecution on statedb and returns the settlement of
// the block's transactions onto it.
func newSettlement(ctx context.Context, env *Env, blockCtx vm.BlockContext, statedb *state.StateDB, mode Mode, n int) *settlement {
	header := env.Header
	s := &settlement{
		ctx:       ctx,
		env:       env,
		mode:      mode,
		rules:     env.Config.Rules(header.Number, true, header.Time),
		signer:    types.MakeSigner(env.Config, header.Number, header.Time),
		blockHash: header.Hash(),
		statedb:   statedb,
		recorder:  newWriteRecorder(2 * n),
		gp:        core.NewGasPool(header.GasLimit),
		res: &Result{
			Transactions: make(types.Transactions, 0, n),
			Receipts:     make(types.Receipts, 0, n),
		},
	}
	s.hooked = s.recorder.state(statedb)
	s.evm = vm.NewEVM(blockCtx, s.hooked, env.Config, env.VMConfig)
	core.PreExecution(ctx, header.ParentBeaconRoot, env.Parent, env.Config, s.evm, header.Number, header.Time)
	return s
}

// release returns the settlement's EVM.
func (s *settlement) release() { s.evm.Release() }

func (s *settlement) invalid(i int, tx *types.Transaction, err error) error {
	return fmt.Errorf("%w: apply tx %d [%v]: %w", ErrInvalidBlock, i, tx.Hash(), err)
}

// applyOutcome settles transaction i (tx, msg) from its final speculative
// outcome, building the receipt exactly as go-ethereum's transaction
// application does. It returns errNeedsSequential when the transaction
// executed speculatively but does not fit the remaining gas in Build mode.
func (s *settlement) applyOutcome(i int, tx *types.Transaction, msg *core.Message, out *txOutput) error {
	if out.err != nil {
		err := out.err
		if reachedPoolCheck(err) && s.gp.Available(false) < msg.GasLimit {
			err = core.ErrGasLimitReached
		}
		if s.mode == Validate {
			return s.invalid(i, tx, err)
		}
		s.res.Dropped = append(s.res.Dropped, Dropped{Tx: tx, Err: err})
		return nil
	}
	if err := s.gp.CheckGasLegacy(msg.GasLimit); err != nil {
		if s.mode == Validate {
			return s.invalid(i, tx, err)
		}
		return errNeedsSequential
	}
	var (
		header  = s.env.Header
		statedb = s.statedb
		idx     = len(s.res.Transactions)
	)
	deletes := deletesAccounts(out.writes)
	if deletes {
		s.flush()
	}
	statedb.SetTxContext(tx.Hash(), idx, uint32(idx+1))
	applyWrites(statedb, s.recorder, out.writes)
	for _, l := range out.logs {
		s.hooked.AddLog(l)
	}
	for h, pre := range out.preimages {
		statedb.AddPreimage(h, pre)
	}
	s.unfinalised = true
	if deletes {
		s.flush()
	}

	if err := s.gp.ChargeGasLegacy(msg.GasLimit-out.usedGas, out.usedGas); err != nil {
		return fmt.Errorf("settle tx %d: %w", i, err)
	}
	receipt := &types.Receipt{Type: tx.Type(), CumulativeGasUsed: s.gp.CumulativeUsed()}
	if out.failed {
		receipt.Status = types.ReceiptStatusFailed
	} else {
		receipt.Status = types.ReceiptStatusSuccessful
	}
	receipt.TxHash = tx.Hash()
	receipt.GasUsed = out.usedGas
	if tx.Type() == types.BlobTxType {
		receipt.BlobGasUsed = uint64(len(tx.BlobHashes()) * params.BlobTxBlobGasPerBlob)
		receipt.BlobGasPrice = s.evm.Context.BlobBaseFee
	}
	if tx.To() == nil {
		receipt.ContractAddress = crypto.CreateAddress(msg.From, tx.Nonce())
	}
	receipt.Logs = statedb.GetLogs(tx.Hash(), header.Number.Uint64(), s.blockHash, header.Time)
	receipt.BlockHash = s.blockHash
	receipt.BlockNumber = header.Number
	receipt.TransactionIndex = uint(idx)
	receipt.Bloom = out.bloom
	s.include(tx, receipt)
	return nil
}

// applySequential settles transaction i by executing it on the state with
// go-ethereum's transaction application, as Sequential does.
func (s *settlement) applySequential(i int, tx *types.Transaction) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	s.flush()
	receipt, err := applyOne(s.ctx, s.evm, s.gp, s.statedb, s.signer, s.env.Header, s.blockHash, tx, len(s.res.Transactions))
	if err != nil {
		if s.mode == Validate {
			return s.invalid(i, tx, err)
		}
		s.res.Dropped = append(s.res.Dropped, Dropped{Tx: tx, Err: err})
		return nil
	}
	s.include(tx, receipt)
	return nil
}

// flush finalises the transactions settled since the last flush.
//
// Finalising after every transaction, as go-ethereum does, is needed only
// around the removal of accounts: a write set never leaves an account empty
// without removing it (txState.Finalise applies EIP-158 itself), so between
// removals the end-of-transaction rules delete nothing, and finalising once
// for several transactions moves the same values to the same place.
func (s *settlement) flush() {
	if s.unfinalised {
		s.hooked.Finalise(s.rules)
		s.unfinalised = false
	}
}

// deletesAccounts reports whether settling writes may remove an account: it
// removes one, or credits the fee recipient with zero, which touches it
// (EIP-158 then removes it if it is empty).
func deletesAccounts(writes []keyWrite) bool {
	for i := range writes {
		w := &writes[i]
		if (w.key.kind == kindExists || w.delta) && w.val.isZero() {
			return true
		}
	}
	return false
}

func (s *settlement) include(tx *types.Transaction, receipt *types.Receipt) {
	s.res.Transactions = append(s.res.Transactions, tx)
	s.res.Receipts = append(s.res.Receipts, receipt)
	s.res.Logs = append(s.res.Logs, receipt.Logs...)
}

// finish runs PostExecution and completes the result with the block's gas
// and write set.
func (s *settlement) finish() (*Result, error) {
	header := s.env.Header
	s.flush()
	requests, _, err := core.PostExecution(s.ctx, s.env.Config, header.Number, header.Time, s.res.Logs, s.env.Withdrawals, s.evm, uint32(len(s.res.Transactions)+1))
	if err != nil {
		return nil, fmt.Errorf("post-execution: %w", err)
	}
	s.res.Requests = requests
	s.res.GasUsed = s.gp.Used()
	s.res.WriteSet = s.recorder.collect(s.statedb)
	return s.res, nil
}

// applyWrites replays one transaction's write set onto the state and notes
// the keys in the block's write recorder: accounts are created first, then
// fields are written, then deleted accounts are destructed so that Finalise
// removes them.
func applyWrites(db *state.StateDB, rec *writeRecorder, writes []keyWrite) {
	var deleted map[common.Address]bool
	for i := range writes {
		w := &writes[i]
		if w.key.kind != kindExists {
			continue
		}
		if w.val.isZero() {
			if deleted == nil {
				deleted = make(map[common.Address]bool)
			}
			deleted[w.key.addr] = true
		} else if !db.Exist(w.key.addr) {
			db.CreateAccount(w.key.addr)
		}
	}
	for i := range writes {
		w := &writes[i]
		if deleted[w.key.addr] {
			continue
		}
		acc := rec.account(w.key.addr)
		switch w.key.kind {
		case kindBalance:
			if w.delta {
				if w.val.isZero() {
					// A zero credit touches the account: the next
					// Finalise removes it if it is empty.
					rec.note(w.key.addr)
				}
				db.AddBalance(w.key.addr, &w.val.num, tracing.BalanceIncreaseRewardTransactionFee)
				continue
			}
			db.SetBalance(w.key.addr, &w.val.num, tracing.BalanceChangeUnspecified)
		case kindNonce:
			db.SetNonce(w.key.addr, w.val.num.Uint64(), tracing.NonceChangeUnspecified)
		case kindCode:
			var code []byte
			if w.val.code != nil {
				code = w.val.code.code
			}
			db.SetCode(w.key.addr, code, tracing.CodeChangeUnspecified)
			acc.code = true
		case kindStorage:
			db.SetState(w.key.addr, w.key.slot, w.val.word())
			acc.addSlot(w.key.slot)
		}
	}
	for addr := range deleted {
		if db.Exist(addr) {
			// The caller finalises the state before the next
			// transaction, which removes the account and notes it.
			rec.note(addr)
			db.SelfDestruct(addr)
		}
	}
}
