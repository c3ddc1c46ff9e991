package mmap

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/smeltlm/smelt/gguf"
)

const mib = 1 << 20

// testModel writes a GGUF file with a 16 MiB tensor "big" between two small
// ones and returns its path and the parsed model.
func testModel(t *testing.T) (string, *gguf.Model) {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	fill := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	w := gguf.NewWriter()
	w.Set("general.architecture", "test")
	w.AddTensor("head", gguf.TypeF32, []uint64{1000}, fill(4000))
	w.AddTensor("big", gguf.TypeF32, []uint64{1024, 4096}, fill(16*mib))
	w.AddTensor("tail", gguf.TypeF32, []uint64{1000}, fill(4000))
	path := filepath.Join(t.TempDir(), "model.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	syncFile(t, path)
	m, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, m
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func mustView(t *testing.T, m *Map, name string) []byte {
	t.Helper()
	v, err := m.View(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sink keeps the compiler from dropping touch's loads.
var sink atomic.Uint32

// touch reads one byte of every page of b, faulting it in.
func touch(b []byte) {
	var sum byte
	for i := 0; i < len(b); i += int(pageSize) {
		sum += b[i]
	}
	sink.Add(uint32(sum))
}

// syncFile flushes a freshly written file, so its pages are clean and the
// page cache may drop them.
func syncFile(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
}

func TestResidencyAndReclaim(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("residency needs Linux")
	}
	path, model := testModel(t)
	m, err := OpenModel(model, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	info, _ := model.Tensor("big")
	want := sha256.Sum256(readRange(t, path, info.FileOffset, int64(info.Size)))

	before, err := m.Residency("big")
	if err != nil {
		t.Fatal(err)
	}
	if before.Present != 0 {
		t.Errorf("untouched tensor has %d pages present", before.Present)
	}
	rssBefore, _ := m.MappedRSS()

	view := mustView(t, m, "big")
	touch(view)
	r, _ := m.Residency("big")
	if r.Present != r.Pages || r.Cached != r.Pages || r.Home.Kind != HomeMapped {
		t.Errorf("after touching: %+v, want all %d pages present and cached", r, r.Pages)
	}
	rssTouched, _ := m.MappedRSS()
	if grew := rssTouched - rssBefore; grew < int64(info.Size)-2*pageSize {
		t.Errorf("mapping RSS grew %d bytes on touching a %d-byte tensor", grew, info.Size)
	}

	freed, err := m.Reclaim("big")
	if err != nil {
		t.Fatal(err)
	}
	rssAfter, _ := m.MappedRSS()
	r, _ = m.Residency("big")
	t.Logf("tensor %d bytes; mapping RSS %d → %d → %d bytes; reclaimed %d; present after %d of %d pages",
		info.Size, rssBefore, rssTouched, rssAfter, freed, r.Present, r.Pages)
	if freed < int64(info.Size)-2*pageSize || freed > int64(info.Size) {
		t.Errorf("reclaimed %d bytes of a %d-byte tensor", freed, info.Size)
	}
	if drop := rssTouched - rssAfter; drop < int64(info.Size)-2*pageSize {
		t.Errorf("RSS dropped %d bytes, want about %d", drop, info.Size)
	}
	if r.Present > 2 || !r.Reclaimed {
		t.Errorf("after reclaim: %+v", r)
	}
	// The bytes fault back in from the file unchanged.
	if got := sha256.Sum256(mustView(t, m, "big")); got != want {
		t.Error("bytes changed after reclaim")
	}
	if r, _ := m.Residency("big"); r.Present != r.Pages {
		t.Errorf("re-read: %d of %d pages present", r.Present, r.Pages)
	}
}

func readRange(t *testing.T, path string, off, n int64) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, n)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReclaimRoundsInward: pages shared with a neighbour are kept.
func TestReclaimRoundsInward(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux")
	}
	path := filepath.Join(t.TempDir(), "raw")
	data := bytes.Repeat([]byte{7}, int(6*pageSize))
	os.WriteFile(path, data, 0o644)
	// a: [100, 3 pages + 50); b: [3 pages + 50, 6 pages)
	split := 3*pageSize + 50
	m, err := Open([]string{path}, []Region{{"a", 0, 100, split - 100}, {"b", 0, split, 6*pageSize - split}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	touch(mustView(t, m, "a"))
	touch(mustView(t, m, "b"))
	freed, err := m.Reclaim("a")
	if err != nil {
		t.Fatal(err)
	}
	if freed != 2*pageSize { // pages 1 and 2; page 0 starts before a, page 3 holds b's start
		t.Errorf("reclaimed %d bytes, want %d", freed, 2*pageSize)
	}
	if rb, _ := m.Residency("b"); rb.Present != rb.Pages {
		t.Errorf("neighbour lost pages: %+v", rb)
	}
	if ra, _ := m.Residency("a"); ra.Present != 2 || ra.Pages != 4 {
		t.Errorf("a: %+v, want 2 of 4 pages left (the shared ends)", ra)
	}
	tiny, _ := Open([]string{path}, []Region{{"t", 0, 10, 100}}, Options{})
	defer tiny.Close()
	if n, err := tiny.Reclaim("t"); n != 0 || err != nil {
		t.Errorf("sub-page tensor reclaimed %d, %v", n, err)
	}
}

func TestPrivateMappingNeverWritesFile(t *testing.T) {
	path, model := testModel(t)
	want := fileHash(t, path)
	m, err := OpenModel(model, Options{Mode: ModePrivate})
	if err != nil {
		t.Fatal(err)
	}
	w, err := m.Writable("head")
	if err != nil {
		t.Fatal(err)
	}
	copy(w, "patched!")
	if v := mustView(t, m, "head"); string(v[:8]) != "patched!" {
		t.Errorf("patch not visible through View: %q", v[:8])
	}
	if _, err := m.Reclaim("head"); !errors.Is(err, ErrDirty) {
		t.Errorf("reclaim of a patched tensor: %v", err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if fileHash(t, path) != want {
		t.Fatal("private mapping wrote to the file")
	}
	shared, err := OpenModel(model, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	if _, err := shared.Writable("head"); err == nil {
		t.Error("a shared read-only mapping gave a writable view")
	}
}

func TestReadMode(t *testing.T) {
	path, model := testModel(t)
	m, err := OpenModel(model, Options{Mode: ModeRead, Workers: 2, ReadAhead: ReadAheadSequential})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, ti := range model.Tensors {
		if got := mustView(t, m, ti.Name); !bytes.Equal(got, readRange(t, path, ti.FileOffset, int64(ti.Size))) {
			t.Errorf("%s: bytes differ", ti.Name)
		}
	}
	// The arena: each tensor 64-byte aligned, capped at its length, and
	// apart from the others.
	type span struct{ lo, hi uintptr }
	var spans []span
	for _, ti := range model.Tensors {
		v := mustView(t, m, ti.Name)
		if len(v) == 0 {
			continue
		}
		lo := uintptr(unsafe.Pointer(&v[0]))
		if lo%64 != 0 || cap(v) != len(v) {
			t.Errorf("%s: at %#x, len %d cap %d", ti.Name, lo, len(v), cap(v))
		}
		for _, o := range spans {
			if lo < o.hi && o.lo < lo+uintptr(len(v)) {
				t.Errorf("%s overlaps another tensor", ti.Name)
			}
		}
		spans = append(spans, span{lo, lo + uintptr(len(v))})
	}
	if n, err := m.Reclaim("big"); n != 0 || err != nil {
		t.Errorf("reclaim in read mode: %d %v", n, err)
	}
	if r, _ := m.Residency("big"); r.Present != -1 || r.Cached != -1 {
		t.Errorf("read mode residency %+v", r)
	}
	if rss, _ := m.MappedRSS(); rss != 0 {
		t.Errorf("read mode maps %d bytes", rss)
	}
	if w, err := m.Writable("tail"); err != nil || len(w) != 4000 {
		t.Errorf("writable heap buffer: %d %v", len(w), err)
	}
}

func TestLockMakesReclaimNoop(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux")
	}
	path := filepath.Join(t.TempDir(), "small")
	os.WriteFile(path, bytes.Repeat([]byte{1}, int(8*pageSize)), 0o644)
	m, err := Open([]string{path}, []Region{{"t", 0, 0, 8 * pageSize}}, Options{Lock: true})
	if err != nil {
		t.Skipf("mlock not permitted here: %v", err)
	}
	defer m.Close()
	if !m.Locked() {
		t.Fatal("not locked")
	}
	if n, err := m.Reclaim("t"); n != 0 || err != nil {
		t.Errorf("reclaim under mlock: %d %v", n, err)
	}
	if r, _ := m.Residency("t"); r.Present != r.Pages {
		t.Errorf("locked pages not all present: %+v", r)
	}
	m.Unlock()
	if n, _ := m.Reclaim("t"); n != 8*pageSize {
		t.Errorf("after unlock reclaimed %d", n)
	}
}

func TestMovedAndEvict(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux")
	}
	_, model := testModel(t)
	m, err := OpenModel(model, Options{ReadAhead: ReadAheadWillNeed})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, name := range m.Names() {
		touch(mustView(t, m, name))
	}
	n, err := m.Moved("big", Home{Kind: HomeDevice, Device: 1})
	if err != nil || n == 0 {
		t.Fatalf("moved: %d %v", n, err)
	}
	r, _ := m.Residency("big")
	if r.Home.String() != "device1" || !r.Reclaimed {
		t.Errorf("residency after move %+v", r)
	}
	if err := m.Evict(); err != nil {
		t.Fatal(err)
	}
	after, _ := m.Residency("big")
	t.Logf("page cache after evict: %d of %d pages", after.Cached, after.Pages)
	if after.Cached > after.Pages/2 {
		t.Errorf("evict left %d of %d reclaimed pages in the page cache", after.Cached, after.Pages)
	}
	keep, _ := OpenModel(model, Options{KeepSource: true})
	defer keep.Close()
	if n, err := keep.Moved("big", Home{Kind: HomeHost}); n != 0 || err != nil {
		t.Errorf("KeepSource still reclaimed %d, %v", n, err)
	}
}

func TestRejectsBadFiles(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Open([]string{empty}, nil, Options{}); err == nil {
		t.Error("empty file mapped")
	}
	short := filepath.Join(dir, "short")
	os.WriteFile(short, make([]byte, 100), 0o644)
	for _, r := range []Region{{"t", 0, 50, 51}, {"t", 0, -1, 10}, {"t", 0, 0, -1}, {"t", 1, 0, 1}, {"t", 0, 101, 0}} {
		if _, err := Open([]string{short}, []Region{r}, Options{}); err == nil {
			t.Errorf("region %+v of a 100-byte file accepted", r)
		}
	}
	if _, err := Open([]string{short}, []Region{{"t", 0, 0, 1}, {"t", 0, 1, 1}}, Options{}); err == nil {
		t.Error("duplicate name accepted")
	}
	if _, err := Open([]string{filepath.Join(dir, "missing")}, nil, Options{}); err == nil {
		t.Error("missing file accepted")
	}
	m, _ := Open([]string{short}, []Region{{"t", 0, 0, 1}}, Options{})
	m.Close()
	if _, err := m.View("t"); !errors.Is(err, ErrClosed) {
		t.Errorf("view after close: %v", err)
	}
	m2, _ := Open([]string{short}, []Region{{"t", 0, 0, 1}}, Options{})
	defer m2.Close()
	if _, err := m2.View("nope"); !errors.Is(err, ErrNoTensor) {
		t.Errorf("unknown tensor: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	_, model := testModel(t)
	m, err := OpenModel(model, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 20 {
				name := m.Names()[(g+i)%3]
				touch(mustView(t, m, name))
				m.Residency(name)
				m.Reclaim(name)
				m.SetHome(name, Home{Kind: HomeHost})
			}
		})
	}
	wg.Wait()
}

func TestSharedModelsMap(t *testing.T) {
	paths, _ := filepath.Glob("../../shared/models/*.gguf")
	if len(paths) == 0 {
		t.Skip("reference data ../../shared is absent; CI has it")
	}
	for _, p := range paths {
		model, err := gguf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(model.Tensors) == 0 {
			continue
		}
		m, err := OpenModel(model, Options{})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, ti := range model.Tensors {
			if v := mustView(t, m, ti.Name); uint64(len(v)) != ti.Size {
				t.Errorf("%s %s: view of %d bytes, want %d", p, ti.Name, len(v), ti.Size)
			}
		}
		m.Close()
	}
}

func TestProcessMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux")
	}
	pm, err := ReadProcessMemory()
	if err != nil {
		t.Fatal(err)
	}
	if pm.Rss <= 0 || pm.Pss <= 0 || pm.PeakRss < pm.Rss || pm.MinorFaults <= 0 || pm.RssAnon <= 0 {
		t.Errorf("implausible figures %+v", pm)
	}
}

// TestCopyToHost checks that copied tensors read the same through View,
// live at HomeHost, and that their source pages leave the process unless
// KeepSource is set.
func TestCopyToHost(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("residency needs Linux")
	}
	path, model := testModel(t)
	info, _ := model.Tensor("big")
	want := sha256.Sum256(readRange(t, path, info.FileOffset, int64(info.Size)))
	for _, keep := range []bool{false, true} {
		m, err := OpenModel(model, Options{KeepSource: keep})
		if err != nil {
			t.Fatal(err)
		}
		touch(mustView(t, m, "big"))
		rssTouched, _ := m.MappedRSS()
		hc, err := m.CopyToHost([]string{"big", "tail"})
		if err != nil {
			t.Fatal(err)
		}
		rssAfter, _ := m.MappedRSS()
		v := mustView(t, m, "big")
		if sha256.Sum256(v) != want {
			t.Errorf("keep=%v: host copy differs from the file", keep)
		}
		if uintptr(unsafe.Pointer(&v[0]))%64 != 0 {
			t.Errorf("keep=%v: host copy not 64-byte aligned", keep)
		}
		r, _ := m.Residency("big")
		if r.Home.Kind != HomeHost {
			t.Errorf("keep=%v: home %v, want host", keep, r.Home)
		}
		if h, _ := m.Residency("head"); h.Home.Kind != HomeMapped {
			t.Errorf("uncopied tensor moved to %v", h.Home)
		}
		t.Logf("keep=%v: copied %d tensors, %d bytes; mapping RSS %d -> %d (reclaimed %d); big: %d of %d pages present",
			keep, hc.Tensors, hc.Bytes, rssTouched, rssAfter, hc.Reclaimed, r.Present, r.Pages)
		if hc.Tensors != 2 || hc.Bytes != int64(info.Size)+4000 {
			t.Errorf("keep=%v: copied %+v", keep, hc)
		}
		if keep {
			if hc.Reclaimed != 0 || r.Present != r.Pages {
				t.Errorf("KeepSource: reclaimed %d, %d of %d pages present", hc.Reclaimed, r.Present, r.Pages)
			}
		} else if r.Present > 2 || hc.Reclaimed < int64(info.Size)-2*pageSize || rssAfter > rssTouched-int64(info.Size)+4*pageSize {
			t.Errorf("source not reclaimed: %d of %d pages present, reclaimed %d, RSS %d -> %d",
				r.Present, r.Pages, hc.Reclaimed, rssTouched, rssAfter)
		}
		if _, err := m.CopyToHost([]string{"head"}); err == nil {
			t.Error("a second CopyToHost was accepted")
		}
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
