package model

import (
	"math"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/smeltlm/smelt/kernels"
	"github.com/smeltlm/smelt/mmap"
)

// TestHostCopy loads a shared model three ways (weights copied to host
// memory with the source reclaimed, copied with the source kept, used in
// place) and checks that the logits are bit-identical, that the matrices
// live in host memory, and that reclaim releases their mapped pages.
func TestHostCopy(t *testing.T) {
	path := filepath.Join(shared, "models", "qwen3moe-bpe8k-q8_0.gguf")
	prompt := []int32{1, 100, 200, 300, 400, 500, 600, 700}
	var want []float32
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"in place", Options{KeepMapped: true}},
		{"copied, source reclaimed", Options{}},
		{"copied, source kept", Options{KeepSource: true}},
		{"copied, not repacked", Options{NoRepack: true}},
		{"read, repacked", Options{Mmap: mmap.ModeRead}},
	} {
		m, err := Load(path, c.opts)
		if err != nil {
			t.Skipf("%s: %v (CI has ../shared)", path, err)
		}
		got, err := m.NewState(64).Eval(prompt, true)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
		} else {
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%s: logit %d differs: %v vs %v", c.name, i, got[i], want[i])
				}
			}
		}
		hc := m.HostCopy
		r, err := m.Map.Residency(m.matrices[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d tensors, %d bytes copied, %d reclaimed, %d interleaved; %s lives %v, %d of %d source pages present",
			c.name, hc.Tensors, hc.Bytes, hc.Reclaimed, m.Repacked.Tensors, m.matrices[0], r.Home, r.Present, r.Pages)
		wantHome := mmap.HomeHost
		if !c.opts.NoRepack && !c.opts.KeepMapped && kernels.HasInterleaved() {
			// Every q8_0 matrix with whole groups of four rows (the f32
			// routers are not).
			wantHome = mmap.HomeRepacked
			want := 0
			for _, name := range m.matrices {
				ti, _ := m.File.Tensor(name)
				if kernels.CanInterleave(ti.Type, int(ti.Dims[1])) {
					want++
				}
			}
			if want == 0 || m.Repacked.Tensors != want {
				t.Errorf("%s: %d of %d matrices interleaved, want %d", c.name, m.Repacked.Tensors, len(m.matrices), want)
			}
		} else if m.Repacked.Tensors != 0 {
			t.Errorf("%s: %d matrices interleaved", c.name, m.Repacked.Tensors)
		}
		switch {
		case c.opts.Mmap == mmap.ModeRead:
			if hc.Tensors != 0 || (wantHome == mmap.HomeRepacked) != (r.Home.Kind == mmap.HomeRepacked) {
				t.Errorf("%s: copied %d tensors, home %v", c.name, hc.Tensors, r.Home)
			}
		case c.opts.KeepMapped:
			if hc.Tensors != 0 || r.Home.Kind != mmap.HomeMapped {
				t.Errorf("%s: copied %d tensors, home %v", c.name, hc.Tensors, r.Home)
			}
		default:
			if hc.Tensors != len(m.matrices) || r.Home.Kind != wantHome {
				t.Errorf("%s: copied %d of %d tensors, home %v", c.name, hc.Tensors, len(m.matrices), r.Home)
			}
			// Reclaim rounds inward, and the kernel's fault-around (a 64 KiB
			// window, 16 pages) may map cached pages at either edge again
			// when a neighbouring tensor that stays mapped is read.
			if runtime.GOOS == "linux" && !c.opts.KeepSource && (hc.Reclaimed == 0 || r.Present > 2*16) {
				t.Errorf("%s: reclaimed %d bytes, %d pages still present", c.name, hc.Reclaimed, r.Present)
			}
			if c.opts.KeepSource && hc.Reclaimed != 0 {
				t.Errorf("%s: reclaimed %d bytes", c.name, hc.Reclaimed)
			}
		}
		m.Close()
	}
}
