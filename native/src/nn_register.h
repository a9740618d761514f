// Registration of the NN kernel entry points (index_kernels.cc, conv_kernels.cc, select_kernels.cc) into the addon's
// exports; addon.cc's init calls these.
#pragma once
#include <node_api.h>

#include "kernels.h"

namespace tts {
/** gather, scatter, argReduce, stridedAccumulate. */
void register_index_kernels(napi_env env, napi_value exports);
/** select (float32 comparisons into bool masks, where). */
void register_select_kernels(napi_env env, napi_value exports);
/** conv; `k` points at the addon's selected kernel variant (it may be switched later). */
void register_conv_kernels(napi_env env, napi_value exports, const KernelSet* const* k);
/** maxPoolIndices (max pooling's argmax per window). */
void register_pool_kernels(napi_env env, napi_value exports);
/** sgdStep, adamStep (fused optimizer updates). */
void register_optim_kernels(napi_env env, napi_value exports);
/** softmax (softmax / log-softmax along the last dim); `k` as for register_conv_kernels. */
void register_softmax_kernels(napi_env env, napi_value exports, const KernelSet* const* k);
/** norm, normGrad (layer / group / instance / batch normalization); `k` as for register_conv_kernels. */
void register_norm_kernels(napi_env env, napi_value exports, const KernelSet* const* k);
}  // namespace tts
