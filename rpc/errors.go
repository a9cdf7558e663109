package rpc

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/vm"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// JSON-RPC error codes used by this package. They are the codes go-ethereum
// returns for the same failures; errors without a code are sent as -32000 by
// the go-ethereum rpc server.
const (
	// CodeReverted is returned with revert data when execution reverts (EIP-1474 "3").
	CodeReverted = 3
	// CodeInvalidParams is returned for arguments that decode but make no sense.
	CodeInvalidParams = -32602
	// CodeServerError is go-ethereum's default code for other failures.
	CodeServerError = -32000
)

var (
	// errBlockNotFound is returned when a block or header lookup finds nothing
	// where a result is required.
	errBlockNotFound = errors.New("header not found")
	// errBlockArgs is returned for an invalid block number and hash combination.
	errBlockArgs = errors.New("invalid arguments; neither block nor hash specified")
	// errUnprotectedTx matches geth's refusal of pre-EIP-155 transactions over RPC.
	errUnprotectedTx = errors.New("only replay-protected (EIP-155) transactions allowed over RPC")
)

// RevertError is returned by eth_call and eth_estimateGas when execution
// reverts. Its data is the hex encoded revert payload, so clients can decode
// custom errors themselves.
type RevertError struct {
	msg    string
	Reason []byte // raw revert data
}

var (
	_ gethrpc.Error     = (*RevertError)(nil)
	_ gethrpc.DataError = (*RevertError)(nil)
)

// NewRevertError builds the error for revert data. An Error(string) payload
// adds its reason to the message, as go-ethereum does.
func NewRevertError(revert []byte) *RevertError {
	msg := vm.ErrExecutionReverted.Error()
	if reason, err := abi.UnpackRevert(revert); err == nil {
		msg = fmt.Sprintf("%s: %s", msg, reason)
	}
	return &RevertError{msg: msg, Reason: revert}
}

// Error returns "execution reverted" with the decoded reason if any.
func (e *RevertError) Error() string { return e.msg }

// ErrorCode returns 3, the code for a revert.
func (e *RevertError) ErrorCode() int { return CodeReverted }

// ErrorData returns the revert data as a 0x-prefixed hex string.
func (e *RevertError) ErrorData() interface{} { return hexutil.Encode(e.Reason) }

// Unwrap lets errors.Is match vm.ErrExecutionReverted.
func (e *RevertError) Unwrap() error { return vm.ErrExecutionReverted }

// InvalidParamsError is returned for semantically invalid arguments (code -32602).
type InvalidParamsError struct{ Message string }

var _ gethrpc.Error = (*InvalidParamsError)(nil)

// Error returns the message.
func (e *InvalidParamsError) Error() string { return e.Message }

// ErrorCode returns -32602.
func (e *InvalidParamsError) ErrorCode() int { return CodeInvalidParams }

// TxIndexingError is returned by transaction lookups while the node's
// transaction index is still being built, as go-ethereum does.
type TxIndexingError struct{}

var _ gethrpc.DataError = (*TxIndexingError)(nil)

// Error returns the fixed message.
func (e *TxIndexingError) Error() string { return "transaction indexing is in progress" }

// ErrorCode returns -32000.
func (e *TxIndexingError) ErrorCode() int { return CodeServerError }

// ErrorData repeats the message, as go-ethereum does.
func (e *TxIndexingError) ErrorData() interface{} { return e.Error() }
