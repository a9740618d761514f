# node-gyp build of torchts' native CPU kernels. The AVX2 and AVX-512 variants are static libraries
# with their own ISA flags (x86-64 only); the addon itself is built for the baseline ISA and picks a
# variant at load time.
{
  "target_defaults": {
    "cflags_cc": ["-O3", "-fPIC", "-fno-math-errno", "-ffp-contract=fast", "-Wno-psabi"],
    "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-ffp-contract=fast"]}
  },
  "targets": [
    {
      "target_name": "torchts_native",
      "sources": [
        "src/addon.cc", "src/threadpool.cc", "src/kernels_generic.cc", "src/index_kernels.cc", "src/conv_kernels.cc",
        "src/conv_grad_kernels.cc", "src/select_kernels.cc", "src/optim_kernels.cc", "src/pool_kernels.cc",
        "src/softmax_kernels.cc", "src/norm_kernels.cc"
      ],
      "conditions": [
        ["target_arch=='x64'", {"dependencies": ["kernels_avx2", "kernels_avx512"]}]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "kernels_avx2",
          "type": "static_library",
          "sources": ["src/kernels_avx2.cc"],
          "cflags_cc": ["-mavx2", "-mfma"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"]}
        },
        {
          "target_name": "kernels_avx512",
          "type": "static_library",
          "sources": ["src/kernels_avx512.cc"],
          "cflags_cc": ["-mavx512f", "-mavx2", "-mfma"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-mavx512f", "-mavx2", "-mfma"]}
        }
      ]
    }]
  ]
}
