package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"text/tabwriter"

	"github.com/lanes-rollup/lanes/parallel/bench"
	"github.com/urfave/cli/v2"
)

// benchCommand returns `lanes bench`, whose `parallel` subcommand times the
// parallel executor against the sequential reference on synthetic blocks.
func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "Run built-in benchmarks",
		Subcommands: []*cli.Command{{
			Name:  "parallel",
			Usage: "Compare parallel and sequential block execution on a synthetic workload",
			Description: "Builds an in-memory pre-state and a block of signed transactions, then " +
				"executes the block with the sequential reference and with the Block-STM executor " +
				"from the same pre-state, and reports times, throughput, re-executions and whether " +
				"the results are identical, and the ceiling: how much faster --workers sequential " +
				"executions run at once than one after another. Workloads: all, " + fmt.Sprint(bench.Workloads) + ".",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "workload", Value: "all", Usage: "workload to run, or all", EnvVars: []string{"LANES_BENCH_WORKLOAD"}},
				&cli.IntFlag{Name: "txs", Value: 2000, Usage: "transactions per block", EnvVars: []string{"LANES_BENCH_TXS"}},
				&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "parallel executor workers", EnvVars: []string{"LANES_BENCH_WORKERS"}},
				&cli.IntFlag{Name: "rounds", Value: 3, Usage: "alternating runs per path: speedup compares the fastest of each, speedup (median) the runs pairwise", EnvVars: []string{"LANES_BENCH_ROUNDS"}},
				&cli.BoolFlag{Name: "json", Usage: "print one JSON object per workload", EnvVars: []string{"LANES_BENCH_JSON"}},
				&cli.StringFlag{Name: "cpuprofile", Usage: "after timing, profile the parallel path alone for as many rounds and write the pprof CPU profile to `FILE` (FILE-<workload> when running several workloads)", EnvVars: []string{"LANES_BENCH_CPUPROFILE"}},
			},
			Action: runBenchParallel,
		}},
	}
}

func runBenchParallel(c *cli.Context) error {
	if r := c.Int("rounds"); r < 1 {
		return fmt.Errorf("--rounds must be at least 1, have %d", r)
	}
	workloads := []string{c.String("workload")}
	if workloads[0] == "all" {
		workloads = bench.Workloads
	}
	var reports []bench.Report
	for _, w := range workloads {
		rep, err := runBenchWorkload(c, w, len(workloads) > 1)
		if err != nil {
			return fmt.Errorf("bench %s: %w", w, err)
		}
		if c.Bool("json") {
			if err := json.NewEncoder(c.App.Writer).Encode(rep); err != nil {
				return err
			}
			continue
		}
		reports = append(reports, rep)
	}
	if !c.Bool("json") {
		printBenchTable(c.App.Writer, reports)
	}
	for _, rep := range reports {
		if !rep.Identical {
			return fmt.Errorf("%s: parallel result differs from sequential: %s", rep.Workload, rep.Mismatch)
		}
	}
	return nil
}

// runBenchWorkload runs one workload, writing the parallel path's CPU
// profile when --cpuprofile asks for it.
func runBenchWorkload(c *cli.Context, workload string, several bool) (rep bench.Report, err error) {
	cfg := bench.Config{
		Workload: workload,
		Txs:      c.Int("txs"),
		Workers:  c.Int("workers"),
		Rounds:   c.Int("rounds"),
	}
	if path := c.String("cpuprofile"); path != "" {
		if several {
			path += "-" + workload
		}
		f, err := os.Create(path)
		if err != nil {
			return rep, fmt.Errorf("--cpuprofile: %w", err)
		}
		defer func() {
			if cerr := f.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("--cpuprofile: %w", cerr)
			}
		}()
		cfg.CPUProfile = f
	}
	return bench.Run(c.Context, cfg)
}

func printBenchTable(out io.Writer, reports []bench.Report) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\ttxs\tworkers\tseq ms\tpar ms\tspeedup (best)\tspeedup (median)\tceiling\tseq Mgas/s\tpar Mgas/s\tcpu ms (seq/par)\tallocs/tx (seq/par)\tre-exec\tseq tail\tfallbacks\troot ms (seq/par)\tidentical\t")
	for _, r := range reports {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%.2fx\t%.2fx\t%.2fx\t%.0f\t%.0f\t%.0f/%.0f\t%.0f/%.0f\t%d\t%d\t%d\t%.1f/%.1f\t%v\t\n",
			r.Workload, r.Txs, r.Workers, r.SeqMs, r.ParMs, r.Speedup, r.SpeedupMedian, r.Ceiling, r.SeqMgasPerS, r.ParMgasPerS,
			r.SeqCPUMs, r.ParCPUMs, r.SeqAllocsPerTx, r.ParAllocsPerTx, r.Reexecutions, r.SeqTail, r.Fallbacks, r.SeqRootMs, r.ParRootMs, r.Identical)
	}
	tw.Flush()
}
