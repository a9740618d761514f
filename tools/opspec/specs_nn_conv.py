"""Specs of the nn.functional convolutions, pooling, normalizations and resampling:
conv1d/2d/3d, conv_transpose1d/2d, unfold/fold, max/avg/adaptive pooling, batch/instance/layer/group/RMS
norm, interpolate, pixel_shuffle/unshuffle.

Shapes are small (fixtures stay small, gradcheck stays fast). Every spec runs contiguous inputs and
transposed/strided views (noncontig) in float32 and float64, with gradients, gradcheck and
gradgradcheck; error specs record PyTorch's error for bad arguments.

PyTorch 1.13 has no rms_norm: its reference is the formula x / sqrt(mean(x^2) + eps) * weight written
with PyTorch ops (eps defaults to torch.finfo(dtype).eps, as in PyTorch 2.4's F.rms_norm).

Batch/instance norm specs with running statistics return them after the call (the function updates
them in place), so the fixtures check the running update too; gradcheck skips those specs (the
running statistics are outputs without gradient) and runs on their siblings without running
statistics (batch_norm_train_no_stats, instance_norm), which take the same training path.
"""

from framework import Spec, T

SPECS = []
KINDS = ["contig", "noncontig"]
F32 = ["float32"]


def spec(name, py, ts, inputs, kinds=KINDS, edge=False, **kw):
    SPECS.append(Spec(name, py, ts, inputs, kinds=kinds, edge=edge, **kw))


def err(name, py, ts, inputs):
    """PyTorch raises for these arguments: torchts must raise too."""
    SPECS.append(Spec(name, py, ts, inputs, dtypes=F32, kinds=["contig"], edge=False, grad=False))


FN = "torch.nn.functional"

# ---- convolutions ----
spec("conv1d", "F.conv1d(a, b, c)", f"{FN}.conv1d(a, b, c)", [T(2, 3, 7), T(4, 3, 3), T(4)])
spec("conv1d_stride_pad_dil", "F.conv1d(a, b, stride=2, padding=2, dilation=2)",
     f"{FN}.conv1d(a, b, null, {{ stride: 2, padding: 2, dilation: 2 }})", [T(2, 2, 9), T(3, 2, 3)])
spec("conv1d_groups", "F.conv1d(a, b, c, groups=2)", f"{FN}.conv1d(a, b, c, {{ groups: 2 }})",
     [T(2, 4, 6), T(6, 2, 2), T(6)])
spec("conv1d_same_even", "F.conv1d(a, b, padding='same', dilation=3)",
     f"{FN}.conv1d(a, b, null, {{ padding: 'same', dilation: 3 }})", [T(2, 2, 8), T(3, 2, 4)])
spec("conv1d_valid_unbatched", "F.conv1d(a, b, padding='valid')", f"{FN}.conv1d(a, b, null, {{ padding: 'valid' }})",
     [T(2, 6), T(3, 2, 3)])
spec("conv2d", "F.conv2d(a, b, c)", f"{FN}.conv2d(a, b, c)", [T(2, 2, 5, 5), T(3, 2, 3, 3), T(3)])
spec("conv2d_stride_pad", "F.conv2d(a, b, c, stride=2, padding=1)",
     f"{FN}.conv2d(a, b, c, {{ stride: 2, padding: 1 }})", [T(2, 2, 6, 5), T(3, 2, 3, 3), T(3)])
spec("conv2d_tuple_args", "F.conv2d(a, b, stride=(2, 1), padding=(0, 2), dilation=(1, 2))",
     f"{FN}.conv2d(a, b, null, {{ stride: [2, 1], padding: [0, 2], dilation: [1, 2] }})",
     [T(1, 2, 6, 5), T(2, 2, 3, 2)])
spec("conv2d_dilation", "F.conv2d(a, b, dilation=2, padding=1)", f"{FN}.conv2d(a, b, null, {{ dilation: 2, padding: 1 }})",
     [T(2, 1, 6, 6), T(2, 1, 3, 3)])
spec("conv2d_groups", "F.conv2d(a, b, c, groups=2, stride=2)", f"{FN}.conv2d(a, b, c, {{ groups: 2, stride: 2 }})",
     [T(2, 4, 5, 5), T(4, 2, 2, 2), T(4)])
