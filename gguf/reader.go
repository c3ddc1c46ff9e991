package gguf

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
)

// Magic is the first four bytes of every GGUF file.
const Magic = "GGUF"

// DefaultAlignment is the data alignment when general.alignment is absent.
const DefaultAlignment = 32

// MaxDims is ggml's GGML_MAX_DIMS.
const MaxDims = 4

// KeyAlignment is the metadata key that sets the data alignment.
const KeyAlignment = "general.alignment"

var (
	// ErrFormat is wrapped by every error about a malformed file.
	ErrFormat = errors.New("malformed GGUF")
	// ErrTruncated is wrapped when the file ends inside a structure.
	ErrTruncated = errors.New("file ends early")
	// ErrLimit is wrapped when a count or length exceeds a Limits cap.
	ErrLimit = errors.New("exceeds limit")

	errOverflow = errors.New("size overflows")
)

// Limits caps what the reader accepts, so that a hostile file cannot make it
// allocate without bound. Whatever the caps, no length may exceed the bytes
// left in the file. Zero fields take the defaults of DefaultLimits.
type Limits struct {
	MaxStringLen  uint64 // bytes in one string
	MaxArrayLen   uint64 // elements in one array
	MaxKV         uint64 // metadata entries
	MaxTensors    uint64 // tensor infos
	MaxDepth      int    // nesting of arrays of arrays
	MaxTensorName uint64 // bytes in a tensor name
	MaxAlignment  uint64 // general.alignment
}

// DefaultLimits are generous for real models (a 256k-token vocabulary, a
// long chat template) and small next to memory.
var DefaultLimits = Limits{
	MaxStringLen:  64 << 20,
	MaxArrayLen:   1 << 28,
	MaxKV:         1 << 20,
	MaxTensors:    1 << 20,
	MaxDepth:      8,
	MaxTensorName: 256,
	MaxAlignment:  1 << 20,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxStringLen != 0 {
		d.MaxStringLen = l.MaxStringLen
	}
	if l.MaxArrayLen != 0 {
		d.MaxArrayLen = l.MaxArrayLen
	}
	if l.MaxKV != 0 {
		d.MaxKV = l.MaxKV
	}
	if l.MaxTensors != 0 {
		d.MaxTensors = l.MaxTensors
	}
	if l.MaxDepth != 0 {
		d.MaxDepth = l.MaxDepth
	}
	if l.MaxTensorName != 0 {
		d.MaxTensorName = l.MaxTensorName
	}
	if l.MaxAlignment != 0 {
		d.MaxAlignment = l.MaxAlignment
	}
	return d
}

// File is one parsed GGUF file: its header, metadata and tensor infos. It
// holds no open file; tensor bytes are read or mapped by the caller at
// TensorInfo.FileOffset.
type File struct {
	Path       string // where it was read from, if from a path
	Version    uint32
	Size       int64 // file size in bytes
	Alignment  uint64
	DataOffset int64 // start of the tensor data section
	Metadata   *Metadata
	Tensors    []TensorInfo
}

// TensorInfo describes one tensor. Dims are in ggml order: Dims[0] is the
// innermost (contiguous) dimension.
type TensorInfo struct {
	Name       string
	Dims       []uint64
	Type       Type
	Offset     uint64 // relative to the data section, as stored
	Size       uint64 // bytes of data
	FileOffset int64  // absolute offset in its file
	Shard      int    // index of its file in a split model (0 for one file)
}

// Elements returns the number of elements (the product of Dims).
func (t *TensorInfo) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Dims {
		n *= d // validated at read time not to overflow
	}
	return n
}

// Read parses a GGUF file of the given size from r.
func Read(r io.ReaderAt, size int64, lim Limits) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("gguf: negative size %d", size)
	}
	d := &decoder{
		r:    bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 1<<16),
		size: size,
		lim:  lim.withDefaults(),
	}
	f, err := d.file()
	if err != nil {
		return nil, err
	}
	f.Size = size
	return f, nil
}

// decoder reads little-endian GGUF fields, tracking its offset so that no
// length is trusted beyond the bytes left in the file.
type decoder struct {
	r    *bufio.Reader
	off  int64
	size int64
	lim  Limits
	buf  [8]byte
}

func (d *decoder) errorf(format string, args ...any) error {
	args = append(append([]any{d.off}, args...), ErrFormat)
	return fmt.Errorf("gguf: offset %d: "+format+": %w", args...)
}

func (d *decoder) remaining() uint64 { return uint64(d.size - d.off) }

// need checks that n bytes are left before anything is allocated for them.
func (d *decoder) need(n uint64, what string) error {
	if n > d.remaining() {
		return fmt.Errorf("gguf: offset %d: %s needs %d bytes, %d left: %w: %w", d.off, what, n, d.remaining(), ErrTruncated, ErrFormat)
	}
	return nil
}

