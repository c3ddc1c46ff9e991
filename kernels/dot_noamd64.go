//go:build !amd64 || purego

package kernels

import "github.com/smeltlm/smelt/gguf"

// The kernels with no assembly off amd64 (arm64 has its own for q8_0,
// q4_0, q4_K, q5_K, q6_K, iq4_nl, iq4_xs, f16, f32 and bf16 in dot_arm64.go, the others use their twins in
// dot_other.go).

func dotMXFP4Q8_0(x []blockMXFP4, y []blockQ8_0) float32 { return dotMXFP4Q8_0Generic(x, y) }

func dot4Q8_0(w []byte, rowBytes int, y []byte, out *[4]float32) {
	dot4Generic(dotter(dotQ8_0Q8_0), w, rowBytes, y, out)
}

// x4Kernel and x4Kernel2 are nil: no interleaved kernels on this build.
func x4Kernel(gguf.Type) func(group, y []byte, out *[4]float32)               { return nil }
func x4Kernel2(gguf.Type) func(group, y []byte, ystride int, out *[8]float32) { return nil }
func quantizeActQ8_0(dst []blockQ8_0, x []float32)                            { quantizeActQ8_0Generic(dst, x) }
func quantizeQ8_K(dst []blockQ8_K, x []float32)                               { quantizeQ8_KGeneric(dst, x) }
