// The AVX-512 kernels (built with -mavx512f -mavx2 -mfma): 16-float vectors, a 12 x 32 float32 GEMM tile.
#define TTS_NS avx512
#define TTS_ENTRY kernels_avx512
#define TTS_NAME "avx512"
#define TTS_VBYTES 64
#ifndef TTS_MR_F32
#define TTS_MR_F32 12
#define TTS_NV_F32 2
#endif
#define TTS_MR_F64 12
#define TTS_NV_F64 2
#include "kernels_impl.h"