// needN is need for n items of at least each bytes, with the product checked.
func (d *decoder) needN(n, each uint64, what string) error {
	hi, lo := bits.Mul64(n, each)
	if hi != 0 {
		return d.errorf("%s: %d × %d bytes %w", what, n, each, errOverflow)
	}
	return d.need(lo, what)
}

func (d *decoder) read(p []byte, what string) error {
	if err := d.need(uint64(len(p)), what); err != nil {
		return err
	}
	n, err := io.ReadFull(d.r, p)
	d.off += int64(n)
	if err != nil {
		return fmt.Errorf("gguf: offset %d: reading %s: %w", d.off, what, err)
	}
	return nil
}

func (d *decoder) u32(what string) (uint32, error) {
	if err := d.read(d.buf[:4], what); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(d.buf[:4]), nil
}

func (d *decoder) u64(what string) (uint64, error) {
	if err := d.read(d.buf[:8], what); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(d.buf[:8]), nil
}

func (d *decoder) str(what string, max uint64) (string, error) {
	n, err := d.u64(what + " length")
	if err != nil {
		return "", err
	}
	if n > max {
		return "", fmt.Errorf("gguf: offset %d: %s length %d > %d: %w: %w", d.off, what, n, max, ErrLimit, ErrFormat)
	}
	if err := d.need(n, what); err != nil {
		return "", err
	}
	b := make([]byte, n)
	if err := d.read(b, what); err != nil {
		return "", err
	}
	return string(b), nil
}

func (d *decoder) file() (*File, error) {
	var magic [4]byte
	if err := d.read(magic[:], "magic"); err != nil {
		return nil, err
	}
	if string(magic[:]) != Magic {
		return nil, fmt.Errorf("gguf: not a GGUF file (magic %q): %w", magic[:], ErrFormat)
	}
	version, err := d.u32("version")
	if err != nil {
		return nil, err
	}
	switch {
	case version == 2 || version == 3:
	case version == 1:
		return nil, fmt.Errorf("gguf: GGUF v1 is not supported (32-bit counts, retired by llama.cpp); convert the model again: %w", ErrFormat)
	case version&0xffff == 0 && version != 0 && bits.ReverseBytes32(version) <= 3:
		return nil, fmt.Errorf("gguf: big-endian GGUF (version %d byte-swapped) is not supported on this little-endian reader: %w", bits.ReverseBytes32(version), ErrFormat)
	default:
		return nil, fmt.Errorf("gguf: unsupported GGUF version %d: %w", version, ErrFormat)
	}
	f := &File{Version: version, Alignment: DefaultAlignment}
	nTensors, err := d.u64("tensor count")
	if err != nil {
		return nil, err
	}
	nKV, err := d.u64("metadata count")
	if err != nil {
		return nil, err
	}
	if nTensors > d.lim.MaxTensors {
		return nil, d.errorf("tensor count %d > %d: %w", nTensors, d.lim.MaxTensors, ErrLimit)
	}
	if nKV > d.lim.MaxKV {
		return nil, d.errorf("metadata count %d > %d: %w", nKV, d.lim.MaxKV, ErrLimit)
	}
	// Each entry takes at least 8+4+1 bytes, each tensor info 8+4+8+4+8.
	if err := d.needN(nKV, 13, "metadata"); err != nil {
		return nil, err
	}
	f.Metadata = newMetadata(int(nKV))
	for i := range nKV {
		if err := d.kv(f.Metadata, i); err != nil {
			return nil, err
		}
	}
	if v, ok := f.Metadata.Get(KeyAlignment); ok {
		a, ok := v.Uint64()
		if !ok || v.Type() != ValueUint32 {
			return nil, d.errorf("%s is %s, want u32", KeyAlignment, v.TypeString())
		}
		if a == 0 || a&(a-1) != 0 {
			return nil, d.errorf("%s = %d is not a power of two", KeyAlignment, a)
		}
		if a > d.lim.MaxAlignment {
			return nil, d.errorf("%s = %d > %d: %w", KeyAlignment, a, d.lim.MaxAlignment, ErrLimit)
		}
		f.Alignment = a
	}
	if err := d.needN(nTensors, 32, "tensor infos"); err != nil {
		return nil, err
	}
	f.Tensors = make([]TensorInfo, nTensors)
	names := make(map[string]struct{}, nTensors)
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if err := d.tensorInfo(t, f.Alignment); err != nil {
			return nil, fmt.Errorf("%w (tensor %d)", err, i)
		}
		if _, dup := names[t.Name]; dup {
			return nil, d.errorf("duplicate tensor name %q", t.Name)
		}
		names[t.Name] = struct{}{}
	}
	dataOff, ok := alignUp(uint64(d.off), f.Alignment)
	if !ok {
		return nil, d.errorf("data offset: %w", errOverflow)
	}
	f.DataOffset = int64(min(dataOff, uint64(math.MaxInt64)))
	if err := placeTensors(f, d.size); err != nil {
		return nil, err
	}
	return f, nil
}

