package kernels

import (
	"fmt"

	"github.com/smeltlm/smelt/gguf"
	"github.com/smeltlm/smelt/tensor"
)

// Traits are the kernels of one ggml type, on raw bytes: the form in which
// weights come from a model file. Every byte slice holds whole blocks.
type Traits struct {
	Type gguf.Type
	// VecDotType is the type activations are quantized to for Dot (ggml's
	// vec_dot_type): q8_0, q8_1, q8_K, f16, bf16 or f32.
	VecDotType gguf.Type
	// Dequantize writes len(dst) values decoded from src.
	Dequantize func(dst []float32, src []byte)
	// Quantize encodes src as ggml's reference quantizer does (for weights);
	// nil where ggml needs an importance matrix or it is not implemented.
	Quantize func(dst []byte, src []float32)
	// QuantizeAct encodes activations as ggml-cpu does before a dot (x86
	// rounding); set on the types that are some type's VecDotType.
	QuantizeAct func(dst []byte, src []float32)
	// Dot returns Σ x·y over n elements, x of Type and y of VecDotType.
	Dot func(x, y []byte) float32
	// Dot4, where set, computes Dot of the four consecutive rows of
	// rowBytes at w with y, bit for bit as four Dot calls would, faster.
	Dot4 func(w []byte, rowBytes int, y []byte, out *[4]float32)
}

// dot4Generic is Dot4 as four calls of dot.
func dot4Generic(dot func(x, y []byte) float32, w []byte, rowBytes int, y []byte, out *[4]float32) {
	for k := range out {
		out[k] = dot(w[k*rowBytes:(k+1)*rowBytes], y)
	}
}

var traits = map[gguf.Type]*Traits{}

// For returns the kernels of a type, or an error naming a type without them.
func For(t gguf.Type) (*Traits, error) {
	if tr, ok := traits[t]; ok {
		return tr, nil
	}
	return nil, fmt.Errorf("kernels: no kernels for %s", t)
}

// register fills the table; the byte adapters check lengths once here
// rather than in each kernel.
func register(tr *Traits) { traits[tr.Type] = tr }

func blocks[T tensor.Block](b []byte) []T {
	s, err := tensor.Blocks[T](b)
	if err != nil {
		panic(err)
	}
	return s
}

func dequantizer[T tensor.Block](f func([]float32, []T)) func([]float32, []byte) {
	return func(dst []float32, src []byte) { f(dst, blocks[T](src)) }
}

func quantizer[T tensor.Block](f func([]T, []float32)) func([]byte, []float32) {
	return func(dst []byte, src []float32) { f(blocks[T](dst), src) }
}

func dotter[X, Y tensor.Block](f func([]X, []Y) float32) func(x, y []byte) float32 {
	return func(x, y []byte) float32 { return f(blocks[X](x), blocks[Y](y)) }
}

