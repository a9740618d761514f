// Winograd's minimal filtering F(2x2, 3x3) for float32 3x3 stride-1 convolutions (Lavin and Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2015), part of kernels_impl.h: compiled once
// per ISA, inside the variant's namespace. Each 2x2 block of outputs comes from a 4x4 tile d of the
// zero-padded input with 16 products per (input, output channel) pair instead of 36:
//   Y = A^T [ sum over c of U_c * V_c ] A,  U = G g G^T (the 3x3 kernel g),  V = B^T d B,
// `*` the elementwise product. Per tile position xi (16 of them) the channel sum is a matrix product
// M[xi] (Og x tiles) = U[xi] (Og x C) @ V[xi] (C x tiles). U and V are laid out as the GEMM's packed
// panels, so each product runs on the GEMM's micro-kernel with K = C and no packing.
//
// One call handles one (sample, group), in blocks of whole tile rows (kWinoBlockBytes): the block's
// input rows are copied zero-padded into even- and odd-column planes (tile tx's columns 2tx..2tx+3
// are then E[tx], O[tx], E[tx + 1], O[tx + 1], so the transforms run on vectors of tiles), V is
// formed per channel, the 16 products run, and the output transform writes the block's output rows.

// The transforms' matrices:
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1].

// Most bytes of V and M per block (-D overrides it for experiments): 2 MiB holds a whole 28x28 sample
// of the 32 -> 64 benchmark convolution, measured faster than any split of it (8.0-8.5 ms against
// 9.2-11 at 1 thread), although the two exceed the 1 MiB L2.
#ifndef TTS_WINO_BLOCK
#define TTS_WINO_BLOCK (1 << 21)
#endif
constexpr int64_t kWinoBlockBytes = TTS_WINO_BLOCK;

/** Floats of the transformed weights of one group (wino_weights_f32's layout). */
static int64_t wino_weights_size(int64_t Og, int64_t C) {
  constexpr int MR = Blocking<float>::MR;
  return 16 * ((Og + MR - 1) / MR) * MR * C;
}

// U of one group from its weights w (Og x C x 3 x 3, contiguous): U[xi][panel][c][MR] with the output
// channels in panels of the micro-kernel's MR rows, zero past Og (the A panels the GEMM would pack).
// The transform runs in double and rounds once.
static void wino_weights_f32(const float* w, int64_t Og, int64_t C, float* U) {
  constexpr int MR = Blocking<float>::MR;
  const int64_t panels = (Og + MR - 1) / MR;
  for (int64_t i = 0; i < wino_weights_size(Og, C); i++) U[i] = 0;
  for (int64_t o = 0; o < Og; o++)
    for (int64_t c = 0; c < C; c++) {
      const float* g = w + (o * C + c) * 9;
      double t[4][3];  // G g
      for (int j = 0; j < 3; j++) {
        const double g0 = g[j], g1 = g[3 + j], g2 = g[6 + j];
        t[0][j] = g0;
        t[1][j] = 0.5 * (g0 + g1 + g2);
        t[2][j] = 0.5 * (g0 - g1 + g2);
        t[3][j] = g2;
      }
      for (int k = 0; k < 4; k++) {
        const double u[4] = {t[k][0], 0.5 * (t[k][0] + t[k][1] + t[k][2]), 0.5 * (t[k][0] - t[k][1] + t[k][2]),
                             t[k][2]};  // (G g) G^T, row k
        for (int l = 0; l < 4; l++)
          U[(((k * 4 + l) * panels + o / MR) * C + c) * MR + o % MR] = static_cast<float>(u[l]);
      }
    }
}

// Zero-padded rows [r0, r0 + rows) of every channel into even / odd column planes (row stride rs):
// E[c][r][m] = x(r - pt, 2m - pl), O[c][r][m] = x(r - pt, 2m + 1 - pl), zero outside the input. False
// when an element the transforms read (m <= tw) is inf or NaN (they subtract elements, which would
// spread it).
static bool wino_planes(const WinoArgs& a, int64_t r0, int64_t rows, int64_t rs, int64_t tw, float* E, float* O) {
  vf bad{};
  // input column ix lands in plane (ix + pl) % 2 at m = (ix + pl) / 2; a cropped input may reach past
  // the planes' columns, which no output reads
  const int64_t ix_end = imin<int64_t>(a.W, 2 * rs - a.pl);
  const int64_t ie = a.pl & 1, io = 1 - ie;  // the first input column of each plane
  const int64_t me = (ie + a.pl) >> 1, mo = (io + a.pl) >> 1;  // and where it lands
  // the columns the transforms read (tx and tx + 1 for tx < TW), in whole vectors (rs is a multiple)
  const int64_t used = imin<int64_t>(rs, (tw + 1 + WF - 1) / WF * WF);
  for (int64_t c = 0; c < a.C; c++)
    for (int64_t r = 0; r < rows; r++) {
      float* e = E + (c * rows + r) * rs;
      float* o = O + (c * rows + r) * rs;
      for (int64_t m = 0; m < rs; m++) e[m] = o[m] = 0;
      const int64_t iy = r0 + r - a.pt;
      if (iy < 0 || iy >= a.H) continue;
      const float* src = a.x + c * a.sc + iy * a.sh;
      for (int64_t ix = ie, m = me; ix < ix_end; ix += 2, m++) e[m] = src[ix * a.sw];
      for (int64_t ix = io, m = mo; ix < ix_end; ix += 2, m++) o[m] = src[ix * a.sw];
      for (int64_t m = 0; m < used; m += WF) {
        const vf ev = loadu<vf>(e + m), ov = loadu<vf>(o + m);
        bad += (ev - ev) + (ov - ov);  // NaN for inf and NaN
      }
    }
  float sum = 0;
  for (int l = 0; l < WF; l++) sum += bad[l];
  return sum == 0;
}

