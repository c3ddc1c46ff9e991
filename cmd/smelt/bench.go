package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/smeltlm/smelt/bench"
)

// listFlag collects repeated flags (-m a -m b).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runBench(args []string, stdout io.Writer) error {
	fs := newFlags("bench", "smelt bench -m MODEL [-m MODEL…] [-p 512] [-n 128] [-r 5] [-t 1,2] [-o md|json]", stdout)
	var models listFlag
	fs.Var(&models, "m", "model file (repeat for several)")
	pp := fs.Int("p", 512, "prompt tokens per pp test (-1: skip pp)")
	tg := fs.Int("n", 128, "generated tokens per tg test (-1: skip tg)")
	reps := fs.Int("r", 5, "repetitions")
	threads := fs.String("t", "", "thread counts, comma separated (default: one per core)")
	batch := fs.Int("b", 0, "prompt batch size (0: whole prompt)")
	noMmap := fs.Bool("no-mmap", false, "read weights instead of mapping")
	keepMapped := fs.Bool("keep-mapped", false, "use the weights in place in the mapping (no copy into host memory)")
	reclaim := fs.Bool("reclaim-mmap-source", true, "release the mapping's pages of weights copied into host memory")
	noReclaim := fs.Bool("no-reclaim", false, "keep the mapping's pages of copied weights (--reclaim-mmap-source=false)")
	noRepack := fs.Bool("no-repack", false, "keep the weights in ggml's row layout (no interleaving)")
	bwMiB := fs.Int64("bw-mib", 512, "MiB of buffer to measure the read bandwidth with before and after each model (0: skip)")
	format := fs.String("o", "md", "output: md or json")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the whole run to this file")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if len(models) == 0 {
		return fmt.Errorf("%w: -m MODEL is required", errUsage)
	}
	if *format != "md" && *format != "json" {
		return fmt.Errorf("%w: -o must be md or json", errUsage)
	}
	var ts []int
	for _, f := range strings.Split(*threads, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return fmt.Errorf("%w: bad thread count %q", errUsage, f)
		}
		ts = append(ts, n)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg := bench.Config{Models: models, Prompt: *pp, Gen: *tg, Reps: *reps, Threads: ts, Batch: *batch, NoMmap: *noMmap,
		KeepMapped: *keepMapped, NoReclaim: *noReclaim || !*reclaim, NoRepack: *noRepack,
		BandwidthBuffer: *bwMiB << 20}
	if *bwMiB <= 0 {
		cfg.BandwidthBuffer = -1
	}
	rs, err := bench.Run(ctx, cfg, os.Stderr)
	if err != nil {
		return err
	}
	if *format == "json" {
		return bench.JSON(stdout, rs)
	}
	return bench.Markdown(stdout, rs)
}
