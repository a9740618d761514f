// The portable kernels: 16-byte vectors (SSE2 on x86-64, NEON on arm64), no FMA assumed.
#define TTS_NS generic
#define TTS_ENTRY kernels_generic
#define TTS_NAME "portable"
#define TTS_VBYTES 16
#if defined(__aarch64__)
#define TTS_MR_F32 8
#define TTS_NV_F32 2
#define TTS_MR_F64 8
#define TTS_NV_F64 2
#else
#define TTS_MR_F32 4
#define TTS_NV_F32 2
#define TTS_MR_F64 4
#define TTS_NV_F64 2
#endif
#include "kernels_impl.h"
