package kernels

import (
	"encoding/binary"
	"sort"
)

// Reference quantizers of the grid i-quants that ggml runs without an
// importance matrix: iq3_xxs, iq3_s, iq2_s and iq1_m (ggml's
// quantize_row_*_impl with quant_weights NULL). iq2_xxs, iq2_xs and iq1_s
// need an importance matrix in ggml and are not quantized here.
//
// Every product that feeds a sum is wrapped in float32() so that no FMA
// changes a rounding (see round.go).

// sumSquares is ggml's sumx2 loop over a super-block.
func sumSquares(x []float32) float32 {
	var s float32
	for _, v := range x {
		s += float32(v * v)
	}
	return s
}

// iq3Params are the differences between ggml's iq3_xxs and iq3_s searches.
type iq3Params struct {
	m          *iqMap
	evenSigns  bool    // iq3_xxs: 7 sign bits, the eighth implied by parity
	eps        float32 // groups whose max is below are zero (iq3_s: max == 0)
	steps      int     // candidate scales (2·kMaxQ−1 + is·0.2)/max, is in ±steps
	initOnGrid bool    // iq3_xxs starts is_on_grid true, iq3_s false
	fixAll     bool    // iq3_s re-projects every group, iq3_xxs only off-grid ones
}

// iq3State is the scratch ggml keeps across blocks (L survives a skipped
// block as it does in ggml).
type iq3State struct {
	L, Laux            [32]int8
	weight, xval, waux [32]float32
	onGrid, onGridAux  [8]bool
	signs              [4]uint8
	gridIndex          [8]int
	scales             [qkK / 32]float32
	skipped            [qkK / 32]bool
	gridIdx            [qkK / 32][8]int
	blockSigns         [qkK / 32][4]uint8
}

// searchIQ3 quantizes one group of 32 (xb); it returns the group's scale,
// leaving grid indices and signs in st, and false for a zero group.
func searchIQ3(p *iq3Params, st *iq3State, xb []float32) (float32, bool) {
	const kMaxQ = 8
	for i, v := range xb {
		st.weight[i] = float32(v * v)
	}
	for i := range xb {
		st.waux[i] = sqrt32(st.weight[i])
	}
	for k := range 4 {
		nflip := 0
		var s uint8
		for i := range 8 {
			v := xb[8*k+i]
			if v >= 0 {
				st.xval[8*k+i] = v
			} else {
				st.xval[8*k+i] = -v
				nflip++
				s |= 1 << i
			}
		}
		if p.evenSigns && nflip%2 != 0 {
			imin := 0
			min := float32(st.weight[8*k]*xb[8*k]) * xb[8*k]
			for i := 1; i < 8; i++ {
				if ax := float32(st.weight[8*k+i]*xb[8*k+i]) * xb[8*k+i]; ax < min {
					min, imin = ax, i
				}
			}
			st.xval[8*k+imin] = -st.xval[8*k+imin]
			s ^= 1 << imin
		}
		if p.evenSigns {
			s &= 127
		}
		st.signs[k] = s
	}
	max := st.xval[0]
	for _, v := range st.xval[1:] {
		max = fmax(max, v)
	}
	if max < p.eps || max == 0 {
		if p.evenSigns {
			clear(st.L[:]) // iq3_xxs clears L here, iq3_s leaves it
		}
		return 0, false
	}
	var best float32
	scale := max / (2*kMaxQ - 1)
	for k := range st.onGrid {
		st.onGrid[k] = p.initOnGrid
	}
	for is := -p.steps; is <= p.steps; is++ {
		id := (float32(2*kMaxQ-1) + float32(float32(is)*0.2)) / max
		thisScale := 1 / id
		for k := range 8 {
			for i := range 4 {
				l := nearestInt(0.5 * (float32(id*st.xval[4*k+i]) - 1))
				st.Laux[4*k+i] = int8(clampInt(l, 0, kMaxQ-1))
			}
			u := p.m.index(st.Laux[4*k:])
			st.onGridAux[k] = p.m.kmap[u] >= 0
			if !st.onGridAux[k] {
				p.m.bestNeighbour(u, st.xval[4*k:], st.waux[4*k:], thisScale, oddLevels[:], st.Laux[4*k:])
			}
		}
		var sumqx, sumq2 float32
		for i := range 32 {
			w, q := st.weight[i], float32(2*int(st.Laux[i])+1)
			sumqx += float32(float32(w*st.xval[i]) * q)
			sumq2 += float32(float32(w*q) * q)
		}
		if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
			scale = sumqx / sumq2
			best = scale * sumqx
			st.L = st.Laux
			st.onGrid = st.onGridAux
		}
	}
	offGrid := false
	for _, on := range st.onGrid {
		offGrid = offGrid || !on
	}
	if offGrid && scale > 0 {
		id := 1 / scale
		for k := range 8 {
			if st.onGrid[k] && !p.fixAll {
				continue
			}
			var l [4]int8
			for i := range 4 {
				l[i] = int8(clampInt(nearestInt(0.5*(float32(id*st.xval[4*k+i])-1)), 0, kMaxQ-1))
			}
			u := p.m.index(l[:])
			g := int(p.m.kmap[u])
			if g < 0 {
				g = p.m.bestNeighbour(u, st.xval[4*k:], st.waux[4*k:], scale, oddLevels[:], st.L[4*k:])
			}
			for i, v := range p.m.levels[g] {
				st.L[4*k+i] = int8(v)
			}
		}
		var sumqx, sumq2 float32
		for i := range 32 {
			w, q := st.weight[i], float32(2*int(st.L[i])+1)
			sumqx += float32(float32(w*st.xval[i]) * q)
			sumq2 += float32(float32(w*q) * q)
		}
		if sumq2 > 0 {
			scale = sumqx / sumq2
		}
	}
	if scale < 0 {
		scale = -scale
		for k := range st.signs {
			st.signs[k] = ^st.signs[k]
			if p.evenSigns {
				st.signs[k] &= 127
			}
		}
	}
	for k := range 8 {
		g := p.m.kmap[p.m.index(st.L[4*k:])]
		if g < 0 {
			panic("kernels: iq3 quantizer left a point off the grid")
		}
		st.gridIndex[k] = int(g)
	}
	return scale, true
}

