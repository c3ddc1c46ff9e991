package gguf

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
)

// Split metadata keys, as llama.cpp's gguf-split writes them.
const (
	KeySplitNo      = "split.no"
	KeySplitCount   = "split.count"
	KeySplitTensors = "split.tensors.count"
)

// maxSplits bounds split.count; llama.cpp's names have five digits.
const maxSplits = 99999

// Model is a GGUF model opened as one, whether it is one file or a split set
// (name-00001-of-00003.gguf …). Metadata is the first file's; Tensors holds
// every shard's tensors, each with its Shard index and offset in that file.
type Model struct {
	Shards   []*File
	Metadata *Metadata
	Tensors  []TensorInfo
	byName   map[string]int
}

// Paths returns the file path of each shard, in order.
func (m *Model) Paths() []string {
	p := make([]string, len(m.Shards))
	for i, f := range m.Shards {
		p[i] = f.Path
	}
	return p
}

// Tensor returns the tensor named name.
func (m *Model) Tensor(name string) (*TensorInfo, bool) {
	i, ok := m.byName[name]
	if !ok {
		return nil, false
	}
	return &m.Tensors[i], true
}

// TensorBytes returns the total size of all tensor data.
func (m *Model) TensorBytes() uint64 {
	var n uint64
	for i := range m.Tensors {
		n += m.Tensors[i].Size
	}
	return n
}

// ReadFile parses one GGUF file from disk without following split links.
func ReadFile(path string, lim Limits) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gguf: %s is not a regular file", path)
	}
	f, err := Read(fh, st.Size(), lim)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// Open opens a GGUF model. When the file carries split.count > 1, the other
// shards are found by llama.cpp's naming (PREFIX-%05d-of-%05d.gguf) and
// opened too; any shard of the set may be named.
func Open(path string) (*Model, error) {
	return OpenLimits(path, Limits{})
}

// OpenLimits is Open with caps other than DefaultLimits.
func OpenLimits(path string, lim Limits) (*Model, error) {
	first, err := ReadFile(path, lim)
	if err != nil {
		return nil, err
	}
	count, no, err := splitInfo(first)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if count <= 1 {
		return assemble([]*File{first})
	}
	prefix, ok := SplitPrefix(path)
	if !ok {
		return nil, fmt.Errorf("gguf: %s has split.count %d but its name does not end in -%05d-of-%05d.gguf", path, count, no+1, count)
	}
	shards := make([]*File, count)
	shards[no] = first
	for i := range shards {
		if shards[i] != nil {
			continue
		}
		p := SplitPath(prefix, i, count)
		f, err := ReadFile(p, lim)
		if err != nil {
			return nil, fmt.Errorf("gguf: split %d of %d: %w", i+1, count, err)
		}
		c, n, err := splitInfo(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if c != count || n != i {
			return nil, fmt.Errorf("gguf: %s says it is split %d of %d, expected %d of %d", p, n+1, c, i+1, count)
		}
		shards[i] = f
	}
	m, err := assemble(shards)
	if err != nil {
		return nil, err
	}
	if v, ok := shards[0].Metadata.Get(KeySplitTensors); ok {
		want, ok := v.Int64()
		if !ok || want != int64(len(m.Tensors)) {
			return nil, fmt.Errorf("gguf: %s = %s but the %d splits hold %d tensors", KeySplitTensors, v, count, len(m.Tensors))
		}
	}
	return m, nil
}

// splitInfo returns split.count (1 when absent) and the 0-based split.no.
func splitInfo(f *File) (count, no int, err error) {
	cv, ok := f.Metadata.Get(KeySplitCount)
	if !ok {
		return 1, 0, nil
	}
	c, ok := cv.Uint64()
	if !ok || c == 0 || c > maxSplits {
		return 0, 0, fmt.Errorf("gguf: %s = %s is not a split count in 1..%d: %w", KeySplitCount, cv, maxSplits, ErrFormat)
	}
	var n uint64
	if nv, ok := f.Metadata.Get(KeySplitNo); ok {
		if n, ok = nv.Uint64(); !ok || n >= c {
			return 0, 0, fmt.Errorf("gguf: %s = %s is not below %s = %d: %w", KeySplitNo, nv, KeySplitCount, c, ErrFormat)
		}
	} else if c > 1 {
		return 0, 0, fmt.Errorf("gguf: %s = %d without %s: %w", KeySplitCount, c, KeySplitNo, ErrFormat)
	}
	return int(c), int(n), nil
}

func assemble(shards []*File) (*Model, error) {
	m := &Model{Shards: shards, Metadata: shards[0].Metadata, byName: map[string]int{}}
	for si, f := range shards {
		for _, t := range f.Tensors {
			if _, dup := m.byName[t.Name]; dup {
				return nil, fmt.Errorf("gguf: tensor %q appears in more than one split: %w", t.Name, ErrFormat)
			}
			t.Shard = si
			m.byName[t.Name] = len(m.Tensors)
			m.Tensors = append(m.Tensors, t)
		}
	}
	return m, nil
}

var splitName = regexp.MustCompile(`^(.*)-(\d{5})-of-(\d{5})\.gguf$`)

// SplitPrefix returns PREFIX for a path PREFIX-00002-of-00005.gguf.
func SplitPrefix(path string) (string, bool) {
	m := splitName.FindStringSubmatch(path)
	if m == nil {
		return "", false
	}
	if n, _ := strconv.Atoi(m[2]); n == 0 {
		return "", false
	}
	return m[1], true
}

// SplitPath names shard i (0-based) of count as llama.cpp does.
func SplitPath(prefix string, i, count int) string {
	return fmt.Sprintf("%s-%05d-of-%05d.gguf", prefix, i+1, count)
}
