//go:build !amd64 || purego

package kernels

func vexpAVX512(dst, src *float32, add float32, groups int) { panic("kernels: no AVX-512 here") }
func swigluAVX512(dst, x, gate *float32, groups int)        { panic("kernels: no AVX-512 here") }
