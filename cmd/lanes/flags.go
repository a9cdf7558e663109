package main

import (
	"fmt"
	"strings"

	"github.com/lanes-rollup/lanes/rpc"
	"github.com/lanes-rollup/lanes/sequencer"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

// Flag categories, as shown by --help.
const (
	categoryNode     = "NODE"
	categoryChain    = "CHAIN"
	categoryRPC      = "RPC"
	categoryExec     = "EXECUTION"
	categoryTxPool   = "TRANSACTION POOL"
	categoryMetrics  = "METRICS AND LOGGING"
	categoryLoadgen  = "LOAD GENERATOR"
	envPrefix        = "LANES_"
	defaultDevnetDir = "./devnet-data"
)

// envVar names the environment variable of a flag: LANES_ and the flag's
// name in upper case with dots and dashes as underscores.
func envVar(name string) []string {
	return []string{envPrefix + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(name))}
}

// configFlag names the optional TOML file that supplies flag defaults. A
// flag given on the command line or in the environment wins over the file.
var configFlag = &cli.PathFlag{
	Name:     "config",
	Usage:    "TOML file supplying defaults for the flags (keys are flag names, a dot opens a table: [http] port = 9545)",
	EnvVars:  envVar("config"),
	Category: categoryNode,
}

// nodeFlags are the flags of every command that runs a sequencer node.
func nodeFlags() []cli.Flag {
	def := sequencer.DefaultConfig()
	rdef := rpc.DefaultConfig
	return []cli.Flag{
		altsrc.NewPathFlag(&cli.PathFlag{Name: "datadir", Usage: "data directory for the chain database and txpool journal", EnvVars: envVar("datadir"), Category: categoryNode}),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "dev", Usage: "L2-only chain with the ten prefunded dev accounts and no L1", EnvVars: envVar("dev"), Category: categoryNode}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "l1.rpc", Usage: "L1 endpoint to follow for deposits (needs --rollup)", EnvVars: envVar("l1.rpc"), Category: categoryNode}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "l1.confirmations", Usage: "L1 blocks the L1 origin stays behind the L1 head", Value: 0, EnvVars: envVar("l1.confirmations"), Category: categoryNode}),
		altsrc.NewPathFlag(&cli.PathFlag{Name: "rollup", Usage: "rollup config written by lanes deploy: fixes the L2 genesis and names the L1 contracts", EnvVars: envVar("rollup"), Category: categoryNode}),

		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "chain.id", Usage: "L2 chain ID of a new chain", Value: def.ChainID, EnvVars: envVar("chain.id"), Category: categoryChain}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "block.gaslimit", Usage: "block gas limit of a new chain", Value: def.GasLimit, EnvVars: envVar("block.gaslimit"), Category: categoryChain}),
		altsrc.NewDurationFlag(&cli.DurationFlag{Name: "block.time", Usage: "shortest interval between two blocks", Value: def.BlockTime, EnvVars: envVar("block.time"), Category: categoryChain}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "block.fee-recipient", Usage: "fee recipient of a new chain", Value: def.FeeRecipient.Hex(), EnvVars: envVar("block.fee-recipient"), Category: categoryChain}),

		altsrc.NewStringFlag(&cli.StringFlag{Name: "http.addr", Usage: "HTTP-RPC listening interface", Value: rdef.HTTPAddr, EnvVars: envVar("http.addr"), Category: categoryRPC}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "http.port", Usage: "HTTP-RPC port (0 picks a free one)", Value: rdef.HTTPPort, EnvVars: envVar("http.port"), Category: categoryRPC}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "http.corsdomain", Usage: "comma-separated origins allowed by CORS (browser wallets and dApps)", EnvVars: envVar("http.corsdomain"), Category: categoryRPC}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "http.vhosts", Usage: "comma-separated Host header values accepted ('*' for any)", Value: strings.Join(rdef.HTTPVHosts, ","), EnvVars: envVar("http.vhosts"), Category: categoryRPC}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "http.api", Usage: "comma-separated namespaces served over HTTP, from " + strings.Join(rpc.Namespaces, ","), Value: strings.Join(rdef.HTTPAPIs, ","), EnvVars: envVar("http.api"), Category: categoryRPC}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "ws.addr", Usage: "WS-RPC listening interface", Value: rdef.WSAddr, EnvVars: envVar("ws.addr"), Category: categoryRPC}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "ws.port", Usage: "WS-RPC port (0 picks a free one)", Value: rdef.WSPort, EnvVars: envVar("ws.port"), Category: categoryRPC}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "ws.api", Usage: "comma-separated namespaces served over WebSocket, from " + strings.Join(rpc.Namespaces, ","), Value: strings.Join(rdef.WSAPIs, ","), EnvVars: envVar("ws.api"), Category: categoryRPC}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "ws.origins", Usage: "comma-separated origins allowed to open WebSockets ('*' for any)", EnvVars: envVar("ws.origins"), Category: categoryRPC}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "rpc.gascap", Usage: "gas cap of eth_call, eth_estimateGas and debug_traceCall", Value: rdef.GasCap, EnvVars: envVar("rpc.gascap"), Category: categoryRPC}),
		altsrc.NewDurationFlag(&cli.DurationFlag{Name: "rpc.evmtimeout", Usage: "time limit of one eth_call", Value: rdef.EVMTimeout, EnvVars: envVar("rpc.evmtimeout"), Category: categoryRPC}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "rpc.batch-request-limit", Usage: "maximum requests in one JSON-RPC batch", Value: rdef.BatchRequestLimit, EnvVars: envVar("rpc.batch-request-limit"), Category: categoryRPC}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "rpc.batch-response-max-size", Usage: "maximum bytes of one batch response", Value: rdef.BatchResponseMaxSize, EnvVars: envVar("rpc.batch-response-max-size"), Category: categoryRPC}),
		altsrc.NewInt64Flag(&cli.Int64Flag{Name: "rpc.max-request-size", Usage: "maximum bytes of one HTTP request body", Value: rdef.MaxRequestSize, EnvVars: envVar("rpc.max-request-size"), Category: categoryRPC}),
		altsrc.NewInt64Flag(&cli.Int64Flag{Name: "ws.read-limit", Usage: "maximum bytes of one WebSocket message", Value: rdef.WSReadLimit, EnvVars: envVar("ws.read-limit"), Category: categoryRPC}),
		altsrc.NewFloat64Flag(&cli.Float64Flag{Name: "rpc.txfeecap", Usage: "largest fee (in ether) of a transaction sent over RPC; 0 disables the check", Value: rdef.TxFeeCap, EnvVars: envVar("rpc.txfeecap"), Category: categoryRPC}),

		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "parallel", Usage: "execute blocks with the parallel executor (Block-STM)", Value: def.Parallel, EnvVars: envVar("parallel"), Category: categoryExec}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "parallel.workers", Usage: "worker threads of the parallel executor", Value: def.Workers, EnvVars: envVar("parallel.workers"), Category: categoryExec}),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "parallel.verify", Usage: "run the parallel and sequential executors on every block and halt on any difference", EnvVars: envVar("parallel.verify"), Category: categoryExec}),

		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "txpool.pricelimit", Usage: "minimum priority fee (wei) to accept", Value: def.TxPool.PriceLimit, EnvVars: envVar("txpool.pricelimit"), Category: categoryTxPool}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "txpool.pricebump", Usage: "price bump percentage to replace a transaction", Value: def.TxPool.PriceBump, EnvVars: envVar("txpool.pricebump"), Category: categoryTxPool}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "txpool.accountslots", Usage: "executable slots guaranteed per account", Value: def.TxPool.AccountSlots, EnvVars: envVar("txpool.accountslots"), Category: categoryTxPool}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "txpool.globalslots", Usage: "executable slots for all accounts", Value: def.TxPool.GlobalSlots, EnvVars: envVar("txpool.globalslots"), Category: categoryTxPool}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "txpool.accountqueue", Usage: "non-executable slots per account", Value: def.TxPool.AccountQueue, EnvVars: envVar("txpool.accountqueue"), Category: categoryTxPool}),
		altsrc.NewUint64Flag(&cli.Uint64Flag{Name: "txpool.globalqueue", Usage: "non-executable slots for all accounts", Value: def.TxPool.GlobalQueue, EnvVars: envVar("txpool.globalqueue"), Category: categoryTxPool}),
		altsrc.NewDurationFlag(&cli.DurationFlag{Name: "txpool.lifetime", Usage: "longest time a non-executable transaction stays queued", Value: def.TxPool.Lifetime, EnvVars: envVar("txpool.lifetime"), Category: categoryTxPool}),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "txpool.nojournal", Usage: "do not journal local transactions across restarts", EnvVars: envVar("txpool.nojournal"), Category: categoryTxPool}),

		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "metrics", Usage: "serve Prometheus metrics on /metrics", EnvVars: envVar("metrics"), Category: categoryMetrics}),
		altsrc.NewBoolFlag(&cli.BoolFlag{Name: "pprof", Usage: "serve Go's profiler on /debug/pprof/ at the metrics address", EnvVars: envVar("pprof"), Category: categoryMetrics}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "metrics.addr", Usage: "metrics listening interface", Value: "127.0.0.1", EnvVars: envVar("metrics.addr"), Category: categoryMetrics}),
		altsrc.NewIntFlag(&cli.IntFlag{Name: "metrics.port", Usage: "metrics port", Value: 6060, EnvVars: envVar("metrics.port"), Category: categoryMetrics}),
	}
}

