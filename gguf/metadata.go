package gguf

import (
	"errors"
	"fmt"
	"math"
)

// ErrKeyNotFound is returned (wrapped, with the key) by the typed accessors
// when a key is absent. Test with errors.Is.
var ErrKeyNotFound = errors.New("key not found")

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// Metadata is the ordered key/value section of a GGUF file.
type Metadata struct {
	kvs   []KV
	index map[string]int
}

func newMetadata(n int) *Metadata {
	return &Metadata{kvs: make([]KV, 0, n), index: make(map[string]int, n)}
}

// add appends a key; it reports false when the key is already present.
func (m *Metadata) add(key string, v Value) bool {
	if _, dup := m.index[key]; dup {
		return false
	}
	m.index[key] = len(m.kvs)
	m.kvs = append(m.kvs, KV{key, v})
	return true
}

// Len returns the number of entries.
func (m *Metadata) Len() int { return len(m.kvs) }

// All returns the entries in file order. The slice must not be modified.
func (m *Metadata) All() []KV { return m.kvs }

// Keys returns the keys in file order.
func (m *Metadata) Keys() []string {
	keys := make([]string, len(m.kvs))
	for i, kv := range m.kvs {
		keys[i] = kv.Key
	}
	return keys
}

// Get returns the value stored under key.
func (m *Metadata) Get(key string) (Value, bool) {
	i, ok := m.index[key]
	if !ok {
		return Value{}, false
	}
	return m.kvs[i].Value, true
}

// Has reports whether key is present.
func (m *Metadata) Has(key string) bool {
	_, ok := m.index[key]
	return ok
}

// Arch returns general.architecture ("llama", "qwen2", …), or "" when absent.
func (m *Metadata) Arch() string {
	s, _ := m.String("general.architecture")
	return s
}

// ArchKey prefixes suffix with the architecture: ArchKey("context_length")
// is "llama.context_length" in a llama model.
func (m *Metadata) ArchKey(suffix string) string {
	return m.Arch() + "." + suffix
}

func (m *Metadata) lookup(key string) (Value, error) {
	v, ok := m.Get(key)
	if !ok {
		return Value{}, fmt.Errorf("gguf: %s: %w", key, ErrKeyNotFound)
	}
	return v, nil
}

func typeErr(key string, v Value, want string) error {
	return fmt.Errorf("gguf: %s is %s, want %s", key, v.TypeString(), want)
}

// String returns the string stored under key.
func (m *Metadata) String(key string) (string, error) {
	v, err := m.lookup(key)
	if err != nil {
		return "", err
	}
	s, ok := v.Str()
	if !ok {
		return "", typeErr(key, v, "str")
	}
	return s, nil
}

// Bool returns the bool stored under key.
func (m *Metadata) Bool(key string) (bool, error) {
	v, err := m.lookup(key)
	if err != nil {
		return false, err
	}
	b, ok := v.Bool()
	if !ok {
		return false, typeErr(key, v, "bool")
	}
	return b, nil
}

// Uint64 returns an integer of any width stored under key, if it is not negative.
func (m *Metadata) Uint64(key string) (uint64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return 0, err
	}
	u, ok := v.Uint64()
	if !ok {
		return 0, typeErr(key, v, "a non-negative integer")
	}
	return u, nil
}

// Uint32 returns an integer of any width stored under key, if it fits in uint32.
func (m *Metadata) Uint32(key string) (uint32, error) {
	u, err := m.Uint64(key)
	if err != nil {
		return 0, err
	}
	if u > math.MaxUint32 {
		return 0, fmt.Errorf("gguf: %s = %d does not fit in uint32", key, u)
	}
	return uint32(u), nil
}

// Int64 returns an integer of any width stored under key, if it fits in int64.
func (m *Metadata) Int64(key string) (int64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return 0, err
	}
	i, ok := v.Int64()
	if !ok {
		return 0, typeErr(key, v, "an integer in int64 range")
	}
	return i, nil
}

// Int32 returns an integer of any width stored under key, if it fits in int32.
func (m *Metadata) Int32(key string) (int32, error) {
	i, err := m.Int64(key)
	if err != nil {
		return 0, err
	}
	if i < math.MinInt32 || i > math.MaxInt32 {
		return 0, fmt.Errorf("gguf: %s = %d does not fit in int32", key, i)
	}
	return int32(i), nil
}

// Float64 returns a float32 or float64 stored under key.
func (m *Metadata) Float64(key string) (float64, error) {
	v, err := m.lookup(key)
	if err != nil {
		return 0, err
	}
	f, ok := v.Float64()
	if !ok {
		return 0, typeErr(key, v, "f32 or f64")
	}
	return f, nil
}

// Float32 returns the float stored under key as float32. A float64 is
// narrowed with Go's rounding.
func (m *Metadata) Float32(key string) (float32, error) {
	f, err := m.Float64(key)
	return float32(f), err
}

// Strings returns the string array stored under key (shared, not copied).
func (m *Metadata) Strings(key string) ([]string, error) {
	return arrayOf[string](m, key, "arr[str]")
}

// Float32s returns the f32 array stored under key (shared, not copied).
func (m *Metadata) Float32s(key string) ([]float32, error) {
	return arrayOf[float32](m, key, "arr[f32]")
}

// Int32s returns an integer array stored under key as []int32. An i32 array
// is shared; other integer arrays are converted when every element fits.
func (m *Metadata) Int32s(key string) ([]int32, error) {
	return intArray[int32](m, key, math.MinInt32, math.MaxInt32)
}

// Uint32s returns an integer array stored under key as []uint32. A u32
// array is shared; other integer arrays are converted when every element fits.
func (m *Metadata) Uint32s(key string) ([]uint32, error) {
	return intArray[uint32](m, key, 0, math.MaxUint32)
}

func arrayOf[T any](m *Metadata, key, want string) ([]T, error) {
	v, err := m.lookup(key)
	if err != nil {
		return nil, err
	}
	s, ok := v.Array().([]T)
	if !ok {
		return nil, typeErr(key, v, want)
	}
	return s, nil
}

func intArray[T int32 | uint32](m *Metadata, key string, lo, hi int64) ([]T, error) {
	v, err := m.lookup(key)
	if err != nil {
		return nil, err
	}
	if s, ok := v.Array().([]T); ok {
		return s, nil
	}
	if v.Type() != ValueArray || !v.ElemType().isInt() {
		return nil, typeErr(key, v, "an integer array")
	}
	out := make([]T, v.Len())
	for i := range out {
		e := v.Index(i)
		x, ok := e.Int64()
		if !ok || x < lo || x > hi {
			return nil, fmt.Errorf("gguf: %s[%d] = %s is out of range", key, i, e)
		}
		out[i] = T(x)
	}
	return out, nil
}
