package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Writer builds a GGUF file: metadata in insertion order, then tensor infos,
// then tensor data, each piece padded to the alignment with zero bytes, as
// ggml writes it (a file read and written again comes out byte for byte the
// same). Data is streamed, so models larger than memory can be written.
type Writer struct {
	// Version is the GGUF version written: 3 (the default) or 2.
	Version uint32

	kvs     []KV
	tensors []writerTensor
	names   map[string]bool
	err     error
}

type writerTensor struct {
	info TensorInfo
	fill func(io.Writer) error
}

// NewWriter returns an empty GGUF v3 writer.
func NewWriter() *Writer {
	return &Writer{Version: 3, names: map[string]bool{}}
}

// Set stores a metadata value (see ValueOf for the Go types accepted),
// replacing an existing key in place. A bad value is reported by Err and by
// the next write.
func (w *Writer) Set(key string, x any) {
	v, err := ValueOf(x)
	if err != nil {
		w.fail(fmt.Errorf("gguf: key %q: %w", key, err))
		return
	}
	for i := range w.kvs {
		if w.kvs[i].Key == key {
			w.kvs[i].Value = v
			return
		}
	}
	w.kvs = append(w.kvs, KV{key, v})
}

// Delete removes a metadata key if present.
func (w *Writer) Delete(key string) {
	for i := range w.kvs {
		if w.kvs[i].Key == key {
			w.kvs = append(w.kvs[:i], w.kvs[i+1:]...)
			return
		}
	}
}

// CopyMetadata appends every entry of md, in order, except the split keys
// (the writer sets those itself when writing splits).
func (w *Writer) CopyMetadata(md *Metadata) {
	for _, kv := range md.All() {
		switch kv.Key {
		case KeySplitNo, KeySplitCount, KeySplitTensors:
			continue
		}
		w.Set(kv.Key, kv.Value)
	}
}

// Err returns the first error recorded by Set or AddTensor.
func (w *Writer) Err() error { return w.err }

func (w *Writer) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}

// AddTensor appends a tensor whose bytes are data; len(data) must equal the
// size the type and dims give.
func (w *Writer) AddTensor(name string, typ Type, dims []uint64, data []byte) {
	w.AddTensorFunc(name, typ, dims, func(out io.Writer) error {
		_, err := out.Write(data)
		return err
	})
	if w.err == nil {
		if t := w.tensors[len(w.tensors)-1]; t.info.Size != uint64(len(data)) {
			w.fail(fmt.Errorf("gguf: tensor %q: %d bytes given, %s %v needs %d", name, len(data), typ, dims, t.info.Size))
		}
	}
}

// AddTensorFunc appends a tensor whose bytes fill writes when the file is
// written; it must write exactly the tensor's size.
func (w *Writer) AddTensorFunc(name string, typ Type, dims []uint64, fill func(io.Writer) error) {
	if w.names[name] {
		w.fail(fmt.Errorf("gguf: duplicate tensor name %q", name))
		return
	}
	if len(dims) > MaxDims {
		w.fail(fmt.Errorf("gguf: tensor %q has %d dimensions, at most %d allowed", name, len(dims), MaxDims))
		return
	}
	size, err := tensorSize(typ, dims)
	if err != nil {
		w.fail(fmt.Errorf("gguf: tensor %q: %w", name, err))
		return
	}
	w.names[name] = true
	w.tensors = append(w.tensors, writerTensor{
		info: TensorInfo{Name: name, Type: typ, Dims: append([]uint64(nil), dims...), Size: size},
		fill: fill,
	})
}

// tensorSize is the byte size of a tensor, computed as the reader does.
func tensorSize(typ Type, dims []uint64) (uint64, error) {
	rowLen, rows := uint64(1), uint64(1)
	if len(dims) > 0 {
		rowLen = dims[0]
		for _, d := range dims[1:] {
			if d != 0 && rows > math.MaxInt64/d {
				return 0, errOverflow
			}
			rows *= d
		}
	}
	rb, err := typ.RowBytes(rowLen)
	if err != nil {
		return 0, err
	}
	if rows != 0 && rb > math.MaxInt64/rows {
		return 0, errOverflow
	}
	return rb * rows, nil
}

func (w *Writer) alignment() (uint64, error) {
	for _, kv := range w.kvs {
		if kv.Key == KeyAlignment {
			a, ok := kv.Value.Uint64()
			if !ok || kv.Value.Type() != ValueUint32 || a == 0 || a&(a-1) != 0 {
				return 0, fmt.Errorf("gguf: %s must be a u32 power of two, got %s %s", KeyAlignment, kv.Value.TypeString(), kv.Value)
			}
			return a, nil
		}
	}
	return DefaultAlignment, nil
}

// WriteTo writes the whole file to out.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	return w.write(out, w.kvs, w.tensors)
}

// WriteFile writes the whole file to path.
func (w *Writer) WriteFile(path string) error {
	return writeFile(path, func(out io.Writer) error {
		_, err := w.WriteTo(out)
		return err
	})
}