// fmax is ggml's MAX(a, b) macro on floats: a > b ? a : b.
func fmax(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}

// quantizeIQ3 runs the search over each group of a super-block, then fits
// the super-block scale with 4-bit group scales (fudge: ggml's factor).
// ok is false when every group scale is zero: ggml then writes zeros.
func quantizeIQ3(p *iq3Params, st *iq3State, x []float32, fudge float32) (d uint16, scales [qkK / 32]uint8, ok bool) {
	var maxScale float32
	for ib := range qkK / 32 {
		s, ok := searchIQ3(p, st, x[32*ib:32*ib+32])
		st.scales[ib], st.skipped[ib] = s, !ok
		if ok {
			st.gridIdx[ib] = st.gridIndex
			st.blockSigns[ib] = st.signs
			maxScale = fmax(maxScale, s)
		}
	}
	if maxScale == 0 {
		return 0, scales, false
	}
	dd := maxScale / 31
	id := 1 / dd
	for ib := range scales {
		scales[ib] = uint8(clampInt(nearestInt(0.5*(float32(id*st.scales[ib])-1)), 0, 15))
	}
	return toFP16(dd * fudge), scales, true
}

var iq3xxsParams = iq3Params{evenSigns: true, eps: 1e-8, steps: 15, initOnGrid: true}
var iq3sParams = iq3Params{steps: 9, fixAll: true}

// quantizeIQ3_XXSGeneric is ggml's quantize_row_iq3_xxs_impl(256, …, NULL).
func quantizeIQ3_XXSGeneric(dst []blockIQ3_XXS, x []float32) {
	p := iq3xxsParams
	p.m = iq3xxsMap()
	var st iq3State
	for i := range dst {
		b := &dst[i]
		*b = blockIQ3_XXS{}
		d, scales, ok := quantizeIQ3(&p, &st, x[qkK*i:qkK*i+qkK], 1.0125)
		if !ok {
			continue
		}
		b.D = d
		for ib := range qkK / 32 {
			var ss uint32
			if !st.skipped[ib] {
				for k := range 8 {
					b.Qs[8*ib+k] = uint8(st.gridIdx[ib][k])
				}
				sg := st.blockSigns[ib]
				ss = uint32(sg[0]) | uint32(sg[1])<<7 | uint32(sg[2])<<14 | uint32(sg[3])<<21
			}
			ss |= uint32(scales[ib]) << 28
			binary.LittleEndian.PutUint32(b.Qs[qkK/4+4*ib:], ss)
		}
	}
}

