package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/smeltlm/smelt"
	"github.com/smeltlm/smelt/model/sample"
)

func runRun(args []string, stdout io.Writer) error {
	fs := newFlags("run", "smelt run -m MODEL -p PROMPT [flags]", stdout)
	d := sample.Defaults
	modelPath := fs.String("m", "", "model file (GGUF)")
	prompt := fs.String("p", "", "prompt")
	promptFile := fs.String("f", "", "read the prompt from a file")
	n := fs.Int("n", 128, "tokens to generate (-1: until the end or a full context)")
	temp := fs.Float64("temp", float64(d.Temperature), "temperature (0: greedy)")
	topK := fs.Int("top-k", d.TopK, "top-k sampling (0: off)")
	topP := fs.Float64("top-p", float64(d.TopP), "top-p sampling (1: off)")
	minP := fs.Float64("min-p", float64(d.MinP), "min-p sampling (0: off)")
	repeat := fs.Float64("repeat-penalty", 1, "repetition penalty (1: off)")
	lastN := fs.Int("repeat-last-n", 64, "tokens the penalties look back over")
	presence := fs.Float64("presence-penalty", 0, "presence penalty")
	frequency := fs.Float64("frequency-penalty", 0, "frequency penalty")
	seed := fs.Int64("seed", -1, "random seed (-1: random)")
	threads := fs.Int("t", 0, "threads (0: one per core)")
	ctxSize := fs.Int("c", 0, "context size (0: the model's, at most 4096)")
	batch := fs.Int("b", 512, "prompt batch size")
	kvF32 := fs.Bool("kv-f32", false, "keep the KV cache in f32 instead of f16")
	noMmap := fs.Bool("no-mmap", false, "read the weights into memory instead of mapping the file")
	keepMapped := fs.Bool("keep-mapped", false, "use the weights in place in the mapping (no copy into host memory)")
	reclaim := fs.Bool("reclaim-mmap-source", true, "release the mapping's pages of weights copied into host memory")
	noReclaim := fs.Bool("no-reclaim", false, "keep the mapping's pages of copied weights (--reclaim-mmap-source=false)")
	noRepack := fs.Bool("no-repack", false, "keep the weights in ggml's row layout (no interleaving)")
	special := fs.Bool("special", false, "parse special-token text in the prompt")
	noEcho := fs.Bool("no-echo", false, "do not print the prompt before the generated text")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if *modelPath == "" {
		return fmt.Errorf("%w: -m MODEL is required", errUsage)
	}
	if *promptFile != "" {
		b, err := os.ReadFile(*promptFile)
		if err != nil {
			return err
		}
		*prompt = string(b)
	}
	if *seed < 0 {
		*seed = rand.Int64()
	}

	stderr := os.Stderr
	bar := newProgressBar(stderr, isTerminal(stderr))
	start := time.Now()
	m, err := smelt.Load(*modelPath, smelt.Options{Threads: *threads, NoMmap: *noMmap, Progress: bar.update,
		KeepMapped: *keepMapped, NoReclaim: *noReclaim || !*reclaim, NoRepack: *noRepack})
	bar.finish()
	if err != nil {
		return err
	}
	if n, size, freed := m.HostCopy(); n > 0 {
		fmt.Fprintf(stderr, "weights: %d tensors (%s) copied to host memory; %s of mapped source released\n",
			n, humanBytes(uint64(size)), humanBytes(uint64(freed)))
	}
	if n, size := m.Repacked(); n > 0 {
		fmt.Fprintf(stderr, "weights: %d matrices (%s) interleaved for the %s kernels\n", n, humanBytes(uint64(size)), "avx512-vnni")
	}
	defer m.Close()
	loadTime := time.Since(start)
	s, err := m.NewSession(smelt.SessionOptions{ContextSize: *ctxSize, BatchSize: *batch, KVCacheF32: *kvF32})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if !*noEcho {
		fmt.Fprint(stdout, *prompt)
	}
	opts := smelt.GenerateOptions{
		MaxTokens:    max(*n, 0),
		ParseSpecial: *special,
		Sampling: sample.Params{
			Temperature: float32(*temp), TopK: *topK, TopP: float32(*topP), MinP: float32(*minP),
			RepeatPenalty: float32(*repeat), PenaltyLastN: *lastN,
			PresencePenalty: float32(*presence), FrequencyPenalty: float32(*frequency),
			Seed: uint64(*seed),
		},
	}
	st, err := s.Generate(ctx, *prompt, opts, func(t smelt.Token) error {
		_, err := io.WriteString(stdout, t.Text)
		return err
	})
	fmt.Fprintln(stdout)
	printTimings(stderr, loadTime, st)
	if errors.Is(err, context.Canceled) || errors.Is(err, smelt.ErrContextFull) {
		fmt.Fprintf(stderr, "stopped: %v\n", err)
		return nil
	}
	return err
}

// printTimings prints the closing lines llama.cpp prints after a run.
func printTimings(w io.Writer, load time.Duration, st smelt.Stats) {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	per := func(d time.Duration, n int) float64 {
		if n == 0 {
			return 0
		}
		return ms(d) / float64(n)
	}
	fmt.Fprintf(w, "load time        = %10.2f ms\n", ms(load))
	fmt.Fprintf(w, "prompt eval time = %10.2f ms / %5d tokens (%8.2f ms per token, %8.2f tokens per second)\n",
		ms(st.PromptDuration), st.PromptTokens, per(st.PromptDuration, st.PromptTokens), st.PromptTokensPerSecond())
	fmt.Fprintf(w, "eval time        = %10.2f ms / %5d tokens (%8.2f ms per token, %8.2f tokens per second)\n",
		ms(st.GenDuration), st.GeneratedTokens, per(st.GenDuration, st.GeneratedTokens), st.GenTokensPerSecond())
}

// progressBar draws "loading [#####     ]  50%" on a terminal, nothing
// elsewhere.
type progressBar struct {
	w       io.Writer
	on      bool
	shown   int
	started bool
}

func newProgressBar(w io.Writer, on bool) *progressBar { return &progressBar{w: w, on: on, shown: -1} }

func (p *progressBar) update(done, total int64) {
	if !p.on || total <= 0 {
		return
	}
	pct := int(done * 100 / total)
	if pct == p.shown {
		return
	}
	p.shown, p.started = pct, true
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(p.w, "\rloading [%s%s] %3d%%", strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct)
}

func (p *progressBar) finish() {
	if p.started {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
