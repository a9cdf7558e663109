package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/gethclient"
	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// testEnv is a server on loopback over a fresh test chain, with clients.
type testEnv struct {
	chain   *testChain
	backend *testBackend
	server  *Server
	rpc     *gethrpc.Client // HTTP
	ws      *gethrpc.Client
	eth     *ethclient.Client // HTTP
	geth    *gethclient.Client
}

func testServerConfig() Config {
	cfg := DefaultConfig
	cfg.HTTPPort, cfg.WSPort = 0, 0
	cfg.BatchRequestLimit = 10
	cfg.HTTPAPIs, cfg.WSAPIs = Namespaces, Namespaces
	return cfg
}

// TestNamespacesPerTransport checks that each transport serves the
// namespaces configured for it, and by default neither txpool nor debug.
func TestNamespacesPerTransport(t *testing.T) {
	served := func(t *testing.T, c *gethrpc.Client, method string, args ...interface{}) bool {
		t.Helper()
		var out json.RawMessage
		err := c.CallContext(context.Background(), &out, method, args...)
		if err == nil {
			return true
		}
		if code, _, _ := rpcError(t, err); code != -32601 {
			t.Fatalf("%s: %v, want a result or method not found", method, err)
		}
		return false
	}
	t.Run("defaults", func(t *testing.T) {
		env := newTestEnvWith(t, func(c *Config) { c.HTTPAPIs, c.WSAPIs = DefaultAPIs, DefaultAPIs })
		for name, c := range map[string]*gethrpc.Client{"http": env.rpc, "ws": env.ws} {
			for _, m := range []string{"eth_chainId", "net_version", "web3_clientVersion", "lanes_syncStatus"} {
				if !served(t, c, m) {
					t.Errorf("%s: %s not served", name, m)
				}
			}
			if served(t, c, "txpool_status") {
				t.Errorf("%s: txpool_status served by default", name)
			}
			if served(t, c, "debug_traceBlockByNumber", "latest") {
				t.Errorf("%s: debug_traceBlockByNumber served by default", name)
			}
		}
	})
	t.Run("per transport", func(t *testing.T) {
		env := newTestEnvWith(t, func(c *Config) {
			c.HTTPAPIs = []string{"eth", "debug"}
			c.WSAPIs = []string{"eth", "txpool"}
		})
		if !served(t, env.rpc, "debug_traceBlockByNumber", "latest") || served(t, env.rpc, "txpool_status") || served(t, env.rpc, "net_version") {
			t.Error("http does not serve exactly eth and debug")
		}
		if !served(t, env.ws, "txpool_status") || served(t, env.ws, "debug_traceBlockByNumber", "latest") || served(t, env.ws, "net_version") {
			t.Error("ws does not serve exactly eth and txpool")
		}
	})
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnvWith(t, func(*Config) {})
}

