#!/usr/bin/python3
"""Write test/fixtures/nn_layers.json: PyTorch references for the conv, pooling, norm and resampling layers.

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_nn_layer_fixtures.py`. test/nn_layers.test.ts
replays each case in torchts:
  - the module built right after torch.manual_seed(seed) (`init`: its state dict, so default
    initialisation is compared value by value), its repr and its state-dict keys in order;
  - the state used for the steps (`state`: affine parameters re-drawn at random where PyTorch
    initialises them to ones/zeros, so they matter), loaded into the torchts module;
  - steps: train/eval mode, an input, the outputs, and the gradients of sum(out * cotangent) with
    respect to the input and every parameter; no optimizer, so parameters stay fixed;
  - `after`: the state dict after the steps (BatchNorm/InstanceNorm running statistics and
    num_batches_tracked).
PyTorch 1.13 has no nn.RMSNorm: the reference is a module computing x / sqrt(mean(x^2) + eps) * weight
with PyTorch ops, and its expected repr is the one PyTorch 2.4's nn.RMSNorm prints.
"""

import json
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "opspec"))
from framework import encode_tensor  # noqa: E402

OUT = os.path.join(HERE, "..", "test", "fixtures", "nn_layers.json")


class RMSNorm(nn.Module):
    """The formula of PyTorch 2.4's nn.RMSNorm, for PyTorch 1.13."""

    def __init__(self, shape, eps=None, elementwise_affine=True):
        super().__init__()
        self.shape = (shape,) if isinstance(shape, int) else tuple(shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.shape)) if elementwise_affine else None

    def forward(self, x):
        dims = tuple(range(-len(self.shape), 0))
        eps = self.eps if self.eps is not None else torch.finfo(x.dtype).eps
        y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
        return y * self.weight if self.weight is not None else y


def rand(g, *shape, unique=False):
    n = 1
    for s in shape:
        n *= s
    if unique:  # distinct values: no ties for max pooling
        return ((torch.randperm(n, generator=g).double() + 0.5) / n * 4 - 2).reshape(shape).float()
    return torch.rand(shape, generator=g) * 4 - 2


CASES = []


def case(name, py, ts, shapes, steps=None, unique=False, call=None, repr_=None, redraw=True):
    """steps: list of "train"/"eval" (default one train step); shapes: input shape per step (or one)."""
    CASES.append(dict(name=name, py=py, ts=ts, shapes=shapes, steps=steps or ["train"], unique=unique,
                      call=call, repr=repr_, redraw=redraw))


# convolutions
case("conv1d", "nn.Conv1d(2, 4, 3, stride=2, padding=1)", "new nn.Conv1d(2, 4, 3, { stride: 2, padding: 1 })", (2, 2, 9))
case("conv1d_same_circular", "nn.Conv1d(2, 4, 4, padding='same', padding_mode='circular', bias=False)",
     "new nn.Conv1d(2, 4, 4, { padding: 'same', paddingMode: 'circular', bias: false })", (2, 2, 7))
case("conv2d_readme", "nn.Conv2d(1, 32, 3)", "new nn.Conv2d(1, 32, 3)", (2, 1, 8, 8))
case("conv2d_reflect_groups",
     "nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, padding_mode='reflect')",
     "new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, paddingMode: 'reflect' })",
     (2, 4, 6, 5))
case("conv2d_same_replicate", "nn.Conv2d(3, 4, 3, padding='same', padding_mode='replicate')",
     "new nn.Conv2d(3, 4, 3, { padding: 'same', paddingMode: 'replicate' })", (2, 3, 5, 4))
case("conv2d_valid_nobias", "nn.Conv2d(2, 2, 2, padding='valid', bias=False)",
     "new nn.Conv2d(2, 2, 2, { padding: 'valid', bias: false })", (2, 5, 4))
case("conv3d", "nn.Conv3d(2, 4, (1, 2, 3), padding=1)", "new nn.Conv3d(2, 4, [1, 2, 3], { padding: 1 })",
     (1, 2, 3, 4, 4))
case("conv3d_circular", "nn.Conv3d(2, 2, 2, stride=2, padding=1, padding_mode='circular')",
     "new nn.Conv3d(2, 2, 2, { stride: 2, padding: 1, paddingMode: 'circular' })", (1, 2, 3, 4, 3))
case("conv_transpose1d", "nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1)",
     "new nn.ConvTranspose1d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 })", (2, 3, 5))
case("conv_transpose2d", "nn.ConvTranspose2d(4, 8, 3, stride=2, output_padding=1)",
     "new nn.ConvTranspose2d(4, 8, 3, { stride: 2, outputPadding: 1 })", (2, 4, 3, 3))
