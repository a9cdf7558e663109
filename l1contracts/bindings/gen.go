// Package bindings holds the Go bindings of the Lanes L1 contracts
// (Rollup, Portal), generated with go-ethereum's abigen v2 from the Forge
// artifacts. Regenerate after changing l1contracts/src:
//
//	go generate ./l1contracts/bindings
//
// TestBindingsUpToDate fails when the files here are stale.
package bindings

//go:generate go run ./internal/genbindings -contracts .. -out .