// logFlags select the log level and format; they apply to every command.
func logFlags() []cli.Flag {
	return []cli.Flag{
		altsrc.NewIntFlag(&cli.IntFlag{Name: "verbosity", Usage: "log level: 0=silent, 1=error, 2=warn, 3=info, 4=debug, 5=trace", Value: 3, EnvVars: envVar("verbosity"), Category: categoryMetrics}),
		altsrc.NewStringFlag(&cli.StringFlag{Name: "log.format", Usage: "log format: terminal or json", Value: "terminal", EnvVars: envVar("log.format"), Category: categoryMetrics}),
	}
}

// withConfig appends the --config flag and the log flags to flags and
// returns the Before hook that layers the TOML file under them.
func withConfig(flags []cli.Flag) ([]cli.Flag, cli.BeforeFunc) {
	all := append(append([]cli.Flag{configFlag}, flags...), logFlags()...)
	load := altsrc.InitInputSourceWithContext(all, altsrc.NewTomlSourceFromFlagFunc("config"))
	return all, func(ctx *cli.Context) error {
		// Checked first: the loader panics on some valid TOML (arrays of
		// tables), which the key check rejects with a message.
		if path := ctx.String(configFlag.Name); path != "" {
			if err := checkConfigKeys(path, all); err != nil {
				return err
			}
		}
		if err := loadConfig(ctx, load); err != nil {
			return err
		}
		return setupLogging(ctx)
	}
}

// loadConfig runs the TOML loader, turning a panic of its value conversion
// into an error. It panics on arrays of tables, which the key check rejects
// before; this guards against any other value it does not expect.
func loadConfig(ctx *cli.Context, load cli.BeforeFunc) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("config file %s: unsupported value: %v", ctx.String(configFlag.Name), v)
		}
	}()
	return load(ctx)
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
