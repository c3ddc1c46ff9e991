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
	"runtime/debug"
	"strings"
	"time"
	"unsafe"

	"github.com/smeltlm/smelt"
	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/kernels"
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
	// BandwidthBuffer is the size of the buffer ReadBandwidth streams
	// before and after each model (0: 512 MiB; negative: no measurement).
	BandwidthBuffer int64
	Seed            uint64
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
	// BytesPerToken is the weight bytes a decoded token reads; Bandwidth
	// the memory read bandwidth (bytes/s) measured with the same threads
	// just before and after the model's tests (the higher). For tg,
	// BandwidthFraction is Mean × BytesPerToken ÷ Bandwidth: the share of
	// the bandwidth limit reached.
	BytesPerToken     int64   `json:"weight_bytes_per_token"`
	Bandwidth         float64 `json:"read_bandwidth_bps"`
	BandwidthFraction float64 `json:"bandwidth_fraction,omitempty"`
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
			// The bandwidth is measured just before and just after the
			// model's tests (the machine's other load varies), the higher
			// of the two kept: a conservative limit.
			var bw float64
			if cfg.BandwidthBuffer >= 0 {
				bw = ReadBandwidth(threads, cfg.BandwidthBuffer)
			}
			_ = mmap.ResetPeakRSS() // each model's own peak; best effort
			rs, err := runModel(ctx, cfg, path, threads)
			if err != nil {
				return out, err
			}
			if cfg.BandwidthBuffer >= 0 {
				bw = max(bw, ReadBandwidth(threads, cfg.BandwidthBuffer))
			}
			for i := range rs {
				rs[i].Bandwidth = bw
				if strings.HasPrefix(rs[i].Test, "tg") && bw > 0 {
					rs[i].BandwidthFraction = rs[i].Mean * float64(rs[i].BytesPerToken) / bw
				}
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
	base := Result{Model: path, Arch: m.Architecture(), SizeBytes: st.Size(), Threads: threads, LoadTime: load,
		BytesPerToken: m.WeightBytesPerToken()}
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

// ReadBandwidth measures the memory read bandwidth in bytes/s with threads
// threads (0: one per core): a buffer of size bytes (0: 512 MiB; it should
// be well beyond the caches) streamed through the f32 dot kernel in 64 KiB
// chunks, the way a matrix product streams its weights; the best of three
// passes.
func ReadBandwidth(threads int, size int64) float64 {
	if size <= 0 {
		size = 512 << 20
	}
	tr, err := kernels.For(gguf.TypeF32)
	if err != nil {
		return 0
	}
	const chunk = 64 << 10
	vals := make([]float32, max(size/chunk, 1)*chunk/4)
	for i := range vals {
		vals[i] = 1
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(&vals[0])), 4*len(vals))
	p := kernels.NewPool(threads)
	defer p.Close()
	sums := make([]float32, len(buf)/chunk)
	var best float64
	for range 3 {
		t0 := time.Now()
		p.Run(len(sums), func(lo, hi int) {
			for c := lo; c < hi; c++ {
				x := buf[c*chunk : (c+1)*chunk]
				sums[c] = tr.Dot(x, x)
			}
		})
		best = max(best, float64(len(buf))/time.Since(t0).Seconds())
	}
	runtime.KeepAlive(vals)
	vals, buf = nil, nil
	debug.FreeOSMemory() // so that it does not count in the next model's peak RSS
	return best
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
	sb.WriteString("| model | arch | size | threads | test | t/s | load | peak RSS | majflt | read BW | tg/BW limit |\n")
	sb.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rs {
		frac := "-"
		if r.BandwidthFraction > 0 {
			frac = fmt.Sprintf("%.0f%%", 100*r.BandwidthFraction)
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %d | %s | %.2f ± %.2f | %.1f ms | %s | %d | %.1f GB/s | %s |\n",
			filepath.Base(r.Model), r.Arch, mib(r.SizeBytes), r.Threads, r.Test, r.Mean, r.Stddev,
			float64(r.LoadTime.Microseconds())/1000, mib(r.PeakRSS), r.MajorFaults, r.Bandwidth/1e9, frac)
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
