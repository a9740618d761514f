"""Specs of the data-movement ops: cat, stack, hstack, vstack, split, chunk, unbind, flip, roll, repeat,
tile, repeat_interleave and pad (constant incl. negative pads, reflect, replicate, circular on 1-3
trailing dims), on contiguous, non-contiguous, 0-dim and empty inputs, with gradients.
"""

from framework import Spec, T, FLOATS

SPECS = []
DT = FLOATS + ["int64", "bool"]
CN = ["contig", "noncontig"]


def add(name, py, ts, inputs, dtypes=FLOATS, kinds=CN, **kw):
    SPECS.append(Spec(name, py, ts, inputs, dtypes=dtypes, kinds=kinds, edge=False, **kw))


def err(name, py, ts, inputs, dtypes=("float32",)):
    """A case PyTorch rejects: torchts must raise as well."""
    SPECS.append(Spec(name, py, ts, inputs, dtypes=list(dtypes), kinds=["contig"], edge=False, grad=False))


# ---- cat / stack / hstack / vstack -------------------------------------------------------------
add("cat0", "torch.cat([a, b])", "torch.cat([a, b])", [T(2, 4), T(3, 4)], dtypes=DT, kinds=CN + ["empty"])
add("cat1", "torch.cat([a, b], 1)", "torch.cat([a, b], 1)", [T(3, 2), T(3, 4)], dtypes=DT)
add("cat_neg_dim", "torch.cat((a, b, c), -1)", "torch.cat([a, b, c], -1)", [T(2, 3, 1), T(2, 3, 2), T(2, 3, 3)])
add("cat_one", "torch.cat([a])", "torch.cat([a])", [T(3, 4)], kinds=CN + ["empty"])
add("cat_same_input", "torch.cat([a, a], 1)", "torch.cat([a, a], 1)", [T(3, 4)])
add("cat_promote_int_float", "torch.cat([a, b])", "torch.cat([a, b])", [T(2, 3), T(2, 3, dtype="int32")])
add("cat_promote_f32_f64", "torch.cat([a, b])", "torch.cat([a, b])",
    [T(2, 3, dtype="float32"), T(1, 3, dtype="float64")],
    dtypes=["float32"])
add("cat_promote_bool_int", "torch.cat([a, b], 1)", "torch.cat([a, b], 1)", [T(2, 3, dtype="bool"), T(2, 2)],
    dtypes=["int64", "int32"])
add("cat_legacy_empty_1d", "torch.cat([a, b, c])", "torch.cat([a, b, c])", [T(2, 3), T(0), T(1, 3)],
    kinds=["contig"])
add("cat_legacy_empty_1d_dim1", "torch.cat([b, a], 1)", "torch.cat([b, a], 1)", [T(2, 3), T(0)], kinds=["contig"])
add("cat_only_empty_1d", "torch.cat([a, b])", "torch.cat([a, b])", [T(0), T(0)], kinds=["contig"])
add("cat_1d", "torch.cat([a, b])", "torch.cat([a, b])", [T(3), T(4)], dtypes=DT, kinds=CN + ["empty"])
add("cat_empty_rows", "torch.cat([a, b])", "torch.cat([a, b])", [T(0, 4), T(2, 4)], kinds=["contig"])
err("cat_shape_mismatch", "torch.cat([a, b])", "torch.cat([a, b])", [T(2, 3), T(2, 4)])
err("cat_ndim_mismatch", "torch.cat([a, b])", "torch.cat([a, b])", [T(2, 3), T(2, 3, 1)])
err("cat_0d", "torch.cat([a, b])", "torch.cat([a, b])", [T(), T()])
err("cat_bad_dim", "torch.cat([a, b], 2)", "torch.cat([a, b], 2)", [T(2, 3), T(2, 3)])
err("cat_empty_list", "torch.cat([])", "torch.cat([])", [T(2)])
add("stack0", "torch.stack([a, b])", "torch.stack([a, b])", [T(3, 4), T(3, 4)], dtypes=DT,
    kinds=CN + ["scalar0d", "empty"])
add("stack1", "torch.stack([a, b, c], 1)", "torch.stack([a, b, c], 1)", [T(3, 4), T(3, 4), T(3, 4)])
add("stack_last", "torch.stack((a, b), -1)", "torch.stack([a, b], -1)", [T(3, 4), T(3, 4)],
    kinds=CN + ["scalar0d"])
