package kernels

import (
	"encoding/binary"
	"fmt"

	"github.com/smeltlm/smelt/gguf"
)

// Interleaved weights ("x4"): a matrix whose rows are rewritten at load so
// that four consecutive rows are streamed as one. Rows 4g..4g+3 form group
// g; the group is stored block column by block column, each column holding
// the four rows' blocks of that column, scales first:
//
//	q8_0, 136 bytes a column: d0 d1 d2 d3 (fp16), then the 32 quants of
//	  rows 0, 1, 2 and 3.
//	q4_0, 72 bytes a column: d0 d1 d2 d3 (fp16), then 64 bytes: byte j
//	  (j < 32) holds element j of row 0 in its low nibble and element j of
//	  row 2 in its high nibble; byte 32+j holds element j of rows 1 and 3.
//	q4_K, 576 bytes a super-block column: d0..d3 and dmin0..dmin3 (fp16);
//	  the rows' 12 scale bytes regrouped as bytes 0..3 of rows 0..3, then
//	  bytes 4..7, then 8..11 (so that one 16-byte load per group decodes
//	  the 6-bit scales and mins of all four rows); then eight 64-byte
//	  chunks, chunk v holding elements 32v..32v+31 of the rows nibble-
//	  paired as in q4_0 (rows 0|2 in bytes 0..31, rows 1|3 in 32..63).
//	q5_K, 704 bytes a super-block column: as q4_K for d, dmin, scales
//	  and the low four bits; then eight 16-byte chunks of fifth bits,
//	  chunk v holding the 32-bit masks (bit i: element 32v+i) of rows 0,
//	  1, 2 and 3.
//	q6_K, 840 bytes a super-block column: d0..d3 (fp16); the rows' 16
//	  int8 scales, row after row; the low four bits of the 6-bit values
//	  in eight 64-byte chunks paired as in q4_K; then the high two bits in
//	  eight 32-byte chunks, byte i of chunk v holding element 32v+i of
//	  row 2 in bits 0-1, row 3 in 2-3, row 0 in 4-5 and row 1 in 6-7.
//
// The layout has the size of the original, so a tensor is rewritten in
// place. A kernel reads one column, four rows × 32 weights, in one or two
// vector loads with the scales beside them, keeps one accumulator chain per
// row and sums each row exactly as Dot sums it: the results are bit for bit
// those of four Dot calls on the original rows.

// groupRows is the number of rows an interleaved group holds.
const groupRows = 4

// x4Layout describes one type's interleaved column.
type x4Layout struct {
	blockBytes int // bytes of one original block
	colBytes   int // bytes of one interleaved column (4 blocks)
	pack       func(col []byte, blocks *[groupRows][]byte)
	unpack     func(blocks *[groupRows][]byte, col []byte)
}

var x4Layouts = map[gguf.Type]*x4Layout{
	gguf.TypeQ8_0: {blockBytes: 34, colBytes: 136, pack: packQ8_0x4, unpack: unpackQ8_0x4},
	gguf.TypeQ4_0: {blockBytes: 18, colBytes: 72, pack: packQ4_0x4, unpack: unpackQ4_0x4},
	gguf.TypeQ4_K: {blockBytes: 144, colBytes: 576, pack: packQ4_Kx4, unpack: unpackQ4_Kx4},
	gguf.TypeQ5_K: {blockBytes: 176, colBytes: 704, pack: packQ5_Kx4, unpack: unpackQ5_Kx4},
	gguf.TypeQ6_K: {blockBytes: 210, colBytes: 840, pack: packQ6_Kx4, unpack: unpackQ6_Kx4},
}

// A q5_K block is d, dmin, 12 scale bytes, qh[32] (bit v of qh[i]: the
// fifth bit of element 32v+i) and qs[128] laid out as q4_K's.

