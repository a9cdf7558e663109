package main

import (
	"fmt"
	"os"

	"github.com/ethereum/go-ethereum/log"
	"github.com/urfave/cli/v2"
)

// setupLogging installs go-ethereum's structured logger (slog underneath)
// at the level and in the format the flags ask for.
func setupLogging(ctx *cli.Context) error {
	verbosity := ctx.Int("verbosity")
	if verbosity < 0 || verbosity > 5 {
		return fmt.Errorf("--verbosity %d outside [0, 5]", verbosity)
	}
	level := log.FromLegacyLevel(verbosity)
	switch format := ctx.String("log.format"); format {
	case "terminal":
		log.SetDefault(log.NewLogger(log.NewTerminalHandlerWithLevel(os.Stderr, level, false)))
	case "json":
		log.SetDefault(log.NewLogger(log.JSONHandlerWithLevel(os.Stderr, level)))
	default:
		return fmt.Errorf("--log.format %q: want terminal or json", format)
	}
	return nil
}