// quantizeIQ3_SGeneric is ggml's quantize_row_iq3_s_impl(32, …, NULL).
// ggml skips an all-zero group without advancing its qs/signs pointers,
// so the groups after it land one place early; here every group keeps
// its own place (an all-zero group gets zero bytes), so such a block
// decodes correctly. Blocks without an all-zero group are byte-identical.
func quantizeIQ3_SGeneric(dst []blockIQ3_S, x []float32) {
	p := iq3sParams
	p.m = iq3sMap()
	var st iq3State
	for i := range dst {
		b := &dst[i]
		*b = blockIQ3_S{}
		d, scales, ok := quantizeIQ3(&p, &st, x[qkK*i:qkK*i+qkK], 1.033)
		if !ok {
			continue
		}
		for ib := range qkK / 32 {
			if st.skipped[ib] {
				continue
			}
			for k := range 8 {
				g := st.gridIdx[ib][k]
				b.Qs[8*ib+k] = uint8(g)
				b.Qh[ib] |= uint8(g>>8) << k
			}
			copy(b.Signs[4*ib:4*ib+4], st.blockSigns[ib][:])
		}
		b.D = d
		for ib := 0; ib < qkK/32; ib += 2 {
			b.Scales[ib/2] = scales[ib] | scales[ib+1]<<4
		}
	}
}

// quantizeIQ2_SGeneric is ggml's quantize_row_iq2_s_impl without an
// importance matrix: groups of 16 (two grid points of 8), 19 candidate
// scales, weights σ²/4 + x².
func quantizeIQ2_SGeneric(dst []blockIQ2_S, x []float32) {
	const kMaxQ = 3
	m := iq2sMap()
	var (
		scales            [qkK / 16]float32
		weight, xval      [16]float32
		waux              [16]float32
		L, Laux           [16]int8
		onGrid, onGridAux [2]bool
		signs             [2]uint8
	)
	for ibl := range dst {
		b := &dst[ibl]
		*b = blockIQ2_S{}
		xbl := x[qkK*ibl : qkK*ibl+qkK]
		sigma2 := 2 * sumSquares(xbl) / qkK
		var maxScale float32
		for ib := range qkK / 16 {
			xb := xbl[16*ib : 16*ib+16]
			for i, v := range xb {
				weight[i] = float32(0.25*sigma2) + float32(v*v)
			}
			for i := range xb {
				waux[i] = sqrt32(weight[i])
			}
			for k := range 2 {
				var s uint8
				for i := range 8 {
					if v := xb[8*k+i]; v >= 0 {
						xval[8*k+i] = v
					} else {
						xval[8*k+i] = -v
						s |= 1 << i
					}
				}
				signs[k] = s
			}
			max := xval[0]
			for _, v := range xval[1:] {
				max = fmax(max, v)
			}
			if max < 1e-8 {
				scales[ib] = 0
				continue
			}
			var best float32
			scale := max / (2*kMaxQ - 1)
			onGrid = [2]bool{true, true}
			for is := -9; is <= 9; is++ {
				id := (float32(2*kMaxQ-1) + float32(float32(is)*0.1)) / max
				thisScale := 1 / id
				for k := range 2 {
					for i := range 8 {
						l := nearestInt(0.5 * (float32(id*xval[8*k+i]) - 1))
						Laux[8*k+i] = int8(clampInt(l, 0, kMaxQ-1))
					}
					u := m.index(Laux[8*k:])
					onGridAux[k] = m.kmap[u] >= 0
					if !onGridAux[k] {
						m.bestNeighbour(u, xval[8*k:], waux[8*k:], thisScale, oddLevels[:], Laux[8*k:])
					}
				}
				var sumqx, sumq2 float32
				for i := range 16 {
					w, q := weight[i], float32(2*int(Laux[i])+1)
					sumqx += float32(float32(w*xval[i]) * q)
					sumq2 += float32(float32(w*q) * q)
				}
				if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
					scale = sumqx / sumq2
					best = scale * sumqx
					L = Laux
					onGrid = onGridAux
				}
			}
			if (!onGrid[0] || !onGrid[1]) && scale > 0 {
				id := 1 / scale
				for k := range 2 {
					if onGrid[k] {
						continue
					}
					for i := range 8 {
						L[8*k+i] = int8(clampInt(nearestInt(0.5*(float32(id*xval[8*k+i])-1)), 0, kMaxQ-1))
					}
					if u := m.index(L[8*k:]); m.kmap[u] < 0 {
						m.bestNeighbour(u, xval[8*k:], waux[8*k:], scale, oddLevels[:], L[8*k:])
					}
				}
				var sumqx, sumq2 float32
				for i := range 16 {
					w, q := weight[i], float32(2*int(L[i])+1)
					sumqx += float32(float32(w*xval[i]) * q)
					sumq2 += float32(float32(w*q) * q)
				}
				if sumq2 > 0 {
					scale = sumqx / sumq2
				}
			}
			if scale < 0 {
				scale = -scale
				signs[0], signs[1] = ^signs[0], ^signs[1]
			}
			for k := range 2 {
				g := m.kmap[m.index(L[8*k:])]
				if g < 0 {
					panic("kernels: iq2_s quantizer left a point off the grid")
				}
				i8 := 2*ib + k
				b.Qs[i8] = uint8(g)
				b.Qh[i8/4] |= uint8(g>>8) << (2 * (i8 % 4))
				b.Qs[qkK/8+i8] = signs[k]
			}
			scales[ib] = scale
			maxScale = fmax(maxScale, scale)
		}
		if maxScale == 0 {
			continue
		}
		d := maxScale / 31
		b.D = toFP16(d * 0.9875)
		id := 1 / d
		for ib := range qkK / 16 {
			l := uint8(clampInt(nearestInt(0.5*(float32(id*scales[ib])-1)), 0, 15))
			b.Scales[ib/2] |= l << (4 * (ib % 2))
		}
	}
}