func (d *decoder) kv(m *Metadata, i uint64) error {
	key, err := d.str("key", d.lim.MaxStringLen)
	if err != nil {
		return fmt.Errorf("%w (metadata entry %d)", err, i)
	}
	t, err := d.u32("value type")
	if err != nil {
		return err
	}
	v, err := d.value(ValueType(t), 0)
	if err != nil {
		return fmt.Errorf("%w (key %q)", err, key)
	}
	if !m.add(key, v) {
		return d.errorf("duplicate metadata key %q", key)
	}
	return nil
}

func (d *decoder) value(t ValueType, depth int) (Value, error) {
	if !t.valid() {
		return Value{}, d.errorf("unknown metadata value type %d", uint32(t))
	}
	switch t {
	case ValueString:
		s, err := d.str("string", d.lim.MaxStringLen)
		return Value{typ: ValueString, str: s}, err
	case ValueArray:
		return d.array(depth)
	}
	n := fixedSize[t]
	if err := d.read(d.buf[:n], t.String()); err != nil {
		return Value{}, err
	}
	var u uint64
	switch n {
	case 1:
		u = uint64(d.buf[0])
		if t == ValueInt8 {
			u = uint64(int64(int8(d.buf[0])))
		}
	case 2:
		u = uint64(binary.LittleEndian.Uint16(d.buf[:2]))
		if t == ValueInt16 {
			u = uint64(int64(int16(u)))
		}
	case 4:
		u = uint64(binary.LittleEndian.Uint32(d.buf[:4]))
		if t == ValueInt32 {
			u = uint64(int64(int32(u)))
		}
	case 8:
		u = binary.LittleEndian.Uint64(d.buf[:8])
	}
	if t == ValueBool && u > 1 {
		return Value{}, d.errorf("bool byte %d is neither 0 nor 1", u)
	}
	return Value{typ: t, bits: u}, nil
}

func (d *decoder) array(depth int) (Value, error) {
	if depth >= d.lim.MaxDepth {
		return Value{}, d.errorf("arrays nested deeper than %d: %w", d.lim.MaxDepth, ErrLimit)
	}
	et, err := d.u32("array element type")
	if err != nil {
		return Value{}, err
	}
	elem := ValueType(et)
	if !elem.valid() {
		return Value{}, d.errorf("unknown array element type %d", et)
	}
	n, err := d.u64("array length")
	if err != nil {
		return Value{}, err
	}
	if n > d.lim.MaxArrayLen {
		return Value{}, d.errorf("array of %d elements > %d: %w", n, d.lim.MaxArrayLen, ErrLimit)
	}
	// The smallest encoding of an element bounds n by the bytes left.
	minSize := fixedSize[elem]
	switch elem {
	case ValueString:
		minSize = 8
	case ValueArray:
		minSize = 12
	}
	if err := d.needN(n, minSize, "array of "+elem.String()); err != nil {
		return Value{}, err
	}
	switch elem {
	case ValueString:
		s := make([]string, n)
		for i := range s {
			if s[i], err = d.str("string", d.lim.MaxStringLen); err != nil {
				return Value{}, err
			}
		}
		return arrayValue(elem, s), nil
	case ValueArray:
		s := make([]Value, n)
		for i := range s {
			if s[i], err = d.array(depth + 1); err != nil {
				return Value{}, err
			}
		}
		return arrayValue(elem, s), nil
	}
	raw := make([]byte, n*minSize)
	if err := d.read(raw, "array of "+elem.String()); err != nil {
		return Value{}, err
	}
	return decodeNumbers(elem, raw)
}

