package kernels

import "testing"

// TestMul8 checks the branch-free byte product against the instruction
// semantics it models (VPSIGNB then VPMADDUBSW) on all 65,536 pairs.
func TestMul8(t *testing.T) {
	for x := -128; x < 128; x++ {
		for y := -128; y < 128; y++ {
			var want int32
			switch {
			case x > 0:
				want = int32(x) * int32(y)
			case x < 0:
				want = int32(uint8(-int8(x))) * int32(-int8(y))
			}
			if got := mul8(int8(x), int8(y)); got != want {
				t.Fatalf("mul8(%d, %d) = %d, want %d", x, y, got, want)
			}
		}
	}
}