func init() {
	register(&Traits{Type: gguf.TypeQ4_0, VecDotType: gguf.TypeQ8_0,
		Dequantize: dequantizer(dequantizeQ4_0Generic), Quantize: quantizer(quantizeQ4_0Generic),
		Dot: dotter(dotQ4_0Q8_0)})
	register(&Traits{Type: gguf.TypeQ4_1, VecDotType: gguf.TypeQ8_1,
		Dequantize: dequantizer(dequantizeQ4_1Generic), Quantize: quantizer(quantizeQ4_1Generic),
		Dot: dotter(dotQ4_1Q8_1Generic)})
	register(&Traits{Type: gguf.TypeQ5_0, VecDotType: gguf.TypeQ8_0,
		Dequantize: dequantizer(dequantizeQ5_0Generic), Quantize: quantizer(quantizeQ5_0Generic),
		Dot: dotter(dotQ5_0Q8_0Generic)})
	register(&Traits{Type: gguf.TypeQ5_1, VecDotType: gguf.TypeQ8_1,
		Dequantize: dequantizer(dequantizeQ5_1Generic), Quantize: quantizer(quantizeQ5_1Generic),
		Dot: dotter(dotQ5_1Q8_1Generic)})
	register(&Traits{Type: gguf.TypeQ8_0, VecDotType: gguf.TypeQ8_0,
		Dequantize: dequantizer(dequantizeQ8_0Generic), Quantize: quantizer(quantizeQ8_0Generic),
		QuantizeAct: quantizer(quantizeActQ8_0), Dot: dotter(dotQ8_0Q8_0), Dot4: dot4Q8_0})
	register(&Traits{Type: gguf.TypeQ8_1, VecDotType: gguf.TypeQ8_1,
		Dequantize: dequantizer(dequantizeQ8_1Generic), Quantize: quantizer(quantizeQ8_1Generic),
		QuantizeAct: quantizer(quantizeActQ8_1Generic)})
	register(&Traits{Type: gguf.TypeQ2_K, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeQ2_KGeneric), Quantize: quantizer(quantizeQ2_KGeneric),
		Dot: dotter(dotQ2_KQ8_KGeneric)})
	register(&Traits{Type: gguf.TypeQ3_K, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeQ3_KGeneric), Quantize: quantizer(quantizeQ3_KGeneric),
		Dot: dotter(dotQ3_KQ8_KGeneric)})
	register(&Traits{Type: gguf.TypeQ4_K, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeQ4_KGeneric), Quantize: quantizer(quantizeQ4_KGeneric),
		Dot: dotter(dotQ4_KQ8_K)})
	register(&Traits{Type: gguf.TypeQ5_K, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeQ5_KGeneric), Quantize: quantizer(quantizeQ5_KGeneric),
		Dot: dotter(dotQ5_KQ8_K)})
	register(&Traits{Type: gguf.TypeQ6_K, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeQ6_KGeneric), Quantize: quantizer(quantizeQ6_KGeneric),
		Dot: dotter(dotQ6_KQ8_K)})
	register(&Traits{Type: gguf.TypeQ8_K, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeQ8_KGeneric), Quantize: quantizer(quantizeQ8_KGeneric),
		QuantizeAct: quantizer(quantizeQ8_K)})
	register(&Traits{Type: gguf.TypeIQ4_NL, VecDotType: gguf.TypeQ8_0,
		Dequantize: dequantizer(dequantizeIQ4_NLGeneric), Quantize: quantizer(quantizeIQ4_NLGeneric),
		Dot: dotter(dotIQ4_NLQ8_0)})
	register(&Traits{Type: gguf.TypeIQ4_XS, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeIQ4_XSGeneric), Quantize: quantizer(quantizeIQ4_XSGeneric),
		Dot: dotter(dotIQ4_XSQ8_K)})
	for _, tr := range []*Traits{
		{Type: gguf.TypeIQ2_XXS, Dequantize: dequantizer(dequantizeIQ2_XXSGeneric), Dot: dotter(dotIQ2_XXSQ8_KGeneric)},
		{Type: gguf.TypeIQ2_XS, Dequantize: dequantizer(dequantizeIQ2_XSGeneric), Dot: dotter(dotIQ2_XSQ8_KGeneric)},
		{Type: gguf.TypeIQ2_S, Dequantize: dequantizer(dequantizeIQ2_SGeneric), Quantize: quantizer(quantizeIQ2_SGeneric), Dot: dotter(dotIQ2_SQ8_KGeneric)},
		{Type: gguf.TypeIQ3_XXS, Dequantize: dequantizer(dequantizeIQ3_XXSGeneric), Quantize: quantizer(quantizeIQ3_XXSGeneric), Dot: dotter(dotIQ3_XXSQ8_KGeneric)},
		{Type: gguf.TypeIQ3_S, Dequantize: dequantizer(dequantizeIQ3_SGeneric), Quantize: quantizer(quantizeIQ3_SGeneric), Dot: dotter(dotIQ3_SQ8_KGeneric)},
		{Type: gguf.TypeIQ1_S, Dequantize: dequantizer(dequantizeIQ1_SGeneric), Dot: dotter(dotIQ1_SQ8_KGeneric)},
		{Type: gguf.TypeIQ1_M, Dequantize: dequantizer(dequantizeIQ1_MGeneric), Quantize: quantizer(quantizeIQ1_MGeneric), Dot: dotter(dotIQ1_MQ8_KGeneric)},
	} {
		tr.VecDotType = gguf.TypeQ8_K
		register(tr)
	}
	register(&Traits{Type: gguf.TypeMXFP4, VecDotType: gguf.TypeQ8_0,
		Dequantize: dequantizer(dequantizeMXFP4Generic), Quantize: quantizer(quantizeMXFP4Generic),
		Dot: dotter(dotMXFP4Q8_0)})
	register(&Traits{Type: gguf.TypeTQ1_0, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeTQ1_0Generic), Quantize: quantizer(quantizeTQ1_0Generic),
		Dot: dotter(dotTQ1_0Q8_KGeneric)})
	register(&Traits{Type: gguf.TypeTQ2_0, VecDotType: gguf.TypeQ8_K,
		Dequantize: dequantizer(dequantizeTQ2_0Generic), Quantize: quantizer(quantizeTQ2_0Generic),
		Dot: dotter(dotTQ2_0Q8_KGeneric)})
	register(&Traits{Type: gguf.TypeF32, VecDotType: gguf.TypeF32, Dequantize: dequantizeF32Generic,
		Quantize: quantizeF32Generic, QuantizeAct: quantizeF32Generic, Dot: dotF32})
	register(&Traits{Type: gguf.TypeF16, VecDotType: gguf.TypeF16, Dequantize: dequantizeF16Generic,
		Quantize: quantizeF16Generic, QuantizeAct: quantizeF16Generic, Dot: dotF16})
	register(&Traits{Type: gguf.TypeBF16, VecDotType: gguf.TypeBF16, Dequantize: dequantizeBF16Generic,
		Quantize: quantizeBF16Generic, QuantizeAct: quantizeBF16Generic, Dot: dotBF16})
}
