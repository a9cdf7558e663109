package rpc

import (
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"strings"
	"time"
)

// Config configures the RPC server. Layering (file, flags) is done by the
// caller; start from DefaultConfig and call Check before use.
type Config struct {
	HTTPAddr   string   // interface the HTTP listener binds to
	HTTPPort   int      // HTTP port; 0 picks a free port
	HTTPCors   []string // browser origins allowed by CORS; "*" for any; empty disables CORS headers
	HTTPVHosts []string // Host header values accepted over HTTP; "*" for any; IP hosts are always accepted
	WSAddr     string   // interface the WebSocket listener binds to
	WSPort     int      // WebSocket port; 0 picks a free port
	WSOrigins  []string // browser origins allowed to open WebSockets; "*" for any; empty means localhost only
	HTTPAPIs   []string // namespaces served over HTTP, from Namespaces
	WSAPIs     []string // namespaces served over WebSocket, from Namespaces

	GasCap     uint64        // gas cap of eth_call, eth_estimateGas and debug_traceCall
	EVMTimeout time.Duration // time limit of one eth_call
	TxFeeCap   float64       // max fee (ether) of a submitted transaction; 0 disables the check

	BatchRequestLimit    int   // max requests in one JSON-RPC batch
	BatchResponseMaxSize int   // max bytes of one batch response
	MaxRequestSize       int64 // max bytes of an HTTP request body
	WSReadLimit          int64 // max bytes of one WebSocket message
}

// DefaultConfig listens on loopback only, with go-ethereum's limits.
var DefaultConfig = Config{
	HTTPAddr:             "127.0.0.1",
	HTTPPort:             9545,
	HTTPVHosts:           []string{"localhost"},
	WSAddr:               "127.0.0.1",
	WSPort:               9546,
	HTTPAPIs:             DefaultAPIs,
	WSAPIs:               DefaultAPIs,
	GasCap:               50_000_000,
	EVMTimeout:           5 * time.Second,
	TxFeeCap:             1,
	BatchRequestLimit:    1000,
	BatchResponseMaxSize: 25 * 1000 * 1000,
	MaxRequestSize:       5 * 1024 * 1024,
	WSReadLimit:          15 * 1024 * 1024,
}

// Namespaces lists the namespaces a server can serve.
var Namespaces = []string{"eth", "net", "web3", "lanes", "txpool", "debug"}

// DefaultAPIs are the namespaces served unless configured otherwise. txpool
// and debug are left out, as go-ethereum leaves them out: a trace or the
// pool's whole content can take a reply of hundreds of megabytes, which
// is for the operator to offer.
var DefaultAPIs = []string{"eth", "net", "web3", "lanes"}

// minGasCap is the cost of a plain transfer: a lower cap makes every call fail.
const minGasCap = 21000

// ErrInvalidConfig is wrapped by every error Check returns.
var ErrInvalidConfig = errors.New("invalid rpc config")

func configErr(format string, args ...interface{}) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// Check validates every field.
func (c *Config) Check() error {
	if err := checkAddr("HTTPAddr", c.HTTPAddr); err != nil {
		return err
	}
	if err := checkAddr("WSAddr", c.WSAddr); err != nil {
		return err
	}
	if c.HTTPPort < 0 || c.HTTPPort > math.MaxUint16 {
		return configErr("HTTPPort %d out of range [0, 65535]", c.HTTPPort)
	}
	if c.WSPort < 0 || c.WSPort > math.MaxUint16 {
		return configErr("WSPort %d out of range [0, 65535]", c.WSPort)
	}
	if c.HTTPPort != 0 && c.HTTPPort == c.WSPort {
		return configErr("HTTPPort and WSPort are both %d; they must differ", c.HTTPPort)
	}
	for name, list := range map[string][]string{"HTTPCors": c.HTTPCors, "HTTPVHosts": c.HTTPVHosts, "WSOrigins": c.WSOrigins} {
		for _, v := range list {
			if strings.TrimSpace(v) == "" {
				return configErr("%s contains an empty entry", name)
			}
		}
	}
	for name, list := range map[string][]string{"HTTPAPIs": c.HTTPAPIs, "WSAPIs": c.WSAPIs} {
		for _, ns := range list {
			if !slices.Contains(Namespaces, ns) {
				return configErr("%s: unknown namespace %q (have %s)", name, ns, strings.Join(Namespaces, ", "))
			}
		}
	}
	if c.GasCap < minGasCap {
		return configErr("GasCap %d below %d", c.GasCap, minGasCap)
	}
	if c.EVMTimeout <= 0 {
		return configErr("EVMTimeout %v must be positive", c.EVMTimeout)
	}
	if math.IsNaN(c.TxFeeCap) || math.IsInf(c.TxFeeCap, 0) || c.TxFeeCap < 0 {
		return configErr("TxFeeCap %v must be a non-negative number", c.TxFeeCap)
	}
	if c.BatchRequestLimit <= 0 {
		return configErr("BatchRequestLimit %d must be positive", c.BatchRequestLimit)
	}
	if c.BatchResponseMaxSize <= 0 {
		return configErr("BatchResponseMaxSize %d must be positive", c.BatchResponseMaxSize)
	}
	if c.MaxRequestSize <= 0 || c.MaxRequestSize > math.MaxInt32 {
		return configErr("MaxRequestSize %d out of range [1, %d]", c.MaxRequestSize, math.MaxInt32)
	}
	if c.WSReadLimit <= 0 {
		return configErr("WSReadLimit %d must be positive", c.WSReadLimit)
	}
	return nil
}

// checkAddr accepts an IP address or a host name without a port.
func checkAddr(name, addr string) error {
	if addr == "" {
		return configErr("%s is empty", name)
	}
	if net.ParseIP(addr) != nil {
		return nil
	}
	if strings.ContainsAny(addr, ":/ ") {
		return configErr("%s %q is not an IP address or host name", name, addr)
	}
	return nil
}