spec("conv2d_depthwise", "F.conv2d(a, b, groups=3, padding=1)", f"{FN}.conv2d(a, b, null, {{ groups: 3, padding: 1 }})",
     [T(1, 3, 4, 4), T(6, 1, 3, 3)])
spec("conv2d_same", "F.conv2d(a, b, c, padding='same')", f"{FN}.conv2d(a, b, c, {{ padding: 'same' }})",
     [T(1, 2, 5, 4), T(2, 2, 2, 3), T(2)])
# 3x3 stride-1 float32 convolutions with >= 3 input channels per group take the TS kernels' Winograd
# path (src/backends/cpu/winograd.ts); odd and even output sizes, padding 0 to 2, groups
spec("conv2d_3x3_pad1", "F.conv2d(a, b, c, padding=1)", f"{FN}.conv2d(a, b, c, {{ padding: 1 }})",
     [T(2, 4, 5, 6), T(5, 4, 3, 3), T(5)])
spec("conv2d_3x3_valid", "F.conv2d(a, b)", f"{FN}.conv2d(a, b)", [T(1, 3, 6, 5), T(4, 3, 3, 3)])
spec("conv2d_3x3_groups_pad2", "F.conv2d(a, b, groups=2, padding=2)",
     f"{FN}.conv2d(a, b, null, {{ groups: 2, padding: 2 }})", [T(2, 6, 4, 3), T(4, 3, 3, 3)])
spec("conv2d_1x1", "F.conv2d(a, b)", f"{FN}.conv2d(a, b)", [T(2, 3, 3, 4), T(5, 3, 1, 1)])
spec("conv2d_unbatched", "F.conv2d(a, b, stride=2)", f"{FN}.conv2d(a, b, null, {{ stride: 2 }})",
     [T(2, 5, 5), T(3, 2, 3, 3)])
spec("conv2d_batch0", "F.conv2d(a, b, c)", f"{FN}.conv2d(a, b, c)", [T(0, 2, 4, 4), T(3, 2, 3, 3), T(3)],
     kinds=["contig"], gradcheck=False)
spec("conv3d", "F.conv3d(a, b, c, stride=(1, 2, 1), padding=(1, 0, 1))",
     f"{FN}.conv3d(a, b, c, {{ stride: [1, 2, 1], padding: [1, 0, 1] }})", [T(1, 2, 3, 4, 3), T(2, 2, 2, 2, 2), T(2)])
spec("conv3d_groups_dil", "F.conv3d(a, b, groups=2, dilation=(2, 1, 1))",
     f"{FN}.conv3d(a, b, null, {{ groups: 2, dilation: [2, 1, 1] }})", [T(1, 2, 4, 3, 3), T(2, 1, 2, 2, 2)])
err("conv2d_channels_error", "F.conv2d(a, b)", f"{FN}.conv2d(a, b)", [T(1, 4, 5, 5), T(8, 3, 3, 3)])
err("conv2d_kernel_too_big", "F.conv2d(a, b)", f"{FN}.conv2d(a, b)", [T(1, 3, 2, 2), T(8, 3, 3, 3)])
err("conv2d_same_strided", "F.conv2d(a, b, padding='same', stride=2)",
    f"{FN}.conv2d(a, b, null, {{ padding: 'same', stride: 2 }})", [T(1, 3, 5, 5), T(8, 3, 3, 3)])
err("conv2d_bad_groups", "F.conv2d(a, b, groups=2)", f"{FN}.conv2d(a, b, null, {{ groups: 2 }})",
    [T(1, 4, 5, 5), T(3, 2, 3, 3)])
err("conv2d_bad_dims", "F.conv2d(a, b)", f"{FN}.conv2d(a, b)", [T(2, 3), T(8, 3, 3, 3)])
err("conv2d_bad_bias", "F.conv2d(a, b, c)", f"{FN}.conv2d(a, b, c)", [T(1, 3, 5, 5), T(4, 3, 3, 3), T(3)])
err("conv2d_negative_padding", "F.conv2d(a, b, padding=-1)", f"{FN}.conv2d(a, b, null, {{ padding: -1 }})",
    [T(1, 3, 5, 5), T(4, 3, 3, 3)])