// Lane indices that interleave two vectors a, b: (a0, b0, a1, b1, ...), low and high halves.
static inline vi interleave_mask(bool hi) {
  vi m;
#pragma GCC unroll 16
  for (int l = 0; l < WF; l++) m[l] = (hi ? WF / 2 : 0) + l / 2 + (l & 1 ? WF : 0);
  return m;
}

// Output rows of one block: M (16 x OgP x TBP, tile index t = (ty - ty0) * TW + tx) -> out.
static void wino_output(const WinoArgs& a, const float* M, int64_t xs, int64_t TBP, int64_t ty0, int64_t ty1,
                        int64_t TW) {
  vf y[4];  // outputs (2ty + i, 2tx + j) as y[2i + j], lanes over tx
  const vi kInterleaveLo = interleave_mask(false), kInterleaveHi = interleave_mask(true);
  for (int64_t o = 0; o < a.Og; o++) {
    float* oc = a.out + o * a.oc;
    for (int64_t ty = ty0; ty < ty1; ty++)
      for (int64_t tx0 = 0; tx0 < TW; tx0 += WF) {
        const float* m = M + o * TBP + (ty - ty0) * TW + tx0;
        vf p[4][2];  // row k of M A
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
          const vf m0 = loadu<vf>(m + (k * 4) * xs), m1 = loadu<vf>(m + (k * 4 + 1) * xs);
          const vf m2 = loadu<vf>(m + (k * 4 + 2) * xs), m3 = loadu<vf>(m + (k * 4 + 3) * xs);
          p[k][0] = m0 + m1 + m2;
          p[k][1] = m1 - m2 - m3;
        }
#pragma GCC unroll 2
        for (int j = 0; j < 2; j++) {
          y[j] = p[0][j] + p[1][j] + p[2][j];
          y[2 + j] = p[1][j] - p[2][j] - p[3][j];
        }
        // columns left in the row from this vector's first tile, up to the vector's 2 * WF
        const int64_t cols = imin<int64_t>(2 * WF, a.OW - 2 * tx0);
        for (int i = 0; i < 2; i++) {
          const int64_t oy = 2 * ty + i;
          if (oy >= a.OH) break;
          float* row = oc + oy * a.OW + 2 * tx0;
          const vf lo = __builtin_shuffle(y[2 * i], y[2 * i + 1], kInterleaveLo);
          const vf hi = __builtin_shuffle(y[2 * i], y[2 * i + 1], kInterleaveHi);
          if (cols >= WF) {
            storeu(row, lo);
            if (cols == 2 * WF) storeu(row + WF, hi);
            else
              for (int64_t l = 0; l < cols - WF; l++) row[WF + l] = hi[l];
          } else {
            for (int64_t l = 0; l < cols; l++) row[l] = lo[l];
          }
        }
      }
  }
}