// WriteSplits writes the model as n files named as llama.cpp's gguf-split
// names them (PREFIX-00001-of-0000N.gguf), tensors spread evenly in order.
// The first file holds all metadata; every file holds split.no, split.count
// and split.tensors.count. It returns the paths written.
func (w *Writer) WriteSplits(prefix string, n int) ([]string, error) {
	if n < 1 || n > maxSplits {
		return nil, fmt.Errorf("gguf: split count %d not in 1..%d", n, maxSplits)
	}
	var paths []string
	per, extra := len(w.tensors)/n, len(w.tensors)%n
	next := 0
	for i := range n {
		var kvs []KV
		if i == 0 {
			kvs = append(kvs, w.kvs...)
		} else if a, ok := w.alignmentKV(); ok {
			kvs = append(kvs, a)
		}
		kvs = withSplitKeys(kvs, i, n, len(w.tensors))
		cnt := per
		if i < extra {
			cnt++
		}
		part := w.tensors[next : next+cnt]
		next += cnt
		p := SplitPath(prefix, i, n)
		err := writeFile(p, func(out io.Writer) error {
			_, err := w.write(out, kvs, part)
			return err
		})
		if err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func (w *Writer) alignmentKV() (KV, bool) {
	for _, kv := range w.kvs {
		if kv.Key == KeyAlignment {
			return kv, true
		}
	}
	return KV{}, false
}

func withSplitKeys(kvs []KV, no, count, tensors int) []KV {
	out := kvs[:0:0]
	for _, kv := range kvs {
		switch kv.Key {
		case KeySplitNo, KeySplitCount, KeySplitTensors:
			continue
		}
		out = append(out, kv)
	}
	noV, _ := ValueOf(uint16(no))
	countV, _ := ValueOf(uint16(count))
	tensorsV, _ := ValueOf(int32(tensors))
	return append(out, KV{KeySplitNo, noV}, KV{KeySplitCount, countV}, KV{KeySplitTensors, tensorsV})
}

func writeFile(path string, body func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = body(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("gguf: writing %s: %w", path, err)
	}
	return nil
}

// countingWriter counts bytes and keeps the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
	buf [8]byte
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countingWriter) u32(x uint32) {
	binary.LittleEndian.PutUint32(c.buf[:4], x)
	c.Write(c.buf[:4])
}

func (c *countingWriter) u64(x uint64) {
	binary.LittleEndian.PutUint64(c.buf[:8], x)
	c.Write(c.buf[:8])
}

func (c *countingWriter) str(s string) {
	c.u64(uint64(len(s)))
	io.WriteString(c, s)
}

func (c *countingWriter) pad(align uint64) {
	var zeros [256]byte
	for n := (align - uint64(c.n)%align) % align; n > 0 && c.err == nil; {
		k := min(n, uint64(len(zeros)))
		c.Write(zeros[:k])
		n -= k
	}
}

func (w *Writer) write(out io.Writer, kvs []KV, tensors []writerTensor) (int64, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.Version != 2 && w.Version != 3 {
		return 0, fmt.Errorf("gguf: cannot write version %d", w.Version)
	}
	align, err := w.alignment()
	if err != nil {
		return 0, err
	}
	c := &countingWriter{w: out}
	io.WriteString(c, Magic)
	c.u32(w.Version)
	c.u64(uint64(len(tensors)))
	c.u64(uint64(len(kvs)))
	for _, kv := range kvs {
		c.str(kv.Key)
		c.u32(uint32(kv.Value.Type()))
		writeValue(c, kv.Value)
	}
	var off uint64
	for _, t := range tensors {
		c.str(t.info.Name)
		c.u32(uint32(len(t.info.Dims)))
		for _, d := range t.info.Dims {
			c.u64(d)
		}
		c.u32(uint32(t.info.Type))
		c.u64(off)
		padded, ok := alignUp(t.info.Size, align)
		if !ok {
			return c.n, errOverflow
		}
		off += padded
	}
	c.pad(align)
	for _, t := range tensors {
		start := c.n
		if err := t.fill(c); err != nil && c.err == nil {
			return c.n, fmt.Errorf("gguf: tensor %q: %w", t.info.Name, err)
		}
		if c.err == nil && uint64(c.n-start) != t.info.Size {
			return c.n, fmt.Errorf("gguf: tensor %q: wrote %d bytes, want %d", t.info.Name, c.n-start, t.info.Size)
		}
		c.pad(align)
	}
	return c.n, c.err
}

func writeValue(c *countingWriter, v Value) {
	switch v.Type() {
	case ValueString:
		c.str(v.str)
	case ValueArray:
		c.u32(uint32(v.elem))
		n := arrayLen(v.arr)
		c.u64(uint64(n))
		if s, ok := v.arr.([]uint8); ok {
			c.Write(s)
			return
		}
		for i := range n {
			writeValue(c, arrayElem(v.arr, i))
		}
	default:
		size := fixedSize[v.Type()]
		binary.LittleEndian.PutUint64(c.buf[:], v.bits)
		c.Write(c.buf[:size])
	}
}

// errShortFill is returned when a tensor source has fewer bytes than needed.
var errShortFill = errors.New("tensor source ended early")

// CopyTensorFrom returns a fill function that copies size bytes from r at off.
func CopyTensorFrom(r io.ReaderAt, off int64, size uint64) func(io.Writer) error {
	return func(w io.Writer) error {
		n, err := io.Copy(w, io.NewSectionReader(r, off, int64(size)))
		if err == nil && uint64(n) != size {
			err = errShortFill
		}
		return err
	}
}
