package loadgen

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// Workload kinds.
const (
	KindETH   = "eth"
	KindERC20 = "erc20"
)

// Gas limits. An ETH transfer costs exactly 21k everywhere. What an ERC20
// transfer, a deployment or a fresh storage slot costs depends on the fork
// the node runs (go-ethereum's dev mode enables unscheduled forks that price
// state growth higher), so the measured ERC20 transfers use the node's own
// estimate, and setup uses bounds generous enough for any fork.
const (
	ethTransferGas = params.TxGas
	// erc20GasBound bounds an ERC20 transfer's gas when funding senders.
	erc20GasBound = 300_000
	// tokenDeployGas and tokenSetupGas bound the token's deployment and the
	// transfers that hand the token out.
	tokenDeployGas = 5_000_000
	tokenSetupGas  = 500_000
)

// Config describes one load run.
type Config struct {
	// RPC is the node's endpoint: http(s):// or ws(s)://.
	RPC string
	// Kind is KindETH or KindERC20.
	Kind string
	// Txs is the number of measured transactions.
	Txs int
	// Senders is the number of distinct sending accounts.
	Senders int
	// Rate paces submissions in transactions per second; 0 sends a burst.
	Rate float64
	// Workers is the number of concurrent submitters.
	Workers int
	// Funder pays for the setup. With FundFromNodeAccount the node's first
	// eth_accounts entry (go-ethereum --dev) first funds the funder.
	Funder              *ecdsa.PrivateKey
	FundFromNodeAccount bool
	// Timeout bounds the whole run, setup included.
	Timeout time.Duration
	// Seed derives the sender and recipient keys, so runs repeat.
	Seed uint64
}

// Check validates the configuration.
func (c *Config) Check() error {
	var errs []error
	if !strings.HasPrefix(c.RPC, "http://") && !strings.HasPrefix(c.RPC, "https://") &&
		!strings.HasPrefix(c.RPC, "ws://") && !strings.HasPrefix(c.RPC, "wss://") {
		errs = append(errs, fmt.Errorf("rpc endpoint %q: want http(s):// or ws(s)://", c.RPC))
	}
	if c.Kind != KindETH && c.Kind != KindERC20 {
		errs = append(errs, fmt.Errorf("kind %q: want %s or %s", c.Kind, KindETH, KindERC20))
	}
	if c.Txs < 1 || c.Txs > 10_000_000 {
		errs = append(errs, fmt.Errorf("txs %d outside [1, 10000000]", c.Txs))
	}
	if c.Senders < 1 || c.Senders > 100_000 || c.Senders > c.Txs {
		errs = append(errs, fmt.Errorf("senders %d outside [1, min(txs, 100000)]", c.Senders))
	}
	if c.Rate < 0 || c.Rate > 1_000_000 {
		errs = append(errs, fmt.Errorf("rate %v outside [0, 1000000]", c.Rate))
	}
	if c.Workers < 1 || c.Workers > 4096 {
		errs = append(errs, fmt.Errorf("workers %d outside [1, 4096]", c.Workers))
	}
	if c.Funder == nil {
		errs = append(errs, errors.New("a funder key is required"))
	}
	if c.Timeout <= 0 {
		errs = append(errs, errors.New("timeout must be positive"))
	}
	return errors.Join(errs...)
}