// packQ5_Kx4 writes q4_K's column from the rows' d, dmin, scales and
// nibbles, then the fifth bits.
func packQ5_Kx4(col []byte, b *[groupRows][]byte) {
	var bufs [groupRows][144]byte
	var as4K [groupRows][]byte
	for k := range groupRows {
		copy(bufs[k][:16], b[k][:16])
		copy(bufs[k][16:], b[k][48:176])
		as4K[k] = bufs[k][:]
	}
	packQ4_Kx4(col[:576], &as4K)
	// Each 8×8 block of qh bits (8 elements × bits v = 0..7) transposed
	// gives, in its byte v, the masks' byte for those elements.
	for k := range groupRows {
		for q := range 4 {
			t := transpose8x8(binary.LittleEndian.Uint64(b[k][16+8*q:]))
			for v := range 8 {
				col[576+16*v+4*k+q] = byte(t >> (8 * v))
			}
		}
	}
}

// transpose8x8 transposes the 8×8 bit matrix whose row r is byte r of x
// and column c bit c (Hacker's Delight, transpose8).
func transpose8x8(x uint64) uint64 {
	t := (x ^ x>>7) & 0x00aa00aa00aa00aa
	x ^= t ^ t<<7
	t = (x ^ x>>14) & 0x0000cccc0000cccc
	x ^= t ^ t<<14
	t = (x ^ x>>28) & 0x00000000f0f0f0f0
	return x ^ t ^ t<<28
}

func unpackQ5_Kx4(b *[groupRows][]byte, col []byte) {
	var bufs [groupRows][144]byte
	var as4K [groupRows][]byte
	for k := range groupRows {
		as4K[k] = bufs[k][:]
	}
	unpackQ4_Kx4(&as4K, col[:576])
	for k := range groupRows {
		copy(b[k][:16], as4K[k][:16])
		copy(b[k][48:176], as4K[k][16:])
		qh := b[k][16:48]
		clear(qh)
		for v := range 8 {
			mask := binary.LittleEndian.Uint32(col[576+16*v+4*k:])
			for i := range 32 {
				qh[i] |= byte(mask>>i&1) << v
			}
		}
	}
}

// q6Kvalues decodes a q6_K block's 256 6-bit values (0..63, before the
// offset of 32) in element order.
func q6Kvalues(blk []byte) (q [256]byte) {
	for n := 0; n < 256; n += 128 {
		ql, qh := blk[n/2:], blk[128+n/4:]
		for l := range 32 {
			q[n+l] = ql[l]&0xf | (qh[l]&3)<<4
			q[n+l+32] = ql[l+32]&0xf | (qh[l]>>2&3)<<4
			q[n+l+64] = ql[l]>>4 | (qh[l]>>4&3)<<4
			q[n+l+96] = ql[l+32]>>4 | (qh[l]>>6&3)<<4
		}
	}
	return q
}

// q6KsetValues is q6Kvalues' inverse: it writes ql and qh of blk.
func q6KsetValues(blk []byte, q *[256]byte) {
	clear(blk[:192])
	for n := 0; n < 256; n += 128 {
		ql, qh := blk[n/2:], blk[128+n/4:]
		for l := range 32 {
			ql[l] = q[n+l]&0xf | (q[n+l+64]&0xf)<<4
			ql[l+32] = q[n+l+32]&0xf | (q[n+l+96]&0xf)<<4
			qh[l] = q[n+l]>>4 | (q[n+l+32]>>4)<<2 | (q[n+l+64]>>4)<<4 | (q[n+l+96]>>4)<<6
		}
	}
}

// q6Kshift is where row k's high two bits sit in a high-bit byte.
var q6Kshift = [groupRows]uint{4, 6, 0, 2}

func packQ6_Kx4(col []byte, b *[groupRows][]byte) {
	var q [groupRows][256]byte
	for k := range groupRows {
		copy(col[2*k:2*k+2], b[k][208:210])
		copy(col[8+16*k:24+16*k], b[k][192:208])
		q[k] = q6Kvalues(b[k])
	}
	for v := range 8 {
		nib := col[72+64*v : 136+64*v]
		hi := col[584+32*v : 616+32*v]
		for i := range 32 {
			e := 32*v + i
			nib[i] = q[0][e]&0xf | (q[2][e]&0xf)<<4
			nib[32+i] = q[1][e]&0xf | (q[3][e]&0xf)<<4
			hi[i] = 0
			for k := range groupRows {
				hi[i] |= (q[k][e] >> 4) << q6Kshift[k]
			}
		}
	}
}

