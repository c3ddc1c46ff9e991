package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/x448/float16"
)

func TestF16ToF32Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		got := F16ToF32(uint16(h))
		want := float16.Frombits(uint16(h)).Float32()
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("%#04x: %v, want %v", h, got, want)
		}
		if got == got && F32ToF16(got) != uint16(h) {
			t.Fatalf("%#04x does not round-trip: %#04x", h, F32ToF16(got))
		}
	}
}

// TestF32ToF16 checks rounding against x448/float16 (round to nearest
// even) on every float32 near each half boundary and on random values.
func TestF32ToF16(t *testing.T) {
	check := func(f float32) {
		got, want := F32ToF16(f), float16.Fromfloat32(f).Bits()
		if f != f { // both NaN is enough
			if got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
				t.Fatalf("NaN %#x -> %#04x", math.Float32bits(f), got)
			}
			return
		}
		if got != want {
			t.Fatalf("%v (%#08x): %#04x, want %#04x", f, math.Float32bits(f), got, want)
		}
	}
	for h := range 1 << 15 {
		mid := math.Float32bits(F16ToF32(uint16(h)))
		for d := -4100; d <= 4100; d += 1 {
			if u := int64(mid) + int64(d); u >= 0 && u < 1<<31 {
				check(math.Float32frombits(uint32(u)))
				check(-math.Float32frombits(uint32(u)))
			}
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 1 << 20 {
		check(math.Float32frombits(rng.Uint32()))
	}
}

func TestBF16(t *testing.T) {
	cases := map[float32]uint16{1: 0x3f80, -2: 0xc000, 1.00390625: 0x3f80, 1.01171875: 0x3f82}
	for f, want := range cases {
		if got := F32ToBF16(f); got != want {
			t.Errorf("F32ToBF16(%v) = %#04x, want %#04x", f, got, want)
		}
	}
	if nan := F32ToBF16(float32(math.NaN())); BF16ToF32(nan) == BF16ToF32(nan) {
		t.Error("NaN did not stay NaN")
	}
	for h := range 1 << 16 {
		if f := BF16ToF32(uint16(h)); f == f && F32ToBF16(f) != uint16(h) {
			t.Fatalf("%#04x does not round-trip", h)
		}
	}
}
