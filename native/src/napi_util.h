// Node-API argument helpers shared by the addon entry points (addon.cc, index_kernels.cc, conv_kernels.cc):
// typed-array access, the Float64Array of sizes every call passes, and the bounds check of strided views.
#pragma once
#include <node_api.h>

#include <cstdint>
#include <vector>

namespace tts {
namespace napi {

/** A typed array argument: its element type, data pointer and length in elements. */
struct Arr {
  napi_typedarray_type type;
  void* data;
  int64_t length;
};

/** Throw a JS Error with code ERR_TORCHTS_NATIVE; returns false for `return fail(...)` chains. */
inline bool fail(napi_env env, const char* msg) {
  napi_throw_error(env, "ERR_TORCHTS_NATIVE", msg);
  return false;
}

/** Read argument `v` as a typed array. */
inline bool get_array(napi_env env, napi_value v, Arr* out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return fail(env, "torchts native: expected a typed array");
  size_t length = 0;
  napi_value buffer;
  size_t byte_offset = 0;
  if (napi_get_typedarray_info(env, v, &out->type, &length, &out->data, &buffer, &byte_offset) != napi_ok)
    return fail(env, "torchts native: cannot read a typed array");
  out->length = static_cast<int64_t>(length);
  return true;
}

/** Read a Float64Array of integer sizes into `out`. */
inline bool get_meta(napi_env env, napi_value v, std::vector<int64_t>* out) {
  Arr a;
  if (!get_array(env, v, &a)) return false;
  if (a.type != napi_float64_array) return fail(env, "torchts native: expected a Float64Array of sizes");
  const double* d = static_cast<const double*>(a.data);
  out->resize(a.length);
  for (int64_t i = 0; i < a.length; i++) (*out)[i] = static_cast<int64_t>(d[i]);
  return true;
}

/** Whether a JS value is null or undefined. */
inline bool is_null(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

/** Whether two arrays share memory (empty arrays may both have a null data pointer: they never do). */
inline bool aliases(const Arr& a, const Arr& b) { return a.length > 0 && b.length > 0 && a.data == b.data; }

/** Fetch exactly `n` arguments. */
inline bool get_args(napi_env env, napi_callback_info info, size_t n, napi_value* argv) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < n)
    return fail(env, "torchts native: missing arguments");
  return true;
}

/** Whether every element a strided view reaches lies in [0, length). */
inline bool in_bounds(int64_t length, int64_t offset, int nd, const int64_t* shape, const int64_t* strides) {
  int64_t lo = offset, hi = offset;
  for (int d = 0; d < nd; d++) {
    if (shape[d] <= 0) return true;  // empty: nothing is touched
    const int64_t ext = (shape[d] - 1) * strides[d];
    if (ext > 0)
      hi += ext;
    else
      lo += ext;
  }
  return lo >= 0 && hi < length;
}

/** A JS number. */
inline napi_value number(napi_env env, double d) {
  napi_value r;
  napi_create_double(env, d, &r);
  return r;
}

/** Register `fn` as exports[name]. */
inline void define(napi_env env, napi_value exports, const char* name, napi_callback fn) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, nullptr, &f);
  napi_set_named_property(env, exports, name, f);
}

}  // namespace napi
}  // namespace tts