func unpackQ6_Kx4(b *[groupRows][]byte, col []byte) {
	for k := range groupRows {
		copy(b[k][208:210], col[2*k:2*k+2])
		copy(b[k][192:208], col[8+16*k:24+16*k])
		var q [256]byte
		for v := range 8 {
			nib := col[72+64*v+32*(k%2):]
			hi := col[584+32*v:]
			for i := range 32 {
				q[32*v+i] = nib[i]>>(4*(k/2))&0xf | (hi[i]>>q6Kshift[k]&3)<<4
			}
		}
		q6KsetValues(b[k], &q)
	}
}

func packQ4_Kx4(col []byte, b *[groupRows][]byte) {
	for k := range groupRows {
		copy(col[2*k:2*k+2], b[k][0:2])     // d
		copy(col[8+2*k:8+2*k+2], b[k][2:4]) // dmin
		for g := range 3 {
			copy(col[16+16*g+4*k:16+16*g+4*k+4], b[k][4+4*g:8+4*g])
		}
	}
	// Eight bytes at a time: the chunk's nibbles of row r (low for even
	// chunks, high for odd) paired with those of row r+2 as high nibbles.
	const lo4 = 0x0f0f0f0f0f0f0f0f
	for v := range 8 {
		q := col[64+64*v : 128+64*v]
		src := 16 + 32*(v/2)
		for half := range 2 { // rows 0|2 in q[:32], rows 1|3 in q[32:]
			for w := 0; w < 32; w += 8 {
				a := binary.LittleEndian.Uint64(b[half][src+w:])
				c := binary.LittleEndian.Uint64(b[half+2][src+w:])
				var x uint64
				if v%2 == 0 {
					x = a&lo4 | (c&lo4)<<4
				} else {
					x = a>>4&lo4 | c&^lo4
				}
				binary.LittleEndian.PutUint64(q[32*half+w:], x)
			}
		}
	}
}

func unpackQ4_Kx4(b *[groupRows][]byte, col []byte) {
	for k := range groupRows {
		copy(b[k][0:2], col[2*k:2*k+2])
		copy(b[k][2:4], col[8+2*k:8+2*k+2])
		for g := range 3 {
			copy(b[k][4+4*g:8+4*g], col[16+16*g+4*k:16+16*g+4*k+4])
		}
		qs := b[k][16:144]
		clear(qs)
		for v := range 8 {
			src := col[64+64*v+32*(k%2):]
			for i := range 32 {
				qs[32*(v/2)+i] |= (src[i] >> (4 * (k / 2)) & 0xf) << (4 * (v % 2))
			}
		}
	}
}

func packQ8_0x4(col []byte, b *[groupRows][]byte) {
	for k := range groupRows {
		col[2*k], col[2*k+1] = b[k][0], b[k][1]
		copy(col[8+32*k:8+32*(k+1)], b[k][2:34])
	}
}

func unpackQ8_0x4(b *[groupRows][]byte, col []byte) {
	for k := range groupRows {
		b[k][0], b[k][1] = col[2*k], col[2*k+1]
		copy(b[k][2:34], col[8+32*k:8+32*(k+1)])
	}
}

// q4_0 element j of a block: low nibbles hold elements 0..15, high 16..31.
func q4Elem(qs []byte, j int) byte {
	if j < 16 {
		return qs[j] & 0xf
	}
	return qs[j-16] >> 4
}

func packQ4_0x4(col []byte, b *[groupRows][]byte) {
	for k := range groupRows {
		col[2*k], col[2*k+1] = b[k][0], b[k][1]
	}
	q := col[8:72]
	for j := range 32 {
		q[j] = q4Elem(b[0][2:], j) | q4Elem(b[2][2:], j)<<4
		q[32+j] = q4Elem(b[1][2:], j) | q4Elem(b[3][2:], j)<<4
	}
}

func unpackQ4_0x4(b *[groupRows][]byte, col []byte) {
	for k := range groupRows {
		b[k][0], b[k][1] = col[2*k], col[2*k+1]
	}
	q := col[8:72]
	for k := range groupRows {
		src := q[32*(k%2):]
		shift := 4 * (k / 2)
		for j := range 16 {
			lo := src[j] >> shift & 0xf
			hi := src[j+16] >> shift & 0xf
			b[k][2+j] = lo | hi<<4
		}
	}
}

