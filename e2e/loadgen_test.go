package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/lanes-rollup/lanes/rpc/loadgen"
	"github.com/lanes-rollup/lanes/sequencer"
)

// The load generator drives a real node over HTTP and over WebSocket, for
// both workloads, and every transaction it signs is included and succeeds.
// The load is small: this checks the tool, it measures nothing.
func TestLoadgenAgainstNode(t *testing.T) {
	for _, tc := range []struct {
		kind string
		ws   bool
		rate float64
	}{
		{loadgen.KindETH, false, 0},
		{loadgen.KindERC20, true, 0},
		{loadgen.KindETH, true, 400},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			n := startInProc(t, 50*time.Millisecond)
			url := n.httpURL
			if tc.ws {
				url = n.wsURL
			}
			report, err := loadgen.Run(testContext(t), loadgen.Config{
				RPC:     url,
				Kind:    tc.kind,
				Txs:     200,
				Senders: 20,
				Rate:    tc.rate,
				Workers: 8,
				Funder:  sequencer.DevKeys()[0],
				Timeout: hangGuard,
				Seed:    7,
			}, t.Logf)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if report.Included != 200 || report.Rejected != 0 || report.Failed != 0 {
				t.Fatalf("report %v", report)
			}
			if report.P50ms <= 0 || report.P99ms < report.P50ms || report.TPS <= 0 {
				t.Fatalf("implausible figures: %v", report)
			}
		})
	}
}

func TestLoadgenConfigCheck(t *testing.T) {
	good := loadgen.Config{RPC: "http://127.0.0.1:1", Kind: loadgen.KindETH, Txs: 10, Senders: 2, Workers: 1,
		Funder: sequencer.DevKeys()[0], Timeout: time.Second}
	if err := good.Check(); err != nil {
		t.Fatalf("good config refused: %v", err)
	}
	for name, tc := range map[string]struct {
		change func(*loadgen.Config)
		want   string
	}{
		"scheme":        {func(c *loadgen.Config) { c.RPC = "127.0.0.1:9545" }, "want http(s):// or ws(s)://"},
		"kind":          {func(c *loadgen.Config) { c.Kind = "nft" }, `kind "nft"`},
		"no txs":        {func(c *loadgen.Config) { c.Txs = 0 }, "txs 0"},
		"senders>txs":   {func(c *loadgen.Config) { c.Senders = 11 }, "senders 11"},
		"negative rate": {func(c *loadgen.Config) { c.Rate = -1 }, "rate -1"},
		"no workers":    {func(c *loadgen.Config) { c.Workers = 0 }, "workers 0"},
		"no funder":     {func(c *loadgen.Config) { c.Funder = nil }, "funder key"},
		"no timeout":    {func(c *loadgen.Config) { c.Timeout = 0 }, "timeout"},
	} {
		cfg := good
		tc.change(&cfg)
		if err := cfg.Check(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}