spec("conv_transpose1d", "F.conv_transpose1d(a, b, c, stride=2, padding=1, output_padding=1)",
     f"{FN}.convTranspose1d(a, b, c, {{ stride: 2, padding: 1, outputPadding: 1 }})", [T(2, 3, 5), T(3, 2, 3), T(2)])
spec("conv_transpose1d_groups_dil", "F.conv_transpose1d(a, b, groups=2, dilation=2, padding=2)",
     f"{FN}.convTranspose1d(a, b, null, {{ groups: 2, dilation: 2, padding: 2 }})", [T(1, 4, 5), T(4, 1, 3)])
spec("conv_transpose2d", "F.conv_transpose2d(a, b, c)", f"{FN}.convTranspose2d(a, b, c)",
     [T(2, 2, 3, 4), T(2, 3, 3, 3), T(3)])
spec("conv_transpose2d_stride", "F.conv_transpose2d(a, b, stride=2, padding=1, output_padding=1)",
     f"{FN}.convTranspose2d(a, b, null, {{ stride: 2, padding: 1, outputPadding: 1 }})", [T(1, 2, 3, 3), T(2, 2, 3, 3)])
spec("conv_transpose2d_mixed", "F.conv_transpose2d(a, b, c, stride=(2, 3), padding=(0, 1), output_padding=(1, 0), groups=2, dilation=(1, 2))",  # noqa: E501
     f"{FN}.convTranspose2d(a, b, c, {{ stride: [2, 3], padding: [0, 1], outputPadding: [1, 0], groups: 2, dilation: [1, 2] }})",  # noqa: E501
     [T(1, 4, 3, 2), T(4, 1, 2, 3), T(2)])
spec("conv_transpose2d_unbatched", "F.conv_transpose2d(a, b, stride=2)",
     f"{FN}.convTranspose2d(a, b, null, {{ stride: 2 }})", [T(2, 2, 3), T(2, 1, 2, 2)])
err("conv_transpose2d_output_padding_error", "F.conv_transpose2d(a, b, output_padding=1)",
    f"{FN}.convTranspose2d(a, b, null, {{ outputPadding: 1 }})", [T(1, 4, 5, 5), T(4, 4, 3, 3)])
err("conv_transpose2d_channels_error", "F.conv_transpose2d(a, b)", f"{FN}.convTranspose2d(a, b)",
    [T(1, 3, 5, 5), T(4, 4, 3, 3)])

spec("unfold", "F.unfold(a, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))",
     f"{FN}.unfold(a, [2, 3], {{ dilation: [1, 2], padding: 1, stride: [2, 1] }})", [T(2, 2, 4, 5)])
spec("fold", "F.fold(a, (4, 5), (2, 3), dilation=(1, 2), padding=1, stride=(2, 1))",
     f"{FN}.fold(a, [4, 5], [2, 3], {{ dilation: [1, 2], padding: 1, stride: [2, 1] }})", [T(2, 12, 9)])
spec("fold_unbatched", "F.fold(a, 3, 2)", f"{FN}.fold(a, 3, 2)", [T(8, 4)])

# ---- pooling ----
spec("max_pool1d", "F.max_pool1d(a, 3, stride=2, padding=1)", f"{FN}.maxPool1d(a, 3, {{ stride: 2, padding: 1 }})",
     [T(2, 3, 8)], unique=True)
spec("max_pool1d_dil_ceil", "F.max_pool1d(a, 2, stride=2, dilation=2, ceil_mode=True)",
     f"{FN}.maxPool1d(a, 2, {{ stride: 2, dilation: 2, ceilMode: true }})", [T(2, 2, 8)], unique=True)
spec("max_pool1d_indices", "F.max_pool1d(a, 2, return_indices=True)", f"{FN}.maxPool1d(a, 2, {{ returnIndices: true }})",
     [T(2, 2, 7)], unique=True)
spec("max_pool2d", "F.max_pool2d(a, 2)", f"{FN}.maxPool2d(a, 2)", [T(2, 2, 4, 6)], unique=True)
spec("max_pool2d_stride_pad_ceil", "F.max_pool2d(a, 3, stride=2, padding=1, ceil_mode=True)",
     f"{FN}.maxPool2d(a, 3, {{ stride: 2, padding: 1, ceilMode: true }})", [T(1, 2, 6, 5)], unique=True)