// decodeNumbers turns raw little-endian scalars into a typed array value.
func decodeNumbers(elem ValueType, raw []byte) (Value, error) {
	le := binary.LittleEndian
	switch elem {
	case ValueUint8:
		return arrayValue(elem, raw), nil
	case ValueInt8:
		return arrayValue(elem, convert(raw, 1, func(b []byte) int8 { return int8(b[0]) })), nil
	case ValueBool:
		for i, b := range raw {
			if b > 1 {
				return Value{}, fmt.Errorf("gguf: bool array element %d is %d: %w", i, b, ErrFormat)
			}
		}
		return arrayValue(elem, convert(raw, 1, func(b []byte) bool { return b[0] != 0 })), nil
	case ValueUint16:
		return arrayValue(elem, convert(raw, 2, le.Uint16)), nil
	case ValueInt16:
		return arrayValue(elem, convert(raw, 2, func(b []byte) int16 { return int16(le.Uint16(b)) })), nil
	case ValueUint32:
		return arrayValue(elem, convert(raw, 4, le.Uint32)), nil
	case ValueInt32:
		return arrayValue(elem, convert(raw, 4, func(b []byte) int32 { return int32(le.Uint32(b)) })), nil
	case ValueFloat32:
		return arrayValue(elem, convert(raw, 4, func(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) })), nil
	case ValueUint64:
		return arrayValue(elem, convert(raw, 8, le.Uint64)), nil
	case ValueInt64:
		return arrayValue(elem, convert(raw, 8, func(b []byte) int64 { return int64(le.Uint64(b)) })), nil
	case ValueFloat64:
		return arrayValue(elem, convert(raw, 8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) })), nil
	}
	return Value{}, fmt.Errorf("gguf: not a numeric type %s: %w", elem, ErrFormat)
}

func convert[T any](raw []byte, size int, f func([]byte) T) []T {
	out := make([]T, len(raw)/size)
	for i := range out {
		out[i] = f(raw[i*size:])
	}
	return out
}

func (d *decoder) tensorInfo(t *TensorInfo, align uint64) error {
	name, err := d.str("tensor name", d.lim.MaxTensorName)
	if err != nil {
		return err
	}
	t.Name = name
	nd, err := d.u32("dimension count")
	if err != nil {
		return err
	}
	if nd > MaxDims {
		return d.errorf("tensor %q has %d dimensions, at most %d allowed", name, nd, MaxDims)
	}
	t.Dims = make([]uint64, nd)
	n := uint64(1)
	for i := range t.Dims {
		if t.Dims[i], err = d.u64("dimension"); err != nil {
			return err
		}
		hi, lo := bits.Mul64(n, t.Dims[i])
		if hi != 0 || lo > math.MaxInt64 {
			return d.errorf("tensor %q: element count %w", name, errOverflow)
		}
		n = lo
	}
	ty, err := d.u32("tensor type")
	if err != nil {
		return err
	}
	t.Type = Type(ty)
	if !t.Type.Valid() {
		return d.errorf("tensor %q has unknown ggml type id %d", name, ty)
	}
	if t.Offset, err = d.u64("tensor offset"); err != nil {
		return err
	}
	if t.Offset%align != 0 {
		return d.errorf("tensor %q offset %d is not a multiple of the alignment %d", name, t.Offset, align)
	}
	rowLen := uint64(1)
	if nd > 0 {
		rowLen = t.Dims[0]
	}
	rowBytes, err := t.Type.RowBytes(rowLen)
	if err != nil {
		return d.errorf("tensor %q: %v", name, err)
	}
	var rows uint64
	if rowLen != 0 {
		rows = n / rowLen
	}
	hi, size := bits.Mul64(rowBytes, rows)
	if hi != 0 || size > math.MaxInt64 {
		return d.errorf("tensor %q: byte size %w", name, errOverflow)
	}
	t.Size = size
	return nil
}

// placeTensors checks that every tensor lies inside the data section and
// that no two overlap, then sets FileOffset.
func placeTensors(f *File, size int64) error {
	if len(f.Tensors) == 0 {
		return nil
	}
	if f.DataOffset > size {
		return fmt.Errorf("gguf: data section starts at %d, past the end of the %d-byte file: %w: %w", f.DataOffset, size, ErrTruncated, ErrFormat)
	}
	dataLen := uint64(size - f.DataOffset)
	order := make([]int, len(f.Tensors))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(f.Tensors[a].Offset, f.Tensors[b].Offset) })
	var prevEnd uint64
	prev := -1
	for _, i := range order {
		t := &f.Tensors[i]
		end, carry := bits.Add64(t.Offset, t.Size, 0)
		if carry != 0 || end > dataLen {
			return fmt.Errorf("gguf: tensor %q (%d bytes at data offset %d) runs past the end of the file (%d data bytes): %w: %w",
				t.Name, t.Size, t.Offset, dataLen, ErrTruncated, ErrFormat)
		}
		if prev >= 0 && t.Offset < prevEnd && t.Size > 0 {
			return fmt.Errorf("gguf: tensor %q overlaps tensor %q: %w", t.Name, f.Tensors[prev].Name, ErrFormat)
		}
		if t.Size > 0 {
			prev, prevEnd = i, end
		}
		t.FileOffset = f.DataOffset + int64(t.Offset)
	}
	return nil
}

func alignUp(x, a uint64) (uint64, bool) {
	r, carry := bits.Add64(x, a-1, 0)
	if carry != 0 {
		return 0, false
	}
	return r &^ (a - 1), true
}