add("stack_promote", "torch.stack([a, b])", "torch.stack([a, b])", [T(3), T(3, dtype="int64")])
err("stack_mismatch", "torch.stack([a, b])", "torch.stack([a, b])", [T(3, 4), T(4, 3)])
err("stack_bad_dim", "torch.stack([a, b], 3)", "torch.stack([a, b], 3)", [T(3, 4), T(3, 4)])
add("hstack_1d", "torch.hstack([a, b])", "torch.hstack([a, b])", [T(3), T(2)], dtypes=DT)
add("hstack_2d", "torch.hstack((a, b))", "torch.hstack([a, b])", [T(3, 1), T(3, 2)])
add("hstack_0d", "torch.hstack([a, b])", "torch.hstack([a, b])", [T(2), T(3)], kinds=["scalar0d"])
add("vstack_1d", "torch.vstack([a, b])", "torch.vstack([a, b])", [T(3), T(3)], dtypes=DT)
add("vstack_2d", "torch.vstack((a, b))", "torch.vstack([a, b])", [T(1, 3), T(2, 3)])
add("vstack_mixed", "torch.vstack([a, b])", "torch.vstack([a, b])", [T(3), T(2, 3)])
add("vstack_0d", "torch.vstack([a, b])", "torch.vstack([a, b])", [T(1), T(1)], kinds=["scalar0d"])
add("vstack_3d", "torch.vstack([a, b])", "torch.vstack([a, b])", [T(1, 2, 3), T(2, 2, 3)])

# ---- split / chunk / unbind --------------------------------------------------------------------
add("split_size", "torch.split(a, 2, 1)", "torch.split(a, 2, 1)", [T(3, 5)], dtypes=DT)
add("split_size_dim0", "a.split(2)", "a.split(2)", [T(5, 3)], kinds=CN + ["empty"])
add("split_size_big", "torch.split(a, 7)", "torch.split(a, 7)", [T(5, 3)])
add("split_list", "torch.split(a, [1, 3, 1], 1)", "torch.split(a, [1, 3, 1], 1)", [T(3, 5)], dtypes=DT)
add("split_list_zero", "torch.split(a, [0, 2, 3], -1)", "torch.split(a, [0, 2, 3], -1)", [T(3, 5)])
add("split_then_use_one", "torch.split(a, 2, 1)[1] * 3", "torch.split(a, 2, 1)[1].mul(3)", [T(3, 5)])
err("split_list_bad_sum", "torch.split(a, [1, 3], 1)", "torch.split(a, [1, 3], 1)", [T(3, 5)])
err("split_zero_size", "torch.split(a, 0, 1)", "torch.split(a, 0, 1)", [T(3, 5)])
add("chunk", "torch.chunk(a, 3, 1)", "torch.chunk(a, 3, 1)", [T(3, 4)], dtypes=DT)
add("chunk_even", "a.chunk(2)", "a.chunk(2)", [T(4, 3)], kinds=CN + ["empty"])
add("chunk_more_than_size", "torch.chunk(a, 5, 0)", "torch.chunk(a, 5, 0)", [T(3, 2)])
add("chunk_uneven", "torch.chunk(a, 4, 1)", "torch.chunk(a, 4, 1)", [T(2, 6)])
err("chunk_zero", "torch.chunk(a, 0)", "torch.chunk(a, 0)", [T(3, 4)])
add("unbind", "torch.unbind(a)", "torch.unbind(a)", [T(3, 4)], dtypes=DT)
add("unbind1", "a.unbind(1)", "a.unbind(1)", [T(3, 4)], kinds=CN + ["empty"])
add("unbind_neg", "torch.unbind(a, -1)", "torch.unbind(a, -1)", [T(2, 3, 2)])
err("unbind_0d", "torch.unbind(a)", "torch.unbind(a)", [T()])