spec("max_pool2d_rect_dil", "F.max_pool2d(a, (2, 3), stride=(1, 2), dilation=(2, 1))",
     f"{FN}.maxPool2d(a, [2, 3], {{ stride: [1, 2], dilation: [2, 1] }})", [T(1, 2, 5, 7)], unique=True)
spec("max_pool2d_indices", "F.max_pool2d(a, 3, stride=2, padding=1, return_indices=True)",
     f"{FN}.maxPool2d(a, 3, {{ stride: 2, padding: 1, returnIndices: true }})", [T(2, 2, 5, 5)], unique=True)
spec("max_pool2d_unbatched", "F.max_pool2d(a, 2, ceil_mode=True)", f"{FN}.maxPool2d(a, 2, {{ ceilMode: true }})",
     [T(2, 5, 5)], unique=True)
spec("max_pool2d_neg_inf", "F.max_pool2d(a, 2, padding=1)", f"{FN}.maxPool2d(a, 2, {{ padding: 1 }})",
     [T(1, 1, 2, 2, values=[[[[float("-inf"), 1.0], [float("-inf"), 2.0]]]])], kinds=["contig"], gradcheck=False)
# PyTorch 1.13's CPU loop takes every NaN it meets: the last NaN of a window wins
spec("max_pool1d_nan", "F.max_pool1d(a, 3, stride=1, return_indices=True)",
     f"{FN}.maxPool1d(a, 3, {{ stride: 1, returnIndices: true }})",
     [T(1, 1, 6, values=[[[float("nan"), 1.0, float("nan"), 2.0, float("nan"), float("-inf")]]])],
     kinds=["contig"], gradcheck=False)
spec("max_pool2d_nan", "F.max_pool2d(a, 2, padding=1, return_indices=True)",
     f"{FN}.maxPool2d(a, 2, {{ padding: 1, returnIndices: true }})",
     [T(1, 2, 2, 4, values=[[[[1.0, float("nan"), 5.0, 0.0], [float("nan"), 3.0, float("nan"), float("nan")]],
                               [[float("nan"), float("nan"), 2.0, 2.0], [3.0, 3.0, float("-inf"), float("-inf")]]]])],
     kinds=["contig"], gradcheck=False)
# without a gradient or the indices, the TS kernels compute the values alone (Kernels.maxPoolValues)
spec("max_pool1d_values", "F.max_pool1d(a, 3, stride=2, padding=1)",
     f"{FN}.maxPool1d(a, 3, {{ stride: 2, padding: 1 }})", [T(2, 3, 8, grad=False)], unique=True)
spec("max_pool2d_values", "F.max_pool2d(a, 2)", f"{FN}.maxPool2d(a, 2)", [T(2, 2, 4, 6, grad=False)], unique=True)
spec("max_pool2d_values_pad_ceil_dil", "F.max_pool2d(a, 3, stride=2, padding=1, dilation=(1, 2), ceil_mode=True)",
     f"{FN}.maxPool2d(a, 3, {{ stride: 2, padding: 1, dilation: [1, 2], ceilMode: true }})",
     [T(1, 2, 6, 7, grad=False)], unique=True)
spec("max_pool2d_values_nan", "F.max_pool2d(a, 2, padding=1)", f"{FN}.maxPool2d(a, 2, {{ padding: 1 }})",
     [T(1, 2, 2, 4, grad=False, values=[[[[1.0, float("nan"), 5.0, 0.0], [float("nan"), 3.0, float("-inf"), float("-inf")]],
                                          [[float("nan"), float("nan"), 2.0, 2.0], [3.0, 3.0, float("-inf"), float("-inf")]]]])],
     kinds=["contig"])
err("max_pool2d_pad_error", "F.max_pool2d(a, 2, padding=2)", f"{FN}.maxPool2d(a, 2, {{ padding: 2 }})", [T(1, 3, 5, 5)])
err("max_pool2d_too_small", "F.max_pool2d(a, 2)", f"{FN}.maxPool2d(a, 2)", [T(1, 3, 1, 1)])