case("conv_transpose2d_groups", "nn.ConvTranspose2d(4, 6, 3, groups=2, dilation=2, bias=False)",
     "new nn.ConvTranspose2d(4, 6, 3, { groups: 2, dilation: 2, bias: false })", (1, 4, 3, 4))
case("conv_transpose2d_output_size", "nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)",
     "new nn.ConvTranspose2d(2, 3, 3, { stride: 2, padding: 1 })", (1, 2, 4, 4),
     call=("m(x, output_size=[8, 7])", "m.forward(x, [8, 7])"))

# pooling
case("max_pool1d", "nn.MaxPool1d(3, stride=2, padding=1, dilation=2, return_indices=True, ceil_mode=True)",
     "new nn.MaxPool1d(3, { stride: 2, padding: 1, dilation: 2, returnIndices: true, ceilMode: true })", (2, 3, 10),
     unique=True)
case("max_pool2d", "nn.MaxPool2d(2)", "new nn.MaxPool2d(2)", (2, 3, 6, 5), unique=True)
case("max_pool2d_rect", "nn.MaxPool2d((2, 3), stride=(1, 2))", "new nn.MaxPool2d([2, 3], { stride: [1, 2] })",
     (1, 2, 5, 7), unique=True)
case("avg_pool1d", "nn.AvgPool1d(3, 2, 1, True, False)",
     "new nn.AvgPool1d(3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false })", (2, 2, 8))
case("avg_pool2d", "nn.AvgPool2d(2)", "new nn.AvgPool2d(2)", (2, 3, 4, 6))
case("avg_pool2d_divisor", "nn.AvgPool2d(3, stride=2, padding=1, divisor_override=2)",
     "new nn.AvgPool2d(3, { stride: 2, padding: 1, divisorOverride: 2 })", (1, 2, 5, 5))
case("adaptive_avg_pool1d", "nn.AdaptiveAvgPool1d(3)", "new nn.AdaptiveAvgPool1d(3)", (2, 3, 7))
case("adaptive_avg_pool2d", "nn.AdaptiveAvgPool2d((2, 3))", "new nn.AdaptiveAvgPool2d([2, 3])", (2, 2, 5, 7))
case("adaptive_avg_pool2d_none", "nn.AdaptiveAvgPool2d((None, 2))", "new nn.AdaptiveAvgPool2d([null, 2])",
     (1, 2, 3, 5))
case("adaptive_max_pool1d", "nn.AdaptiveMaxPool1d(4)", "new nn.AdaptiveMaxPool1d(4)", (2, 2, 9), unique=True)
case("adaptive_max_pool2d", "nn.AdaptiveMaxPool2d(2, return_indices=True)",
     "new nn.AdaptiveMaxPool2d(2, { returnIndices: true })", (2, 2, 5, 5), unique=True)

# normalization: three training steps, then eval
TE = ["train", "train", "train", "eval"]
case("batch_norm1d", "nn.BatchNorm1d(3)", "new nn.BatchNorm1d(3)", (5, 3), steps=TE)
case("batch_norm1d_3d_input", "nn.BatchNorm1d(4, eps=1e-3, momentum=0.5)",
     "new nn.BatchNorm1d(4, { eps: 1e-3, momentum: 0.5 })", (3, 4, 2), steps=TE)
case("batch_norm2d", "nn.BatchNorm2d(3)", "new nn.BatchNorm2d(3)", (4, 3, 3, 2), steps=TE)
case("batch_norm2d_cumulative", "nn.BatchNorm2d(3, momentum=None)", "new nn.BatchNorm2d(3, { momentum: null })",
     (2, 3, 2, 2), steps=TE)
case("batch_norm2d_no_affine_no_stats", "nn.BatchNorm2d(2, affine=False, track_running_stats=False)",
     "new nn.BatchNorm2d(2, { affine: false, trackRunningStats: false })", (3, 2, 2, 2), steps=["train", "eval"])
case("instance_norm2d", "nn.InstanceNorm2d(3)", "new nn.InstanceNorm2d(3)", (2, 3, 3, 3), steps=["train", "eval"])
case("instance_norm2d_affine_stats", "nn.InstanceNorm2d(3, affine=True, track_running_stats=True)",
     "new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true })", (2, 3, 3, 2), steps=TE)
case("instance_norm1d_unbatched", "nn.InstanceNorm1d(2, affine=True)", "new nn.InstanceNorm1d(2, { affine: true })",
     (2, 5))
case("layer_norm", "nn.LayerNorm(4)", "new nn.LayerNorm(4)", (2, 3, 4))
case("layer_norm_2d_no_affine", "nn.LayerNorm((3, 4), elementwise_affine=False)",
     "new nn.LayerNorm([3, 4], { elementwiseAffine: false })", (2, 3, 4))