// CanInterleave reports whether a rows×cols matrix of type t would be
// interleaved: the type has an interleaved kernel on this CPU and the rows
// form whole groups.
func CanInterleave(t gguf.Type, rows int) bool {
	return x4Layouts[t] != nil && x4Kernel(t) != nil && rows > 0 && rows%groupRows == 0
}

// Interleave rewrites rows×cols weights of type t, in place, into the
// interleaved layout (see CanInterleave).
func Interleave(data []byte, t gguf.Type, rows, cols int) error {
	return regroup(data, t, rows, cols, true)
}

// InterleaveTo writes the interleaved layout of the rows×cols weights src
// into dst (the same size; not overlapping src): Interleave without a
// separate copy.
func InterleaveTo(dst, src []byte, t gguf.Type, rows, cols int) error {
	lay, rb, err := checkRegroup(src, t, rows, cols)
	if err != nil {
		return err
	}
	if len(dst) != len(src) {
		return fmt.Errorf("kernels: interleaving into %d bytes from %d", len(dst), len(src))
	}
	gb := groupRows * rb
	for g := 0; g < len(src); g += gb {
		packGroup(lay, dst[g:g+gb], src[g:g+gb], rb)
	}
	return nil
}

// Deinterleave undoes Interleave.
func Deinterleave(data []byte, t gguf.Type, rows, cols int) error {
	return regroup(data, t, rows, cols, false)
}

func checkRegroup(data []byte, t gguf.Type, rows, cols int) (*x4Layout, int, error) {
	lay := x4Layouts[t]
	if lay == nil {
		return nil, 0, fmt.Errorf("kernels: no interleaved layout for %s", t)
	}
	rb, err := t.RowBytes(uint64(cols))
	if err != nil {
		return nil, 0, err
	}
	if rows%groupRows != 0 || len(data) != int(rb)*rows {
		return nil, 0, fmt.Errorf("kernels: interleaving %d×%d %s: need a multiple of %d rows and %d bytes, have %d",
			rows, cols, t, groupRows, int(rb)*rows, len(data))
	}
	return lay, int(rb), nil
}

func regroup(data []byte, t gguf.Type, rows, cols int, pack bool) error {
	lay, rb, err := checkRegroup(data, t, rows, cols)
	if err != nil {
		return err
	}
	gb := groupRows * rb
	scratch := make([]byte, gb)
	for g := 0; g < len(data); g += gb {
		group := data[g : g+gb]
		copy(scratch, group)
		if pack {
			packGroup(lay, group, scratch, rb)
		} else {
			unpackGroup(lay, group, scratch, rb)
		}
	}
	return nil
}

// packGroup writes the interleaved form of four rows (rows, rowBytes each)
// into dst.
func packGroup(lay *x4Layout, dst, rows []byte, rowBytes int) {
	nb := rowBytes / lay.blockBytes
	var blk [groupRows][]byte
	for c := range nb {
		for k := range groupRows {
			o := k*rowBytes + c*lay.blockBytes
			blk[k] = rows[o : o+lay.blockBytes]
		}
		lay.pack(dst[c*lay.colBytes:(c+1)*lay.colBytes], &blk)
	}
}

// unpackGroup writes the four rows of the interleaved group into dst.
func unpackGroup(lay *x4Layout, dst, group []byte, rowBytes int) {
	nb := rowBytes / lay.blockBytes
	var blk [groupRows][]byte
	for c := range nb {
		for k := range groupRows {
			o := k*rowBytes + c*lay.blockBytes
			blk[k] = dst[o : o+lay.blockBytes]
		}
		lay.unpack(&blk, group[c*lay.colBytes:(c+1)*lay.colBytes])
	}
}

// dotX4Generic is the Go twin of the interleaved kernels: the group's rows
// restored to their original layout, then four Dot calls.
func dotX4Generic(t gguf.Type, group []byte, y []byte, out *[4]float32) {
	tr := traits[t]
	lay := x4Layouts[t]
	rb := len(group) / groupRows
	rows := make([]byte, len(group))
	unpackGroup(lay, rows, group, rb)
	for k := range out {
		out[k] = tr.Dot(rows[k*rb:(k+1)*rb], y)
	}
}