spec("avg_pool1d", "F.avg_pool1d(a, 3, stride=2, padding=1)", f"{FN}.avgPool1d(a, 3, {{ stride: 2, padding: 1 }})",
     [T(2, 3, 8)])
spec("avg_pool1d_ceil_nopad", "F.avg_pool1d(a, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
     f"{FN}.avgPool1d(a, 3, {{ stride: 2, padding: 1, ceilMode: true, countIncludePad: false }})", [T(2, 2, 8)])
spec("avg_pool2d", "F.avg_pool2d(a, 2)", f"{FN}.avgPool2d(a, 2)", [T(2, 2, 4, 6)])
spec("avg_pool2d_pad_ceil", "F.avg_pool2d(a, 3, stride=2, padding=1, ceil_mode=True)",
     f"{FN}.avgPool2d(a, 3, {{ stride: 2, padding: 1, ceilMode: true }})", [T(1, 2, 6, 5)])
spec("avg_pool2d_exclude_pad", "F.avg_pool2d(a, (3, 2), stride=(2, 1), padding=(1, 1), count_include_pad=False)",
     f"{FN}.avgPool2d(a, [3, 2], {{ stride: [2, 1], padding: [1, 1], countIncludePad: false }})", [T(1, 2, 5, 4)])
spec("avg_pool2d_divisor", "F.avg_pool2d(a, 2, padding=1, divisor_override=3)",
     f"{FN}.avgPool2d(a, 2, {{ padding: 1, divisorOverride: 3 }})", [T(2, 5, 5)])

spec("adaptive_avg_pool1d", "F.adaptive_avg_pool1d(a, 3)", f"{FN}.adaptiveAvgPool1d(a, 3)", [T(2, 3, 7)])
spec("adaptive_avg_pool2d", "F.adaptive_avg_pool2d(a, (3, 2))", f"{FN}.adaptiveAvgPool2d(a, [3, 2])", [T(2, 2, 5, 7)])
spec("adaptive_avg_pool2d_divisible", "F.adaptive_avg_pool2d(a, 2)", f"{FN}.adaptiveAvgPool2d(a, 2)", [T(2, 2, 4, 6)])
spec("adaptive_avg_pool2d_none", "F.adaptive_avg_pool2d(a, (None, 1))", f"{FN}.adaptiveAvgPool2d(a, [null, 1])",
     [T(2, 3, 4)])
spec("adaptive_avg_pool2d_global", "F.adaptive_avg_pool2d(a, 1)", f"{FN}.adaptiveAvgPool2d(a, 1)", [T(2, 3, 3, 4)])
spec("adaptive_max_pool1d", "F.adaptive_max_pool1d(a, 3)", f"{FN}.adaptiveMaxPool1d(a, 3)", [T(2, 2, 7)], unique=True)
spec("adaptive_max_pool2d_nan", "F.adaptive_max_pool2d(a, (1, 3), return_indices=True)",
     f"{FN}.adaptiveMaxPool2d(a, [1, 3], {{ returnIndices: true }})",
     [T(1, 1, 2, 6, values=[[[[1.0, float("nan"), 5.0, float("-inf"), 2.0, 2.0],
                               [float("nan"), 3.0, float("-inf"), float("-inf"), 2.0, 1.0]]]])],
     kinds=["contig"], gradcheck=False)
spec("adaptive_max_pool2d", "F.adaptive_max_pool2d(a, (3, 2))", f"{FN}.adaptiveMaxPool2d(a, [3, 2])",
     [T(2, 2, 5, 7)], unique=True)
spec("adaptive_max_pool2d_indices", "F.adaptive_max_pool2d(a, 3, return_indices=True)",
     f"{FN}.adaptiveMaxPool2d(a, 3, {{ returnIndices: true }})", [T(1, 2, 4, 5)], unique=True)

# ---- normalization ----
spec("batch_norm_train", "(lambda rm, rv: (F.batch_norm(a, rm, rv, b, c, training=True, momentum=0.3), rm, rv))(d.clone(), e.clone())",  # noqa: E501
     f"((rm, rv) => [{FN}.batchNorm(a, rm, rv, b, c, {{ training: true, momentum: 0.3 }}), rm, rv])(d.clone(), e.clone())",  # noqa: E501
     [T(4, 3, 2, 2), T(3), T(3), T(3, grad=False), T(3, lo=0.5, hi=2, grad=False)], gradcheck=False)
