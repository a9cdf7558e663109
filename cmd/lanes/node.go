package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/metrics"
	"github.com/ethereum/go-ethereum/metrics/prometheus"
	"github.com/lanes-rollup/lanes/batcher"
	"github.com/lanes-rollup/lanes/fraudproof/verifier"
	"github.com/lanes-rollup/lanes/l1contracts/deploy"
	"github.com/lanes-rollup/lanes/parallel"
	"github.com/lanes-rollup/lanes/rpc"
	"github.com/lanes-rollup/lanes/sequencer"
	"github.com/urfave/cli/v2"
)

// nodeConfig is the whole configuration of a node, layered from defaults,
// the TOML file, the environment and the flags.
type nodeConfig struct {
	Sequencer      sequencer.Config
	RPC            rpc.Config
	Metrics        bool
	Pprof          bool
	MetricsAddress string

	// Rollup is the rollup config, when the node belongs to an L1.
	Rollup          *deploy.RollupConfig
	L1RPC           string
	L1Confirmations uint64
	// BeaconURL is where a verifier reads blobs (its beacon API).
	BeaconURL string
}

// readNodeConfig builds the node configuration from the flags and checks it.
func readNodeConfig(ctx *cli.Context) (nodeConfig, error) {
	cfg := nodeConfig{Sequencer: sequencer.DefaultConfig(), RPC: rpc.DefaultConfig}
	s := &cfg.Sequencer
	s.DataDir = ctx.Path("datadir")
	s.Dev = ctx.Bool("dev")
	s.ChainID = ctx.Uint64("chain.id")
	s.GasLimit = ctx.Uint64("block.gaslimit")
	s.BlockTime = ctx.Duration("block.time")
	feeRecipient := ctx.String("block.fee-recipient")
	if !common.IsHexAddress(feeRecipient) {
		return cfg, fmt.Errorf("--block.fee-recipient %q is not an address", feeRecipient)
	}
	s.FeeRecipient = common.HexToAddress(feeRecipient)
	s.Parallel = ctx.Bool("parallel")
	s.Workers = ctx.Int("parallel.workers")
	s.VerifyExecution = ctx.Bool("parallel.verify")
	s.TxPool.PriceLimit = ctx.Uint64("txpool.pricelimit")
	s.TxPool.PriceBump = ctx.Uint64("txpool.pricebump")
	s.TxPool.AccountSlots = ctx.Uint64("txpool.accountslots")
	s.TxPool.GlobalSlots = ctx.Uint64("txpool.globalslots")
	s.TxPool.AccountQueue = ctx.Uint64("txpool.accountqueue")
	s.TxPool.GlobalQueue = ctx.Uint64("txpool.globalqueue")
	s.TxPool.Lifetime = ctx.Duration("txpool.lifetime")
	s.TxPool.NoJournal = ctx.Bool("txpool.nojournal")

	r := &cfg.RPC
	r.HTTPAddr = ctx.String("http.addr")
	r.HTTPPort = ctx.Int("http.port")
	r.HTTPCors = splitList(ctx.String("http.corsdomain"))
	r.HTTPVHosts = splitList(ctx.String("http.vhosts"))
	r.WSAddr = ctx.String("ws.addr")
	r.WSPort = ctx.Int("ws.port")
	r.WSOrigins = splitList(ctx.String("ws.origins"))
	r.HTTPAPIs = splitList(ctx.String("http.api"))
	r.WSAPIs = splitList(ctx.String("ws.api"))
	r.GasCap = ctx.Uint64("rpc.gascap")
	r.EVMTimeout = ctx.Duration("rpc.evmtimeout")
	r.BatchRequestLimit = ctx.Int("rpc.batch-request-limit")
	r.BatchResponseMaxSize = ctx.Int("rpc.batch-response-max-size")
	r.MaxRequestSize = ctx.Int64("rpc.max-request-size")
	r.WSReadLimit = ctx.Int64("ws.read-limit")
	r.TxFeeCap = ctx.Float64("rpc.txfeecap")

	cfg.Metrics = ctx.Bool("metrics")
	cfg.Pprof = ctx.Bool("pprof")
	port := ctx.Int("metrics.port")
	if port < 0 || port > 65535 {
		return cfg, fmt.Errorf("--metrics.port %d outside [0, 65535]", port)
	}
	cfg.MetricsAddress = net.JoinHostPort(ctx.String("metrics.addr"), strconv.Itoa(port))

	if path := ctx.Path("rollup"); path != "" {
		rc, err := deploy.Load(path)
		if err != nil {
			return cfg, err
		}
		cfg.Rollup = rc
		// The rollup config fixes the genesis; flags cannot change it.
		s.ChainID = rc.L2ChainID
		s.GasLimit = rc.L2GasLimit
		s.FeeRecipient = rc.L2FeeRecipient
		s.GenesisTime = rc.L2GenesisTime
		s.Dev = rc.L2DevAccounts
		s.ExpectedGenesis = rc.L2GenesisHash
		if !ctx.IsSet("block.time") {
			s.BlockTime = time.Duration(rc.BlockTime)
		}
	}
	cfg.L1RPC = ctx.String("l1.rpc")
	cfg.L1Confirmations = ctx.Uint64("l1.confirmations")
	if cfg.L1RPC != "" && cfg.Rollup == nil {
		return cfg, errors.New("--l1.rpc needs --rollup: the rollup config names the L1 contracts")
	}
	if !s.Dev && s.DataDir == "" {
		return cfg, errors.New("--datadir is required (or --dev for a throwaway chain in memory)")
	}
	if err := checkBatchable(s.GasLimit); err != nil {
		return cfg, err
	}
	if err := s.Check(); err != nil {
		return cfg, err
	}
	if err := r.Check(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// newExecutor returns the executor the flags select.
func newExecutor(cfg sequencer.Config) parallel.Executor {
	if !cfg.Parallel {
		return parallel.Sequential{}
	}
	par := parallel.NewParallel(cfg.Workers)
	if cfg.VerifyExecution {
		return &parallel.VerifyingExecutor{Primary: par, Reference: parallel.Sequential{}}
	}
	return par
}

// node is a running sequencer with its RPC and metrics servers.
type node struct {
	l1 *ethclient.Client
	// stopHeads ends the goroutine that moves the safe and finalized tags
	// as L1 confirms batches; headsDone is closed when it has returned.
	stopHeads context.CancelFunc
	headsDone chan struct{}
	seq       *sequencer.Sequencer
	rpc       *rpc.Server
	metrics   *http.Server

	// verifier, on a replica, rebuilds the chain from L1; stopVerifier
	// ends it and verifierDone is closed when it has returned, after
	// verifierErr holds its error.
	verifier     *verifier.Verifier
	stopVerifier context.CancelFunc
	verifierDone chan struct{}
	verifierErr  error
}

// startNode starts a node; on error it stops whatever it had started.
func startNode(cfg nodeConfig) (n *node, err error) {
	n = &node{}
	defer func() {
		if err != nil {
			err = errors.Join(err, n.stop())
			n = nil
		}
	}()
	if cfg.Metrics {
		// Enabled before anything records, so every timer is live.
		metrics.Enable()
	}
	if cfg.Metrics || cfg.Pprof {
		if n.metrics, err = serveMetrics(cfg.MetricsAddress, cfg.Metrics, cfg.Pprof); err != nil {
			return n, err
		}
	}
	var deposits sequencer.DepositSource
	if cfg.L1RPC != "" {
		if n.l1, err = ethclient.Dial(cfg.L1RPC); err != nil {
			return n, fmt.Errorf("dial L1: %w", err)
		}
	}
	if n.l1 != nil && !cfg.Sequencer.Replica {
		// A replica takes deposits from derivation, with everything else.
		deposits = &sequencer.L1Deposits{
			Client:        n.l1,
			Portal:        cfg.Rollup.Portal,
			StartBlock:    cfg.Rollup.L1StartBlock,
			Confirmations: cfg.L1Confirmations,
		}
	}
	if n.seq, err = sequencer.New(cfg.Sequencer, newExecutor(cfg.Sequencer), deposits); err != nil {
		return n, err
	}
	if err = n.seq.Start(context.Background()); err != nil {
		return n, err
	}
	if cfg.Sequencer.Replica {
		if err = n.startVerifier(cfg); err != nil {
			return n, err
		}
	}
	if n.l1 != nil {
		ctx, cancel := context.WithCancel(context.Background())
		n.stopHeads, n.headsDone = cancel, make(chan struct{})
		go func() {
			defer close(n.headsDone)
			batcher.FollowL2Heads(ctx, n.l1, cfg.Rollup.Rollup, cfg.Rollup.L1StartBlock, cfg.L1Confirmations, time.Second, n.seq.SetSafeAndFinalized)
		}()
	}
	var rpcOpts []rpc.ServerOption
	if n.verifier != nil {
		rpcOpts = append(rpcOpts, rpc.WithVerifierStatus(verifierStatus{n.verifier}))
	}
	if n.rpc, err = rpc.NewServer(cfg.RPC, n.seq, versionString(), rpcOpts...); err != nil {
		return n, err
	}
	if err = n.rpc.Start(); err != nil {
		return n, err
	}
	return n, nil
}

// stop stops the RPC server first, so no request races the closing chain,
// then the sequencer and the metrics server.
func (n *node) stop() error {
	var errs []error
	if n.rpc != nil {
		errs = append(errs, n.rpc.Stop())
	}
	if n.stopHeads != nil {
		n.stopHeads()
		<-n.headsDone
	}
	if n.stopVerifier != nil {
		n.stopVerifier()
		<-n.verifierDone
	}
	if n.seq != nil {
		errs = append(errs, n.seq.Stop(context.Background()))
	}
	if n.l1 != nil {
		n.l1.Close()
	}
	if n.metrics != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, n.metrics.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// serveMetrics exposes go-ethereum's metric registry in the Prometheus
// text format on /metrics, and Go's profiler on /debug/pprof/ when asked.
func serveMetrics(addr string, withMetrics, withPprof bool) (*http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	if withMetrics {
		mux.Handle("/metrics", prometheus.Handler(metrics.DefaultRegistry))
	}
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("Metrics server failed", "err", err)
		}
	}()
	log.Info("Metrics and profiling served", "addr", ln.Addr().String(), "metrics", withMetrics, "pprof", withPprof)
	return srv, nil
}

// waitForShutdown blocks until SIGINT or SIGTERM, or until a node (or the
// batcher, when one runs in the process) halts on its own, then stops the
// batcher and the nodes, the last given first.
func waitForShutdown(b *batcher.Batcher, nodes ...*node) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var batcherDone <-chan struct{}
	if b != nil {
		batcherDone = b.Done()
	}
	halted := make(chan error, len(nodes))
	stopWatching := make(chan struct{})
	defer close(stopWatching)
	for _, n := range nodes {
		go func() {
			select {
			case err := <-n.halted():
				halted <- err
			case <-stopWatching:
			}
		}()
	}
	var haltErr error
	select {
	case sig := <-sigs:
		log.Info("Shutting down", "signal", sig)
	case haltErr = <-halted:
	case <-batcherDone:
		haltErr = errors.New("batcher halted")
	}
	// A second signal while stopping forces the exit.
	go func() {
		<-sigs
		log.Warn("Second signal, exiting immediately")
		os.Exit(1)
	}()
	if b != nil {
		haltErr = errors.Join(haltErr, b.Stop(context.Background()))
	}
	for i := len(nodes) - 1; i >= 0; i-- {
		haltErr = errors.Join(haltErr, nodes[i].stop())
	}
	return haltErr
}

