package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

func TestConfigKeys(t *testing.T) {
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"empty", "", nil},
		{"comments only", "# nothing\n\n  # here\n", nil},
		{"top level", "datadir = \"/data\"\ndev = true\n", []string{"datadir", "dev"}},
		{"tables", "[http]\nport = 9545\naddr = '0.0.0.0' # any\n[txpool]\nlifetime = \"3h\"\n", []string{"http.port", "http.addr", "txpool.lifetime"}},
		{"dotted and quoted keys", "http.port = 1\n\"ws\".'port' = 2\n[ block ]\nfee-recipient = \"0x00\"\n", []string{"http.port", "ws.port", "block.fee-recipient"}},
		{"inline table", "http = { port = 1, addr = \"x\" }\n", []string{"http.port", "http.addr"}},
		{"multi-line array", "[http]\ncorsdomain = [\n  \"a\", # one\n  \"b\",\n]\nport = 1\n", []string{"http.corsdomain", "http.port"}},
		{"multi-line string", "usage = \"\"\"\nport = 1\n\"\"\"\nverbosity = 4\n", []string{"usage", "verbosity"}},
		{"literal multi-line string", "a = '''x = 'y'\n'''\nb = 2", []string{"a", "b"}},
		{"escaped quote", "a = \"say \\\"b = 1\\\"\"\nc = 1", []string{"a", "c"}},
		{"numbers", "a = 1_000\nb = -0.5e3\ne = inf\n", []string{"a", "b", "e"}},
		// Valid TOML that the flag loader refuses (it has no date type);
		// the key check must still read past it.
		{"dates", "c = 1979-05-27T07:32:00Z\nd = 1979-05-27 07:32:00+01:00\n", []string{"c", "d"}},
		{"crlf", "[http]\r\nport = 1\r\n", []string{"http.port"}},
		{"byte order mark", "\ufeffverbosity = 4\n", []string{"verbosity"}},
		{"spaces around dots", "http . port = 1\n[ \"ws\" ]\nport = 2\n", []string{"http.port", "ws.port"}},
		{"nested arrays and empty inline table", "a = [[1, 2], [3]]\nb = {}\nc = 0xDEAD\n", []string{"a", "c"}},
		// One key named "http.port", which the loader never looks up.
		{"quoted key with a dot", "\"http.port\" = 1\n", []string{`"http.port"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// The loader that reads the file for the flags accepts it.
			if _, err := altsrc.NewTomlSourceFromFile(writeConfig(t, tc.doc)); err != nil && tc.name != "dates" {
				t.Fatalf("not valid TOML: %v", err)
			}
			got, err := configKeys(tc.doc)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("keys %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConfigKeysMalformed(t *testing.T) {
	for _, doc := range []string{
		"[http\nport = 1",
		"port 1",
		"port =",
		"a = \"open",
		"a = [1, 2",
		"a = { b = 1",
		"[[servers]]\nport = 1",
		"a = 1 b = 2",
		"= 1",
	} {
		// Every one but the array of tables (on which the loader panics)
		// is invalid TOML to the loader as well, so the key check rejects
		// nothing the loader accepts.
		if !strings.HasPrefix(doc, "[[") {
			if _, err := altsrc.NewTomlSourceFromFile(writeConfig(t, doc)); err == nil {
				t.Errorf("%q: the TOML loader accepts it", doc)
			}
		}
		if _, err := configKeys(doc); !errors.Is(err, errConfigSyntax) {
			t.Errorf("%q: err %v, want a syntax error", doc, err)
		}
	}
}

// writeConfig writes doc to a file in a test directory and returns its path.
func writeConfig(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lanes.toml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckConfigKeys(t *testing.T) {
	flags, _ := withConfig(nodeFlags())
	write := func(doc string) string { return writeConfig(t, doc) }
	// The README's example, and a few more tables.
	good := write(`datadir = "./data"
dev = true
verbosity = 4
[http]
port = 9545
corsdomain = "http://localhost:5173"
[block]
time = "500ms"
[parallel]
workers = 2
`)
	if err := checkConfigKeys(good, flags); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	bad := write("[http]\nprot = 9545\n[txpool]\nlifetime = \"1h\"\nnonsense = 1\n")
	err := checkConfigKeys(bad, flags)
	if err == nil {
		t.Fatal("unknown keys accepted")
	}
	for _, want := range []string{`unknown key "http.prot" (did you mean "http.port"?)`, `unknown key "txpool.nonsense"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "lifetime") {
		t.Errorf("error %q names a valid key", err)
	}
	// The config flag itself is not settable from the file.
	if err := checkConfigKeys(write("config = \"other.toml\"\n"), flags); err == nil {
		t.Error("config key accepted")
	}
	if err := checkConfigKeys(filepath.Join(t.TempDir(), "missing.toml"), flags); err == nil || !strings.Contains(err.Error(), "config file") {
		t.Errorf("missing config: err %v", err)
	}
	var many strings.Builder
	for i := range 50 {
		fmt.Fprintf(&many, "key%d = 1\n", i)
	}
	err = checkConfigKeys(write(many.String()), flags)
	if err == nil || !strings.Contains(err.Error(), "and 40 more") || strings.Contains(err.Error(), "key10") {
		t.Errorf("50 unknown keys: err %v, want 10 named and 40 counted", err)
	}
	big := write("a = \"" + strings.Repeat("x", maxConfigSize) + "\"\n")
	if err := checkConfigKeys(big, flags); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("oversized config: err %v", err)
	}
}

