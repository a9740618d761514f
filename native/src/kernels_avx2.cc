// The AVX2+FMA kernels (built with -mavx2 -mfma): 8-float vectors, a 6 x 16 float32 GEMM tile.
#define TTS_NS avx2
#define TTS_ENTRY kernels_avx2
#define TTS_NAME "avx2"
#define TTS_VBYTES 32
#define TTS_MR_F32 6
#define TTS_NV_F32 2
#define TTS_MR_F64 6
#define TTS_NV_F64 2
#include "kernels_impl.h"