spec("batch_norm_train_2d_noaffine", "(lambda rm, rv: (F.batch_norm(a, rm, rv, training=True), rm, rv))(b.clone(), c.clone())",  # noqa: E501
     f"((rm, rv) => [{FN}.batchNorm(a, rm, rv, null, null, {{ training: true }}), rm, rv])(b.clone(), c.clone())",
     [T(5, 3), T(3, grad=False), T(3, lo=0.5, hi=2, grad=False)], gradcheck=False)
spec("batch_norm_train_no_stats", "F.batch_norm(a, None, None, b, c, training=True, eps=1e-3)",
     f"{FN}.batchNorm(a, null, null, b, c, {{ training: true, eps: 1e-3 }})", [T(3, 2, 4), T(2), T(2)])
spec("batch_norm_eval", "F.batch_norm(a, d, e, b, c, training=False)",
     f"{FN}.batchNorm(a, d, e, b, c, {{ training: false }})",
     [T(2, 3, 2, 2), T(3), T(3), T(3, grad=False), T(3, lo=0.5, hi=2, grad=False)])
err("batch_norm_one_value", "F.batch_norm(a, None, None, training=True)",
    f"{FN}.batchNorm(a, null, null, null, null, {{ training: true }})", [T(1, 3)])
err("batch_norm_running_size", "F.batch_norm(a, b, c, training=True)",
    f"{FN}.batchNorm(a, b, c, null, null, {{ training: true }})", [T(2, 3), T(4, grad=False), T(4, grad=False)])
spec("instance_norm", "F.instance_norm(a, weight=b, bias=c)", f"{FN}.instanceNorm(a, null, null, b, c)",
     [T(2, 3, 3, 2), T(3), T(3)])
spec("instance_norm_running", "(lambda rm, rv: (F.instance_norm(a, rm, rv, momentum=0.2), rm, rv))(b.clone(), c.clone())",  # noqa: E501
     f"((rm, rv) => [{FN}.instanceNorm(a, rm, rv, null, null, {{ momentum: 0.2 }}), rm, rv])(b.clone(), c.clone())",
     [T(3, 2, 5), T(2, grad=False), T(2, lo=0.5, hi=2, grad=False)], gradcheck=False)
spec("instance_norm_running_stats", "F.instance_norm(a, b, c, use_input_stats=False)",
     f"{FN}.instanceNorm(a, b, c, null, null, {{ useInputStats: false }})",
     [T(2, 2, 3, 3), T(2, grad=False), T(2, lo=0.5, hi=2, grad=False)])
spec("layer_norm", "F.layer_norm(a, (4,), b, c)", f"{FN}.layerNorm(a, [4], b, c)", [T(2, 3, 4), T(4), T(4)])
spec("layer_norm_2d_noaffine", "F.layer_norm(a, (3, 4), eps=1e-3)", f"{FN}.layerNorm(a, [3, 4], null, null, 1e-3)",
     [T(2, 3, 4)])
err("layer_norm_shape_error", "F.layer_norm(a, (4,))", f"{FN}.layerNorm(a, [4])", [T(2, 3)])
spec("group_norm", "F.group_norm(a, 2, b, c)", f"{FN}.groupNorm(a, 2, b, c)", [T(2, 4, 3, 2), T(4), T(4)])
spec("group_norm_1d", "F.group_norm(a, 3, eps=1e-3)", f"{FN}.groupNorm(a, 3, null, null, 1e-3)", [T(2, 3, 4)])
err("group_norm_groups_error", "F.group_norm(a, 2)", f"{FN}.groupNorm(a, 2)", [T(2, 3, 4)])
spec("rms_norm", "a * torch.rsqrt(a.pow(2).mean(-1, keepdim=True) + 1e-6) * b",
     f"{FN}.rmsNorm(a, [4], b, 1e-6)", [T(2, 3, 4), T(4)])