// TestConfigBefore runs a command's Before hook on config files: a valid
// one sets the flags; a misspelt key, an array of tables (on which the
// loader panics) and a value of the wrong type are errors.
func TestConfigBefore(t *testing.T) {
	run := func(doc string) (int, error) {
		flags, before := withConfig(nodeFlags())
		var port int
		app := &cli.App{
			Name:   "lanes",
			Flags:  flags,
			Before: before,
			Action: func(ctx *cli.Context) error {
				port = ctx.Int("http.port")
				return nil
			},
		}
		err := app.Run([]string{"lanes", "--config", writeConfig(t, doc)})
		return port, err
	}
	if port, err := run("[http]\nport = 9999\n"); err != nil || port != 9999 {
		t.Fatalf("valid config: port %d, err %v", port, err)
	}
	if _, err := run("[http]\nprot = 9999\n"); err == nil || !strings.Contains(err.Error(), `"http.prot"`) {
		t.Errorf("misspelt key: err %v", err)
	}
	if _, err := run("[[http]]\nport = 1\n"); err == nil || !strings.Contains(err.Error(), "arrays of tables") {
		t.Errorf("array of tables: err %v", err)
	}
	if _, err := run("[http]\ncorsdomain = [{ a = 1 }]\n"); err == nil || !strings.Contains(err.Error(), "http.corsdomain") {
		t.Errorf("array for a string flag: err %v", err)
	}
	// Should the loader panic on another value, the hook returns an error.
	err := loadConfig(cli.NewContext(nil, nil, nil), func(*cli.Context) error { panic("conversion") })
	if err == nil || !strings.Contains(err.Error(), "unsupported value: conversion") {
		t.Errorf("loader panic: err %v", err)
	}
}

// FuzzConfigKeys checks that the key check never refuses a document the
// flag loader reads: a refusal stops the node at start.
func FuzzConfigKeys(f *testing.F) {
	for _, seed := range []string{
		"datadir = \"/d\"\n[http]\nport = 9545\n",
		"a = [1, \"x\", { b = 2 }]\n# c\n[t]\nk = '''v'''\n",
		"x.y = { z = 1 }\n\"q\" = 0x1\n",
	} {
		f.Add(seed)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, doc string) {
		if len(doc) > 4096 {
			return
		}
		path := filepath.Join(dir, "fuzz.toml")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		loaderAccepts := func() (ok bool) {
			defer func() {
				if recover() != nil {
					ok = false // the loader panics on arrays of tables
				}
			}()
			_, err := altsrc.NewTomlSourceFromFile(path)
			return err == nil
		}()
		if _, err := configKeys(doc); err != nil && loaderAccepts {
			t.Fatalf("%q: the loader reads it, the key check refuses it: %v", doc, err)
		}
	})
}