// The convolution of one (sample, group) (see WinoArgs). False, with the output possibly partly
// written, when the input holds inf or NaN: the caller then runs the direct path, which overwrites it.
static bool wino_conv_f32(const WinoArgs& a) {
  typedef Blocking<float> BL;
  constexpr int MR = BL::MR, NR = BL::NR;
  const int64_t TH = (a.OH + 1) / 2, TW = (a.OW + 1) / 2, C = a.C;
  const int64_t OgP = (a.Og + MR - 1) / MR * MR, panels_o = OgP / MR;
  // Tile rows per block: V (16 x C) and M (16 x OgP) per tile within kWinoBlockBytes; among those
  // counts, the one that pads the fewest tiles up to whole panels, and of those the largest (fewer
  // rows copied twice, longer runs of the micro-kernel).
  const int64_t tile_bytes = 16 * (C + OgP) * 4;
  int64_t max_rows = kWinoBlockBytes / (tile_bytes * TW);
  max_rows = max_rows < 1 ? 1 : imin(max_rows, TH);
  int64_t rows_pb = 1, best = INT64_MAX;
  for (int64_t r = 1; r <= max_rows; r++) {
    const int64_t full = TH / r, rest = TH % r;
    const int64_t lanes = full * ((r * TW + NR - 1) / NR * NR) + (rest ? (rest * TW + NR - 1) / NR * NR : 0);
    if (lanes <= best) best = lanes, rows_pb = r;
  }
#ifdef TTS_WINO_ROWS  // a fixed block height, for experiments (-DTTS_WINO_ROWS=r)
  rows_pb = imin<int64_t>(TH, TTS_WINO_ROWS);
#endif
  const int64_t TBP = (rows_pb * TW + NR - 1) / NR * NR, panels_t = TBP / NR;
  // plane row: TW + 1 columns used, a vector of slack for the last loads, whole vectors
  const int64_t rs = (TW + 1 + 2 * WF - 1) / WF * WF;
  const int64_t prow = 2 * rows_pb + 2;
  float* E = static_cast<float*>(scratch(0, sizeof(float) * 2 * C * prow * rs));
  float* O = E + C * prow * rs;
  const int64_t xsV = panels_t * C * NR, xsM = OgP * TBP;  // one tile position's V and M
  float* V = static_cast<float*>(scratch(1, sizeof(float) * 16 * xsV));
  float* M = static_cast<float*>(scratch(2, sizeof(float) * (16 * xsM + WF)));  // + the last loads' slack
  float* tmp = static_cast<float*>(scratch(3, sizeof(float) * 16 * (TBP + WF)));
  for (int64_t ty0 = 0; ty0 < TH; ty0 += rows_pb) {
    const int64_t ty1 = imin(TH, ty0 + rows_pb), nrows = 2 * (ty1 - ty0) + 2;
    const int64_t panels_b = ((ty1 - ty0) * TW + NR - 1) / NR;  // the last block may have fewer panels
    if (!wino_planes(a, 2 * ty0, nrows, rs, TW, E, O)) return false;
    for (int64_t i = 0; i < 16 * (TBP + WF); i++) tmp[i] = 0;
    for (int64_t c = 0; c < C; c++) {
      for (int64_t ty = ty0; ty < ty1; ty++) {
        const float* e = E + (c * nrows + 2 * (ty - ty0)) * rs;
        const float* o = O + (c * nrows + 2 * (ty - ty0)) * rs;
        float* t = tmp + (ty - ty0) * TW;
        for (int64_t tx = 0; tx < TW; tx += WF) {
          // B^T d over the tile's 4 rows, for its even (column tx and tx + 1) and odd columns
          vf se[4][2], so[4][2];
#pragma GCC unroll 2
          for (int h = 0; h < 2; h++) {
            const vf e0 = loadu<vf>(e + tx + h), e1 = loadu<vf>(e + rs + tx + h);
            const vf e2 = loadu<vf>(e + 2 * rs + tx + h), e3 = loadu<vf>(e + 3 * rs + tx + h);
            const vf o0 = loadu<vf>(o + tx + h), o1 = loadu<vf>(o + rs + tx + h);
            const vf o2 = loadu<vf>(o + 2 * rs + tx + h), o3 = loadu<vf>(o + 3 * rs + tx + h);
            se[0][h] = e0 - e2, se[1][h] = e1 + e2, se[2][h] = e2 - e1, se[3][h] = e1 - e3;
            so[0][h] = o0 - o2, so[1][h] = o1 + o2, so[2][h] = o2 - o1, so[3][h] = o1 - o3;
          }
          // (B^T d) B: columns (E[tx], O[tx], E[tx + 1], O[tx + 1]); lanes past TW land on the next
          // tile row's slots, which that row overwrites, or in the slack after the block's tiles
#pragma GCC unroll 4
          for (int k = 0; k < 4; k++) {
            float* q = t + tx + (k * 4) * (TBP + WF);
            storeu(q, se[k][0] - se[k][1]);
            storeu(q + (TBP + WF), so[k][0] + se[k][1]);
            storeu(q + 2 * (TBP + WF), se[k][1] - so[k][0]);
            storeu(q + 3 * (TBP + WF), so[k][0] - so[k][1]);
          }
        }
      }
      // into the packed B panels: V[xi][panel][c][NR]
      for (int xi = 0; xi < 16; xi++)
        for (int64_t p = 0; p < panels_b; p++) {
          const float* s = tmp + xi * (TBP + WF) + p * NR;
          float* d = V + xi * xsV + (p * C + c) * NR;
          for (int j = 0; j < NR; j += WF) storeu(d + j, loadu<vf>(s + j));
        }
    }
    // lanes of tiles past the block's end read zeros or the tail of the last row: ignored below
    for (int xi = 0; xi < 16; xi++)
      for (int64_t p = 0; p < panels_b; p++)
        for (int64_t q = 0; q < panels_o; q++)
          micro<float>(C, a.U + ((xi * panels_o + q) * C) * MR, V + xi * xsV + p * C * NR,
                       M + xi * xsM + q * MR * TBP + p * NR, TBP, false);
    wino_output(a, M, xsM, TBP, ty0, ty1, TW);
  }
  return true;
}