case("layer_norm_eps", "nn.LayerNorm(5, eps=1e-6)", "new nn.LayerNorm(5, { eps: 1e-6 })", (3, 5))
case("group_norm", "nn.GroupNorm(2, 4)", "new nn.GroupNorm(2, 4)", (2, 4, 3, 2))
case("group_norm_no_affine", "nn.GroupNorm(3, 6, affine=False)", "new nn.GroupNorm(3, 6, { affine: false })",
     (2, 6, 4))
case("rms_norm", "RMSNorm(4)", "new nn.RMSNorm(4)", (2, 3, 4), repr_="RMSNorm((4,), eps=None, elementwise_affine=True)")
case("rms_norm_eps", "RMSNorm((3, 4), eps=1e-5)", "new nn.RMSNorm([3, 4], { eps: 1e-5 })", (2, 3, 4),
     repr_="RMSNorm((3, 4), eps=1e-05, elementwise_affine=True)")

# resampling
case("upsample_nearest", "nn.Upsample(scale_factor=2)", "new nn.Upsample({ scaleFactor: 2 })", (2, 2, 3, 4))
case("upsample_bilinear_align", "nn.Upsample(size=(5, 7), mode='bilinear', align_corners=True)",
     "new nn.Upsample({ size: [5, 7], mode: 'bilinear', alignCorners: true })", (1, 2, 3, 4))
case("upsample_bilinear_scale", "nn.Upsample(scale_factor=(1.5, 2), mode='bilinear')",
     "new nn.Upsample({ scaleFactor: [1.5, 2], mode: 'bilinear' })", (1, 2, 4, 3))
case("pixel_shuffle", "nn.PixelShuffle(2)", "new nn.PixelShuffle(2)", (2, 8, 2, 3))
case("pixel_unshuffle", "nn.PixelUnshuffle(2)", "new nn.PixelUnshuffle(2)", (2, 2, 4, 6))

# a small CNN: state-dict keys across containers, init of every layer, BatchNorm statistics
case("cnn",
     "nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3, padding=1),"
     " nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 3))",
     "new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.BatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2),"
     " new nn.Conv2d(4, 8, 3, { padding: 1 }), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(8, 3))",
     (3, 1, 8, 8), steps=TE)


def state_list(m):
    return [[k, encode_tensor(v)] for k, v in m.state_dict().items()]


def run(c, seed):
    torch.manual_seed(seed)
    m = eval(c["py"], {"nn": nn, "RMSNorm": RMSNorm})
    out = {"name": c["name"], "ts": c["ts"], "seed": seed, "repr": c["repr"] or str(m),
           "init": state_list(m)}
    if c["call"]:
        out["call"] = c["call"][1]
    g = torch.Generator()
    g.manual_seed(1000 + seed)
    if c["redraw"]:  # affine parameters initialised to constants get random values, so they matter
        with torch.no_grad():
            for name, p in m.named_parameters():
                if name.endswith("weight") and isinstance(m, (nn.modules.batchnorm._NormBase, nn.LayerNorm,
                                                              nn.GroupNorm, RMSNorm)):
                    p.copy_(rand(g, *p.shape) * 0.5 + 1)
                elif name.endswith("bias") and isinstance(m, (nn.modules.batchnorm._NormBase, nn.LayerNorm,
                                                                nn.GroupNorm)):
                    p.copy_(rand(g, *p.shape) * 0.5)
    out["state"] = state_list(m)
    params = dict(m.named_parameters())
    steps = []
    for mode in c["steps"]:
        m.train(mode == "train")
        x = rand(g, *c["shapes"], unique=c["unique"]).requires_grad_(True)
        y = eval(c["call"][0], {"m": m, "x": x}) if c["call"] else m(x)
        ys = list(y) if isinstance(y, tuple) else [y]
        step = {"train": mode == "train", "input": encode_tensor(x), "outputs": [encode_tensor(t) for t in ys]}
        diff = [t for t in ys if t.requires_grad]
        cots = [torch.randn(t.shape, generator=g) for t in diff]
        total = sum((t * ct).sum() for t, ct in zip(diff, cots))
        names = list(params.keys())
        grads = torch.autograd.grad(total, [x] + [params[k] for k in names], allow_unused=True)
        step["cotangents"] = [encode_tensor(ct) for ct in cots]
        step["input_grad"] = encode_tensor(grads[0])
        step["param_grads"] = [[k, encode_tensor(gr) if gr is not None else None] for k, gr in zip(names, grads[1:])]
        steps.append(step)
    out["steps"] = steps
    out["after"] = state_list(m)
    return out


def main():
    torch.set_num_threads(1)
    cases = [run(c, i + 1) for i, c in enumerate(CASES)]
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    print(f"{len(cases)} cases -> {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
