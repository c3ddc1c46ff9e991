package kernels

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/smeltlm/smelt/gguf"
)

// ggml's test-quantize-fns limits, in its own metric: √(Σ diff²) / n over
// n = 4096 values of 0.1 + 2cos(i + offset).
const (
	maxQuantError        = 0.002
	maxQuantErrorTernary = 0.01
	maxQuantError2Bits   = 0.0075
	maxQuantError3Bits   = 0.0040
	maxQuantError3XXS    = 0.0050
	maxDotError          = 0.02
	maxDotErrorLowBit    = 0.04
	maxDotErrorTernary   = 0.15
	ggmlTestSize         = 32 * 128
)

func quantErrorLimit(t gguf.Type) float64 {
	switch t {
	case gguf.TypeTQ1_0, gguf.TypeTQ2_0:
		return maxQuantErrorTernary
	case gguf.TypeQ2_K, gguf.TypeIQ2_S:
		return maxQuantError2Bits
	case gguf.TypeQ3_K, gguf.TypeIQ3_S:
		return maxQuantError3Bits
	case gguf.TypeIQ3_XXS:
		return maxQuantError3XXS
	}
	return maxQuantError
}

func dotErrorLimit(t gguf.Type) float64 {
	switch t {
	case gguf.TypeQ2_K, gguf.TypeIQ2_XXS, gguf.TypeIQ2_XS, gguf.TypeIQ3_XXS, gguf.TypeIQ3_S, gguf.TypeIQ2_S:
		return maxDotErrorLowBit
	case gguf.TypeTQ1_0, gguf.TypeTQ2_0:
		return maxDotErrorTernary
	}
	return maxDotError
}

func cosData(offset float64, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(0.1 + 2*math.Cos(float64(i)+offset))
	}
	return x
}

func ggmlRMSE(a, b []float32) float64 {
	var s float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		s += d * d
	}
	return math.Sqrt(s) / float64(len(a))
}

// TestGGMLLimits runs ggml's test-quantize-fns checks on every type with a
// quantizer: round-trip error, dot product error against the float dot,
// and, for the activation types, the x86 quantizer against the reference.
func TestGGMLLimits(t *testing.T) {
	x := cosData(0, ggmlTestSize)
	y := cosData(1, ggmlTestSize)
	for _, ty := range gguf.Types() {
		tr, err := For(ty)
		// ggml-cpu has no from_float for iq1_m, so its test skips it.
		if err != nil || tr.Quantize == nil || ty == gguf.TypeQ8_K || ty == gguf.TypeIQ1_M {
			continue
		}
		rb, _ := ty.RowBytes(ggmlTestSize)
		q := make([]byte, rb)
		tr.Quantize(q, x)
		out := make([]float32, ggmlTestSize)
		tr.Dequantize(out, q)
		qErr := ggmlRMSE(x, out)
		if qErr > quantErrorLimit(ty) {
			t.Errorf("%s: quantization error %.5f > %.4f", ty, qErr, quantErrorLimit(ty))
		}
		dErr := math.NaN()
		if tr.Dot != nil {
			yq, err := QuantizeActivations(nil, ty, y, 1, ggmlTestSize)
			if err != nil {
				t.Fatal(err)
			}
			var ref float64
			for i := range x {
				ref += float64(x[i] * y[i])
			}
			dErr = math.Abs(float64(tr.Dot(q, yq))-ref) / ggmlTestSize
			if dErr > dotErrorLimit(ty) {
				t.Errorf("%s: dot product error %.5f > %.3f", ty, dErr, dotErrorLimit(ty))
			}
		}
		if tr.QuantizeAct != nil {
			qa := make([]byte, rb)
			tr.QuantizeAct(qa, x)
			outA := make([]float32, ggmlTestSize)
			tr.Dequantize(outA, qa)
			if e := ggmlRMSE(out, outA); e > 0.0001 {
				t.Errorf("%s: activation quantizer strays %.6f from the reference", ty, e)
			}
		}
		if tr.Dot != nil {
			t.Logf("%-7s quantization error %.5f (limit %.4f), dot error %.5f (limit %.3f)", ty, qErr, quantErrorLimit(ty), dErr, dotErrorLimit(ty))
		} else {
			t.Logf("%-7s quantization error %.5f (limit %.4f), no dot (activation type)", ty, qErr, quantErrorLimit(ty))
		}
	}
}

// relativeLimit converts a ggml limit to RMSE relative to the data's RMS:
// × √n / RMS(0.1 + 2cos) for ggml's n = 4096.
func relativeLimit(t gguf.Type) float64 {
	return quantErrorLimit(t) * math.Sqrt(ggmlTestSize) / math.Sqrt(0.01+2)
}

// TestModelRMSE dequantizes every tensor of every llama-spm4k model and
// compares it with the F32 model: relative RMSE within ggml's limit for the
// tensor's type (converted as relativeLimit does: 9.0% for 4 bits and up,
// 18.1% for 3 bits, 33.9% for 2 bits).
func TestModelRMSE(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "models")
	refPath := filepath.Join(dir, "llama-spm4k-f32.gguf")
	if _, err := os.Stat(refPath); err != nil {
		t.Skipf("reference model %s is absent (%v); CI has it", refPath, err)
	}
	ref, err := gguf.Open(refPath)
	if err != nil {
		t.Fatal(err)
	}
	refData, _ := os.ReadFile(refPath)
	paths, _ := filepath.Glob(filepath.Join(dir, "llama-spm4k-*.gguf"))
	for _, p := range paths {
		m, err := gguf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		worst := map[gguf.Type]float64{}
		for _, ti := range m.Tensors {
			rt, ok := ref.Tensor(ti.Name)
			if !ok {
				t.Fatalf("%s: %s not in the F32 model", p, ti.Name)
			}
			tr, err := For(ti.Type)
			if err != nil {
				t.Fatalf("%s: %s: %v", p, ti.Name, err)
			}
			n := int(ti.Elements())
			deq := make([]float32, n)
			tr.Dequantize(deq, data[ti.FileOffset:ti.FileOffset+int64(ti.Size)])
			var se, ss float64
			for i := range n {
				r := float64(math.Float32frombits(binary.LittleEndian.Uint32(refData[rt.FileOffset+int64(4*i):])))
				d := float64(deq[i]) - r
				se += d * d
				ss += r * r
			}
			rel := math.Sqrt(se / ss)
			worst[ti.Type] = max(worst[ti.Type], rel)
			if rel > relativeLimit(ti.Type) {
				t.Errorf("%s %s (%s): relative RMSE %.4f > %.4f", filepath.Base(p), ti.Name, ti.Type, rel, relativeLimit(ti.Type))
			}
		}
		for ty, w := range worst {
			if ty != gguf.TypeF32 {
				t.Logf("%-26s %-6s worst relative RMSE %.4f (limit %.4f)", filepath.Base(p), ty, w, relativeLimit(ty))
			}
		}
	}
}
