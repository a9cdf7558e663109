package sequencer

import "github.com/ethereum/go-ethereum/metrics"

// Metrics of the block-building loop. The transaction pool registers its own
// (txpool/pending, txpool/queued, ...).
var (
	blocksBuiltCounter   = metrics.NewRegisteredCounter("sequencer/blocks", nil)
	txsIncludedCounter   = metrics.NewRegisteredCounter("sequencer/txs/included", nil)
	txsDroppedCounter    = metrics.NewRegisteredCounter("sequencer/txs/dropped", nil)
	txRejectedMeter      = metrics.NewRegisteredMeter("sequencer/txs/rejected", nil)
	buildTimer           = metrics.NewRegisteredTimer("sequencer/build", nil)
	executeTimer         = metrics.NewRegisteredTimer("sequencer/execute", nil)
	insertTimer          = metrics.NewRegisteredTimer("sequencer/insert", nil)
	blockGasHistogram    = metrics.NewRegisteredHistogram("sequencer/block/gas", nil, metrics.NewExpDecaySample(1028, 0.015))
	blockTxsHistogram    = metrics.NewRegisteredHistogram("sequencer/block/txs", nil, metrics.NewExpDecaySample(1028, 0.015))
	headGauge            = metrics.NewRegisteredGauge("sequencer/head", nil)
	executionFailedMeter = metrics.NewRegisteredMeter("sequencer/build/failed", nil)
)
