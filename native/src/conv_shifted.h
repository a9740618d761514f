// The forward and weight gradient of a stride-1 convolution without an im2col matrix. Over a zero-padded
// copy of one sample's input (extents P_d = o_d + dil_d (k_d - 1)), row (c, t0, t1, t2) of the im2col
// matrix is the copy read from one offset (the row's tap), in runs of o2 elements, one per output row (a0, a1), that
// start at that row's place on the padded grid (a0 P1 P2 + a1 P2). The weight gradient is then one GEMM
// whose A rows are such offsets (GemmArgs::arow) read run by run (GemmArgs::kseg), packed straight from
// the copy, with the output gradient as B in its own layout; the forward is one GEMM whose B rows are
// such offsets (GemmArgs::brow, nseg). (The input gradient, whose columns are summed back by col2im,
// has no such shortcut.)
#pragma once
#include <cstdint>
#include <vector>

#include "conv_common.h"
#include "kernels.h"

namespace tts {
namespace conv {

/** The padded copy one stride-1 convolution reads, and the offsets of its im2col rows in that copy. */
struct Shifted {
  int64_t P[3];    // padded extents
  int64_t lo[3];   // padding before the input in each dim (negative: the input is cropped)
  int64_t in[3];   // the input's extents
  int64_t o[3];    // the output's extents (o[0] rows of P1 x P2 grid positions)
  int64_t plane;   // P0 * P1 * P2: one channel of the copy
  int64_t size;    // channels * plane, plus the zeros past the last channel that the last rows read
  std::vector<int64_t> rows;  // offset of row (c, t0, t1, t2), c < channels
  std::vector<int64_t> runs;  // offset on the grid of output row (a0, a1)'s run
};

/** The geometry of a stride-1 convolution of `channels` input channels with extents in[], padding lo[]
 * before them, kernel k[] with dilation dil[], giving output extents o[]. */
inline Shifted shifted_geometry(int64_t channels, const int64_t* in, const int64_t* lo, const int64_t* k,
                                const int64_t* dil, const int64_t* o) {
  Shifted s;
  for (int d = 0; d < 3; d++) {
    s.P[d] = o[d] + dil[d] * (k[d] - 1);
    s.lo[d] = lo[d];
    s.in[d] = in[d];
    s.o[d] = o[d];
  }
  const int64_t P12 = s.P[1] * s.P[2];
  s.plane = s.P[0] * P12;
  const int64_t Lp = ((o[0] - 1) * s.P[1] + o[1]) * s.P[2];  // grid positions up to the last output row
  for (int64_t a0 = 0; a0 < o[0]; a0++)
    for (int64_t a1 = 0; a1 < o[1]; a1++) s.runs.push_back(a0 * P12 + a1 * s.P[2]);
  s.rows.reserve(channels * k[0] * k[1] * k[2]);
  for (int64_t c = 0; c < channels; c++)
    for (int64_t t0 = 0; t0 < k[0]; t0++)
      for (int64_t t1 = 0; t1 < k[1]; t1++)
        for (int64_t t2 = 0; t2 < k[2]; t2++)
          s.rows.push_back(c * s.plane + t0 * dil[0] * P12 + t1 * dil[1] * s.P[2] + t2 * dil[2]);
  s.size = s.rows.empty() ? 0 : s.rows.back() + Lp;
  if (s.size < channels * s.plane) s.size = channels * s.plane;
  return s;
}

/** Whether the stride-1 shifted-row kernels apply to job j. */
template <class T>
bool shifted_applies(const ConvJob<T>& j) {
  for (int d = 0; d < 3; d++)
    if (j.stride[d] != 1 || j.inDil[d] != 1) return false;
  return true;
}

/** dst (s.size elements) = `channels` channels of src (channel stride sc, strides st[] within one) padded
 * with zeros as s says. */
template <class T>
void pad_copy(const Shifted& s, int64_t channels, const T* src, int64_t sc, const int64_t* st, T* dst) {
  const int64_t P0 = s.P[0], P1 = s.P[1], P2 = s.P[2];
  // the copied run of each padded row: [b2, e2) in padded coordinates
  const int64_t b2 = s.lo[2] > 0 ? s.lo[2] : 0, e2 = s.lo[2] + s.in[2] < P2 ? s.lo[2] + s.in[2] : P2;
  for (int64_t c = 0; c < channels; c++) {
    const T* xc = src + c * sc;
    T* q = dst + c * s.plane;
    for (int64_t p0 = 0; p0 < P0; p0++) {
      const int64_t i0 = p0 - s.lo[0];
      for (int64_t p1 = 0; p1 < P1; p1++, q += P2) {
        const int64_t i1 = p1 - s.lo[1];
        if (i0 < 0 || i0 >= s.in[0] || i1 < 0 || i1 >= s.in[1] || b2 >= e2) {
          for (int64_t p2 = 0; p2 < P2; p2++) q[p2] = 0;
          continue;
        }
        const T* r = xc + i0 * st[0] + i1 * st[1] + (b2 - s.lo[2]) * st[2];
        for (int64_t p2 = 0; p2 < b2; p2++) q[p2] = 0;
        if (st[2] == 1)
          for (int64_t p2 = b2; p2 < e2; p2++) q[p2] = r[p2 - b2];
        else
          for (int64_t p2 = b2; p2 < e2; p2++) q[p2] = r[(p2 - b2) * st[2]];
        for (int64_t p2 = e2; p2 < P2; p2++) q[p2] = 0;
      }
    }
  }
  for (int64_t i = channels * s.plane; i < s.size; i++) dst[i] = 0;
}

}  // namespace conv
}  // namespace tts