// iq1Shifted are ggml's x_p and x_m of iq1_m: the three levels shifted by
// +1/8 and −1/8.
var iq1Shifted = [2][3]float32{{-1 + 0.125, 0.125, 1 + 0.125}, {-1 - 0.125, -0.125, 1 - 0.125}}

// iq1LevelsFor returns the shifted levels that half k of a group of 16 uses for
// shift code sh (0: +,+  1: +,−  2: −,+  3: −,−).
func iq1LevelsFor(sh, k int) *[3]float32 {
	neg := sh >= 2
	if k == 1 {
		neg = sh%2 == 1
	}
	if neg {
		return &iq1Shifted[1]
	}
	return &iq1Shifted[0]
}

// quantizeIQ1_MGeneric is ggml's quantize_row_iq1_m_impl without an
// importance matrix: for each group of 16, an exhaustive search over the
// two boundaries that split the sorted values into −1, 0, +1 and over the
// four delta-sign choices, then the nearest grid points.
func quantizeIQ1_MGeneric(dst []blockIQ1_M, x []float32) {
	const bs = 16
	m := iq1Map()
	var (
		scales [qkK / bs]float32
		shifts [qkK / bs]int
		weight [bs]float32
		L      [bs]int8
		order  [bs]int
		index  [2]int
	)
	for ibl := range dst {
		b := &dst[ibl]
		*b = blockIQ1_M{}
		xbl := x[qkK*ibl : qkK*ibl+qkK]
		var maxScale float32
		for ib := range qkK / bs {
			xb := xbl[bs*ib : bs*ib+bs]
			for i, v := range xb {
				weight[i] = float32(v * v)
			}
			max := abs32(xb[0])
			for _, v := range xb[1:] {
				max = fmax(max, abs32(v))
			}
			if max < 1e-7 {
				scales[ib] = 0
				continue
			}
			for j := range order {
				order[j] = j
			}
			// glibc's qsort sorts small arrays with a stable merge sort.
			sort.SliceStable(order[:], func(a, c int) bool { return xb[order[a]] < xb[order[c]] })
			bestScore, scale := float32(-maxFloat32), max
			besti1, besti2, bestK := -1, -1, -1
			for i1 := 0; i1 <= bs; i1++ {
				for i2 := i1; i2 <= bs; i2++ {
					var sumqx, sumq2 [4]float32
					for j, i := range order {
						lv := 2
						if j < i1 {
							lv = 0
						} else if j < i2 {
							lv = 1
						}
						w, v := weight[i], xb[i]
						p, n := iq1Shifted[0][lv], iq1Shifted[1][lv]
						// the element's level under shift codes 1 (+,−) and 2 (−,+)
						a, c := p, n
						if i >= bs/2 {
							a, c = n, p
						}
						sumqx[0] += float32(float32(w*p) * v)
						sumqx[1] += float32(float32(w*a) * v)
						sumqx[2] += float32(float32(w*c) * v)
						sumqx[3] += float32(float32(w*n) * v)
						sumq2[0] += float32(float32(w*p) * p)
						sumq2[1] += float32(float32(w*a) * a)
						sumq2[2] += float32(float32(w*c) * c)
						sumq2[3] += float32(float32(w*n) * n)
					}
					for k := range 4 {
						if sumq2[k] > 0 && float32(sumqx[k]*sumqx[k]) > float32(bestScore*sumq2[k]) {
							scale = sumqx[k] / sumq2[k]
							bestScore = scale * sumqx[k]
							besti1, besti2, bestK = i1, i2, k
						}
					}
				}
			}
			if bestK < 0 {
				panic("kernels: iq1_m search found no split")
			}
			for j, i := range order {
				switch {
				case j < besti1:
					L[i] = 0
				case j < besti2:
					L[i] = 1
				default:
					L[i] = 2
				}
			}
			if scale < 0 {
				for j := range L {
					L[j] = 2 - L[j]
				}
				scale = -scale
				bestK = 3 - bestK
			}
			allOnGrid := true
			for k := range 2 {
				u := m.index(L[8*k:])
				g := int(m.kmap[u])
				if g < 0 {
					allOnGrid = false
					g = m.bestNeighbour(u, xb[8*k:], weight[8*k:], scale, iq1LevelsFor(bestK, k)[:], L[8*k:])
				}
				index[k] = g
			}
			if !allOnGrid {
				var sumqx, sumq2 float32
				for k := range 2 {
					xx := iq1LevelsFor(bestK, k)
					for j, l := range m.levels[index[k]] {
						w, q := weight[8*k+j], xx[l]
						sumqx += float32(float32(w*q) * xb[8*k+j])
						sumq2 += float32(float32(w*q) * q)
					}
				}
				if sumqx > 0 && sumq2 > 0 {
					scale = sumqx / sumq2
				}
			}
			b.Qs[2*ib] = uint8(index[0])
			b.Qs[2*ib+1] = uint8(index[1])
			b.Qh[ib] = uint8(index[0]>>8) | uint8(index[1]>>8)<<4
			scales[ib] = scale
			shifts[ib] = bestK
			maxScale = fmax(maxScale, scale)
		}
		if maxScale == 0 {
			continue
		}
		var sc [4]uint16
		d := maxScale / 15
		id := 1 / d
		var sumqx, sumq2 float32
		masks := [4]uint8{0x00, 0x80, 0x08, 0x88}
		for ib := range qkK / bs {
			l := clampInt(nearestInt(0.5*(float32(id*scales[ib])-1)), 0, 7)
			sc[ib/4] |= uint16(l) << (3 * (ib % 4))
			b.Qh[ib] |= masks[shifts[ib]]
			xb := xbl[bs*ib : bs*ib+bs]
			for i, v := range xb {
				weight[i] = float32(v * v)
			}
			for k := range 2 {
				xx := iq1LevelsFor(shifts[ib], k)
				g := int(b.Qs[2*ib+k]) + int(uint16(b.Qh[ib])<<(8-4*k)&0x700)
				for j, lv := range m.levels[g] {
					w, q := weight[8*k+j], float32(xx[lv]*float32(2*l+1))
					sumqx += float32(float32(w*q) * xb[8*k+j])
					sumq2 += float32(float32(w*q) * q)
				}
			}
		}
		if sumq2 > 0 {
			d = sumqx / sumq2
		}
		s := toFP16(d * 1.1125)
		sc[0] |= (s & 0x000f) << 12
		sc[1] |= (s & 0x00f0) << 8
		sc[2] |= (s & 0x0f00) << 4
		sc[3] |= s & 0xf000
		for k, v := range sc {
			binary.LittleEndian.PutUint16(b.Scales[2*k:], v)
		}
	}
}