// halted yields an error when the node stops working on its own: its
// sequencer's loop halts, or its verifier stops on a critical error.
func (n *node) halted() <-chan error {
	out := make(chan error, 1)
	go func() {
		var verifierDone <-chan struct{}
		if n.verifierDone != nil {
			verifierDone = n.verifierDone
		}
		select {
		case <-n.seq.Halted():
			out <- errors.New("sequencer halted")
		case <-verifierDone:
			if n.verifierErr != nil {
				out <- fmt.Errorf("verifier halted: %w", n.verifierErr)
			}
		}
	}()
	return out
}

func sequencerCommand() *cli.Command {
	flags, before := withConfig(nodeFlags())
	return &cli.Command{
		Name:   "sequencer",
		Usage:  "Run the sequencer node: txpool, block building and eth_ JSON-RPC over HTTP and WebSocket",
		Flags:  flags,
		Before: before,
		Action: runNode("Sequencer", nil),
	}
}

// runNode is the action of a command that runs one node until it is told
// to stop: it reads the node flags, lets prepare adjust the configuration
// (nil for none), starts the node and logs its endpoints as role.
func runNode(role string, prepare func(*cli.Context, *nodeConfig) error) cli.ActionFunc {
	return func(ctx *cli.Context) error {
		cfg, err := readNodeConfig(ctx)
		if err != nil {
			return err
		}
		if prepare != nil {
			if err := prepare(ctx, &cfg); err != nil {
				return err
			}
		}
		n, err := startNode(cfg)
		if err != nil {
			return err
		}
		log.Info(role+" running", "http", n.rpc.HTTPEndpoint(), "ws", n.rpc.WSEndpoint())
		return waitForShutdown(nil, n)
	}
}

// verifierStatus adapts a verifier's status for lanes_syncStatus.
type verifierStatus struct{ v *verifier.Verifier }

func (s verifierStatus) VerifierStatus() rpc.VerifierStatus {
	st := s.v.Status()
	out := rpc.VerifierStatus{Batches: hexutil.Uint64(st.Batches), LastBatch: hexutil.Uint64(st.LastBatch)}
	for _, m := range st.Mismatches {
		out.Mismatches = append(out.Mismatches, rpc.OutputMismatch{
			Batch: hexutil.Uint64(m.BatchIndex), L1Block: hexutil.Uint64(m.L1Block), Field: m.Field,
			L2Block: hexutil.Uint64(m.Block), Computed: m.Computed, Committed: m.Committed,
		})
	}
	if st.Invalid != nil {
		out.InvalidBatch = st.Invalid.Error()
	}
	return out
}
