package kernels

import "sync"

// iqMap is what ggml's iq2xs_init_impl / iq3xs_init_impl build for the
// grid quantizers: for every point of the level lattice, either its grid
// index or the list of grid points nearest to it.
//
// A point is a group of dims level indices (2 or 3 bits each, packed like
// the grid tables). kmap[u] ≥ 0 is the grid index of point u; kmap[u] < 0
// points at neigh[−kmap[u]−1], a count followed by that many grid
// indices: those at the nwant smallest distinct squared distances, by
// distance then index (ggml sorts (distance, index) pairs).
type iqMap struct {
	width, dims int
	levels      [][]uint8 // level indices of each grid point
	kmap        []int32
	neigh       []uint16
}

func newIQMap(packed []uint16, width, dims, nwant, maxLevel int) *iqMap {
	m := &iqMap{width: width, dims: dims, levels: make([][]uint8, len(packed))}
	mask := uint16(1)<<width - 1
	for j, p := range packed {
		l := make([]uint8, dims)
		for k := range dims {
			l[k] = uint8(p >> (width * k) & mask)
		}
		m.levels[j] = l
	}
	m.kmap = make([]int32, 1<<(width*dims))
	for u := range m.kmap {
		m.kmap[u] = -1 << 30 // never looked up: a level above maxLevel
	}
	for j, p := range packed {
		m.kmap[p] = int32(j)
	}
	dist := make([]int, len(packed))
	pos := make([]int, dims)
	for u := range m.kmap {
		if m.kmap[u] >= 0 {
			continue
		}
		ok := true
		for k := range dims {
			pos[k] = u >> (width * k) & int(mask)
			ok = ok && pos[k] <= maxLevel
		}
		if !ok {
			continue
		}
		var count [256]int
		for j, l := range m.levels {
			d := 0
			for k, v := range l {
				e := int(v) - pos[k]
				d += e * e
			}
			dist[j] = d
			count[d]++
		}
		start := len(m.neigh)
		m.kmap[u] = -int32(start) - 1
		m.neigh = append(m.neigh, 0)
		have := 0
		for d := 0; d < len(count) && have < nwant; d++ {
			if count[d] == 0 {
				continue
			}
			have++
			for j, dj := range dist {
				if dj == d {
					m.neigh = append(m.neigh, uint16(j))
				}
			}
		}
		m.neigh[start] = uint16(len(m.neigh) - start - 1)
	}
	return m
}

// index packs the level indices l into a point.
func (m *iqMap) index(l []int8) int {
	u := 0
	for k, v := range l[:m.dims] {
		u |= int(v) << (m.width * k)
	}
	return u
}

// neighbours returns the candidate grid indices of an off-grid point u.
func (m *iqMap) neighbours(u int) []uint16 {
	off := int(-m.kmap[u] - 1)
	n := int(m.neigh[off])
	return m.neigh[off+1 : off+1+n]
}

// bestNeighbour is ggml's iq2/iq3_find_best_neighbour and, with iq1_m's
// shifted levels, iq1_find_best_neighbour2: the candidate of point u
// nearest to xval (weighted squared distance, level l standing for
// scale·vals[l]), whose levels it writes to L.
func (m *iqMap) bestNeighbour(u int, xval, weight []float32, scale float32, vals []float32, L []int8) int {
	best, bestD2 := -1, float32(maxFloat32)
	for _, j := range m.neighbours(u) {
		var d2 float32
		for i, l := range m.levels[j] {
			diff := float32(scale*vals[l]) - xval[i]
			d2 += float32(float32(weight[i]*diff) * diff)
		}
		if d2 < bestD2 {
			bestD2, best = d2, int(j)
		}
	}
	if best < 0 { // NaN inputs: ggml asserts; take the first candidate
		best = int(m.neighbours(u)[0])
	}
	for i, l := range m.levels[best] {
		L[i] = int8(l)
	}
	return best
}

// oddLevels are the iq2/iq3 grid values 2l+1 of level l.
var oddLevels = [16]float32{1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}

const maxFloat32 = 3.40282346638528859811704183484516925440e+38

var (
	iq3xxsMapOnce, iq3sMapOnce, iq2sMapOnce, iq1MapOnce sync.Once
	iq3xxsMapV, iq3sMapV, iq2sMapV, iq1MapV             *iqMap
)

// The maps are built on first use (a few milliseconds), as ggml's
// ggml_quantize_init does.
func iq3xxsMap() *iqMap {
	iq3xxsMapOnce.Do(func() { iq3xxsMapV = newIQMap(iq3xxsPacked[:], 3, 4, 2, 7) })
	return iq3xxsMapV
}

func iq3sMap() *iqMap {
	iq3sMapOnce.Do(func() { iq3sMapV = newIQMap(iq3sPacked[:], 3, 4, 3, 7) })
	return iq3sMapV
}

func iq2sMap() *iqMap {
	iq2sMapOnce.Do(func() { iq2sMapV = newIQMap(iq2sPacked[:], 2, 8, 1, 2) })
	return iq2sMapV
}

func iq1Map() *iqMap {
	iq1MapOnce.Do(func() { iq1MapV = newIQMap(iq1sPacked[:], 2, 8, 3, 2) })
	return iq1MapV
}
