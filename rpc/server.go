package rpc

import (
	"context"
	"errors"
	"fmt"
	"github.com/ethereum/go-ethereum/log"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	gethrpc "github.com/ethereum/go-ethereum/rpc"
)

// shutdownTimeout bounds how long Stop waits for in-flight HTTP requests.
const shutdownTimeout = 5 * time.Second

// Server serves the Lanes JSON-RPC API on an HTTP and a WebSocket listener.
//
// Per-method latency is recorded by go-ethereum's rpc server itself: when
// metrics are enabled it updates "rpc/duration/<method>/success" (or
// "/failure") and "rpc/duration/all" for every call.
type Server struct {
	cfg     Config
	httpRPC *gethrpc.Server // the namespaces of cfg.HTTPAPIs
	wsRPC   *gethrpc.Server // the namespaces of cfg.WSAPIs
	backend *gethBackend

	mu      sync.Mutex
	started bool
	stopped bool
	http    *http.Server
	ws      *http.Server
	httpURL string
	wsURL   string
	wg      sync.WaitGroup
	errs    []error // serve errors, joined by Stop
}

// ServerOption adds to what a Server serves.
type ServerOption func(*serverOptions)

type serverOptions struct {
	verifier VerifierStatusSource
}

// WithVerifierStatus makes lanes_syncStatus report a verifier's status.
func WithVerifierStatus(src VerifierStatusSource) ServerOption {
	return func(o *serverOptions) { o.verifier = src }
}

// NewServer checks cfg and registers the namespaces cfg names for each
// transport (from eth, net, web3, lanes, txpool and debug) over backend.
// version is the node version ("0.1.0") reported by web3_clientVersion.
func NewServer(cfg Config, backend Backend, version string, opts ...ServerOption) (*Server, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	var o serverOptions
	for _, opt := range opts {
		opt(&o)
	}
	if backend == nil {
		return nil, errors.New("rpc: nil backend")
	}
	b := &gethBackend{Backend: backend, limits: limits{gasCap: cfg.GasCap, evmTimeout: cfg.EVMTimeout}}
	// One instance of each service, registered on both transports, so
	// that a filter made over HTTP can be polled over WebSocket.
	apis := []namedAPI{
		{"eth", NewChainAPI(backend, backend)},
		{"eth", NewStateAPI(backend, backend)},
		{"eth", NewSendAPI(backend, backend, cfg.TxFeeCap)},
		{"eth", newCallAPI(b)},
		{"eth", newFeeAPI(b)},
		{"eth", newFilterAPI(b, DefaultFilterConfig)},
		{"net", NewNetAPI(backend)},
		{"web3", NewWeb3API(version)},
		{"txpool", NewTxPoolAPI(backend, backend)},
		{"debug", newDebugAPI(b)},
		{"lanes", NewLanesAPI(backend, o.verifier)},
	}
	s := &Server{cfg: cfg, backend: b}
	var err error
	if s.httpRPC, err = newRPCServer(cfg, apis, cfg.HTTPAPIs); err == nil {
		s.wsRPC, err = newRPCServer(cfg, apis, cfg.WSAPIs)
	}
	if err != nil {
		if s.httpRPC != nil {
			s.httpRPC.Stop()
		}
		b.subs.closeAll()
		return nil, err
	}
	return s, nil
}

// namedAPI is a service and the namespace its methods are served in.
type namedAPI struct {
	namespace string
	service   interface{}
}

// newRPCServer returns a go-ethereum RPC server, with cfg's limits,
// serving the apis whose namespace is in namespaces.
func newRPCServer(cfg Config, apis []namedAPI, namespaces []string) (*gethrpc.Server, error) {
	srv := gethrpc.NewServer()
	srv.SetBatchLimits(cfg.BatchRequestLimit, cfg.BatchResponseMaxSize)
	srv.SetHTTPBodyLimit(int(cfg.MaxRequestSize))
	srv.SetWebsocketReadLimit(cfg.WSReadLimit)
	for _, api := range apis {
		if !slices.Contains(namespaces, api.namespace) {
			continue
		}
		if err := srv.RegisterName(api.namespace, api.service); err != nil {
			srv.Stop()
			return nil, fmt.Errorf("register %s API %T: %w", api.namespace, api.service, err)
		}
	}
	return srv, nil
}

