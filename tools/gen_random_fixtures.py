#!/usr/bin/python3
"""Write test/fixtures/random.json: what PyTorch's CPU generator produces for a list of random calls,
replayed by test/random.test.ts against torchts with the same seeds.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_random_fixtures.py`. The output is committed.

Each case names a seed, a PyTorch expression and the torchts expression side by side. Before a case
the default generator is seeded with `seed` and a fresh generator `g` with `seed + 1000`; after it,
a probe (three float64 uniforms from each generator) records where both streams stand, so a call
that draws too many or too few numbers fails even when its own values agree.

`check` says how results are compared:
  exact  bit for bit;
  libm   float64 results that pass through log/sin/cos/tan: the C library and JS's Math may round
         the last bit differently, so values may differ by a few ulps of `scale` (most are equal);
  error  PyTorch raises; torchts must raise an error naming the op.
"""

import json
import math
import os

import sys
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "opspec"))
from framework import encode_tensor as enc_tensor, encode_value as enc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "random.json")

f64 = torch.float64

# (name, seed, PyTorch expression, torchts expression, check[, scale for libm])
CASES = [
    # ---- uniform
    ("rand_f32", 0, "torch.rand(7)", "torch.rand(7)", "exact"),
    ("rand_f32_2d", 1, "torch.rand(3, 5)", "torch.rand(3, 5)", "exact"),
    ("rand_size_list", 2, "torch.rand((2, 2, 3))", "torch.rand([2, 2, 3])", "exact"),
    ("rand_f64", 3, "torch.rand(6, dtype=torch.float64)", "torch.rand(6, { dtype: 'float64' })", "exact"),
    ("rand_f16", 4, "torch.rand(9, dtype=torch.float16)", "torch.rand(9, { dtype: 'float16' })", "exact"),
    ("rand_bf16", 5, "torch.rand(9, dtype=torch.bfloat16)", "torch.rand(9, { dtype: 'bfloat16' })", "exact"),
    ("rand_generator", 6, "torch.rand(5, generator=g)", "torch.rand(5, { generator: g })", "exact"),
    ("rand_empty", 7, "torch.rand(0, 3)", "torch.rand(0, 3)", "exact"),
    ("rand_scalar", 8, "torch.rand(())", "torch.rand([])", "exact"),
    ("rand_new_generator", 9, "torch.rand(4, generator=torch.Generator())",
     "torch.rand(4, { generator: new torch.Generator() })", "exact"),
    ("rand_negative_seed", -5, "torch.rand(4)", "torch.rand(4)", "exact"),
    ("rand_large_seed", 2**40 + 7, "torch.rand(4)", "torch.rand(4)", "exact"),
    ("rand_like", 10, "torch.rand_like(torch.zeros(2, 3, dtype=torch.float64))",
     "torch.randLike(torch.zeros(2, 3, { dtype: 'float64' }))", "exact"),
    ("uniform_f32", 11, "torch.empty(50).uniform_(-3.3, 5.7)", "torch.empty(50).uniform_(-3.3, 5.7)", "exact"),
    ("uniform_f64", 12, "torch.empty(50, dtype=torch.float64).uniform_(-3.3, 5.7)",
     "torch.empty(50, { dtype: 'float64' }).uniform_(-3.3, 5.7)", "exact"),
    ("uniform_f16", 13, "torch.empty(50, dtype=torch.float16).uniform_(-2, 3)",
     "torch.empty(50, { dtype: 'float16' }).uniform_(-2, 3)", "exact"),
    ("uniform_bf16", 14, "torch.empty(50, dtype=torch.bfloat16).uniform_(0.5, 7)",
     "torch.empty(50, { dtype: 'bfloat16' }).uniform_(0.5, 7)", "exact"),
    ("uniform_generator", 15, "torch.empty(6).uniform_(1, 2, generator=g)",
     "torch.empty(6).uniform_(1, 2, { generator: g })", "exact"),
    ("uniform_transposed", 16, "torch.empty(6, 4).t().uniform_()", "torch.empty(6, 4).t().uniform_()", "exact"),
    ("uniform_permuted", 17, "torch.empty(3, 4, 5).permute(2, 0, 1).uniform_()",
     "torch.empty(3, 4, 5).permute(2, 0, 1).uniform_()", "exact"),
    ("uniform_view_of_base", 18, "(lambda b: [b[1].uniform_(), b])(torch.zeros(3, 4))",
     "((b) => [b.select(0, 1).uniform_(), b])(torch.zeros(3, 4))", "exact"),
    # ---- normal
    ("randn_small_cached", 20, "[torch.randn(5), torch.randn(3)]", "[torch.randn(5), torch.randn(3)]", "exact"),
    ("randn_one", 21, "[torch.randn(1), torch.randn(1), torch.randn(1)]",
     "[torch.randn(1), torch.randn(1), torch.randn(1)]", "exact"),
    ("randn_15", 22, "torch.randn(3, 5)", "torch.randn(3, 5)", "exact"),
    ("randn_16", 23, "torch.randn(16)", "torch.randn(16)", "exact"),
    ("randn_17", 24, "torch.randn(17)", "torch.randn(17)", "exact"),
    ("randn_1000", 25, "torch.randn(10, 100)", "torch.randn(10, 100)", "exact"),
    ("randn_4099", 26, "torch.randn(4099)", "torch.randn(4099)", "exact"),
    ("randn_generator", 27, "torch.randn(40, generator=g)", "torch.randn(40, { generator: g })", "exact"),
    ("randn_cache_survives_fill", 28, "[torch.randn(3, dtype=torch.float64), torch.randn(20), torch.randn(1)]",
     "[torch.randn(3, { dtype: 'float64' }), torch.randn(20), torch.randn(1)]", "libm"),
    ("randn_f64_small", 29, "torch.randn(2, 3, dtype=torch.float64)", "torch.randn(2, 3, { dtype: 'float64' })",
     "libm"),
    ("randn_f64_33", 30, "torch.randn(33, dtype=torch.float64)", "torch.randn(33, { dtype: 'float64' })", "libm"),
    ("randn_f64_1000", 31, "torch.randn(1000, dtype=torch.float64)", "torch.randn(1000, { dtype: 'float64' })",
     "libm"),
    ("randn_f16_small", 32, "torch.randn(5, dtype=torch.float16)", "torch.randn(5, { dtype: 'float16' })",
     "exact"),
    ("randn_f16_40", 33, "torch.randn(40, dtype=torch.float16)", "torch.randn(40, { dtype: 'float16' })",
     "exact"),
    ("randn_bf16_40", 34, "torch.randn(40, dtype=torch.bfloat16)", "torch.randn(40, { dtype: 'bfloat16' })",
     "exact"),
    ("randn_like_transposed", 135, "torch.randn_like(torch.zeros(6, 5).t())", "torch.randnLike(torch.zeros(6, 5).t())",
     "exact"),
    ("rand_like_permuted", 136, "torch.rand_like(torch.zeros(2, 3, 4).permute(1, 2, 0))",
     "torch.randLike(torch.zeros(2, 3, 4).permute(1, 2, 0))", "exact"),
    ("randn_like", 35, "torch.randn_like(torch.zeros(4, 5))", "torch.randnLike(torch.zeros(4, 5))", "exact"),
    ("normal_f32", 36, "torch.empty(100).normal_(1.7, 2.3)", "torch.empty(100).normal_(1.7, 2.3)", "exact"),
    ("normal_f32_small", 37, "torch.empty(10).normal_(-1, 0.5)", "torch.empty(10).normal_(-1, 0.5)", "exact"),
    ("normal_f64", 38, "torch.empty(40, dtype=torch.float64).normal_(1.7, 2.3)",
     "torch.empty(40, { dtype: 'float64' }).normal_(1.7, 2.3)", "libm", 4.0),
    ("normal_f64_small", 39, "torch.empty(7, dtype=torch.float64).normal_(1.7, 2.3)",
     "torch.empty(7, { dtype: 'float64' }).normal_(1.7, 2.3)", "libm", 4.0),
    ("normal_transposed", 40, "torch.empty(5, 6).t().normal_()", "torch.empty(5, 6).t().normal_()", "exact"),
    ("normal_mean_tensor", 41, "torch.normal(torch.arange(20.).reshape(4, 5), 0.5)",
     "torch.normal(torch.arange(20).reshape(4, 5).float(), 0.5)", "exact"),
    ("normal_std_tensor", 42, "torch.normal(2.0, torch.tensor([0.1 * i for i in range(1, 19)]))",
     "torch.normal(2.0, torch.tensor(Array.from({ length: 18 }, (_, i) => 0.1 * (i + 1))))", "exact"),
    ("normal_both_tensors", 43, "torch.normal(torch.zeros(3, 1), torch.ones(1, 6))",
     "torch.normal(torch.zeros(3, 1), torch.ones(1, 6))", "exact"),
    ("normal_numbers", 44, "torch.normal(1.5, 0.25, (4, 5))", "torch.normal(1.5, 0.25, [4, 5])", "exact"),
    ("normal_small_mean", 45, "torch.normal(torch.tensor([1., 2., 3.]), 1.)",
     "torch.normal(torch.tensor([1, 2, 3], { dtype: 'float32' }), 1)", "exact"),
    ("normal_f64_mean", 46, "torch.normal(torch.ones(20, dtype=torch.float64), 3.0)",
     "torch.normal(torch.ones(20, { dtype: 'float64' }), 3.0)", "libm", 4.0),
    ("normal_numbers_generator", 47, "torch.normal(0., 2., (20,), generator=g)",
     "torch.normal(0, 2, [20], { generator: g })", "exact"),
    ("log_normal", 48, "torch.empty(10).log_normal_(0.5, 0.3)", "torch.empty(10).logNormal_(0.5, 0.3)", "exact"),
    # ---- integers
    ("randint_high", 50, "torch.randint(10, (20,))", "torch.randint(10, [20])", "exact"),
    ("randint_low_high", 51, "torch.randint(-5, 5, (4, 5))", "torch.randint(-5, 5, [4, 5])", "exact"),
    ("randint_wide", 52, "torch.randint(0, 2**40, (6,))", "torch.randint(0, 2 ** 40, [6])", "exact"),
    ("randint_wide_negative", 53, "torch.randint(-2**45, 2**45, (6,))", "torch.randint(-(2 ** 45), 2 ** 45, [6])",
     "exact"),
    ("randint_float", 54, "torch.randint(3, 9, (5,), dtype=torch.float32)",
     "torch.randint(3, 9, [5], { dtype: 'float32' })", "exact"),
    ("randint_uint8", 55, "torch.randint(0, 256, (10,), dtype=torch.uint8)",
     "torch.randint(0, 256, [10], { dtype: 'uint8' })", "exact"),
    ("randint_int16", 56, "torch.randint(-100, 100, (7,), dtype=torch.int16)",
     "torch.randint(-100, 100, [7], { dtype: 'int16' })", "exact"),
    ("randint_generator", 57, "torch.randint(0, 1000, (5,), generator=g)",
     "torch.randint(0, 1000, [5], { generator: g })", "exact"),
    ("randint_like", 58, "torch.randint_like(torch.zeros(4, dtype=torch.int32), 3, 8)",
     "torch.randintLike(torch.zeros(4, { dtype: 'int32' }), 3, 8)", "exact"),
    ("randint_like_high", 59, "torch.randint_like(torch.zeros(2, 3), 4)",
     "torch.randintLike(torch.zeros(2, 3), 4)", "exact"),
    ("randperm_10", 60, "torch.randperm(10)", "torch.randperm(10)", "exact"),
    ("randperm_1", 61, "torch.randperm(1)", "torch.randperm(1)", "exact"),
    ("randperm_0", 62, "torch.randperm(0)", "torch.randperm(0)", "exact"),
    ("randperm_float", 63, "torch.randperm(100, dtype=torch.float32)",
     "torch.randperm(100, { dtype: 'float32' })", "exact"),
    ("randperm_1000", 64, "torch.randperm(1000)", "torch.randperm(1000)", "exact"),
    ("randperm_generator", 65, "torch.randperm(12, generator=g)", "torch.randperm(12, { generator: g })", "exact"),
    ("random_int64", 66, "torch.empty(10, dtype=torch.int64).random_()",
     "torch.empty(10, { dtype: 'int64' }).random_()", "exact"),
    ("random_int32", 67, "torch.empty(10, dtype=torch.int32).random_()",
     "torch.empty(10, { dtype: 'int32' }).random_()", "exact"),
    ("random_f32", 68, "torch.empty(10).random_()", "torch.empty(10).random_()", "exact"),
    ("random_f64", 69, "torch.empty(10, dtype=torch.float64).random_()",
     "torch.empty(10, { dtype: 'float64' }).random_()", "exact"),
    ("random_uint8", 70, "torch.empty(8, dtype=torch.uint8).random_()",
     "torch.empty(8, { dtype: 'uint8' }).random_()", "exact"),
    ("random_bool", 71, "torch.empty(8, dtype=torch.bool).random_()",
     "torch.empty(8, { dtype: 'bool' }).random_()", "exact"),
    ("random_to", 72, "torch.empty(6).random_(5)", "torch.empty(6).random_(5)", "exact"),
    ("random_from_to", 73, "torch.empty(6, dtype=torch.int64).random_(-3, 3)",
     "torch.empty(6, { dtype: 'int64' }).random_(-3, 3)", "exact"),
    ("geometric", 74, "torch.empty(10).geometric_(0.3)", "torch.empty(10).geometric_(0.3)", "exact"),
    # ---- other distributions
    ("exponential_f32", 80, "torch.empty(20).exponential_()", "torch.empty(20).exponential_()", "exact"),
    ("exponential_f64", 81, "torch.empty(20, dtype=torch.float64).exponential_(2.5)",
     "torch.empty(20, { dtype: 'float64' }).exponential_(2.5)", "libm"),
    ("cauchy", 82, "torch.empty(10).cauchy_(1, 2)", "torch.empty(10).cauchy_(1, 2)", "exact"),
    ("bernoulli_tensor_p", 83, "torch.bernoulli(torch.tensor([i / 29 for i in range(30)]))",
     "torch.bernoulli(torch.tensor(Array.from({ length: 30 }, (_, i) => i / 29)))", "exact"),
    ("bernoulli_tensor_p_f64", 84, "torch.bernoulli(torch.tensor([i / 29 for i in range(30)], dtype=torch.float64))",
     "torch.bernoulli(torch.tensor(Array.from({ length: 30 }, (_, i) => i / 29), { dtype: 'float64' }))", "exact"),
    ("bernoulli_2d", 85, "torch.bernoulli(torch.full((3, 4), 0.5))", "torch.bernoulli(torch.full([3, 4], 0.5))",
     "exact"),
    ("bernoulli_scalar_p", 86, "torch.bernoulli(torch.zeros(20), 0.3)", "torch.bernoulli(torch.zeros(20), 0.3)",
     "exact"),
    ("bernoulli_inplace", 87, "torch.empty(20).bernoulli_(0.7)", "torch.empty(20).bernoulli_(0.7)", "exact"),
    ("bernoulli_inplace_tensor", 88, "torch.empty(3, 4).bernoulli_(torch.tensor([0.1, 0.5, 0.9, 1.0]))",
     "torch.empty(3, 4).bernoulli_(torch.tensor([0.1, 0.5, 0.9, 1.0]))", "exact"),
    ("bernoulli_int64", 89, "torch.empty(10, dtype=torch.int64).bernoulli_(0.5)",
     "torch.empty(10, { dtype: 'int64' }).bernoulli_(0.5)", "exact"),
    ("bernoulli_generator", 90, "torch.bernoulli(torch.full((10,), 0.5), generator=g)",
     "torch.bernoulli(torch.full([10], 0.5), { generator: g })", "exact"),
    ("multinomial_1d", 91, "torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 2)",
     "torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 2)", "exact"),
    ("multinomial_all", 92, "torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 4)",
     "torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 4)", "exact"),
    ("multinomial_one", 93, "torch.multinomial(torch.tensor([1., 5., 2.]), 1)",
     "torch.multinomial(torch.tensor([1, 5, 2], { dtype: 'float32' }), 1)", "exact"),
    ("multinomial_2d", 94, "torch.multinomial(torch.rand(3, 5, generator=g), 3)",
     "torch.multinomial(torch.rand(3, 5, { generator: g }), 3)", "exact"),
    ("multinomial_replacement", 95, "torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 20, True)",
     "torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 20, true)", "exact"),
    ("multinomial_replacement_2d", 96, "torch.multinomial(torch.rand(3, 6, generator=g), 8, True)",
     "torch.multinomial(torch.rand(3, 6, { generator: g }), 8, true)", "exact"),
    ("multinomial_replacement_one", 97, "torch.multinomial(torch.tensor([0.3, 0.3, 0.4]), 1, True)",
     "torch.multinomial(torch.tensor([0.3, 0.3, 0.4]), 1, true)", "exact"),
    ("multinomial_f64", 98, "torch.multinomial(torch.tensor([2., 1., 7.], dtype=torch.float64), 2)",
     "torch.multinomial(torch.tensor([2, 1, 7], { dtype: 'float64' }), 2)", "exact"),
    ("multinomial_zeros_allowed", 99, "torch.multinomial(torch.tensor([0., 3., 0., 1.]), 2)",
     "torch.multinomial(torch.tensor([0, 3, 0, 1], { dtype: 'float32' }), 2)", "exact"),
    ("multinomial_transposed", 101, "torch.multinomial(torch.rand(5, 3, generator=g).t(), 2)",
     "torch.multinomial(torch.rand(5, 3, { generator: g }).t(), 2)", "exact"),
    ("multinomial_generator", 100, "torch.multinomial(torch.ones(6), 6, generator=g)",
     "torch.multinomial(torch.ones(6), 6, false, { generator: g })", "exact"),
    # ---- generator state
    ("state_bytes_after_randn", 110, "[torch.randn(3), torch.get_rng_state()]",
     "[torch.randn(3), torch.getRngState()]", "exact"),
    ("state_bytes_generator", 111, "[torch.rand(700, generator=g), g.get_state()]",
     "[torch.rand(700, { generator: g }), g.getState()]", "exact"),
    ("state_roundtrip", 112,
     "(lambda s: [torch.randn(3), torch.rand(4), torch.set_rng_state(s) or torch.randn(3), torch.rand(4)])"
     "(torch.get_rng_state())",
     "((s) => [torch.randn(3), torch.rand(4), (torch.setRngState(s), torch.randn(3)), torch.rand(4)])"
     "(torch.getRngState())", "exact"),
    ("state_to_other_generator", 113,
     "(lambda s: [torch.randn(5), g.set_state(s) and torch.randn(5, generator=g)])"
     "(torch.get_rng_state())",
     "((s) => [torch.randn(5), (g.setState(s), torch.randn(5, { generator: g }))])(torch.getRngState())",
     "exact"),
    ("state_pytorch_bytes", 114, "torch.Generator().manual_seed(77).get_state()",
     "new torch.Generator().manualSeed(77).getState()", "exact"),
    # ---- errors
    ("err_randint_empty_range", 120, "torch.randint(5, 5, (3,))", "torch.randint(5, 5, [3])", "error"),
    ("err_randint_high_below_low", 121, "torch.randint(6, 5, (3,))", "torch.randint(6, 5, [3])", "error"),
    ("err_randint_zero_high", 122, "torch.randint(0, (3,))", "torch.randint(0, [3])", "error"),
    ("err_randint_uint8_negative", 123, "torch.randint(-3, 3, (3,), dtype=torch.uint8)",
     "torch.randint(-3, 3, [3], { dtype: 'uint8' })", "error"),
    ("err_randint_uint8_too_high", 124, "torch.randint(0, 300, (3,), dtype=torch.uint8)",
     "torch.randint(0, 300, [3], { dtype: 'uint8' })", "error"),
    ("err_randint_bool", 125, "torch.randint(3, (3,), dtype=torch.bool)", "torch.randint(3, [3], { dtype: 'bool' })",
     "error"),
    ("err_rand_negative", 126, "torch.rand(2, -3)", "torch.rand(2, -3)", "error"),
    ("err_randn_negative", 127, "torch.randn(-1)", "torch.randn(-1)", "error"),
    ("err_randint_negative_size", 128, "torch.randint(3, (-2,))", "torch.randint(3, [-2])", "error"),
    ("err_rand_int_dtype", 129, "torch.rand(3, dtype=torch.int64)", "torch.rand(3, { dtype: 'int64' })", "error"),
    ("err_randn_int_dtype", 130, "torch.randn(3, dtype=torch.int64)", "torch.randn(3, { dtype: 'int64' })",
     "error"),
    ("err_randperm_negative", 131, "torch.randperm(-1)", "torch.randperm(-1)", "error"),
    ("err_randperm_uint8_overflow", 132, "torch.randperm(300, dtype=torch.uint8)",
     "torch.randperm(300, { dtype: 'uint8' })", "error"),
    ("err_multinomial_negative", 133, "torch.multinomial(torch.tensor([0.2, -0.1, 0.5]), 1)",
     "torch.multinomial(torch.tensor([0.2, -0.1, 0.5]), 1)", "error"),
    ("err_multinomial_nan", 134, "torch.multinomial(torch.tensor([0.2, float('nan'), 0.5]), 1)",
     "torch.multinomial(torch.tensor([0.2, NaN, 0.5]), 1)", "error"),
    ("err_multinomial_nan_replacement", 135, "torch.multinomial(torch.tensor([0.2, float('nan'), 0.5]), 2, True)",
     "torch.multinomial(torch.tensor([0.2, NaN, 0.5]), 2, true)", "error"),
    ("err_multinomial_inf_replacement", 136, "torch.multinomial(torch.tensor([0.2, float('inf'), 0.5]), 2, True)",
     "torch.multinomial(torch.tensor([0.2, Infinity, 0.5]), 2, true)", "error"),
    ("err_multinomial_too_many", 137, "torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 4)",
     "torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 4)", "error"),
    ("err_multinomial_zero_samples", 138, "torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 0)",
     "torch.multinomial(torch.tensor([0.2, 0.3, 0.5]), 0)", "error"),
    ("err_multinomial_zero_sum", 139, "torch.multinomial(torch.zeros(3), 1)", "torch.multinomial(torch.zeros(3), 1)",
     "error"),
    ("err_multinomial_zero_sum_replacement", 140, "torch.multinomial(torch.zeros(2, 3), 2, True)",
     "torch.multinomial(torch.zeros(2, 3), 2, true)", "error"),
    ("err_multinomial_int", 141, "torch.multinomial(torch.tensor([1, 2, 3]), 2)",
     "torch.multinomial(torch.tensor([1, 2, 3]), 2)", "error"),
    ("err_multinomial_3d", 142, "torch.multinomial(torch.ones(2, 2, 2), 2)",
     "torch.multinomial(torch.ones(2, 2, 2), 2)", "error"),
    ("err_bernoulli_p_above_one", 143, "torch.bernoulli(torch.tensor([0.2, 1.5]))",
     "torch.bernoulli(torch.tensor([0.2, 1.5]))", "error"),
    ("err_bernoulli_p_nan", 144, "torch.bernoulli(torch.tensor([0.2, float('nan')]))",
     "torch.bernoulli(torch.tensor([0.2, NaN]))", "error"),
    ("err_bernoulli_int_p", 145, "torch.bernoulli(torch.tensor([1, 0]))", "torch.bernoulli(torch.tensor([1, 0]))",
     "error"),
    ("err_bernoulli_scalar_p", 146, "torch.zeros(3).bernoulli_(1.5)", "torch.zeros(3).bernoulli_(1.5)", "error"),
    ("err_exponential_negative", 147, "torch.zeros(3).exponential_(-1)", "torch.zeros(3).exponential_(-1)", "error"),
    ("err_normal_negative_std", 148, "torch.zeros(3).normal_(0, -1)", "torch.zeros(3).normal_(0, -1)", "error"),
    ("err_normal_std_tensor_negative", 149, "torch.normal(0., torch.tensor([1., -1., 1.]))",
     "torch.normal(0, torch.tensor([1, -1, 1], { dtype: 'float32' }))", "error"),
    ("err_normal_numbers_negative_std", 150, "torch.normal(0., -1., (3,))", "torch.normal(0, -1, [3])", "error"),
    ("err_normal_shapes", 151, "torch.normal(torch.zeros(3), torch.ones(2))",
     "torch.normal(torch.zeros(3), torch.ones(2))", "error"),
    ("err_normal_int_mean", 152, "torch.normal(torch.zeros(3, dtype=torch.int64), 1.)",
     "torch.normal(torch.zeros(3, { dtype: 'int64' }), 1)", "error"),
    ("err_uniform_reversed", 153, "torch.zeros(3).uniform_(2, 1)", "torch.zeros(3).uniform_(2, 1)", "error"),
    ("err_uniform_int", 154, "torch.zeros(3, dtype=torch.int64).uniform_()",
     "torch.zeros(3, { dtype: 'int64' }).uniform_()", "error"),
    ("err_uniform_range_overflow", 155, "torch.zeros(3).uniform_(-3e38, 3e38)", "torch.zeros(3).uniform_(-3e38, 3e38)",
     "error"),
    ("err_random_reversed", 156, "torch.zeros(3).random_(5, 2)", "torch.zeros(3).random_(5, 2)", "error"),
    ("err_geometric_p", 157, "torch.zeros(3).geometric_(1)", "torch.zeros(3).geometric_(1)", "error"),
    ("err_log_normal_std", 158, "torch.zeros(3).log_normal_(0, 0)", "torch.zeros(3).logNormal_(0, 0)", "error"),
    ("err_leaf_inplace", 159, "torch.zeros(3, requires_grad=True).uniform_()",
     "torch.zeros(3, { requiresGrad: true }).uniform_()", "error"),
    ("err_set_state_size", 160, "torch.set_rng_state(torch.zeros(10, dtype=torch.uint8))",
     "torch.setRngState(torch.zeros(10, { dtype: 'uint8' }))", "error"),
    ("err_set_state_dtype", 161, "torch.set_rng_state(torch.zeros(5056))", "torch.setRngState(torch.zeros(5056))",
     "error"),
    ("err_manual_seed_overflow", 162, "torch.manual_seed(2**64)", "torch.manualSeed(2n ** 64n)", "error"),
]


def run(case):
    name, seed, py, ts, check = case[:5]
    scale = case[5] if len(case) > 5 else 1.0
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed + 1000)
    out = {"name": name, "seed": seed, "py": py, "ts": ts, "check": check}
    if check == "libm":
        out["scale"] = scale
    try:
        r = eval(py, {"torch": torch, "g": g})
    except Exception as e:  # noqa: BLE001 - any PyTorch error is the expected outcome here
        if check != "error":
            raise
        out["error"] = str(e).split("\n")[0]
        return out
    if check == "error":
        raise AssertionError(f"{name}: PyTorch did not raise")
    results = r if isinstance(r, list) else [r]
    out["results"] = [enc_tensor(t) for t in results]
    out["probe"] = [
        enc_tensor(torch.rand(3, dtype=f64)),
        enc_tensor(torch.rand(3, dtype=f64, generator=g)),
    ]
    return out


def main():
    cases = [run(c) for c in CASES]
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {os.path.relpath(OUT)}")


if __name__ == "__main__":
    main()
