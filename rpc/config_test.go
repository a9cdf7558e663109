package rpc

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestConfigCheck(t *testing.T) {
	if err := DefaultConfig.Check(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string // "" means valid
	}{
		{"ipv6 addr", func(c *Config) { c.HTTPAddr = "::1" }, ""},
		{"host name", func(c *Config) { c.WSAddr = "localhost" }, ""},
		{"random ports", func(c *Config) { c.HTTPPort, c.WSPort = 0, 0 }, ""},
		{"empty http addr", func(c *Config) { c.HTTPAddr = "" }, "invalid rpc config: HTTPAddr is empty"},
		{"addr with port", func(c *Config) { c.WSAddr = "127.0.0.1:80" }, `invalid rpc config: WSAddr "127.0.0.1:80" is not an IP address or host name`},
		{"negative http port", func(c *Config) { c.HTTPPort = -1 }, "invalid rpc config: HTTPPort -1 out of range [0, 65535]"},
		{"ws port too big", func(c *Config) { c.WSPort = 65536 }, "invalid rpc config: WSPort 65536 out of range [0, 65535]"},
		{"same ports", func(c *Config) { c.WSPort = c.HTTPPort }, "invalid rpc config: HTTPPort and WSPort are both 9545; they must differ"},
		{"empty cors", func(c *Config) { c.HTTPCors = []string{"https://a", " "} }, "invalid rpc config: HTTPCors contains an empty entry"},
		{"empty vhost", func(c *Config) { c.HTTPVHosts = []string{""} }, "invalid rpc config: HTTPVHosts contains an empty entry"},
		{"empty origin", func(c *Config) { c.WSOrigins = []string{""} }, "invalid rpc config: WSOrigins contains an empty entry"},
		{"gas cap too low", func(c *Config) { c.GasCap = 20999 }, "invalid rpc config: GasCap 20999 below 21000"},
		{"zero evm timeout", func(c *Config) { c.EVMTimeout = 0 }, "invalid rpc config: EVMTimeout 0s must be positive"},
		{"negative evm timeout", func(c *Config) { c.EVMTimeout = -time.Second }, "invalid rpc config: EVMTimeout -1s must be positive"},
		{"negative fee cap", func(c *Config) { c.TxFeeCap = -1 }, "invalid rpc config: TxFeeCap -1 must be a non-negative number"},
		{"NaN fee cap", func(c *Config) { c.TxFeeCap = math.NaN() }, "invalid rpc config: TxFeeCap NaN must be a non-negative number"},
		{"zero fee cap disables", func(c *Config) { c.TxFeeCap = 0 }, ""},
		{"zero batch limit", func(c *Config) { c.BatchRequestLimit = 0 }, "invalid rpc config: BatchRequestLimit 0 must be positive"},
		{"zero batch response", func(c *Config) { c.BatchResponseMaxSize = 0 }, "invalid rpc config: BatchResponseMaxSize 0 must be positive"},
		{"zero request size", func(c *Config) { c.MaxRequestSize = 0 }, "invalid rpc config: MaxRequestSize 0 out of range [1, 2147483647]"},
		{"huge request size", func(c *Config) { c.MaxRequestSize = math.MaxInt32 + 1 }, "invalid rpc config: MaxRequestSize 2147483648 out of range [1, 2147483647]"},
		{"zero ws read limit", func(c *Config) { c.WSReadLimit = 0 }, "invalid rpc config: WSReadLimit 0 must be positive"},
		{"every namespace", func(c *Config) { c.HTTPAPIs, c.WSAPIs = Namespaces, Namespaces }, ""},
		{"no namespace", func(c *Config) { c.HTTPAPIs, c.WSAPIs = nil, nil }, ""},
		{"unknown http namespace", func(c *Config) { c.HTTPAPIs = []string{"eth", "admin"} }, `invalid rpc config: HTTPAPIs: unknown namespace "admin" (have eth, net, web3, lanes, txpool, debug)`},
		{"unknown ws namespace", func(c *Config) { c.WSAPIs = []string{"Eth"} }, `invalid rpc config: WSAPIs: unknown namespace "Eth" (have eth, net, web3, lanes, txpool, debug)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig
			tt.mutate(&cfg)
			err := cfg.Check()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want || !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	// NewServer refuses a bad config before touching the backend.
	bad := DefaultConfig
	bad.GasCap = 0
	if _, err := NewServer(bad, nil, "0.1.0"); !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("NewServer with bad config: %v", err)
	}
}

func TestDefaultConfigValues(t *testing.T) {
	c := DefaultConfig
	if c.HTTPAddr != "127.0.0.1" || c.HTTPPort != 9545 || c.WSAddr != "127.0.0.1" || c.WSPort != 9546 ||
		c.GasCap != 50_000_000 || c.EVMTimeout != 5*time.Second || c.BatchRequestLimit != 1000 ||
		c.BatchResponseMaxSize != 25_000_000 || c.WSReadLimit != 15*1024*1024 {
		t.Fatalf("defaults %+v", c)
	}
}
