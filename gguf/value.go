package gguf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueType is the type tag of a GGUF metadata value.
type ValueType uint32

// The metadata value types, numbered as in the GGUF specification.
const (
	ValueUint8   ValueType = 0
	ValueInt8    ValueType = 1
	ValueUint16  ValueType = 2
	ValueInt16   ValueType = 3
	ValueUint32  ValueType = 4
	ValueInt32   ValueType = 5
	ValueFloat32 ValueType = 6
	ValueBool    ValueType = 7
	ValueString  ValueType = 8
	ValueArray   ValueType = 9
	ValueUint64  ValueType = 10
	ValueInt64   ValueType = 11
	ValueFloat64 ValueType = 12

	valueTypeCount = 13
)

var valueTypeNames = [valueTypeCount]string{
	"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "arr", "u64", "i64", "f64",
}

// fixedSize is the encoded size of a scalar of type t (0 for string/array).
var fixedSize = [valueTypeCount]uint64{1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8}

func (t ValueType) valid() bool { return t < valueTypeCount }

func (t ValueType) String() string {
	if t.valid() {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("valuetype(%d)", uint32(t))
}

func (t ValueType) isInt() bool {
	switch t {
	case ValueUint8, ValueInt8, ValueUint16, ValueInt16, ValueUint32, ValueInt32, ValueUint64, ValueInt64:
		return true
	}
	return false
}

func (t ValueType) isSigned() bool {
	return t == ValueInt8 || t == ValueInt16 || t == ValueInt32 || t == ValueInt64
}

// Value is one metadata value: a scalar, a string, or an array. Arrays of
// scalars and strings are held as typed Go slices ([]uint8 … []float64,
// []bool, []string); arrays of arrays as []Value.
type Value struct {
	typ  ValueType
	elem ValueType // element type when typ == ValueArray
	bits uint64    // scalar payload: integer bits, float bits, or bool
	str  string
	arr  any
}

// Type returns the value's type tag.
func (v Value) Type() ValueType { return v.typ }

// ElemType returns the element type of an array value.
func (v Value) ElemType() ValueType { return v.elem }

// ValueOf converts a Go value into a metadata value. It accepts the sized
// integer types, float32, float64, bool, string, slices of those, []Value
// (an array of arrays) and Value itself.
func ValueOf(x any) (Value, error) {
	switch x := x.(type) {
	case Value:
		return x, nil
	case uint8:
		return Value{typ: ValueUint8, bits: uint64(x)}, nil
	case int8:
		return Value{typ: ValueInt8, bits: uint64(int64(x))}, nil
	case uint16:
		return Value{typ: ValueUint16, bits: uint64(x)}, nil
	case int16:
		return Value{typ: ValueInt16, bits: uint64(int64(x))}, nil
	case uint32:
		return Value{typ: ValueUint32, bits: uint64(x)}, nil
	case int32:
		return Value{typ: ValueInt32, bits: uint64(int64(x))}, nil
	case uint64:
		return Value{typ: ValueUint64, bits: x}, nil
	case int64:
		return Value{typ: ValueInt64, bits: uint64(x)}, nil
	case float32:
		return Value{typ: ValueFloat32, bits: uint64(math.Float32bits(x))}, nil
	case float64:
		return Value{typ: ValueFloat64, bits: math.Float64bits(x)}, nil
	case bool:
		var b uint64
		if x {
			b = 1
		}
		return Value{typ: ValueBool, bits: b}, nil
	case string:
		return Value{typ: ValueString, str: x}, nil
	case []uint8:
		return arrayValue(ValueUint8, x), nil
	case []int8:
		return arrayValue(ValueInt8, x), nil
	case []uint16:
		return arrayValue(ValueUint16, x), nil
	case []int16:
		return arrayValue(ValueInt16, x), nil
	case []uint32:
		return arrayValue(ValueUint32, x), nil
	case []int32:
		return arrayValue(ValueInt32, x), nil
	case []uint64:
		return arrayValue(ValueUint64, x), nil
	case []int64:
		return arrayValue(ValueInt64, x), nil
	case []float32:
		return arrayValue(ValueFloat32, x), nil
	case []float64:
		return arrayValue(ValueFloat64, x), nil
	case []bool:
		return arrayValue(ValueBool, x), nil
	case []string:
		return arrayValue(ValueString, x), nil
	case []Value:
		for i, e := range x {
			if e.typ != ValueArray {
				return Value{}, fmt.Errorf("gguf: element %d of a nested array is %s, not an array", i, e.typ)
			}
		}
		return arrayValue(ValueArray, x), nil
	}
	return Value{}, fmt.Errorf("gguf: no metadata type for Go type %T", x)
}

func arrayValue[T any](elem ValueType, s []T) Value {
	return Value{typ: ValueArray, elem: elem, arr: s}
}

// Len returns the element count of an array, the byte length of a string,
// and 1 for a scalar.
func (v Value) Len() int {
	switch v.typ {
	case ValueString:
		return len(v.str)
	case ValueArray:
		return arrayLen(v.arr)
	}
	return 1
}

func arrayLen(a any) int {
	switch a := a.(type) {
	case []uint8:
		return len(a)
	case []int8:
		return len(a)
	case []uint16:
		return len(a)
	case []int16:
		return len(a)
	case []uint32:
		return len(a)
	case []int32:
		return len(a)
	case []uint64:
		return len(a)
	case []int64:
		return len(a)
	case []float32:
		return len(a)
	case []float64:
		return len(a)
	case []bool:
		return len(a)
	case []string:
		return len(a)
	case []Value:
		return len(a)
	}
	return 0
}

// Uint64 returns an integer value as uint64; ok is false for other types and
// for negative signed values.
func (v Value) Uint64() (uint64, bool) {
	if !v.typ.isInt() || (v.typ.isSigned() && int64(v.bits) < 0) {
		return 0, false
	}
	return v.bits, true
}

// Int64 returns an integer value as int64; ok is false for other types and
// for unsigned values above math.MaxInt64.
func (v Value) Int64() (int64, bool) {
	if !v.typ.isInt() || (!v.typ.isSigned() && v.bits > math.MaxInt64) {
		return 0, false
	}
	return int64(v.bits), true
}

// Float64 returns a float32 or float64 value widened to float64.
func (v Value) Float64() (float64, bool) {
	switch v.typ {
	case ValueFloat32:
		return float64(math.Float32frombits(uint32(v.bits))), true
	case ValueFloat64:
		return math.Float64frombits(v.bits), true
	}
	return 0, false
}

// Bool returns a bool value.
func (v Value) Bool() (bool, bool) {
	return v.bits != 0, v.typ == ValueBool
}

// Str returns a string value.
func (v Value) Str() (string, bool) {
	return v.str, v.typ == ValueString
}

// Array returns the typed slice behind an array value ([]string, []float32,
// []Value for nested arrays, …) or nil for other values. The slice is shared,
// not copied.
func (v Value) Array() any {
	if v.typ != ValueArray {
		return nil
	}
	return v.arr
}

// Equal reports whether two values have the same type and contents. Floats
// compare by bits, so NaNs with the same payload are equal.
func (v Value) Equal(w Value) bool {
	if v.typ != w.typ || v.elem != w.elem || v.bits != w.bits || v.str != w.str {
		return false
	}
	if v.typ != ValueArray {
		return true
	}
	n := arrayLen(v.arr)
	if n != arrayLen(w.arr) {
		return false
	}
	for i := range n {
		if !arrayElem(v.arr, i).Equal(arrayElem(w.arr, i)) {
			return false
		}
	}
	return true
}

// arrayElem returns element i of a typed array slice as a Value.
func arrayElem(a any, i int) Value {
	var x any
	switch a := a.(type) {
	case []uint8:
		x = a[i]
	case []int8:
		x = a[i]
	case []uint16:
		x = a[i]
	case []int16:
		x = a[i]
	case []uint32:
		x = a[i]
	case []int32:
		x = a[i]
	case []uint64:
		x = a[i]
	case []int64:
		x = a[i]
	case []float32:
		x = a[i]
	case []float64:
		x = a[i]
	case []bool:
		x = a[i]
	case []string:
		x = a[i]
	case []Value:
		return a[i]
	}
	v, _ := ValueOf(x)
	return v
}

// Index returns element i of an array value.
func (v Value) Index(i int) Value {
	if v.typ != ValueArray || i < 0 || i >= arrayLen(v.arr) {
		return Value{}
	}
	return arrayElem(v.arr, i)
}

// String formats the value the way llama.cpp's loader prints metadata,
// abbreviating arrays after 5 elements.
func (v Value) String() string { return v.Format(5) }

// Format formats the value, showing at most maxElems elements of an array
// (all when maxElems < 0). Strings are quoted.
func (v Value) Format(maxElems int) string {
	switch v.typ {
	case ValueString:
		return strconv.Quote(v.str)
	case ValueBool:
		return strconv.FormatBool(v.bits != 0)
	case ValueFloat32, ValueFloat64:
		f, _ := v.Float64()
		bits := 64
		if v.typ == ValueFloat32 {
			bits = 32
		}
		return strconv.FormatFloat(f, 'g', -1, bits)
	case ValueArray:
		var sb strings.Builder
		n := arrayLen(v.arr)
		sb.WriteByte('[')
		for i := range n {
			if maxElems >= 0 && i >= maxElems {
				sb.WriteString(", ...")
				break
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(arrayElem(v.arr, i).Format(maxElems))
		}
		sb.WriteByte(']')
		return sb.String()
	}
	if v.typ.isSigned() {
		return strconv.FormatInt(int64(v.bits), 10)
	}
	if v.typ.isInt() {
		return strconv.FormatUint(v.bits, 10)
	}
	return "<invalid>"
}

// TypeString describes the value's type as llama.cpp does: "u32", "str",
// "arr[str,32000]".
func (v Value) TypeString() string {
	if v.typ != ValueArray {
		return v.typ.String()
	}
	return fmt.Sprintf("arr[%s,%d]", v.elem, arrayLen(v.arr))
}