func newTestEnvWith(t *testing.T, mutate func(*Config)) *testEnv {
	t.Helper()
	chain := generateChain(t)
	backend := newTestBackend(t, chain)
	cfg := testServerConfig()
	mutate(&cfg)
	srv, err := NewServer(cfg, backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	httpClient, err := gethrpc.DialContext(ctx, srv.HTTPEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(httpClient.Close)
	wsClient, err := gethrpc.DialContext(ctx, srv.WSEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(wsClient.Close)
	return &testEnv{
		chain: chain, backend: backend, server: srv,
		rpc: httpClient, ws: wsClient,
		eth: ethclient.NewClient(httpClient), geth: gethclient.New(httpClient),
	}
}

// rpcError extracts code, message and data of a JSON-RPC error.
func rpcError(t *testing.T, err error) (int, string, interface{}) {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got none")
	}
	var rerr gethrpc.Error
	if !errors.As(err, &rerr) {
		t.Fatalf("error %v (%T) carries no code", err, err)
	}
	var data interface{}
	var derr gethrpc.DataError
	if errors.As(err, &derr) {
		data = derr.ErrorData()
	}
	return rerr.ErrorCode(), err.Error(), data
}

// postRaw sends body to the HTTP endpoint and decodes the JSON answer.
func postRaw(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

type rawResponse struct {
	ID    json.RawMessage `json:"id"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Result json.RawMessage `json:"result"`
}

func TestServerProtocolErrors(t *testing.T) {
	env := newTestEnv(t)
	url := env.server.HTTPEndpoint()
	tests := []struct {
		name    string
		body    string
		code    int
		message string
	}{
		{"malformed json", `{"jsonrpc":"2.0","id":1,"method":`, -32700, "parse error"},
		{"unknown method", `{"jsonrpc":"2.0","id":1,"method":"eth_foo","params":[]}`, -32601, "the method eth_foo does not exist/is not available"},
		{"bad params", `{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0x12"]}`, -32602, "invalid argument 0: hex string has length 2, want 40 for common.Address"},
		{"batch over limit", "[" + strings.Repeat(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},`, 10) + `{"jsonrpc":"2.0","id":2,"method":"eth_chainId"}]`, -32600, "batch too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postRaw(t, url, tt.body)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			var resp rawResponse
			if bytes.HasPrefix(body, []byte("[")) {
				var all []rawResponse
				if err := json.Unmarshal(body, &all); err != nil {
					t.Fatalf("decode %s: %v", body, err)
				}
				resp = all[0]
			} else if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("decode %s: %v", body, err)
			}
			if resp.Error == nil || resp.Error.Code != tt.code || resp.Error.Message != tt.message {
				t.Fatalf("got %s, want code %d message %q", body, tt.code, tt.message)
			}
		})
	}
	// A batch at the limit is served, and the server keeps serving.
	batch := make([]gethrpc.BatchElem, 10)
	for i := range batch {
		batch[i] = gethrpc.BatchElem{Method: "eth_chainId", Result: new(string)}
	}
	if err := env.rpc.BatchCall(batch); err != nil {
		t.Fatal(err)
	}
	for _, el := range batch {
		if el.Error != nil || *el.Result.(*string) != "0x67932" {
			t.Fatalf("batch element: %v %v", el.Error, *el.Result.(*string))
		}
	}
}

func TestServerLifecycle(t *testing.T) {
	chain := generateChain(t)
	backend := newTestBackend(t, chain)
	srv, err := NewServer(testServerConfig(), backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if srv.HTTPEndpoint() != "" || srv.WSEndpoint() != "" {
		t.Fatal("endpoints before start")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("second start: %v", err)
	}
	if !strings.HasPrefix(srv.HTTPEndpoint(), "http://127.0.0.1:") || !strings.HasPrefix(srv.WSEndpoint(), "ws://127.0.0.1:") {
		t.Fatalf("endpoints %q %q", srv.HTTPEndpoint(), srv.WSEndpoint())
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if err := srv.Start(); err == nil {
		t.Fatal("start after stop succeeded")
	}
	// A server that never started stops cleanly, and so does a nil one.
	idle, err := NewServer(testServerConfig(), backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := idle.Stop(); err != nil {
		t.Fatal(err)
	}
	var none *Server
	if err := none.Stop(); err != nil {
		t.Fatal(err)
	}
	// A failed start (port taken) cleans up after itself.
	busy, err := NewServer(testServerConfig(), backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := busy.Start(); err != nil {
		t.Fatal(err)
	}
	defer busy.Stop()
	cfg := testServerConfig()
	cfg.WSPort = portOf(t, busy.HTTPEndpoint())
	clash, err := NewServer(cfg, backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := clash.Start(); err == nil || !strings.Contains(err.Error(), "rpc: listen ws") {
		t.Fatalf("start on a taken port: %v", err)
	}
	if err := clash.Stop(); err != nil {
		t.Fatal(err)
	}
}

func portOf(t *testing.T, url string) int {
	t.Helper()
	i := strings.LastIndex(url, ":")
	var port int
	if err := json.Unmarshal([]byte(url[i+1:]), &port); err != nil {
		t.Fatal(err)
	}
	return port
}

func TestVHostsAndCORS(t *testing.T) {
	chain := generateChain(t)
	backend := newTestBackend(t, chain)
	cfg := testServerConfig()
	cfg.HTTPCors = []string{"https://app.example"}
	srv, err := NewServer(cfg, backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	send := func(method, host, origin string) *http.Response {
		req, err := http.NewRequest(method, srv.HTTPEndpoint(), strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if method == http.MethodOptions {
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if r := send(http.MethodPost, "evil.example", ""); r.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign vhost: status %d", r.StatusCode)
	}
	if r := send(http.MethodPost, "localhost:1234", ""); r.StatusCode != http.StatusOK {
		t.Fatalf("localhost vhost: status %d", r.StatusCode)
	}
	r := send(http.MethodOptions, "", "https://app.example")
	if r.StatusCode != http.StatusNoContent || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Fatalf("preflight: %d %v", r.StatusCode, r.Header)
	}
	r = send(http.MethodPost, "", "https://other.example")
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("foreign origin allowed: %v", r.Header)
	}
}

// serverGoroutines are functions that run only for a live Server.
var serverGoroutines = []string{
	"eth/filters.(*EventSystem).eventLoop",
	"eth/filters.(*FilterAPI).timeoutLoop",
	"eth/gasprice.NewOracle",
	"net/http.(*Server).Serve",
}

// liveServerGoroutines returns the stacks of goroutines of any live Server.
func liveServerGoroutines() []string {
	buf := make([]byte, 8<<20)
	var live []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		for _, fn := range serverGoroutines {
			if strings.Contains(g, fn) {
				live = append(live, g)
				break
			}
		}
	}
	return live
}

func TestServerStopEndsBackgroundWork(t *testing.T) {
	chain := generateChain(t)
	backend := newTestBackend(t, chain)
	srv, err := NewServer(testServerConfig(), backend, "0.1.0")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if len(liveServerGoroutines()) == 0 {
		t.Fatal("no server goroutines found: the probe is broken")
	}
	ws, err := gethrpc.DialContext(context.Background(), srv.WSEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	heads := make(chan *types.Header)
	sub, err := ethclient.NewClient(ws).SubscribeNewHead(context.Background(), heads)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	// The server closes the WebSocket, which ends the subscription.
	if err := <-sub.Err(); err == nil {
		t.Fatal("subscription survived Stop")
	}
	ws.Close()
	// Filter system, oracle and listener goroutines all end (this is the only
	// server alive in the process: other tests stop theirs in t.Cleanup).
	var live []string
	waitFor(t, "server goroutines to exit", func() bool {
		live = liveServerGoroutines()
		return len(live) == 0
	})
}

func TestRequestSizeLimits(t *testing.T) {
	env := newTestEnvWith(t, func(c *Config) {
		c.MaxRequestSize = 1024
		c.WSReadLimit = 1024
	})
	big := `{"jsonrpc":"2.0","id":1,"method":"web3_sha3","params":["0x` + strings.Repeat("ab", 1024) + `"]}`
	status, body := postRaw(t, env.server.HTTPEndpoint(), big)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "content length too large") {
		t.Fatalf("oversized HTTP request: %d %s", status, body)
	}
	// Over WebSocket the oversized message ends the connection.
	var out string
	if err := env.ws.Call(&out, "web3_sha3", "0x"+strings.Repeat("ab", 1024)); err == nil {
		t.Fatal("oversized WebSocket message accepted")
	}
	// Small requests still work on both transports.
	if err := env.rpc.Call(&out, "web3_sha3", "0x00"); err != nil {
		t.Fatal(err)
	}
	ws, err := gethrpc.DialContext(context.Background(), env.server.WSEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if err := ws.Call(&out, "web3_sha3", "0x00"); err != nil {
		t.Fatal(err)
	}
}
