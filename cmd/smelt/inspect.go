package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/smeltlm/smelt/gguf"
)

func runInspect(args []string, stdout io.Writer) error {
	fs := newFlags("inspect", "smelt inspect MODEL.gguf [--json] [--array N]", stdout)
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	maxArray := fs.Int("array", 5, "array elements to show per key (-1: all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one MODEL.gguf, got %d arguments", errUsage, len(pos))
	}
	m, err := gguf.Open(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(inspectJSON(m, *maxArray))
	}
	return printInspect(stdout, m, *maxArray)
}

func printInspect(w io.Writer, m *gguf.Model, maxArray int) error {
	first := m.Shards[0]
	fmt.Fprintf(w, "file:       %s\n", strings.Join(m.Paths(), ", "))
	fmt.Fprintf(w, "version:    GGUF v%d\n", first.Version)
	var size int64
	for _, f := range m.Shards {
		size += f.Size
	}
	fmt.Fprintf(w, "size:       %d bytes (%s)", size, humanBytes(uint64(size)))
	if len(m.Shards) > 1 {
		fmt.Fprintf(w, " in %d splits", len(m.Shards))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "alignment:  %d\n", first.Alignment)
	fmt.Fprintf(w, "data:       offset %d\n", first.DataOffset)
	fmt.Fprintf(w, "metadata:   %d entries\n", m.Metadata.Len())
	fmt.Fprintf(w, "tensors:    %d (%d bytes, %s)\n", len(m.Tensors), m.TensorBytes(), humanBytes(m.TensorBytes()))
	for _, tc := range typeCounts(m) {
		fmt.Fprintf(w, "  type %6s: %4d tensors\n", tc.typ, tc.n)
	}

	fmt.Fprintln(w, "\nmetadata:")
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	for i, kv := range m.Metadata.All() {
		fmt.Fprintf(tw, "%5d:\t%s\t%s\t= %s\n", i, kv.Key, kv.Value.TypeString(), kv.Value.Format(maxArray))
	}
	tw.Flush()

	if len(m.Tensors) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\ntensors:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	split := len(m.Shards) > 1
	nameWidth := len("name")
	for _, t := range m.Tensors {
		nameWidth = max(nameWidth, len(t.Name))
	}
	header := fmt.Sprintf("#\t %-*s\ttype\tshape\tbytes\toffset\t", nameWidth, "name")
	if split {
		header += "split\t"
	}
	fmt.Fprintln(tw, header)
	for i, t := range m.Tensors {
		fmt.Fprintf(tw, "%d\t %-*s\t%s\t%s\t%d\t%d\t", i, nameWidth, t.Name, t.Type, shape(t.Dims), t.Size, t.FileOffset)
		if split {
			fmt.Fprintf(tw, "%d\t", t.Shard+1)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

type typeCount struct {
	typ gguf.Type
	n   int
}

func typeCounts(m *gguf.Model) []typeCount {
	counts := map[gguf.Type]int{}
	for _, t := range m.Tensors {
		counts[t.Type]++
	}
	var out []typeCount
	for t, n := range counts {
		out = append(out, typeCount{t, n})
	}
	slices.SortFunc(out, func(a, b typeCount) int { return int(a.typ) - int(b.typ) })
	return out
}

func shape(dims []uint64) string {
	s := make([]string, len(dims))
	for i, d := range dims {
		s[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(s, ", ") + "]"
}

func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for x := n / unit; x >= unit; x /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.2f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

type jsonModel struct {
	Files       []string       `json:"files"`
	Version     uint32         `json:"version"`
	Size        int64          `json:"size"`
	Alignment   uint64         `json:"alignment"`
	DataOffset  int64          `json:"data_offset"`
	TensorBytes uint64         `json:"tensor_bytes"`
	Metadata    []jsonKV       `json:"metadata"`
	Tensors     []jsonTensor   `json:"tensors"`
	Types       map[string]int `json:"types"`
}

type jsonKV struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Count int    `json:"count,omitempty"` // array length
	Value any    `json:"value"`
}

type jsonTensor struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	Shape  []uint64 `json:"shape"`
	Bytes  uint64   `json:"bytes"`
	Offset int64    `json:"offset"`
	Split  int      `json:"split,omitempty"`
}

func inspectJSON(m *gguf.Model, maxArray int) jsonModel {
	first := m.Shards[0]
	out := jsonModel{
		Files: m.Paths(), Version: first.Version, Alignment: first.Alignment,
		DataOffset: first.DataOffset, TensorBytes: m.TensorBytes(),
		Metadata: []jsonKV{}, Tensors: []jsonTensor{}, Types: map[string]int{},
	}
	for _, f := range m.Shards {
		out.Size += f.Size
	}
	for _, kv := range m.Metadata.All() {
		j := jsonKV{Key: kv.Key, Type: kv.Value.Type().String(), Value: jsonValue(kv.Value, maxArray)}
		if kv.Value.Type() == gguf.ValueArray {
			j.Type = "arr[" + kv.Value.ElemType().String() + "]"
			j.Count = kv.Value.Len()
		}
		out.Metadata = append(out.Metadata, j)
	}
	for _, t := range m.Tensors {
		jt := jsonTensor{Name: t.Name, Type: t.Type.String(), Shape: t.Dims, Bytes: t.Size, Offset: t.FileOffset}
		if len(m.Shards) > 1 {
			jt.Split = t.Shard + 1
		}
		out.Tensors = append(out.Tensors, jt)
	}
	for _, tc := range typeCounts(m) {
		out.Types[tc.typ.String()] = tc.n
	}
	return out
}

// jsonValue converts a metadata value for encoding/json, keeping at most
// maxArray elements of arrays (all when negative). Non-finite floats become
// the strings "NaN", "+Inf", "-Inf".
func jsonValue(v gguf.Value, maxArray int) any {
	switch v.Type() {
	case gguf.ValueString:
		s, _ := v.Str()
		return s
	case gguf.ValueBool:
		b, _ := v.Bool()
		return b
	case gguf.ValueFloat32, gguf.ValueFloat64:
		f, _ := v.Float64()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Sprint(f)
		}
		return f
	case gguf.ValueArray:
		n := v.Len()
		if maxArray >= 0 {
			n = min(n, maxArray)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = jsonValue(v.Index(i), maxArray)
		}
		return out
	}
	if i, ok := v.Int64(); ok {
		return i
	}
	u, _ := v.Uint64()
	return u
}