# ---- flip / roll -------------------------------------------------------------------------------
add("flip", "torch.flip(a, (0, 1))", "torch.flip(a, [0, 1])", [T(3, 4)], dtypes=DT, kinds=CN + ["empty"])
add("flip_last", "a.flip(-1)", "a.flip(-1)", [T(2, 3, 4)], dtypes=DT)
add("flip_mid", "torch.flip(a, [1])", "torch.flip(a, [1])", [T(2, 3, 4)])
add("flip_0d", "torch.flip(a, [0])", "torch.flip(a, [0])", [T(3)], kinds=["scalar0d"])
add("flip_none", "torch.flip(a, [])", "torch.flip(a, [])", [T(3, 4)])
err("flip_repeated", "torch.flip(a, [0, 0])", "torch.flip(a, [0, 0])", [T(3, 4)])
add("roll_flat", "torch.roll(a, 1)", "torch.roll(a, 1)", [T(3, 4)], dtypes=DT, kinds=CN + ["scalar0d", "empty"])
add("roll_flat_neg", "torch.roll(a, -5)", "torch.roll(a, -5)", [T(3, 4)])
add("roll_dim", "torch.roll(a, 5, 1)", "torch.roll(a, 5, 1)", [T(3, 4)], dtypes=DT, kinds=CN + ["empty"])
add("roll_dims", "torch.roll(a, (1, -2), (0, 1))", "torch.roll(a, [1, -2], [0, 1])", [T(3, 4)])
add("roll_same_dim_twice", "torch.roll(a, (1, 1), (1, 1))", "torch.roll(a, [1, 1], [1, 1])", [T(3, 4)])
add("roll_zero", "a.roll(0, 0)", "a.roll(0, 0)", [T(3, 4)])
err("roll_mismatch", "torch.roll(a, (1, 2), (0,))", "torch.roll(a, [1, 2], [0])", [T(3, 4)])
err("roll_bad_dim", "torch.roll(a, 1, 2)", "torch.roll(a, 1, 2)", [T(3, 4)])

# ---- repeat / tile / repeat_interleave ---------------------------------------------------------
add("repeat", "a.repeat(2, 1, 3)", "a.repeat(2, 1, 3)", [T(3, 4)], dtypes=DT, kinds=CN + ["scalar0d", "empty"])
add("repeat_same_dims", "a.repeat(2, 2)", "a.repeat([2, 2])", [T(3, 4)])
add("repeat_zero", "a.repeat(0, 2)", "a.repeat(0, 2)", [T(3, 4)])
err("repeat_too_few", "a.repeat(2)", "a.repeat(2)", [T(3, 4)])
add("tile", "a.tile((2,))", "a.tile([2])", [T(3, 4)], dtypes=DT, kinds=CN + ["scalar0d", "empty"])
add("tile_more", "torch.tile(a, (2, 1, 2))", "torch.tile(a, [2, 1, 2])", [T(3, 4)])
add("repeat_interleave_int", "torch.repeat_interleave(a, 2)", "torch.repeatInterleave(a, 2)", [T(3, 4)], dtypes=DT,
    kinds=CN + ["scalar0d", "empty"])
add("repeat_interleave_dim", "torch.repeat_interleave(a, 3, dim=1)", "torch.repeatInterleave(a, 3, 1)", [T(3, 4)],
    dtypes=DT, kinds=CN + ["empty"])
add("repeat_interleave_tensor", "torch.repeat_interleave(a, b, dim=0)", "torch.repeatInterleave(a, b, 0)",
    [T(3, 4), T(3, dtype="int64", int_range=(0, 3), grad=False)])
add("repeat_interleave_tensor_nodim", "a.repeat_interleave(b)", "a.repeatInterleave(b)",
    [T(2, 3), T(6, dtype="int64", int_range=(0, 3), grad=False)])
add("repeat_interleave_tensor_1", "torch.repeat_interleave(a, b, dim=1)", "torch.repeatInterleave(a, b, 1)",
    [T(3, 4), T(1, dtype="int64", int_range=(2, 3), grad=False)])
add("repeat_interleave_repeats_only", "torch.repeat_interleave(a)", "torch.repeatInterleave(a)",
    [T(4, int_range=(0, 4))], dtypes=["int64"], kinds=CN + ["empty"])
err("repeat_interleave_bad_len", "torch.repeat_interleave(a, b, dim=0)", "torch.repeatInterleave(a, b, 0)",
    [T(3, 4), T(2, dtype="int64", int_range=(0, 3), grad=False)])
err("repeat_interleave_negative", "torch.repeat_interleave(a, -1)", "torch.repeatInterleave(a, -1)", [T(3, 4)])

# ---- pad ---------------------------------------------------------------------------------------
add("pad_constant_1", "F.pad(a, (1, 2))", "torch.pad(a, [1, 2])", [T(3, 4)], dtypes=DT, kinds=CN + ["empty"])
add("pad_constant_2", "F.pad(a, (1, 2, 0, 1), value=0.5)", "torch.pad(a, [1, 2, 0, 1], 'constant', 0.5)",
    [T(3, 4)])
add("pad_constant_3", "F.pad(a, (0, 1, 2, 0, 1, 1))", "torch.pad(a, [0, 1, 2, 0, 1, 1])", [T(2, 3, 4)])
add("pad_constant_int", "F.pad(a, (2, 1), value=7)", "torch.pad(a, [2, 1], 'constant', 7)", [T(3, 4)],
    dtypes=["int64", "int32"])
