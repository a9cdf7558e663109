// Package proc starts and stops the real programs that end-to-end tests run
// against: anvil, forge and cast from the project's tools folder, and the
// lanes binary built from this tree.
//
// Every helper takes the test's testing.TB and fails it on error, and every
// process it starts is stopped in t.Cleanup, so a test cannot leak one.
// The tools come from `make tools`; a test that cannot find them fails and
// says so rather than skipping, so a missing install never passes silently.
package proc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ToolsEnv names the environment variable that points at the tools folder
// (the Makefile exports it). Without it, <repo root>/tools/bin is used.
const ToolsEnv = "LANES_TOOLS"

// StopTimeout is how long Stop waits after SIGTERM before sending SIGKILL.
const StopTimeout = 10 * time.Second

// RepoRoot returns the repository root: the nearest directory above the
// working directory that holds go.mod. `go test` runs each package in its
// own directory, so this works from any package of the module.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("proc: working directory: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("proc: no go.mod above the working directory")
		}
		dir = parent
	}
}

// ToolPath returns the path of a tool (anvil, forge, cast, solc) from
// $LANES_TOOLS or <repo root>/tools/bin. It fails the test when the tool is
// missing.
func ToolPath(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv(ToolsEnv)
	if dir == "" {
		dir = filepath.Join(RepoRoot(t), "tools", "bin")
	}
	path := filepath.Join(dir, name)
	info, err := os.Stat(path)
	if err != nil || info.IsDir() || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("proc: tool %q not found or not executable at %s: run `make tools` in the repository root (or set %s)", name, path, ToolsEnv)
	}
	return path
}

var lanesBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BuildLanes builds ./cmd/lanes once per test binary and returns the path of
// the executable. The binary lives in a temporary directory that is removed
// when the process exits normally (see Cleanup).
func BuildLanes(t testing.TB) string {
	t.Helper()
	lanesBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "lanes-e2e-bin-")
		if err != nil {
			lanesBuild.err = err
			return
		}
		lanesBuild.dir = dir
		lanesBuild.path = filepath.Join(dir, "lanes")
		cmd := exec.Command("go", "build", "-o", lanesBuild.path, "./cmd/lanes")
		cmd.Dir = RepoRoot(t)
		out, err := cmd.CombinedOutput()
		if err != nil {
			lanesBuild.err = fmt.Errorf("go build ./cmd/lanes: %w\n%s", err, out)
		}
	})
	if lanesBuild.err != nil {
		t.Fatalf("proc: %v", lanesBuild.err)
	}
	return lanesBuild.path
}

// Cleanup removes what the package made for the whole test binary (the
// built lanes binary). Call it from TestMain after m.Run when using
// BuildLanes; it is harmless otherwise.
func Cleanup() {
	if lanesBuild.dir != "" {
		os.RemoveAll(lanesBuild.dir)
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// port is not reserved: start the server soon, and prefer a server's own
// port-0 support where it has one.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proc: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Process is a program started by Start. Its combined output is kept in
// memory and logged when the test fails.
type Process struct {
	Name string
	Cmd  *exec.Cmd

	out  syncBuffer
	done chan struct{} // closed when Wait returns
	err  error         // Wait's result, valid after done
	stop sync.Once
}

// Start runs name with args, in its own process group, and registers a
// cleanup that stops it (SIGTERM, then SIGKILL after StopTimeout) and waits
// for it. When the test has failed, the cleanup logs the process's output.
func Start(t testing.TB, name string, args ...string) *Process {
	t.Helper()
	p := &Process{Name: filepath.Base(name), done: make(chan struct{})}
	p.Cmd = exec.Command(name, args...)
	p.Cmd.Stdout = &p.out
	p.Cmd.Stderr = &p.out
	p.Cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A grandchild that outlives the group kill could keep the output pipe
	// open; do not let Wait hang on it.
	p.Cmd.WaitDelay = time.Second
	if err := p.Cmd.Start(); err != nil {
		t.Fatalf("proc: start %s: %v", name, err)
	}
	go func() {
		p.err = p.Cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("proc: output of %s %s:\n%s", p.Name, strings.Join(args, " "), p.Output())
		}
	})
	return p
}

