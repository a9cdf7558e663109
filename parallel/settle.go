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

// planEntry is the fate of one input transaction at settlement.
type planEntry struct {
	index int
	out   *txOutput
	drop  error // set when Build mode leaves the transaction out
}

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

// planSettlement walks the speculative outcomes in block order with the real
// block gas pool. It returns the plan, or the transactions that cannot fit
// the remaining gas although they executed speculatively: the first such
// one, and every later one whose gas limit exceeds what is left at that
// point (the pool only shrinks in block order). Build mode then runs the
// block again with those dropped.
func planSettlement(run *blockRun, mode Mode) ([]planEntry, []int, error) {
	gp := core.NewGasPool(run.env.Header.GasLimit)
	plan := make([]planEntry, len(run.txs))
	for i, tx := range run.txs {
		out := run.outputs[i].Load()
		if out == nil {
			return nil, nil, fmt.Errorf("%w: transaction %d has no outcome", errFallback, i)
		}
		plan[i] = planEntry{index: i, out: out}
		if out.err != nil {
			err := out.err
			if reachedPoolCheck(err) && gp.Available(false) < run.msgs[i].GasLimit {
				err = core.ErrGasLimitReached
			}
			if mode == Validate {
				return nil, nil, fmt.Errorf("%w: apply tx %d [%v]: %w", ErrInvalidBlock, i, tx.Hash(), err)
			}
			plan[i].drop = err
			continue
		}
		gasLimit := run.msgs[i].GasLimit
		if err := gp.CheckGasLegacy(gasLimit); err != nil {
			if mode == Validate {
				return nil, nil, fmt.Errorf("%w: apply tx %d [%v]: %w", ErrInvalidBlock, i, tx.Hash(), err)
			}
			left := gp.Available(false)
			overflow := []int{i}
			for j := i + 1; j < len(run.txs); j++ {
				if run.msgs[j] != nil && run.msgs[j].GasLimit > left && !run.forced[j] {
					overflow = append(overflow, j)
				}
			}
			return nil, overflow, nil
		}
		if err := gp.ChargeGasLegacy(gasLimit-out.usedGas, out.usedGas); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", errFallback, err)
		}
	}
	return plan, nil, nil
}

// settle writes the planned outcomes onto statedb in block order, framed by
// PreExecution and PostExecution, and builds the receipts exactly as
// go-ethereum's transaction application does.
func settle(ctx context.Context, run *blockRun, plan []planEntry, statedb *state.StateDB) (*Result, error) {
	var (
		env       = run.env
		header    = env.Header
		recorder  = newWriteRecorder()
		hooked    = state.NewHookedState(statedb, recorder.hooks())
		evm       = vm.NewEVM(run.blockCtx, hooked, env.Config, env.VMConfig)
		gp        = core.NewGasPool(header.GasLimit)
		blockHash = header.Hash()
		res       = &Result{
			Transactions: make(types.Transactions, 0, len(plan)),
			Receipts:     make(types.Receipts, 0, len(plan)),
		}
	)
	defer evm.Release()
	core.PreExecution(ctx, header.ParentBeaconRoot, env.Parent, env.Config, evm, header.Number, header.Time)

	for _, e := range plan {
		tx := run.txs[e.index]
		if e.drop != nil {
			res.Dropped = append(res.Dropped, Dropped{Tx: tx, Err: e.drop})
			continue
		}
		idx := len(res.Transactions)
		statedb.SetTxContext(tx.Hash(), idx, uint32(idx+1))
		applyWrites(statedb, recorder, e.out.writes)
		for _, l := range e.out.logs {
			hooked.AddLog(l)
		}
		for h, pre := range e.out.preimages {
			statedb.AddPreimage(h, pre)
		}
		hooked.Finalise(run.rules)

		msg := run.msgs[e.index]
		if err := gp.CheckGasLegacy(msg.GasLimit); err != nil {
			return nil, fmt.Errorf("settle tx %d: %w", e.index, err)
		}
		if err := gp.ChargeGasLegacy(msg.GasLimit-e.out.usedGas, e.out.usedGas); err != nil {
			return nil, fmt.Errorf("settle tx %d: %w", e.index, err)
		}
		receipt := &types.Receipt{Type: tx.Type(), CumulativeGasUsed: gp.CumulativeUsed()}
		if e.out.failed {
			receipt.Status = types.ReceiptStatusFailed
		} else {
			receipt.Status = types.ReceiptStatusSuccessful
		}
		receipt.TxHash = tx.Hash()
		receipt.GasUsed = e.out.usedGas
		if tx.Type() == types.BlobTxType {
			receipt.BlobGasUsed = uint64(len(tx.BlobHashes()) * params.BlobTxBlobGasPerBlob)
			receipt.BlobGasPrice = run.blockCtx.BlobBaseFee
		}
		if tx.To() == nil {
			receipt.ContractAddress = crypto.CreateAddress(msg.From, tx.Nonce())
		}
		receipt.Logs = statedb.GetLogs(tx.Hash(), header.Number.Uint64(), blockHash, header.Time)
		receipt.BlockHash = blockHash
		receipt.BlockNumber = header.Number
		receipt.TransactionIndex = uint(idx)
		receipt.Bloom = e.out.bloom

		res.Transactions = append(res.Transactions, tx)
		res.Receipts = append(res.Receipts, receipt)
		res.Logs = append(res.Logs, receipt.Logs...)
	}
	requests, _, err := core.PostExecution(ctx, env.Config, header.Number, header.Time, res.Logs, env.Withdrawals, evm, uint32(len(res.Transactions)+1))
	if err != nil {
		return nil, fmt.Errorf("post-execution: %w", err)
	}
	res.Requests = requests
	res.GasUsed = gp.Used()
	res.WriteSet = recorder.collect(statedb)
	return res, nil
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
			acc.slots[w.key.slot] = struct{}{}
		}
	}
	for addr := range deleted {
		if db.Exist(addr) {
			rec.account(addr)
			db.SelfDestruct(addr)
		}
	}
}
