// An odometer over the outer dims of a strided iteration space: calls row(off) once per index of dims
// [0, nd - 1) with the element offset of each of NOPS operands, leaving the last dim to the caller's
// tight loop. Row-major order, as the TS kernels walk, so accumulations round identically.
#pragma once
#include <cstdint>

namespace tts {

template <int NOPS, class F>
inline void for_each_row(int nd, const int64_t* shape, const int64_t* const strides[NOPS], const int64_t start[NOPS],
                         F&& row) {
  int64_t off[NOPS];
  for (int k = 0; k < NOPS; k++) off[k] = start[k];
  if (nd <= 1) {
    row(off);
    return;
  }
  for (int d = 0; d < nd; d++)
    if (shape[d] <= 0) return;
  int64_t idx[16] = {0};
  const int no = nd - 1;
  for (;;) {
    row(off);
    int d = no - 1;
    for (; d >= 0; d--) {
      for (int k = 0; k < NOPS; k++) off[k] += strides[k][d];
      if (++idx[d] < shape[d]) break;
      for (int k = 0; k < NOPS; k++) off[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace tts
