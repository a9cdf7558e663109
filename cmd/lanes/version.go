package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

// clientVersion is the release of this build.
const clientVersion = "0.1.0"

// versionString returns the release with the VCS revision the binary was
// built from, when Go recorded one.
func versionString() string {
	v := clientVersion
	if info, ok := debug.ReadBuildInfo(); ok {
		var rev, dirty string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "-dirty"
				}
			}
		}
		if len(rev) >= 8 {
			v += "-" + rev[:8] + dirty
		}
	}
	return v
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "Print the version",
		Action: func(ctx *cli.Context) error {
			fmt.Fprintf(ctx.App.Writer, "lanes %s\ngo %s %s/%s\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
