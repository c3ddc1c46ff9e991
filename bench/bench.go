// Package bench measures inference speed the way llama-bench does: prompt
// processing (pp: N random tokens evaluated as one batch) and text
// generation (tg: N tokens decoded one at a time), each repeated, reported
// as tokens per second with mean and standard deviation, together with
// load time and the memory figures the kernel reports (peak RSS, major
// page faults).
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/smeltlm/smelt"
	"github.com/smeltlm/smelt/mmap"
)

// Config says what to measure. Zero fields take llama-bench's defaults.
type Config struct {
	Models  []string
	Prompt  int   // pp test length (0: 512; < 0: skip)
	Gen     int   // tg test length (0: 128; < 0: skip)
	Reps    int   // repetitions (0: 5)
	Threads []int // thread counts to try (nil: one per core)
	Batch   int   // prompt batch size (0: the prompt length)
	NoMmap  bool
	// KeepMapped and NoReclaim are smelt.Options' (weights in place;
	// mapped source kept after the copy).
	KeepMapped, NoReclaim bool
	// NoRepack is smelt.Options' (weights kept in ggml's row layout).
	NoRepack bool
	Seed     uint64
}

// Result is one test (model × threads × pp/tg).
type Result struct {
	Model       string        `json:"model"`
	Arch        string        `json:"arch"`
	SizeBytes   int64         `json:"size_bytes"`
	Threads     int           `json:"threads"`
	Test        string        `json:"test"` // "pp512", "tg128"
	Tokens      int           `json:"n_tokens"`
	Samples     []float64     `json:"samples_ts"` // tokens per second, one per repetition
	Mean        float64       `json:"avg_ts"`
	Stddev      float64       `json:"stddev_ts"`
	LoadTime    time.Duration `json:"load_ns"`
	PeakRSS     int64         `json:"peak_rss_bytes"`
	MajorFaults int64         `json:"major_faults"` // during the test's repetitions
}

func (c *Config) defaults() {
	if c.Prompt == 0 {
		c.Prompt = 512
	}
	if c.Gen == 0 {
		c.Gen = 128
	}
	if c.Reps <= 0 {
		c.Reps = 5
	}
	if len(c.Threads) == 0 {
		c.Threads = []int{0}
	}
}

// Run measures every model at every thread count. progress, if not nil,
// receives a line per finished test.
func Run(ctx context.Context, cfg Config, progress io.Writer) ([]Result, error) {
	cfg.defaults()
	var out []Result
	for _, path := range cfg.Models {
		for _, threads := range cfg.Threads {
			rs, err := runModel(ctx, cfg, path, threads)
			if err != nil {
				return out, err
			}
			for _, r := range rs {
				if progress != nil {
					fmt.Fprintf(progress, "%s %s t=%d: %.2f ± %.2f t/s\n", filepath.Base(r.Model), r.Test, r.Threads, r.Mean, r.Stddev)
				}
			}
			out = append(out, rs...)
		}
	}
	return out, nil
}

func runModel(ctx context.Context, cfg Config, path string, threads int) ([]Result, error) {
	start := time.Now()
	m, err := smelt.Load(path, smelt.Options{Threads: threads, NoMmap: cfg.NoMmap, KeepMapped: cfg.KeepMapped, NoReclaim: cfg.NoReclaim,
		NoRepack: cfg.NoRepack})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	load := time.Since(start)
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	base := Result{Model: path, Arch: m.Architecture(), SizeBytes: st.Size(), Threads: threads, LoadTime: load}
	if base.Threads <= 0 {
		base.Threads = defaultThreads()
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 1))
	randomTokens := func(n int) []int32 {
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(rng.IntN(m.VocabSize()))
		}
		return ids
	}
	var out []Result
	tests := []struct {
		name string
		n    int
		run  func(*smelt.Session, int) error
	}{
		{"pp", cfg.Prompt, func(s *smelt.Session, n int) error { return s.Eval(ctx, randomTokens(n)) }},
		{"tg", cfg.Gen, func(s *smelt.Session, n int) error {
			for _, id := range randomTokens(n) {
				if err := s.Eval(ctx, []int32{id}); err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, test := range tests {
		if test.n < 0 {
			continue
		}
		batch := cfg.Batch
		if batch <= 0 {
			batch = max(test.n, 1)
		}
		r := base
		r.Test, r.Tokens = fmt.Sprintf("%s%d", test.name, test.n), test.n
		before, _ := mmap.ReadProcessMemory()
		// One warm-up run, as llama-bench does, then the measured ones.
		for rep := -1; rep < cfg.Reps; rep++ {
			s, err := m.NewSession(smelt.SessionOptions{ContextSize: test.n + 1, BatchSize: batch})
			if err != nil {
				return nil, err
			}
			t0 := time.Now()
			if err := test.run(s, test.n); err != nil {
				return nil, err
			}
			if rep >= 0 {
				r.Samples = append(r.Samples, float64(test.n)/time.Since(t0).Seconds())
			}
		}
		after, _ := mmap.ReadProcessMemory()
		r.PeakRSS, r.MajorFaults = after.PeakRss, after.MajorFaults-before.MajorFaults
		r.Mean, r.Stddev = meanStddev(r.Samples)
		out = append(out, r)
	}
	return out, nil
}

func defaultThreads() int { return runtime.GOMAXPROCS(0) }

func meanStddev(x []float64) (mean, sd float64) {
	if len(x) == 0 {
		return 0, 0
	}
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, 0
	}
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(sd / float64(len(x)-1))
}

// Markdown writes the results as llama-bench's table, with load time, peak
// RSS and major faults added.
func Markdown(w io.Writer, rs []Result) error {
	var sb strings.Builder
	sb.WriteString("| model | arch | size | threads | test | t/s | load | peak RSS | majflt |\n")
	sb.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rs {
		fmt.Fprintf(&sb, "| %s | %s | %s | %d | %s | %.2f ± %.2f | %.1f ms | %s | %d |\n",
			filepath.Base(r.Model), r.Arch, mib(r.SizeBytes), r.Threads, r.Test, r.Mean, r.Stddev,
			float64(r.LoadTime.Microseconds())/1000, mib(r.PeakRSS), r.MajorFaults)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// JSON writes the results as a JSON array.
func JSON(w io.Writer, rs []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if rs == nil {
		rs = []Result{}
	}
	return enc.Encode(rs)
}

func mib(b int64) string { return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20)) }
