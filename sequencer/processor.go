package sequencer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/lanes-rollup/lanes/parallel"
)

// builtBlock is what the builder learnt while making a block: enough for the
// processor to import it without executing it again.
type builtBlock struct {
	result *parallel.Result
}

// Processor is the core.Processor Lanes installs in go-ethereum's
// BlockChain. A block the local builder has just made is imported by
// applying the builder's write set and returning its receipts; any other
// block (a replica's, the verifier's, one replayed after a crash) is
// executed by the executor in Validate mode.
type Processor struct {
	chain *core.BlockChain
	exec  parallel.Executor

	mu    sync.Mutex
	built map[common.Hash]*builtBlock
}

var _ core.Processor = (*Processor)(nil)

// newProcessor returns a processor executing foreign blocks with exec.
func newProcessor(chain *core.BlockChain, exec parallel.Executor) *Processor {
	return &Processor{chain: chain, exec: exec, built: make(map[common.Hash]*builtBlock)}
}

// remember records the builder's result for block hash, to be taken by the
// next Process call for that block.
func (p *Processor) remember(hash common.Hash, b *builtBlock) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.built[hash] = b
}

// forget drops a remembered block, after its import either succeeded or
// failed.
func (p *Processor) forget(hash common.Hash) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.built, hash)
}

func (p *Processor) lookup(hash common.Hash) *builtBlock {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.built[hash]
}

// Process implements core.Processor.
func (p *Processor) Process(ctx context.Context, block *types.Block, statedb *state.StateDB, _ vm.JumpDestCache, _ *vm.PrecompileCache, cfg vm.Config, _ *atomic.Int64) (*core.ProcessResult, error) {
	config := p.chain.Config()
	// A block built here, with no tracer asking to see its execution, takes
	// the fast path. A tracer (a live tracer on import) needs the real run.
	if built := p.lookup(block.Hash()); built != nil && built.result.WriteSet != nil && cfg.Tracer == nil {
		rules := config.Rules(block.Number(), true, block.Time())
		built.result.WriteSet.Apply(statedb, rules)
		return processResult(block, built.result), nil
	}
	parent := p.chain.GetHeader(block.ParentHash(), block.NumberU64()-1)
	if parent == nil {
		return nil, fmt.Errorf("missing parent %#x of block %d", block.ParentHash(), block.NumberU64())
	}
	env := &parallel.Env{
		Config:      config,
		Chain:       p.chain,
		Header:      block.Header(),
		Parent:      parent,
		Withdrawals: block.Withdrawals(),
		VMConfig:    cfg,
	}
	res, err := p.exec.Execute(ctx, env, block.Transactions(), statedb, parallel.Validate)
	if err != nil {
		return nil, err
	}
	return processResult(block, res), nil
}

// processResult turns an executor result into what BlockChain expects,
// stamping receipts and logs with the final block hash: the builder ran
// before the header, and so the hash, was complete.
func processResult(block *types.Block, res *parallel.Result) *core.ProcessResult {
	hash := block.Hash()
	for _, r := range res.Receipts {
		r.BlockHash = hash
		for _, l := range r.Logs {
			l.BlockHash = hash
		}
	}
	return &core.ProcessResult{
		Receipts: res.Receipts,
		Requests: res.Requests,
		Logs:     res.Logs,
		GasUsed:  res.GasUsed,
	}
}
