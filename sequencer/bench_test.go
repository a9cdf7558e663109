package sequencer

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/lanes-rollup/lanes/parallel"
)

// BenchmarkBuildAndImport splits the cost of making a block of plain
// transfers into execution, the builder's state root, and the import
// (write-set apply, the validator's second root, and the commit). It answers
// what the second root computation costs compared with the first.
func BenchmarkBuildAndImport(b *testing.B) {
	const txsPerBlock = 2000
	var exec, root, imp time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		cfg := testConfig()
		cfg.Dev = true
		cfg.GenesisTime = 1_700_000_000
		s, err := New(cfg, parallel.Sequential{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		config := s.chain.Config()
		signer := types.LatestSigner(config)
		parent := s.chain.CurrentBlock()
		txs := make(types.Transactions, 0, txsPerBlock)
		for n := 0; n < txsPerBlock; n++ {
			key := DevKeys()[n%len(DevKeys())]
			to := common.BigToAddress(big.NewInt(int64(0x10000 + n)))
			tx, _ := types.SignNewTx(key, signer, &types.DynamicFeeTx{
				ChainID: config.ChainID, Nonce: uint64(n / len(DevKeys())), GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(params.GWei * 10),
				Gas: params.TxGas, To: &to, Value: big.NewInt(1),
			})
			types.Sender(signer, tx) // the pool has recovered senders already
			txs = append(txs, tx)
		}
		b.StartTimer()

		statedb, _ := s.chain.StateAt(parent.Root, parent.Number, parent.Time)
		header := newHeader(config, parent, &Attributes{Timestamp: parent.Time + 1})
		env := &parallel.Env{Config: config, Chain: s.chain, Header: header, Parent: parent, Withdrawals: types.Withdrawals{}}
		t0 := time.Now()
		res, err := parallel.Sequential{}.Execute(context.Background(), env, txs, statedb, parallel.Build)
		if err != nil || len(res.Dropped) > 0 {
			b.Fatalf("execute: %v, dropped %d", err, len(res.Dropped))
		}
		t1 := time.Now()
		block := assemble(config, header, statedb, types.Withdrawals{}, res)
		t2 := time.Now()
		s.processor.remember(block.Hash(), &builtBlock{result: res})
		if _, err := s.chain.InsertChain(types.Blocks{block}); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		exec += t1.Sub(t0)
		root += t2.Sub(t1)
		imp += t3.Sub(t2)

		b.StopTimer()
		s.Stop(context.Background())
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(exec.Microseconds())/n/1000, "exec-ms")
	b.ReportMetric(float64(root.Microseconds())/n/1000, "root-ms")
	b.ReportMetric(float64(imp.Microseconds())/n/1000, "import-ms")
}