// Output returns everything the process has written so far.
func (p *Process) Output() string { return p.out.String() }

// Pid returns the process id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Exited reports whether the process has exited, and if so its Wait error.
func (p *Process) Exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL if it has not
// exited after StopTimeout, and waits for it. It returns the process's exit
// error (nil for a clean exit; a signal exit is reported as such). Calling
// it again returns the same result.
func (p *Process) Stop() error {
	p.stop.Do(func() {
		select {
		case <-p.done:
			return
		default:
		}
		p.signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(StopTimeout):
			p.signal(syscall.SIGKILL)
			<-p.done
		}
	})
	<-p.done
	return p.err
}

// Kill9 kills the process group with SIGKILL, as a crash or power cut would,
// and waits for the process to exit.
func (p *Process) Kill9() {
	p.signal(syscall.SIGKILL)
	<-p.done
}

func (p *Process) signal(sig syscall.Signal) {
	// The negative pid addresses the group, so children die with it. An
	// error means the group is already gone.
	_ = syscall.Kill(-p.Cmd.Process.Pid, sig)
}

// WaitHTTP polls url with an eth_chainId JSON-RPC request until it gets a
// result, and returns the chain ID. It fails the test after timeout.
func WaitHTTP(t testing.TB, url string, timeout time.Duration) uint64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var lastErr error
	for {
		id, err := ChainID(url)
		if err == nil {
			return id
		}
		lastErr = err
		if time.Now().After(deadline) {
			t.Fatalf("proc: %s did not answer eth_chainId within %v: %v", url, timeout, lastErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// ChainID asks url for eth_chainId with a raw JSON-RPC POST, without any
// client library, so it can check servers independently of our own code.
func ChainID(url string) (uint64, error) {
	var hexID string
	if err := Call(url, "eth_chainId", nil, &hexID); err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimPrefix(hexID, "0x"), 16, 64)
}

// Call makes one raw JSON-RPC 2.0 call over HTTP and decodes the result
// into result.
func Call(url, method string, params []any, result any) error {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %s: %s", method, resp.Status, raw)
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		return fmt.Errorf("%s: decode reply %q: %w", method, raw, err)
	}
	if reply.Error != nil {
		return fmt.Errorf("%s: JSON-RPC error %d: %s", method, reply.Error.Code, reply.Error.Message)
	}
	if reply.Result == nil {
		return errors.New(method + ": reply has no result")
	}
	return json.Unmarshal(reply.Result, result)
}

// Anvil is an anvil started by StartAnvil.
type Anvil struct {
	*Process
	URL string // HTTP JSON-RPC endpoint; anvil serves WebSocket on the same port
}

// AnvilChainID is anvil's default chain ID.
const AnvilChainID = 31337

// StartAnvil starts the tools folder's anvil on a free loopback port, waits
// until it answers eth_chainId, and returns its JSON-RPC URL. Extra flags
// are passed to anvil (for example "--block-time", "1").
func StartAnvil(t testing.TB, extraArgs ...string) string {
	t.Helper()
	return StartAnvilProcess(t, extraArgs...).URL
}

// StartAnvilProcess is StartAnvil, returning the process too, for tests that
// stop or kill anvil themselves.
func StartAnvilProcess(t testing.TB, extraArgs ...string) *Anvil {
	t.Helper()
	bin := ToolPath(t, "anvil")
	// Another process can take the free port before anvil binds it; anvil
	// then exits at once, and a new port is tried.
	const attempts = 3
	for i := 0; ; i++ {
		port := FreePort(t)
		args := append([]string{"--host", "127.0.0.1", "--port", strconv.Itoa(port)}, extraArgs...)
		p := Start(t, bin, args...)
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, err := ChainID(url); err == nil {
				return &Anvil{Process: p, URL: url}
			}
			if exited, err := p.Exited(); exited {
				if i+1 < attempts {
					break
				}
				t.Fatalf("proc: anvil exited before answering (%v); output:\n%s", err, p.Output())
			}
			if time.Now().After(deadline) {
				t.Fatalf("proc: anvil on %s did not answer eth_chainId within 30s; output:\n%s", url, p.Output())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a
// process's stdout and stderr copiers and reads from the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
