// Command lanes runs the Lanes rollup: the sequencer node, a local devnet,
// and the tools around them.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	if err := newApp().Run(os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "Fatal:", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	return &cli.App{
		Name:                 "lanes",
		Usage:                "an optimistic rollup for the EVM",
		Version:              versionString(),
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			sequencerCommand(),
			verifierCommand(),
			devnetCommand(),
			deployCommand(),
			batcherCommand(),
			loadgenCommand(),
			benchCommand(),
			versionCommand(),
		},
	}
}
