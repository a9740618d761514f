"""Specs of the nn.functional spatial transformers: affine_grid (4-D size) and grid_sample (4-D input).

grid_sample runs every mode (bilinear, nearest) x padding mode (zeros, border, reflection) x
align_corners, with grid points inside and outside [-1, 1] (reflection specs reach past the first
reflection). Contiguous inputs and transposed views (noncontig), float32 and float64, with gradients,
gradcheck and gradgradcheck of the torchts composition. Nearest mode's grid has no gradient
(PyTorch returns zeros for it), so its grid input does not require grad: gradients w.r.t. input only.
A composed spec (grid_sample of affine_grid) checks theta's gradient through both. Error specs record
PyTorch's errors for bad arguments.
"""

from framework import Spec, T

SPECS = []
KINDS = ["contig", "noncontig"]
F32 = ["float32"]
FN = "torch.nn.functional"


def spec(name, py, ts, inputs, kinds=KINDS, **kw):
    SPECS.append(Spec(name, py, ts, inputs, kinds=kinds, edge=False, **kw))


def err(name, py, ts, inputs):
    """PyTorch raises for these arguments: torchts must raise too."""
    SPECS.append(Spec(name, py, ts, inputs, dtypes=F32, kinds=["contig"], edge=False, grad=False))


def pybool(b):
    return "True" if b else "False"


def tsbool(b):
    return "true" if b else "false"


# ---- affine_grid ----
for align in (False, True):
    spec(f"affine_grid_align_{pybool(align).lower()}", f"F.affine_grid(a, (2, 3, 4, 5), align_corners={pybool(align)})",
         f"{FN}.affineGrid(a, [2, 3, 4, 5], {{ alignCorners: {tsbool(align)} }})", [T(2, 2, 3)])
spec("affine_grid_single_pixel", "F.affine_grid(a, (1, 1, 1, 3), align_corners=False)",
     f"{FN}.affineGrid(a, [1, 1, 1, 3], {{ alignCorners: false }})", [T(1, 2, 3)])
err("affine_grid_bad_theta", "F.affine_grid(a, (2, 3, 4, 5), align_corners=False)",
    f"{FN}.affineGrid(a, [2, 3, 4, 5], {{ alignCorners: false }})", [T(2, 3, 3)])
err("affine_grid_bad_batch", "F.affine_grid(a, (2, 3, 4, 5), align_corners=False)",
    f"{FN}.affineGrid(a, [2, 3, 4, 5], {{ alignCorners: false }})", [T(3, 2, 3)])

# ---- grid_sample ----
for mode in ("bilinear", "nearest"):
    for pad in ("zeros", "border", "reflection"):
        for align in (False, True):
            r = 2.6 if pad == "reflection" else 1.5  # points outside [-1, 1]; reflection: several flips
            grid = T(2, 3, 5, 2, lo=-r, hi=r, grad=(mode == "bilinear"))
            spec(f"grid_sample_{mode}_{pad}_align_{pybool(align).lower()}",
                 f"F.grid_sample(a, b, mode='{mode}', padding_mode='{pad}', align_corners={pybool(align)})",
                 f"{FN}.gridSample(a, b, {{ mode: '{mode}', paddingMode: '{pad}', alignCorners: {tsbool(align)} }})",
                 [T(2, 2, 3, 4), grid])
spec("grid_sample_defaults", "F.grid_sample(a, b, align_corners=False)", f"{FN}.gridSample(a, b)",
     [T(1, 3, 4, 3), T(1, 2, 4, 2, lo=-1.2, hi=1.2)])
spec("grid_sample_single_pixel_reflection",
     "F.grid_sample(a, b, padding_mode='reflection', align_corners=True)",
     f"{FN}.gridSample(a, b, {{ paddingMode: 'reflection', alignCorners: true }})",
     [T(1, 2, 1, 3), T(1, 2, 3, 2, lo=-2.5, hi=2.5)])
spec("grid_sample_affine", "F.grid_sample(a, F.affine_grid(b, (2, 2, 4, 3), align_corners=False), align_corners=False)",
     f"{FN}.gridSample(a, {FN}.affineGrid(b, [2, 2, 4, 3]))",
     [T(2, 2, 3, 5), T(2, 2, 3, lo=-1.2, hi=1.2)])
err("grid_sample_batch_mismatch", "F.grid_sample(a, b, align_corners=False)", f"{FN}.gridSample(a, b)",
    [T(2, 2, 3, 4), T(1, 3, 5, 2)])
err("grid_sample_bad_last_dim", "F.grid_sample(a, b, align_corners=False)", f"{FN}.gridSample(a, b)",
    [T(1, 2, 3, 4), T(1, 3, 5, 3)])
err("grid_sample_bad_mode", "F.grid_sample(a, b, mode='linear', align_corners=False)",
    f"{FN}.gridSample(a, b, {{ mode: 'linear' }})", [T(1, 2, 3, 4), T(1, 3, 5, 2)])
err("grid_sample_bad_padding", "F.grid_sample(a, b, padding_mode='wrap', align_corners=False)",
    f"{FN}.gridSample(a, b, {{ paddingMode: 'wrap' }})", [T(1, 2, 3, 4), T(1, 3, 5, 2)])
err("grid_sample_3d_input", "F.grid_sample(a, b, align_corners=False)", f"{FN}.gridSample(a, b)",
    [T(2, 3, 4), T(2, 3, 5, 2)])
