package rpc

import (
	"context"
	"math/big"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/consensus/misc/eip4844"
	"github.com/ethereum/go-ethereum/eth/gasprice"
	"github.com/ethereum/go-ethereum/params"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// DefaultGasPriceConfig is go-ethereum's full node gas price oracle setup.
var DefaultGasPriceConfig = gasprice.Config{
	Blocks:           20,
	Percentile:       60,
	MaxHeaderHistory: 1024,
	MaxBlockHistory:  1024,
	MaxPrice:         gasprice.DefaultMaxPrice,
	IgnorePrice:      gasprice.DefaultIgnorePrice,
}

// defaultStartTip is the oracle's answer before it has seen any block; it is
// go-ethereum's default miner gas price (0.001 gwei).
var defaultStartTip = big.NewInt(params.GWei / 1000)

// FeeAPI serves eth_gasPrice, eth_maxPriorityFeePerGas and eth_feeHistory
// through go-ethereum's gas price oracle.
type FeeAPI struct {
	chain  ChainReader
	oracle *gasprice.Oracle
}

// newFeeAPI starts an oracle over the backend.
func newFeeAPI(b *gethBackend) *FeeAPI {
	return &FeeAPI{chain: b, oracle: gasprice.NewOracle(b, DefaultGasPriceConfig, defaultStartTip)}
}

// GasPrice returns a legacy gas price: the suggested tip plus the head's base fee.
func (api *FeeAPI) GasPrice(ctx context.Context) (*hexutil.Big, error) {
	tip, err := api.oracle.SuggestTipCap(ctx)
	if err != nil {
		return nil, err
	}
	if head := api.chain.CurrentHeader(); head.BaseFee != nil {
		tip.Add(tip, head.BaseFee)
	}
	return (*hexutil.Big)(tip), nil
}

// BlobBaseFee returns the blob base fee of the next block, as go-ethereum
// does: from the head's excess blob gas, or null before Cancun.
func (api *FeeAPI) BlobBaseFee(ctx context.Context) *hexutil.Big {
	head := api.chain.CurrentHeader()
	if head.ExcessBlobGas == nil {
		return nil
	}
	return (*hexutil.Big)(eip4844.CalcBlobFee(api.chain.ChainConfig(), head))
}

// MaxPriorityFeePerGas returns the suggested tip.
func (api *FeeAPI) MaxPriorityFeePerGas(ctx context.Context) (*hexutil.Big, error) {
	tip, err := api.oracle.SuggestTipCap(ctx)
	if err != nil {
		return nil, err
	}
	return (*hexutil.Big)(tip), nil
}

// FeeHistoryResult is the eth_feeHistory answer.
type FeeHistoryResult struct {
	OldestBlock      *hexutil.Big     `json:"oldestBlock"`
	Reward           [][]*hexutil.Big `json:"reward,omitempty"`
	BaseFee          []*hexutil.Big   `json:"baseFeePerGas,omitempty"`
	GasUsedRatio     []float64        `json:"gasUsedRatio"`
	BlobBaseFee      []*hexutil.Big   `json:"baseFeePerBlobGas,omitempty"`
	BlobGasUsedRatio []float64        `json:"blobGasUsedRatio,omitempty"`
}

// FeeHistory returns base fees, gas used ratios and tip percentiles of recent blocks.
func (api *FeeAPI) FeeHistory(ctx context.Context, blockCount math.HexOrDecimal64, lastBlock gethrpc.BlockNumber, rewardPercentiles []float64) (*FeeHistoryResult, error) {
	oldest, reward, baseFee, gasUsed, blobBaseFee, blobGasUsed, err := api.oracle.FeeHistory(ctx, uint64(blockCount), lastBlock, rewardPercentiles)
	if err != nil {
		return nil, err
	}
	out := &FeeHistoryResult{OldestBlock: (*hexutil.Big)(oldest), GasUsedRatio: gasUsed, BlobGasUsedRatio: blobGasUsed}
	if reward != nil {
		out.Reward = make([][]*hexutil.Big, len(reward))
		for i, row := range reward {
			out.Reward[i] = toHexBigs(row)
		}
	}
	if baseFee != nil {
		out.BaseFee = toHexBigs(baseFee)
	}
	if blobBaseFee != nil {
		out.BlobBaseFee = toHexBigs(blobBaseFee)
	}
	return out, nil
}

func toHexBigs(in []*big.Int) []*hexutil.Big {
	out := make([]*hexutil.Big, len(in))
	for i, v := range in {
		out[i] = (*hexutil.Big)(v)
	}
	return out
}
