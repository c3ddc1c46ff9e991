module github.com/smeltlm/smelt

go 1.26.0

require golang.org/x/sys v0.49.0

require github.com/x448/float16 v0.8.4

require github.com/klauspost/cpuid/v2 v2.4.2 // indirect
