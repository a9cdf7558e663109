// Command genbindings writes the Go bindings of the Lanes L1 contracts
// (rollup.go, portal.go) from the Forge artifacts, after running
// `forge build` so that they are current. Run it through
// `go generate ./l1contracts/bindings`.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lanes-rollup/lanes/l1contracts/bindings/internal/bindgen"
)

func main() {
	contracts := flag.String("contracts", "..", "the Foundry project directory (l1contracts)")
	outDir := flag.String("out", ".", "directory to write the bindings to")
	build := flag.Bool("build", true, "run forge build first")
	flag.Parse()

	if err := run(*contracts, *outDir, *build); err != nil {
		fmt.Fprintln(os.Stderr, "genbindings:", err)
		os.Exit(1)
	}
}

func run(contracts, outDir string, build bool) error {
	if build {
		if err := bindgen.ForgeBuild(contracts); err != nil {
			return err
		}
	}
	files, err := bindgen.Generate(filepath.Join(contracts, "out"))
	if err != nil {
		return err
	}
	for name, code := range files {
		if err := os.WriteFile(filepath.Join(outDir, name), code, 0o644); err != nil {
			return err
		}
	}
	return nil
}
