package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunStories(t *testing.T) {
	p := filepath.Join("..", "..", "shared", "models", "stories260k-f32.gguf")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("reference model %s is absent (%v); CI has it", p, err)
	}
	var progress bytes.Buffer
	rs, err := Run(context.Background(), Config{Models: []string{p}, Prompt: 32, Gen: 8, Reps: 2, Threads: []int{1, 2},
		BandwidthBuffer: 16 << 20}, &progress)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 4 {
		t.Fatalf("%d results, want 4 (pp and tg at 1 and 2 threads)", len(rs))
	}
	for _, r := range rs {
		if len(r.Samples) != 2 || r.Mean <= 0 || r.PeakRSS <= 0 || r.Arch != "llama" || r.LoadTime <= 0 {
			t.Errorf("result %+v", r)
		}
		// stories260k, all f32: 5 layers of q and o (64×64), k and v (4 KV
		// heads of 8: 32×64) and three 172×64 FFN matrices, and the
		// 512×64 output.
		if want := int64(4 * (5*(2*64*64+2*32*64+3*64*172) + 512*64)); r.BytesPerToken != want {
			t.Errorf("%s: %d weight bytes per token, want %d", r.Test, r.BytesPerToken, want)
		}
		if r.Bandwidth <= 0 || (strings.HasPrefix(r.Test, "tg") != (r.BandwidthFraction > 0)) {
			t.Errorf("%s: bandwidth %v, fraction %v", r.Test, r.Bandwidth, r.BandwidthFraction)
		}
	}
	if rs[0].Test != "pp32" || rs[1].Test != "tg8" || rs[2].Threads != 2 {
		t.Errorf("order: %s %s t=%d", rs[0].Test, rs[1].Test, rs[2].Threads)
	}
	var md bytes.Buffer
	if err := Markdown(&md, rs); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| stories260k-f32.gguf | llama |") || strings.Count(md.String(), "\n") != 6 {
		t.Errorf("markdown:\n%s", md.String())
	}
	var js bytes.Buffer
	JSON(&js, rs)
	var back []Result
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back) != 4 || back[1].Tokens != 8 {
		t.Errorf("json round trip: %v %+v", err, back)
	}
	t.Logf("\n%s", md.String())
}

func TestMeanStddev(t *testing.T) {
	m, s := meanStddev([]float64{2, 4, 4, 4, 5, 5, 7, 9})
	if m != 5 || s < 2.13 || s > 2.14 {
		t.Errorf("mean %v sd %v", m, s)
	}
}
