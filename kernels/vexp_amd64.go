//go:build amd64 && !purego

package kernels

// vexpAVX512 is VExpGroups' loop over groups of 16 values: ggml_v_expf.
//
//go:noescape
func vexpAVX512(dst, src *float32, add float32, groups int)

// swigluAVX512 is SwiGLU's loop over groups of 16 values.
//
//go:noescape
func swigluAVX512(dst, x, gate *float32, groups int)
