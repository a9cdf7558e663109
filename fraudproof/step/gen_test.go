package step

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated and golden files")

// contractsDir is the Foundry project, relative to this package.
const contractsDir = "../../l1contracts"

// checkGenerated compares a generated file with the one on disk, or rewrites
// it with -update.
func checkGenerated(t *testing.T, path string, want []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./fraudproof/step -run TestGenerated -update)", err)
	}
	if !bytes.Equal(have, want) {
		t.Fatalf("%s is stale: run go test ./fraudproof/step -run TestGenerated -update", path)
	}
}

// TestGenerated keeps the Solidity opcode table and the JSON coverage list in
// step with Table.
func TestGenerated(t *testing.T) {
	checkGenerated(t, filepath.Join(contractsDir, "src/step/OpcodeTable.sol"), SolidityTable())
	js, err := CoverageJSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGenerated(t, "testdata/coverage.json", js)
}