spec("rms_norm_default_eps", "a * torch.rsqrt(a.pow(2).mean((-2, -1), keepdim=True) + torch.finfo(a.dtype).eps)",
     f"{FN}.rmsNorm(a, [3, 4])", [T(2, 3, 4)])

# ---- resampling ----
spec("interpolate_nearest_scale", "F.interpolate(a, scale_factor=2)", f"{FN}.interpolate(a, {{ scaleFactor: 2 }})",
     [T(2, 2, 3, 4)])
spec("interpolate_nearest_size", "F.interpolate(a, size=(5, 3))", f"{FN}.interpolate(a, {{ size: [5, 3] }})",
     [T(1, 2, 3, 4)])
spec("interpolate_nearest_1d_fractional", "F.interpolate(a, scale_factor=1.7)",
     f"{FN}.interpolate(a, {{ scaleFactor: 1.7 }})", [T(2, 2, 5)])
spec("interpolate_nearest_exact", "F.interpolate(a, size=(5, 7), mode='nearest-exact')",
     f"{FN}.interpolate(a, {{ size: [5, 7], mode: 'nearest-exact' }})", [T(1, 2, 3, 4)])
spec("interpolate_bilinear", "F.interpolate(a, size=(5, 7), mode='bilinear', align_corners=False)",
     f"{FN}.interpolate(a, {{ size: [5, 7], mode: 'bilinear', alignCorners: false }})", [T(2, 2, 3, 4)])
spec("interpolate_bilinear_align", "F.interpolate(a, size=(5, 7), mode='bilinear', align_corners=True)",
     f"{FN}.interpolate(a, {{ size: [5, 7], mode: 'bilinear', alignCorners: true }})", [T(2, 2, 3, 4)])
spec("interpolate_bilinear_scale", "F.interpolate(a, scale_factor=(1.5, 2.5), mode='bilinear')",
     f"{FN}.interpolate(a, {{ scaleFactor: [1.5, 2.5], mode: 'bilinear' }})", [T(1, 2, 4, 3)])
spec("interpolate_bilinear_down", "F.interpolate(a, size=(3, 2), mode='bilinear')",
     f"{FN}.interpolate(a, {{ size: [3, 2], mode: 'bilinear' }})", [T(1, 2, 5, 6)])
spec("interpolate_bilinear_recompute", "F.interpolate(a, scale_factor=1.5, mode='bilinear', recompute_scale_factor=True)",  # noqa: E501
     f"{FN}.interpolate(a, {{ scaleFactor: 1.5, mode: 'bilinear', recomputeScaleFactor: true }})", [T(1, 2, 5, 3)])
spec("interpolate_linear_align", "F.interpolate(a, size=7, mode='linear', align_corners=True)",
     f"{FN}.interpolate(a, {{ size: 7, mode: 'linear', alignCorners: true }})", [T(2, 2, 4)])
spec("interpolate_area", "F.interpolate(a, size=(2, 3), mode='area')",
     f"{FN}.interpolate(a, {{ size: [2, 3], mode: 'area' }})", [T(1, 2, 5, 7)])
err("interpolate_both", "F.interpolate(a, size=2, scale_factor=2)", f"{FN}.interpolate(a, {{ size: 2, scaleFactor: 2 }})",
    [T(1, 2, 4, 4)])
err("interpolate_bilinear_3d", "F.interpolate(a, size=3, mode='bilinear')",
    f"{FN}.interpolate(a, {{ size: 3, mode: 'bilinear' }})", [T(1, 2, 4)])
spec("upsample", "F.upsample(a, scale_factor=2, mode='bilinear', align_corners=True)",
     f"{FN}.upsample(a, {{ scaleFactor: 2, mode: 'bilinear', alignCorners: true }})", [T(1, 2, 2, 3)])
spec("pixel_shuffle", "F.pixel_shuffle(a, 2)", f"{FN}.pixelShuffle(a, 2)", [T(2, 8, 2, 3)])
spec("pixel_unshuffle", "F.pixel_unshuffle(a, 2)", f"{FN}.pixelUnshuffle(a, 2)", [T(2, 2, 4, 6)])
err("pixel_shuffle_error", "F.pixel_shuffle(a, 2)", f"{FN}.pixelShuffle(a, 2)", [T(1, 3, 4, 4)])
