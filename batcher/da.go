package batcher

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/params"
)

// DAMode says where the batcher puts batch data on L1.
type DAMode string

// The data availability modes.
const (
	// DACalldata posts the data as the `data` argument of submitBatch.
	DACalldata DAMode = "calldata"
	// DABlobs posts the data in EIP-4844 blobs of a submitBatchBlobs
	// transaction (codec.EncodeBlobs), up to MaxBlobsPerTx of them.
	DABlobs DAMode = "blobs"
	// DAAuto cuts batches that fit calldata (and so one blob) and posts
	// each the cheaper way at the current L1 fees (see ChooseDA).
	DAAuto DAMode = "auto"
)

// ParseDAMode parses "calldata", "blobs" or "auto".
func ParseDAMode(s string) (DAMode, error) {
	switch m := DAMode(s); m {
	case DACalldata, DABlobs, DAAuto:
		return m, nil
	}
	return "", fmt.Errorf("batcher: unknown data availability mode %q (want calldata, blobs or auto)", s)
}

// Gas model of a submission, for ChooseDA. Only the comparison needs it;
// the transaction manager still estimates every transaction it sends.
const (
	// submitExecGas is the execution gas of submitBatch and
	// submitBatchBlobs beyond intrinsic gas and hashing the data: five
	// fresh storage slots, the checks and the event. TestMeasureL1Gas
	// sees 152.9k-165.5k for a whole submitBatchBlobs, 21k and ~3k of it
	// intrinsic; the first batch pays a little more for cold slots.
	submitExecGas = 140_000
	// keccakWordGas is what hashing calldata costs per 32-byte word
	// (KECCAK256 word gas plus CALLDATACOPY and memory).
	keccakWordGas = 12
)

// L1Fees are the L1 prices ChooseDA compares at, in wei.
type L1Fees struct {
	BaseFee     *big.Int // base fee per gas of the L1 head
	Tip         *big.Int // priority fee per gas
	BlobBaseFee *big.Int // blob base fee per blob gas
}

// readL1Fees reads the head's base fee, the suggested tip and, if blobs is
// set, the blob base fee (else it is left nil).
func readL1Fees(ctx context.Context, c L1Client, blobs bool) (L1Fees, error) {
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return L1Fees{}, fmt.Errorf("L1 head: %w", err)
	}
	f := L1Fees{BaseFee: new(big.Int)}
	if head.BaseFee != nil {
		f.BaseFee.Set(head.BaseFee)
	}
	if f.Tip, err = c.SuggestGasTipCap(ctx); err != nil {
		return L1Fees{}, fmt.Errorf("L1 tip: %w", err)
	}
	if blobs {
		if f.BlobBaseFee, err = c.BlobBaseFee(ctx); err != nil {
			return L1Fees{}, fmt.Errorf("L1 blob base fee: %w", err)
		}
	}
	return f, nil
}

// DACost is what one way of posting a batch costs.
type DACost struct {
	Gas     uint64   // execution gas, EIP-7623 floor included
	BlobGas uint64   // blob gas (0 for calldata)
	Wei     *big.Int // Gas × (BaseFee + Tip) + BlobGas × BlobBaseFee
}

// calldataTokens counts EIP-7623 tokens: one per zero byte, four per other
// byte.
func calldataTokens(data []byte) uint64 {
	var tokens uint64
	for _, b := range data {
		if b == 0 {
			tokens++
		} else {
			tokens += params.TxTokenPerNonZeroByte
		}
	}
	return tokens
}

// submissionGas is the gas of a transaction with the given call data whose
// execution hashes hashed bytes: intrinsic gas (21000 plus 4 per token)
// plus execution, but at least the EIP-7623 floor (21000 plus 10 per
// token).
func submissionGas(call []byte, hashed int) uint64 {
	tokens := calldataTokens(call)
	standard := params.TxGas + params.TxDataZeroGas*tokens + submitExecGas + keccakWordGas*uint64((hashed+31)/32)
	floor := params.TxGas + params.TxCostFloorPerToken*tokens
	return max(standard, floor)
}

func costOf(gas, blobGas uint64, f L1Fees) *big.Int {
	price := new(big.Int).Add(f.BaseFee, f.Tip)
	wei := new(big.Int).Mul(price, new(big.Int).SetUint64(gas))
	if blobGas > 0 {
		wei.Add(wei, new(big.Int).Mul(f.BlobBaseFee, new(big.Int).SetUint64(blobGas)))
	}
	return wei
}

// CalldataCost is the cost of posting call, a packed submitBatch carrying
// dataLen bytes of batch data.
func CalldataCost(call []byte, dataLen int, f L1Fees) DACost {
	gas := submissionGas(call, dataLen)
	return DACost{Gas: gas, Wei: costOf(gas, 0, f)}
}

// BlobCost is the cost of posting call, a packed submitBatchBlobs, with
// blobs blobs.
func BlobCost(call []byte, blobs int, f L1Fees) DACost {
	gas := submissionGas(call, 0)
	blobGas := uint64(blobs) * params.BlobTxBlobGasPerBlob
	return DACost{Gas: gas, BlobGas: blobGas, Wei: costOf(gas, blobGas, f)}
}

// ChooseDA returns DABlobs if posting a batch of dataLen bytes in blobs
// costs less than as calldata at fees, else DACalldata, with both costs.
// calldataCall is the packed submitBatch carrying the data; blobCall the
// packed submitBatchBlobs naming blobs blobs. Ties go to calldata, which
// needs no beacon node to read back.
func ChooseDA(calldataCall []byte, dataLen int, blobCall []byte, blobs int, f L1Fees) (mode DAMode, calldata, blob DACost) {
	calldata, blob = CalldataCost(calldataCall, dataLen, f), BlobCost(blobCall, blobs, f)
	if blob.Wei.Cmp(calldata.Wei) < 0 {
		return DABlobs, calldata, blob
	}
	return DACalldata, calldata, blob
}
