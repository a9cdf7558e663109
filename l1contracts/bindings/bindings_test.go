package bindings_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lanes-rollup/lanes/l1contracts/bindings/internal/bindgen"
)

// TestBindingsUpToDate regenerates the bindings in memory from the current
// contract sources and fails if the committed files differ.
func TestBindingsUpToDate(t *testing.T) {
	contracts, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(contracts, "out")
	switch err := bindgen.ForgeBuild(contracts); {
	case errors.Is(err, bindgen.ErrNoForge):
		if _, statErr := os.Stat(filepath.Join(outDir, "Rollup.sol", "Rollup.json")); statErr != nil {
			t.Fatal("no forge artifacts in l1contracts/out and no forge to build them: run make tools")
		}
		t.Log("forge not installed; checking against the existing artifacts in l1contracts/out")
	case err != nil:
		t.Fatal(err)
	}

	files, err := bindgen.Generate(outDir)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		have, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./l1contracts/bindings)", name, err)
		}
		if !bytes.Equal(have, want) {
			t.Errorf("%s: bindings are stale: run go generate ./l1contracts/bindings", name)
		}
	}
}