// Report is what a run measured.
type Report struct {
	Kind     string  `json:"kind"`
	Mode     string  `json:"mode"`
	Rate     float64 `json:"rate,omitempty"`
	Txs      int     `json:"txs"`
	Senders  int     `json:"senders"`
	Included int     `json:"included"`
	Failed   int     `json:"failed_receipts"`
	Rejected int     `json:"rejected"`
	// FirstRejection is the first submission error, if any.
	FirstRejection string `json:"first_rejection,omitempty"`
	Blocks         int    `json:"blocks"`
	// SubmitSeconds is how long submitting took; IncludedSeconds runs from
	// the first submission to the last inclusion.
	SubmitSeconds   float64 `json:"submit_s"`
	IncludedSeconds float64 `json:"included_s"`
	// TPS is included transactions per second over IncludedSeconds.
	TPS float64 `json:"tps"`
	// Latencies from submission to inclusion, in milliseconds.
	P50ms float64 `json:"p50_ms"`
	P90ms float64 `json:"p90_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// String renders the report for a terminal.
func (r *Report) String() string {
	mode := r.Mode
	if r.Rate > 0 {
		mode = fmt.Sprintf("%s %.0f tx/s", mode, r.Rate)
	}
	s := fmt.Sprintf("%s %s: %d/%d included in %d blocks over %.2fs (submit %.2fs): %.0f tx/s; latency p50 %.0fms p90 %.0fms p99 %.0fms max %.0fms",
		r.Kind, mode, r.Included, r.Txs, r.Blocks, r.IncludedSeconds, r.SubmitSeconds, r.TPS, r.P50ms, r.P90ms, r.P99ms, r.MaxMs)
	if r.Rejected > 0 {
		s += fmt.Sprintf("; %d rejected (first: %s)", r.Rejected, r.FirstRejection)
	}
	if r.Failed > 0 {
		s += fmt.Sprintf("; %d failed receipts", r.Failed)
	}
	return s
}

// Logf receives progress messages.
type Logf func(format string, args ...any)

// Run performs one load run.
func Run(ctx context.Context, cfg Config, logf Logf) (*Report, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	rpcClient, err := gethrpc.DialContext(ctx, cfg.RPC)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", cfg.RPC, err)
	}
	defer rpcClient.Close()
	client := ethclient.NewClient(rpcClient)

	env, err := newEnv(ctx, client, rpcClient, cfg)
	if err != nil {
		return nil, err
	}
	logf("setup: funding %d senders", cfg.Senders)
	if err := env.setup(ctx, logf); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	logf("signing %d %s transfers", cfg.Txs, cfg.Kind)
	txs, err := env.sign()
	if err != nil {
		return nil, err
	}
	logf("measuring")
	return env.measure(ctx, txs)
}

// env holds what the phases share.
type env struct {
	cfg     Config
	client  *ethclient.Client
	raw     *gethrpc.Client
	chainID *big.Int
	signer  types.Signer
	funder  common.Address
	senders []*ecdsa.PrivateKey
	nonces  []uint64
	token   common.Address
	// erc20Gas is the gas limit of a measured ERC20 transfer, from the
	// node's estimate.
	erc20Gas uint64
	feeCap   *big.Int
	tip      *big.Int
}

func newEnv(ctx context.Context, client *ethclient.Client, raw *gethrpc.Client, cfg Config) (*env, error) {
	chainID, err := client.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("eth_chainId: %w", err)
	}
	e := &env{
		cfg:     cfg,
		client:  client,
		raw:     raw,
		chainID: chainID,
		signer:  types.LatestSignerForChainID(chainID),
		funder:  crypto.PubkeyToAddress(cfg.Funder.PublicKey),
		tip:     big.NewInt(params.GWei),
	}
	for i := 0; i < cfg.Senders; i++ {
		e.senders = append(e.senders, deriveKey(cfg.Seed, "sender", uint64(i)))
	}
	e.nonces = make([]uint64, cfg.Senders)
	return e, nil
}

// deriveKey makes a deterministic private key from the seed, a label and an
// index.
func deriveKey(seed uint64, label string, i uint64) *ecdsa.PrivateKey {
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], seed)
	binary.BigEndian.PutUint64(buf[8:], i)
	for salt := byte(0); ; salt++ {
		key, err := crypto.ToECDSA(crypto.Keccak256([]byte("lanes-loadgen/"+label), buf[:], []byte{salt}))
		if err == nil {
			return key
		}
	}
}

// recipient returns the address the i-th measured transfer pays: a fresh
// address per transfer, so that transfers do not conflict.
func (e *env) recipient(i int) common.Address {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(i))
	return common.BytesToAddress(crypto.Keccak256([]byte("lanes-loadgen/recipient"), buf[:]))
}

// refreshFees sets a fee cap well above the current base fee, so that a
// burst that pushes the base fee up does not strand its own tail.
func (e *env) refreshFees(ctx context.Context) error {
	head, err := e.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return fmt.Errorf("latest header: %w", err)
	}
	base := big.NewInt(params.GWei)
	if head.BaseFee != nil && head.BaseFee.Cmp(base) > 0 {
		base = head.BaseFee
	}
	e.feeCap = new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(10)), e.tip)
	return nil
}

func (e *env) newTx(key *ecdsa.PrivateKey, nonce uint64, to *common.Address, value *big.Int, gas uint64, data []byte) (*types.Transaction, error) {
	return types.SignNewTx(key, e.signer, &types.DynamicFeeTx{
		ChainID:   e.chainID,
		Nonce:     nonce,
		GasTipCap: e.tip,
		GasFeeCap: e.feeCap,
		Gas:       gas,
		To:        to,
		Value:     value,
		Data:      data,
	})
}

// sign pre-signs the measured transactions, round-robin over the senders.
func (e *env) sign() ([]*types.Transaction, error) {
	txs := make([]*types.Transaction, e.cfg.Txs)
	one := big.NewInt(1)
	for i := range txs {
		s := i % len(e.senders)
		to := e.recipient(i)
		var (
			tx  *types.Transaction
			err error
		)
		if e.cfg.Kind == KindETH {
			tx, err = e.newTx(e.senders[s], e.nonces[s], &to, one, ethTransferGas, nil)
		} else {
			tx, err = e.newTx(e.senders[s], e.nonces[s], &e.token, new(big.Int), e.erc20Gas, tokenTransfer(to, one))
		}
		if err != nil {
			return nil, err
		}
		e.nonces[s]++
		txs[i] = tx
	}
	return txs, nil
}

// measure submits txs and follows the chain until all are included.
func (e *env) measure(ctx context.Context, txs []*types.Transaction) (*Report, error) {
	report := &Report{Kind: e.cfg.Kind, Mode: "burst", Txs: len(txs), Senders: len(e.senders), Rate: e.cfg.Rate}
	if e.cfg.Rate > 0 {
		report.Mode = "paced"
	}
	startBlock, err := e.client.BlockNumber(ctx)
	if err != nil {
		return nil, err
	}
	sent := make([]time.Time, len(txs))
	index := make(map[common.Hash]int, len(txs))
	for i, tx := range txs {
		index[tx.Hash()] = i
	}
	watcher := newInclusionWatcher(e.raw, index, startBlock)
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	watchDone := make(chan error, 1)
	go func() { watchDone <- watcher.run(watchCtx) }()

	var (
		rejected  atomic.Int64
		firstErr  atomic.Value
		wg        sync.WaitGroup
		start     = time.Now()
		perWorker = make([]chan int, e.cfg.Workers)
	)
	for w := range perWorker {
		perWorker[w] = make(chan int, 1024)
		wg.Add(1)
		go func(jobs <-chan int) {
			defer wg.Done()
			for i := range jobs {
				sent[i] = time.Now()
				if err := e.client.SendTransaction(ctx, txs[i]); err != nil {
					rejected.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					watcher.forget(i)
				}
			}
		}(perWorker[w])
	}
	// Transactions of one sender always go to the same worker, in nonce
	// order, so the pool never sees a nonce gap a real wallet would not
	// make.
	for i := range txs {
		if e.cfg.Rate > 0 {
			due := start.Add(time.Duration(float64(i) / e.cfg.Rate * float64(time.Second)))
			if wait := time.Until(due); wait > 0 {
				time.Sleep(wait)
			}
		}
		select {
		case perWorker[(i%len(e.senders))%e.cfg.Workers] <- i:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	for _, ch := range perWorker {
		close(ch)
	}
	wg.Wait()
	report.SubmitSeconds = time.Since(start).Seconds()
	report.Rejected = int(rejected.Load())
	if v := firstErr.Load(); v != nil {
		report.FirstRejection = v.(string)
	}

	select {
	case <-watcher.done:
	case <-ctx.Done():
	}
	stopWatch()
	if err := <-watchDone; err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	included, blocks, last := watcher.results()
	report.Blocks = blocks
	var lat []time.Duration
	for i, at := range included {
		if !at.IsZero() {
			lat = append(lat, at.Sub(sent[i]))
		}
	}
	report.Included = len(lat)
	if report.Included > 0 {
		report.IncludedSeconds = last.Sub(start).Seconds()
		report.TPS = float64(report.Included) / report.IncludedSeconds
		sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
		pct := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		report.P50ms, report.P90ms, report.P99ms = pct(0.50), pct(0.90), pct(0.99)
		report.MaxMs = float64(lat[len(lat)-1].Microseconds()) / 1000
	}
	failed, err := e.countFailed(ctx, txs, included)
	if err != nil {
		return nil, err
	}
	report.Failed = failed
	if report.Included+report.Rejected < report.Txs {
		return report, fmt.Errorf("%d transactions neither included nor rejected before the timeout", report.Txs-report.Included-report.Rejected)
	}
	return report, nil
}

// countFailed checks receipts of a sample of included transactions: every
// measured transfer must succeed.
func (e *env) countFailed(ctx context.Context, txs []*types.Transaction, included []time.Time) (int, error) {
	failed := 0
	step := max(1, len(txs)/200)
	for i := 0; i < len(txs); i += step {
		if included[i].IsZero() {
			continue
		}
		r, err := e.client.TransactionReceipt(ctx, txs[i].Hash())
		if err != nil {
			return 0, fmt.Errorf("receipt of %v: %w", txs[i].Hash(), err)
		}
		if r.Status != types.ReceiptStatusSuccessful {
			failed++
		}
	}
	return failed, nil
}

// hexBig is how the setup phase sends numbers over raw JSON-RPC.
func hexBig(v *big.Int) *hexutil.Big { return (*hexutil.Big)(v) }
