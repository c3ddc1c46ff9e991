//go:build (!amd64 && !arm64) || purego

package kernels

const (
	asmCompiled      = false
	arm64AsmCompiled = false
)

func dotQ8_0Q8_0(x, y []blockQ8_0) float32                 { return dotQ8_0Q8_0Generic(x, y) }
func dotQ4_0Q8_0(x []blockQ4_0, y []blockQ8_0) float32     { return dotQ4_0Q8_0Generic(x, y) }
func dotQ4_KQ8_K(x []blockQ4_K, y []blockQ8_K) float32     { return dotQ4_KQ8_KGeneric(x, y) }
func dotQ6_KQ8_K(x []blockQ6_K, y []blockQ8_K) float32     { return dotQ6_KQ8_KGeneric(x, y) }
func dotF16(x, y []byte) float32                           { return dotF16Generic(x, y) }
func dotF32(x, y []byte) float32                           { return dotF32Generic(x, y) }
func dotQ5_KQ8_K(x []blockQ5_K, y []blockQ8_K) float32     { return dotQ5_KQ8_KGeneric(x, y) }
func dotIQ4_NLQ8_0(x []blockIQ4_NL, y []blockQ8_0) float32 { return dotIQ4_NLQ8_0Generic(x, y) }
func dotIQ4_XSQ8_K(x []blockIQ4_XS, y []blockQ8_K) float32 { return dotIQ4_XSQ8_KGeneric(x, y) }
func dotBF16(x, y []byte) float32                          { return dotBF16Generic(x, y) }
