package proc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartAnvilAnswersChainID(t *testing.T) {
	url := StartAnvil(t)
	var hexID string
	if err := Call(url, "eth_chainId", nil, &hexID); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("0x%x", AnvilChainID); hexID != want {
		t.Fatalf("eth_chainId = %q, want %q", hexID, want)
	}
	if id := WaitHTTP(t, url, 5*time.Second); id != AnvilChainID {
		t.Fatalf("WaitHTTP chain ID = %d, want %d", id, AnvilChainID)
	}
}

// TestCleanupStopsAnvil checks that the cleanup Start registers stops the
// process: after the subtest, the pid is gone and the port no longer answers.
func TestCleanupStopsAnvil(t *testing.T) {
	var anvil *Anvil
	t.Run("run", func(t *testing.T) {
		anvil = StartAnvilProcess(t)
	})
	select {
	case <-anvil.Done():
	default:
		t.Fatal("anvil still running after its test's cleanup")
	}
	assertGone(t, anvil)
	// anvil handles SIGTERM by shutting down cleanly.
	if exited, err := anvil.Exited(); !exited || err != nil {
		t.Fatalf("anvil exit after SIGTERM: exited=%v err=%v, want a clean exit", exited, err)
	}
}

func TestKill9(t *testing.T) {
	anvil := StartAnvilProcess(t)
	anvil.Kill9()
	assertGone(t, anvil)
	_, err := anvil.Exited()
	var exitErr interface{ Sys() any }
	if !errors.As(err, &exitErr) {
		t.Fatalf("exit error %v, want a signal exit", err)
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("exit status %v, want killed by SIGKILL", exitErr.Sys())
	}
	// Stop after the process died returns at once with the same result.
	if err2 := anvil.Stop(); err2 != err {
		t.Fatalf("Stop after Kill9 = %v, want %v", err2, err)
	}
}

func assertGone(t *testing.T, anvil *Anvil) {
	t.Helper()
	if err := syscall.Kill(anvil.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("kill -0 %d after stop: %v, want ESRCH", anvil.Pid(), err)
	}
	if _, err := ChainID(anvil.URL); err == nil {
		t.Fatalf("%s still answers after stop", anvil.URL)
	}
}

// fatalRecorder stands in for a test whose Fatalf is under test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
}

func TestToolPathMissingSaysMakeTools(t *testing.T) {
	t.Setenv(ToolsEnv, t.TempDir())
	rec := &fatalRecorder{TB: t}
	ToolPath(rec, "anvil")
	if !strings.Contains(rec.msg, "make tools") {
		t.Fatalf("ToolPath failure %q does not tell to run `make tools`", rec.msg)
	}
}

func TestToolPathFromEnv(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "cast")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(ToolsEnv, dir)
	if got := ToolPath(t, "cast"); got != tool {
		t.Fatalf("ToolPath = %q, want %q", got, tool)
	}
}

func TestStartCapturesOutput(t *testing.T) {
	p := Start(t, "/bin/sh", "-c", "echo out; echo err >&2")
	<-p.Done()
	if out := p.Output(); !strings.Contains(out, "out\n") || !strings.Contains(out, "err\n") {
		t.Fatalf("output %q, want both streams", out)
	}
}