add("pad_constant_negative", "F.pad(a, (-1, 2, 1, -1))", "torch.pad(a, [-1, 2, 1, -1])", [T(3, 4)])
add("pad_constant_crop", "F.pad(a, (-1, -2))", "torch.pad(a, [-1, -2])", [T(3, 4)])
add("pad_constant_zero", "F.pad(a, (0, 0))", "torch.pad(a, [0, 0])", [T(3, 4)])
err("pad_constant_too_negative", "F.pad(a, (-3, -2))", "torch.pad(a, [-3, -2])", [T(3, 4)])
err("pad_odd_length", "F.pad(a, (1, 2, 3))", "torch.pad(a, [1, 2, 3])", [T(3, 4)])
err("pad_too_long", "F.pad(a, (1, 1, 1, 1, 1, 1))", "torch.pad(a, [1, 1, 1, 1, 1, 1])", [T(3, 4)])
for mode in ["reflect", "replicate", "circular"]:
    add(f"pad_{mode}_1d", f"F.pad(a, (2, 1), mode='{mode}')", f"torch.pad(a, [2, 1], '{mode}')", [T(2, 3, 4)])
    add(f"pad_{mode}_2d", f"F.pad(a, (1, 2, 2, 1), mode='{mode}')", f"torch.pad(a, [1, 2, 2, 1], '{mode}')",
        [T(1, 2, 3, 4)])
    add(f"pad_{mode}_3d", f"F.pad(a, (1, 0, 0, 2, 1, 1), mode='{mode}')",
        f"torch.pad(a, [1, 0, 0, 2, 1, 1], '{mode}')", [T(1, 2, 3, 3, 4)], kinds=["contig"])
    err(f"pad_{mode}_1d_input", f"F.pad(a, (1, 1), mode='{mode}')", f"torch.pad(a, [1, 1], '{mode}')", [T(4)])
# unbatched forms (PyTorch 1.13 allows them for reflect and replicate, not for circular)
add("pad_reflect_unbatched", "F.pad(a, (3, 1), mode='reflect')", "torch.pad(a, [3, 1], 'reflect')", [T(3, 4)])
add("pad_replicate_unbatched", "F.pad(a, (0, 3, 1, 0), mode='replicate')", "torch.pad(a, [0, 3, 1, 0], 'replicate')",
    [T(2, 3, 4)])
err("pad_circular_unbatched", "F.pad(a, (1, 1), mode='circular')", "torch.pad(a, [1, 1], 'circular')", [T(3, 4)])
add("pad_reflect_negative", "F.pad(a, (-1, 2, 1, -2), mode='reflect')", "torch.pad(a, [-1, 2, 1, -2], 'reflect')",
    [T(1, 2, 3, 4)])
add("pad_replicate_negative", "F.pad(a, (2, -3), mode='replicate')", "torch.pad(a, [2, -3], 'replicate')",
    [T(2, 3, 4)])
err("pad_replicate_empty_output", "F.pad(a, (-2, -2), mode='replicate')", "torch.pad(a, [-2, -2], 'replicate')",
    [T(1, 2, 4)])
add("pad_circular_negative", "F.pad(a, (-1, 2), mode='circular')", "torch.pad(a, [-1, 2], 'circular')", [T(2, 3, 4)])
add("pad_circular_full", "F.pad(a, (4, 4), mode='circular')", "torch.pad(a, [4, 4], 'circular')", [T(1, 2, 4)])
add("pad_replicate_big", "F.pad(a, (6, 5), mode='replicate')", "torch.pad(a, [6, 5], 'replicate')", [T(1, 2, 4)])
err("pad_reflect_too_big", "F.pad(a, (4, 0), mode='reflect')", "torch.pad(a, [4, 0], 'reflect')", [T(1, 2, 4)])
err("pad_circular_too_big", "F.pad(a, (5, 0), mode='circular')", "torch.pad(a, [5, 0], 'circular')", [T(1, 2, 4)])
err("pad_reflect_wrong_rank", "F.pad(a, (1, 1, 1, 1), mode='reflect')", "torch.pad(a, [1, 1, 1, 1], 'reflect')",
    [T(1, 1, 2, 3, 4)])
err("pad_reflect_value", "F.pad(a, (1, 1), mode='reflect', value=1.0)", "torch.pad(a, [1, 1], 'reflect', 1.0)",
    [T(1, 2, 4)])