// Start opens both listeners and serves in the background. Calling it again
// is a no-op; starting a stopped server is an error. On failure everything
// already opened is closed.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("rpc: server already stopped")
	}
	if s.started {
		return nil
	}
	s.started = true
	httpHandler := withVHosts(s.cfg.HTTPVHosts, withCORS(s.cfg.HTTPCors, s.httpRPC))
	var err error
	if s.http, s.httpURL, err = s.listen("http", s.cfg.HTTPAddr, s.cfg.HTTPPort, httpHandler); err != nil {
		return errors.Join(err, s.stopLocked())
	}
	if s.ws, s.wsURL, err = s.listen("ws", s.cfg.WSAddr, s.cfg.WSPort, s.wsRPC.WebsocketHandler(s.cfg.WSOrigins)); err != nil {
		return errors.Join(err, s.stopLocked())
	}
	return nil
}

// listen binds addr:port and serves handler on it until shut down.
func (s *Server) listen(scheme, addr string, port int, handler http.Handler) (*http.Server, string, error) {
	lis, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return nil, "", fmt.Errorf("rpc: listen %s: %w", scheme, err)
	}
	timeouts := gethrpc.DefaultHTTPTimeouts
	hs := &http.Server{
		Handler:           handler,
		ReadTimeout:       timeouts.ReadTimeout,
		ReadHeaderTimeout: timeouts.ReadHeaderTimeout,
		WriteTimeout:      timeouts.WriteTimeout,
		IdleTimeout:       timeouts.IdleTimeout,
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := hs.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.mu.Lock()
			s.errs = append(s.errs, fmt.Errorf("rpc: serve %s: %w", scheme, err))
			s.mu.Unlock()
		}
	}()
	return hs, scheme + "://" + lis.Addr().String(), nil
}

// HTTPEndpoint returns the URL of the HTTP listener, or "" before Start.
func (s *Server) HTTPEndpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.httpURL
}

// WSEndpoint returns the URL of the WebSocket listener, or "" before Start.
func (s *Server) WSEndpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wsURL
}

// Stop closes the listeners, ends subscriptions and waits for the serving
// goroutines. It is safe to call more than once and on a server that never
// started or failed to start.
func (s *Server) Stop() error {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopLocked()
}

func (s *Server) stopLocked() error {
	if s.stopped {
		return nil
	}
	s.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	var errs []error
	// Stopping the rpc server first closes WebSocket codecs, which are
	// hijacked connections that http.Server.Shutdown does not track.
	for _, srv := range []*gethrpc.Server{s.httpRPC, s.wsRPC} {
		if srv != nil {
			srv.Stop()
		}
	}
	// End the filter system's and gas price oracle's chain subscriptions,
	// which stops their goroutines.
	if s.backend != nil {
		s.backend.subs.closeAll()
	}
	for _, hs := range []*http.Server{s.http, s.ws} {
		if hs == nil {
			continue
		}
		// Shutdown waits for idle connections to age before closing them,
		// so a client that opened a connection and sent nothing holds it
		// up to the deadline. That is the client's doing, not a failure of
		// the server: close what is left, as go-ethereum's node does.
		if err := hs.Shutdown(ctx); err != nil {
			log.Warn("RPC server did not shut down gracefully, closing connections", "err", err)
			if cerr := hs.Close(); cerr != nil {
				errs = append(errs, cerr)
			}
		}
	}
	// Serve goroutines append to s.errs under s.mu; release it while waiting.
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	return errors.Join(append(errs, s.errs...)...)
}
