// Native comparisons and selection for float32 with bool masks (native/src/kernels_impl.h's map handles
// float32 -> float32 only): out (bool) = a <op> b, and out = cond ? b : c. These make up the ReLU
// gradient (where(out <= 0, 0, g)) and masks in general. Operands are broadcast views whose last dim is
// contiguous (stride 1) or broadcast (stride 0); the output's last dim is contiguous.
#include <cstdint>
#include <cstring>
#include <vector>

#include "napi_util.h"
#include "strided.h"

namespace tts {
namespace {

using napi::Arr;
using napi::fail;

enum SelectOp : int { SEL_LE = 0, SEL_LT, SEL_GE, SEL_GT, SEL_EQ, SEL_NE, SEL_WHERE, SEL_COUNT };

template <int OP>
inline uint8_t compare(float x, float y) {
  return OP == SEL_LE ? x <= y : OP == SEL_LT ? x < y : OP == SEL_GE ? x >= y : OP == SEL_GT ? x > y
         : OP == SEL_EQ ? x == y : x != y;
}

// Unit-stride and broadcast operands get their own loops, which the compiler vectorizes.
template <int OP>
void compare_row(int64_t n, uint8_t* o, const float* a, int64_t sa, const float* b, int64_t sb) {
  if (sa == 1 && sb == 0) {
    const float y = b[0];
    for (int64_t i = 0; i < n; i++) o[i] = compare<OP>(a[i], y);
  } else if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = compare<OP>(a[i], b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = compare<OP>(a[i * sa], b[i * sb]);
  }
}

// c ? x : y as a bit blend: no branch (a mask of random signs, as the ReLU gradient's, would mispredict
// half the time) and a loop the compiler vectorizes.
inline float blend(uint8_t c, float x, float y) {
  const uint32_t m = 0u - static_cast<uint32_t>(c != 0);
  uint32_t xb, yb;
  std::memcpy(&xb, &x, 4);
  std::memcpy(&yb, &y, 4);
  const uint32_t r = (xb & m) | (yb & ~m);
  float f;
  std::memcpy(&f, &r, 4);
  return f;
}

void where_row(int64_t n, float* o, const uint8_t* c, int64_t sc, const float* a, int64_t sa, const float* b,
               int64_t sb) {
  if (sc == 1 && sa == 0 && sb == 1) {
    const float v = a[0];
    for (int64_t i = 0; i < n; i++) o[i] = blend(c[i], v, b[i]);
  } else if (sc == 1 && sa == 1 && sb == 0) {
    const float v = b[0];
    for (int64_t i = 0; i < n; i++) o[i] = blend(c[i], a[i], v);
  } else if (sc == 1 && sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; i++) o[i] = blend(c[i], a[i], b[i]);
  } else {
    for (int64_t i = 0; i < n; i++) o[i] = blend(c[i * sc], a[i * sa], b[i * sb]);
  }
}

// select(op, out, a, b, c | null, meta): meta = [nd, offOut, offA, offB, offC, shape (nd), strides of
// out, a, b, c (nd each)]. Comparisons: out Uint8Array, a and b Float32Array. where: out, b, c
// Float32Array, a (the condition) Uint8Array.
napi_value Select(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!napi::get_args(env, info, 6, argv)) return nullptr;
  double opd = 0;
  napi_get_value_double(env, argv[0], &opd);
  const int op = static_cast<int>(opd);
  if (op < 0 || op >= SEL_COUNT) return fail(env, "torchts native select: bad op"), nullptr;
  const bool wh = op == SEL_WHERE;
  const int nin = wh ? 3 : 2;
  Arr arrs[4];
  for (int k = 0; k <= nin; k++)
    if (!napi::get_array(env, argv[1 + k], &arrs[k])) return nullptr;
  std::vector<int64_t> m;
  if (!napi::get_meta(env, argv[5], &m)) return nullptr;
  const napi_typedarray_type want[4] = {wh ? napi_float32_array : napi_uint8_array,
                                        wh ? napi_uint8_array : napi_float32_array, napi_float32_array,
                                        napi_float32_array};
  for (int k = 0; k <= nin; k++)
    if (arrs[k].type != want[k]) return fail(env, "torchts native select: unexpected array types"), nullptr;
  for (int k = 1; k <= nin; k++)
    if (napi::aliases(arrs[k], arrs[0])) return fail(env, "torchts native select: out aliases an input"), nullptr;
  const int nd = m.empty() ? -1 : static_cast<int>(m[0]);
  if (nd < 0 || nd > 16 || static_cast<int64_t>(m.size()) != 5 + 5 * nd)
    return fail(env, "torchts native select: bad sizes"), nullptr;
  const int64_t* shape = m.data() + 5;
  const int64_t* st[4];
  for (int k = 0; k < 4; k++) st[k] = shape + (k + 1) * nd;
  for (int d = 0; d < nd; d++)
    if (shape[d] == 0) return nullptr;
  for (int k = 0; k <= nin; k++)
    if (!napi::in_bounds(arrs[k].length, m[1 + k], nd, shape, st[k]))
      return fail(env, "torchts native select: a view reaches outside its storage"), nullptr;
  const int l = nd - 1;
  const int64_t n = nd ? shape[l] : 1;
  int64_t inner[4];
  for (int k = 0; k < 4; k++) inner[k] = nd && k <= nin ? st[k][l] : 0;
  if (nd && inner[0] != 1 && n > 1) return fail(env, "torchts native select: the output's last dim must be contiguous"), nullptr;
  for (int k = 1; k <= nin; k++)
    if (inner[k] != 0 && inner[k] != 1) return fail(env, "torchts native select: bad last-dim stride"), nullptr;
  const int64_t start[4] = {m[1], m[2], m[3], wh ? m[4] : 0};
  static const int64_t zeros[16] = {0};
  const int64_t* sts[4] = {st[0], st[1], st[2], wh ? st[3] : zeros};
  if (wh) {
    float* O = static_cast<float*>(arrs[0].data);
    const uint8_t* C = static_cast<const uint8_t*>(arrs[1].data);
    const float* A = static_cast<const float*>(arrs[2].data);
    const float* B = static_cast<const float*>(arrs[3].data);
    for_each_row<4>(nd, shape, sts, start, [&](const int64_t* off) {
      where_row(n, O + off[0], C + off[1], inner[1], A + off[2], inner[2], B + off[3], inner[3]);
    });
    return nullptr;
  }
  uint8_t* O = static_cast<uint8_t*>(arrs[0].data);
  const float* A = static_cast<const float*>(arrs[1].data);
  const float* B = static_cast<const float*>(arrs[2].data);
  void (*row)(int64_t, uint8_t*, const float*, int64_t, const float*, int64_t) =
      op == SEL_LE ? compare_row<SEL_LE> : op == SEL_LT ? compare_row<SEL_LT> : op == SEL_GE ? compare_row<SEL_GE>
      : op == SEL_GT ? compare_row<SEL_GT> : op == SEL_EQ ? compare_row<SEL_EQ> : compare_row<SEL_NE>;
  for_each_row<4>(nd, shape, sts, start,
                  [&](const int64_t* off) { row(n, O + off[0], A + off[1], inner[1], B + off[2], inner[2]); });
  return nullptr;
}

}  // namespace

/** Add select (float32 comparisons into bool, where with a bool mask) to the addon's exports. */
void register_select_kernels(napi_env env, napi_value exports) { napi::define(env, exports, "select", Select); }

}  // namespace tts
