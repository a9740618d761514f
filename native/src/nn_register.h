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
/** conv and its gradients. */
void register_conv_kernels(napi_env env, napi_value exports);
/** maxPoolIndices (max pooling's argmax per window). */
void register_pool_kernels(napi_env env, napi_value exports);
/** sgdStep, adamStep (fused optimizer updates). */
void register_optim_kernels(napi_env env, napi_value exports);
/** softmax, softmaxGrad (softmax / log-softmax along the last dim and their gradients). */
void register_softmax_kernels(napi_env env, napi_value exports);
/** norm, normGrad (layer / group / instance / batch normalization). */
void register_norm_kernels(napi_env env, napi_value exports);
}  // namespace tts
