package kernels

import "github.com/smeltlm/smelt/tensor"

// Short local names for the tensor package's blocks and conversions, so
// kernels read like the ggml code they mirror.

const (
	qk  = tensor.QK
	qkK = tensor.QKK
)

type (
	blockQ4_0    = tensor.BlockQ4_0
	blockQ4_1    = tensor.BlockQ4_1
	blockQ5_0    = tensor.BlockQ5_0
	blockQ5_1    = tensor.BlockQ5_1
	blockQ8_0    = tensor.BlockQ8_0
	blockQ8_1    = tensor.BlockQ8_1
	blockQ2_K    = tensor.BlockQ2_K
	blockQ3_K    = tensor.BlockQ3_K
	blockQ4_K    = tensor.BlockQ4_K
	blockQ5_K    = tensor.BlockQ5_K
	blockQ6_K    = tensor.BlockQ6_K
	blockQ8_K    = tensor.BlockQ8_K
	blockIQ4_NL  = tensor.BlockIQ4_NL
	blockIQ2_XXS = tensor.BlockIQ2_XXS
	blockIQ2_XS  = tensor.BlockIQ2_XS
	blockIQ2_S   = tensor.BlockIQ2_S
	blockIQ3_XXS = tensor.BlockIQ3_XXS
	blockIQ3_S   = tensor.BlockIQ3_S
	blockIQ1_S   = tensor.BlockIQ1_S
	blockIQ1_M   = tensor.BlockIQ1_M
	blockIQ4_XS  = tensor.BlockIQ4_XS
	blockTQ1_0   = tensor.BlockTQ1_0
	blockTQ2_0   = tensor.BlockTQ2_0
	blockMXFP4   = tensor.BlockMXFP4
)

func fp16(h uint16) float32   { return tensor.F16ToF32(h) }
func toFP16(f float32) uint16 { return tensor.F32ToF16(f) }
