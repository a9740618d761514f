"""Specs of indexing: Python-style reads (`x[...]` / `x.index(...)`) and writes (`x[...] = v` /
`x.indexPut_(...)`), gather/scatter and friends, masked ops, nonzero, where(cond), and the host
(data-dependent) ops unique, unique_consecutive, bincount, histc, searchsorted and bucketize.

Index tensors are int64 (`I(...)`) or bool (`M(...)`); where the values must be unique (scatter
without reduction, index_copy, index_put_ without accumulate) they are given explicitly and kept
contiguous. Bad inputs (out-of-range or negative indices, wrong index dtypes, mismatched shapes)
record PyTorch's error, which torchts must raise too.
"""

import torch

from framework import Spec, T, FLOATS, INTS

SPECS = []
DT = FLOATS + ["int64", "bool"]
FI = FLOATS + ["int64"]
CN = ["contig", "noncontig"]


def I(*shape, lo=0, hi=3, values=None, dtype="int64", **kw):
    """An int64 index tensor with values in [lo, hi) (or explicit values, kept contiguous)."""
    if values is not None:
        shape = tuple(torch.tensor(values).shape)
    return T(*shape, dtype=dtype, int_range=(lo, hi), values=values, grad=False,
             contig_only=kw.pop("contig_only", values is not None), **kw)


def M(*shape, values=None, **kw):
    """A bool mask."""
    if values is not None:
        shape = tuple(torch.tensor(values).shape)
    return T(*shape, dtype="bool", values=values, grad=False, contig_only=values is not None, **kw)


def add(name, py, ts, inputs, dtypes=FLOATS, kinds=CN, **kw):
    SPECS.append(Spec(name, py, ts, inputs, dtypes=dtypes, kinds=kinds, edge=False, **kw))


def err(name, py, ts, inputs, dtypes=("float32",)):
    """A case PyTorch rejects: torchts must raise as well."""
    SPECS.append(Spec(name, py, ts, inputs, dtypes=list(dtypes), kinds=["contig"], edge=False, grad=False))


def read(name, py_idx, ts_items, shape=(3, 4), others=(), dtypes=DT, kinds=CN, **kw):
    add("index_" + name, f"a[{py_idx}]", f"a.index({ts_items})", [T(*shape)] + list(others), dtypes=dtypes,
        kinds=kinds, **kw)


def write(name, py_idx, py_val, ts_items, ts_val, shape=(3, 4), others=(), dtypes=FLOATS, kinds=CN, **kw):
    """`t[idx] = val` on a clone of a, so gradients flow to a (the rest) and to the values."""
    py = f"(lambda t: (t.__setitem__({py_idx}, {py_val}), t)[1])(a.clone())"
    ts = f"a.clone().indexPut_([{ts_items}], {ts_val})"
    add("setitem_" + name, py, ts, [T(*shape)] + list(others), dtypes=dtypes, kinds=kinds, **kw)


# ---- reads: basic indexing ---------------------------------------------------------------------
read("int", "1", "1", kinds=CN + ["empty"])
read("neg_int", "-1", "-1")
read("two_ints", "1, -2", "1, -2")
read("col", ":, 2", "':', 2", kinds=CN + ["empty"])
read("slice", "1:3", "'1:3'", kinds=CN + ["empty"])
read("step", "::2", "'::2'", kinds=CN + ["empty"])
read("col_step", ":, 1::2", "':', '1::2'")
read("neg_slice", "-3:-1", "'-3:-1'")
read("slice_past_end", "2:10", "'2:10'")
read("slice_empty", "5:", "'5:'")
read("slice_reversed_bounds", "2:1", "'2:1'")
read("slice_obj", "0:3:2, 1:", "torch.sl(0, 3, 2), torch.sl(1)")
read("none", "None", "null", kinds=CN + ["scalar0d", "empty"])
read("none_mid", ":, None, 1", "':', null, 1")
read("none_last", "..., None", "'...', null", kinds=CN + ["scalar0d"])
read("ellipsis_int", "..., 1", "'...', 1", shape=(2, 3, 4))
read("int_ellipsis", "1, ...", "1, '...'", shape=(2, 3, 4))
read("ellipsis_mid", "1, ..., 2", "1, '...', 2", shape=(2, 3, 4))
read("ellipsis_slice_none", "..., 1:3, None", "'...', '1:3', null", shape=(2, 3, 4))
read("ellipsis_only", "...", "'...'", kinds=CN + ["scalar0d", "empty"])
read("empty_tuple", "()", "", kinds=["contig", "scalar0d"])
read("none_ellipsis_none", "None, ..., None", "null, '...', null", kinds=CN + ["scalar0d"])
read("chain", "1:, ::2][:, 1", "'1:', '::2').index(':', 1", dtypes=FLOATS)
err("index_int_out_of_range", "a[3]", "a.index(3)", [T(3, 4)])
err("index_neg_out_of_range", "a[:, -5]", "a.index(':', -5)", [T(3, 4)])
err("index_too_many", "a[1, 2, 0]", "a.index(1, 2, 0)", [T(3, 4)])
# (two ellipses: PyTorch 1.13 accepts `a[..., 1, ...]` with an odd meaning where NumPy raises; torchts
# raises like NumPy, so that case is left out)
err("index_neg_step", "a[::-1]", "a.index('::-1')", [T(3, 4)])
err("index_zero_step", "a[::0]", "a.index('::0')", [T(3, 4)])
err("index_0d_int", "a[0]", "a.index(0)", [T()])

# ---- reads: advanced indexing ------------------------------------------------------------------
read("tensor", "b", "b", others=[I(5, lo=-3, hi=3)], kinds=CN + ["empty"])
read("tensor_2d", "b", "b", others=[I(2, 3, lo=-3, hi=3)])
read("tensor_0d", "b", "b", others=[I(values=1)], kinds=["contig"])
read("two_tensors_broadcast", "b, c", "b, c", others=[I(2, 1, lo=-3, hi=3), I(3, lo=-4, hi=4)])
read("list", "[0, 2]", "[0, 2]")
read("two_lists", "[0, 2], [1, -1]", "[0, 2], [1, -1]")
read("col_tensor", ":, b", "':', b", others=[I(2, 2, lo=-4, hi=4)], kinds=CN + ["empty"])
read("adjacent", ":, b, c", "':', b, c", shape=(2, 3, 4, 5), others=[I(2, hi=3), I(2, hi=4)])
read("adjacent_broadcast", ":, :, b, c", "':', ':', b, c", shape=(2, 3, 4, 5), others=[I(2, 1, hi=4), I(3, hi=5)])
read("separated", "b, :, c", "b, ':', c", shape=(2, 3, 4, 5), others=[I(2, hi=2), I(2, hi=4)])
read("separated_inner", ":, b, :, c", "':', b, ':', c", shape=(2, 3, 4, 5), others=[I(2, hi=3), I(2, hi=5)])
read("int_and_tensor", ":, 1, :, b", "':', 1, ':', b", shape=(2, 3, 4, 5), others=[I(3, hi=5)])
read("tensor_int_tensor", "b, 1, c", "b, 1, c", shape=(2, 3, 4), others=[I(2, hi=2), I(2, hi=4)])
read("ellipsis_tensor", "..., b", "'...', b", shape=(2, 3, 4), others=[I(2, 3, hi=4)])
read("none_between", "b, None, c", "b, null, c", others=[I(2, hi=3), I(2, hi=4)])
read("slice_list_none", "1:, [0, 2], None", "'1:', [0, 2], null")
read("tensor_ellipsis_slice", "b, ..., 1:3", "b, '...', '1:3'", shape=(3, 2, 4), others=[I(2, 2, hi=3)])
read("tensor_0d_and_list", "b, [0, 3]", "b, [0, 3]", others=[I(values=2)], kinds=["contig"])
err("index_tensor_out_of_range", "a[b]", "a.index(b)", [T(3, 4), I(4, lo=3, hi=6)])
err("index_tensor_neg_out_of_range", "a[:, b]", "a.index(':', b)", [T(3, 4), I(2, lo=-7, hi=-5)])
err("index_float_tensor", "a[b]", "a.index(b)", [T(3, 4), T(2, grad=False)])
err("index_int32_tensor", "a[b]", "a.index(b)", [T(3, 4), I(2, dtype="int32")])
err("index_no_broadcast", "a[b, c]", "a.index(b, c)", [T(3, 4), I(2), I(3)])

# bool masks
read("mask_full", "a > 0", "a.gt(0)", dtypes=FI, kinds=CN + ["scalar0d", "empty"])
read("mask_rows", "b", "b", others=[M(3, values=[True, False, True])], kinds=["contig"])
read("mask_rows_random", "b", "b", others=[M(3)], kinds=CN + ["empty"])
read("mask_cols", ":, b", "':', b", others=[M(4)])
read("mask_2d_on_3d", "b", "b", shape=(2, 3, 4), others=[M(2, 3)])
read("mask_inner_2d", ":, b", "':', b", shape=(2, 3, 4), others=[M(3, 4)])
read("mask_then_slice", "b, 1:3", "b, '1:3'", others=[M(3)])
read("mask_and_tensor", "b, c", "b, c", others=[M(3, values=[True, False, True]), I(values=[1, 3])],
     kinds=["contig"])
read("bool_list", "[True, False, True]", "[true, false, true]")
read("true", "True", "true", kinds=CN + ["scalar0d"])
read("false", "False", "false", kinds=CN + ["scalar0d"])
read("int_true", "1, True", "1, true")
read("mask_0d_tensor", "b", "b", others=[M(values=True)], kinds=["contig"])
read("mask_on_0d", "a > 0", "a.gt(0)", dtypes=FLOATS, kinds=["scalar0d"])
err("index_mask_bad_shape", "a[b]", "a.index(b)", [T(3, 4), M(4)])
err("index_mask_bad_shape_2d", "a[b]", "a.index(b)", [T(3, 4), M(3, 3)])

# ---- writes ------------------------------------------------------------------------------------
write("col", "(slice(None), 1)", "b", "':', 1", "b", others=[T(3)])
write("row_scalar", "1", "2.5", "1", "2.5")
write("row_scalar_int", "1", "7", "1", "7", dtypes=INTS + ["bool"])
write("slices_broadcast", "(slice(1, None), slice(None, None, 2))", "b", "'1:', '::2'", "b", others=[T(2)])
write("tensor", "b", "c", "b", "c", others=[I(values=[2, 0]), T(2, 4)])
write("tensor_broadcast", "b", "c", "b", "c", others=[I(values=[2, 0]), T(4)])
write("two_lists", "([0, 2], [1, 3])", "b", "[0, 2], [1, 3]", "b", others=[T(2)])
write("mask_scalar", "a > 0", "0.0", "a.gt(0)", "0", dtypes=FI)
write("mask_rows", "b", "c", "b", "c", others=[M(3, values=[True, False, True]), T(2, 4)], kinds=["contig"])
write("mask_rows_broadcast", "b", "c", "b", "c", others=[M(3, values=[True, False, True]), T(4)],
      kinds=["contig"])
write("ellipsis_none", "(Ellipsis, None, 1)", "b", "'...', null, 1", "b", others=[T(3, 1)])
write("int_dtype_values", "(slice(None), 0)", "b", "':', 0", "b", others=[I(3, hi=9)], dtypes=FLOATS)
write("0d", "()", "b", "", "b", shape=(), others=[T()], kinds=["contig"])
# writes into a tensor that does not require grad, into views, and several writes in a row
add("setitem_into_zeros", "(lambda t: (t.__setitem__((slice(None), 1), a), t)[1])(torch.zeros(3, 4, dtype=a.dtype))",
    "torch.zeros(3, 4, { dtype: a.dtype, device: a.device }).indexPut_([':', 1], a)", [T(3)], kinds=CN + ["scalar0d"])
add("copy_into_view_of_zeros", "(lambda t: (t[:, 1].copy_(a), t)[1])(torch.zeros(3, 4, dtype=a.dtype))",
    "((t) => { t.index(':', 1).copy_(a); return t; })(torch.zeros(3, 4, { dtype: a.dtype, device: a.device }))", [T(3)])
add("setitem_into_view", "(lambda t: (t[1:].__setitem__((slice(None), 0), b), t)[1])(a.clone())",
    "((t) => { t.index('1:').indexPut_([':', 0], b); return t; })(a.clone())", [T(3, 4), T(2)])
add("setitem_into_view_accumulate", "(lambda t: (t.t()[1:].index_put_((c,), b, accumulate=True), t)[1])(a.clone())",
    "((t) => { t.t().index('1:').indexPut_([c], b, true); return t; })(a.clone())",
    [T(3, 4), T(3), I(values=[0, 2, 0])])
add("setitem_twice", "(lambda t: (t.__setitem__(0, b), t.__setitem__((slice(None), 1), c), t)[2])(a.clone())",
    "a.clone().indexPut_([0], b).indexPut_([':', 1], c)", [T(3, 4), T(4), T(3)])
add("setitem_mask_in_view", "(lambda t: (t[:, 1:].__setitem__(b, 0.5), t)[1])(a.clone())",
    "((t) => { t.index(':', '1:').indexPut_([b], 0.5); return t; })(a.clone())", [T(3, 4), M(3, 3)])
add("setitem_then_reuse", "(lambda t: (t.__setitem__(b, t[c] * 2), t)[1])(a.clone())",
    "((t) => t.indexPut_([b], t.index(c).mul(2)))(a.clone())", [T(3, 4), I(values=[0, 1]), I(values=[1, 2])])
err("setitem_bad_values_shape", "(lambda t: (t.__setitem__(b, c), t)[1])(a.clone())", "a.clone().indexPut_([b], c)",
    [T(3, 4), I(values=[2, 0]), T(3)])
err("setitem_out_of_range", "(lambda t: (t.__setitem__(b, 1.0), t)[1])(a.clone())", "a.clone().indexPut_([b], 1)",
    [T(3, 4), I(values=[3])])
add("index_put", "a.clone().index_put_((b,), c)", "a.clone().indexPut_([b], c)",
    [T(3, 4), I(values=[2, 0]), T(2, 4)], dtypes=FI)
add("index_put_accumulate", "a.clone().index_put_((b,), c, accumulate=True)", "a.clone().indexPut_([b], c, true)",
    [T(3, 4), I(values=[0, 2, 0, 1, 2]), T(5, 4)], dtypes=FI)
add("index_put_accumulate_2d", "a.clone().index_put_((b, c), d, accumulate=True)",
    "a.clone().indexPut_([b, c], d, true)", [T(3, 4), I(values=[0, 2, 0, 0]), I(values=[1, 3, 1, 1]), T(4)],
    dtypes=FI)
add("index_put_accumulate_broadcast", "a.clone().index_put_((b,), c, accumulate=True)",
    "a.clone().indexPut_([b], c, true)", [T(3, 4), I(values=[1, 1, 2]), T(4)], dtypes=FI)
add("index_put_mask_accumulate", "a.clone().index_put_((b,), c, accumulate=True)",
    "a.clone().indexPut_([b], c, true)", [T(3, 4), M(3, values=[True, False, True]), T(4)], dtypes=FI,
    kinds=["contig"])
add("index_put_then_use", "(a.clone().index_put_((b,), c) * a).sum(1)", "a.clone().indexPut_([b], c).mul(a).sum(1)",
    [T(3, 4), I(values=[1]), T(4)])
add("index_put_noncontig_self", "a.t().clone().index_put_((b,), c, accumulate=True)",
    "a.t().clone().indexPut_([b], c, true)", [T(3, 4), I(values=[3, 0, 3]), T(3)])

# ---- gather / scatter --------------------------------------------------------------------------
add("gather_dim1", "torch.gather(a, 1, b)", "torch.gather(a, 1, b)", [T(3, 4), I(3, 2, hi=4)], dtypes=DT,
    kinds=CN + ["empty"])
add("gather_dim0", "torch.gather(a, 0, b)", "torch.gather(a, 0, b)", [T(3, 4), I(2, 4, hi=3)], dtypes=FI)
add("gather_smaller", "a.gather(1, b)", "a.gather(1, b)", [T(3, 4), I(2, 2, hi=4)], dtypes=FI)
add("gather_neg_dim", "torch.gather(a, -1, b)", "torch.gather(a, -1, b)", [T(2, 3, 4), I(2, 3, 5, hi=4)])
add("gather_0d", "torch.gather(a, 0, b)", "torch.gather(a, 0, b)", [T(3), I(1, hi=1)], kinds=["scalar0d"])
add("gather_1d", "torch.gather(a, 0, b)", "torch.gather(a, 0, b)", [T(5), I(7, hi=5)])
err("gather_out_of_range", "torch.gather(a, 1, b)", "torch.gather(a, 1, b)", [T(3, 4), I(3, 2, lo=4, hi=6)])
err("gather_negative_index", "torch.gather(a, 1, b)", "torch.gather(a, 1, b)", [T(3, 4), I(3, 2, lo=-3, hi=-1)])
err("gather_int32_index", "torch.gather(a, 1, b)", "torch.gather(a, 1, b)", [T(3, 4), I(3, 2, dtype="int32")])
err("gather_ndim_mismatch", "torch.gather(a, 1, b)", "torch.gather(a, 1, b)", [T(3, 4), I(2)])
err("gather_index_too_big", "torch.gather(a, 1, b)", "torch.gather(a, 1, b)", [T(3, 4), I(4, 2)])

SC = I(values=[[0, 2], [3, 1], [1, 0]])  # unique per row: scatter along dim 1 is deterministic
add("scatter_src", "torch.scatter(a, 1, b, c)", "torch.scatter(a, 1, b, c)", [T(3, 4), SC, T(3, 2)], dtypes=DT)
# PyTorch 1.13's backward fails when src is larger than index ("ScatterBackward0 returned an invalid
# gradient"), so only the forward is compared here
add("scatter_src_bigger", "a.scatter(1, b, c)", "a.scatter(1, b, c)", [T(3, 4), SC, T(3, 3)], grad=False)
add("scatter_dim0", "torch.scatter(a, 0, b, c)", "torch.scatter(a, 0, b, c)",
    [T(3, 4), I(values=[[2, 0, 1, 2], [0, 1, 2, 1]]), T(2, 4)], dtypes=FI)
add("scatter_value", "torch.scatter(a, 1, b, 1.5)", "torch.scatter(a, 1, b, 1.5)", [T(3, 4), SC])
add("scatter_value_int", "torch.scatter(a, 1, b, 7)", "torch.scatter(a, 1, b, 7)", [T(3, 4), SC], dtypes=INTS)
add("scatter_empty_index", "torch.scatter(a, 0, b, c)", "torch.scatter(a, 0, b, c)", [T(3, 4), I(0, 4), T(0, 4)],
    kinds=["contig"])
add("scatter_reduce_legacy_add", "a.scatter(0, b, c, reduce='add')", "a.scatter(0, b, c, { reduce: 'add' })",
    [T(3, 4), I(5, 4, hi=3), T(5, 4)], dtypes=FI, grad=False)
add("scatter_reduce_legacy_multiply", "a.scatter(0, b, c, reduce='multiply')",
    "a.scatter(0, b, c, { reduce: 'multiply' })", [T(3, 4), I(5, 4, hi=3), T(5, 4)], dtypes=FI, grad=False)
add("scatter_add", "torch.scatter_add(a, 0, b, c)", "torch.scatterAdd(a, 0, b, c)",
    [T(3, 4), I(4, 4, hi=3), T(4, 4)], dtypes=FI, kinds=CN + ["empty"])
add("scatter_add_dim1", "a.scatter_add(1, b, c)", "a.scatterAdd(1, b, c)", [T(3, 4), I(3, 6, hi=4), T(3, 6)])
add("scatter_add_0d", "a.scatter_add(0, b, c)", "a.scatterAdd(0, b, c)", [T(3), I(3, hi=1), T(3)],
    kinds=["scalar0d"])
for reduce in ["sum", "prod", "mean", "amax", "amin"]:
    for inc in [True, False]:
        lo, hi = (0.5, 2.0) if reduce == "prod" else (-2.0, 2.0)
        add(f"scatter_reduce_{reduce}_{'self' if inc else 'noself'}",
            f"torch.scatter_reduce(a, 0, b, c, '{reduce}', include_self={inc})",
            f"torch.scatterReduce(a, 0, b, c, '{reduce}', {{ includeSelf: {'true' if inc else 'false'} }})",
            [T(3, 4, lo=lo, hi=hi), I(5, 4, hi=3), T(5, 4, lo=lo, hi=hi)], dtypes=FI)
add("scatter_reduce_mean_dim1", "a.scatter_reduce(1, b, c, 'mean', include_self=False)",
    "a.scatterReduce(1, b, c, 'mean', { includeSelf: false })", [T(3, 4), I(3, 6, hi=4), T(3, 6)], dtypes=FI)
err("scatter_out_of_range", "torch.scatter(a, 1, b, c)", "torch.scatter(a, 1, b, c)",
    [T(3, 4), I(3, 2, lo=4, hi=5), T(3, 2)])
err("scatter_negative_index", "torch.scatter_add(a, 1, b, c)", "torch.scatterAdd(a, 1, b, c)",
    [T(3, 4), I(3, 2, lo=-2, hi=-1), T(3, 2)])
err("scatter_dtype_mismatch", "torch.scatter(a, 1, b, c)", "torch.scatter(a, 1, b, c)",
    [T(3, 4), SC, T(3, 2, dtype="float64")])
err("scatter_src_too_small", "torch.scatter(a, 1, b, c)", "torch.scatter(a, 1, b, c)", [T(3, 4), SC, T(3, 1)])
err("scatter_reduce_bad_mode", "torch.scatter_reduce(a, 0, b, c, 'max')", "torch.scatterReduce(a, 0, b, c, 'max')",
    [T(3, 4), I(2, 4), T(2, 4)])

# ---- index_select / index_add / index_copy / index_fill / take ---------------------------------
add("index_select_dim0", "torch.index_select(a, 0, b)", "torch.indexSelect(a, 0, b)", [T(3, 4), I(5)], dtypes=DT,
    kinds=CN + ["empty"])
add("index_select_dim1", "a.index_select(1, b)", "a.indexSelect(1, b)", [T(3, 4), I(3, hi=4)], dtypes=FI)
add("index_select_0d_index", "torch.index_select(a, 1, b)", "torch.indexSelect(a, 1, b)", [T(3, 4), I(values=2)],
    kinds=["contig"])
add("index_select_0d_self", "torch.index_select(a, 0, b)", "torch.indexSelect(a, 0, b)", [T(3), I(1, hi=1)],
    kinds=["scalar0d"])
add("index_select_int32_index", "torch.index_select(a, 1, b)", "torch.indexSelect(a, 1, b)",
    [T(3, 4), I(3, hi=4, dtype="int32")])
add("index_select_3d", "torch.index_select(a, -2, b)", "torch.indexSelect(a, -2, b)", [T(2, 3, 4), I(4)])
err("index_select_out_of_range", "torch.index_select(a, 0, b)", "torch.indexSelect(a, 0, b)",
    [T(3, 4), I(2, lo=3, hi=5)])
err("index_select_negative", "torch.index_select(a, 0, b)", "torch.indexSelect(a, 0, b)", [T(3, 4), I(2, lo=-2, hi=-1)])
err("index_select_2d_index", "torch.index_select(a, 0, b)", "torch.indexSelect(a, 0, b)", [T(3, 4), I(2, 2)])
err("index_select_float_index", "torch.index_select(a, 0, b)", "torch.indexSelect(a, 0, b)",
    [T(3, 4), T(2, grad=False)])
add("index_add", "torch.index_add(a, 0, b, c, alpha=2)", "torch.indexAdd(a, 0, b, c, { alpha: 2 })",
    [T(3, 4), I(5), T(5, 4)], dtypes=FI)
add("index_add_dim1", "a.index_add(1, b, c)", "a.indexAdd(1, b, c)", [T(3, 4), I(3, hi=4), T(3, 3)], dtypes=FI,
    kinds=CN + ["empty"])
add("index_add_inplace", "a.clone().index_add_(0, b, c)", "a.clone().indexAdd_(0, b, c)", [T(3, 4), I(5), T(5, 4)])
err("index_add_out_of_range", "torch.index_add(a, 0, b, c)", "torch.indexAdd(a, 0, b, c)",
    [T(3, 4), I(2, lo=3, hi=4), T(2, 4)])
err("index_add_bad_source", "torch.index_add(a, 0, b, c)", "torch.indexAdd(a, 0, b, c)", [T(3, 4), I(2), T(2, 3)])
add("index_copy", "torch.index_copy(a, 0, b, c)", "torch.indexCopy(a, 0, b, c)",
    [T(3, 4), I(values=[2, 0]), T(2, 4)], dtypes=DT)
add("index_copy_dim1", "a.index_copy(1, b, c)", "a.indexCopy(1, b, c)", [T(3, 4), I(values=[3, 1, 0]), T(3, 3)],
    dtypes=FI)
err("index_copy_out_of_range", "torch.index_copy(a, 0, b, c)", "torch.indexCopy(a, 0, b, c)",
    [T(3, 4), I(values=[3]), T(1, 4)])
add("index_fill", "torch.index_fill(a, 1, b, -1.0)", "torch.indexFill(a, 1, b, -1.0)", [T(3, 4), I(3, hi=4)],
    kinds=CN + ["empty"])
add("index_fill_int", "a.index_fill(0, b, 5)", "a.indexFill(0, b, 5)", [T(3, 4), I(2)], dtypes=INTS + ["bool"])
add("index_fill_neg_dim", "a.index_fill(-1, b, 0.5)", "a.indexFill(-1, b, 0.5)", [T(2, 3, 4), I(2, hi=4)])
err("index_fill_out_of_range", "torch.index_fill(a, 1, b, 0.0)", "torch.indexFill(a, 1, b, 0)",
    [T(3, 4), I(1, lo=4, hi=5)])
add("take", "torch.take(a, b)", "torch.take(a, b)", [T(3, 4), I(2, 3, lo=-12, hi=12)], dtypes=DT,
    kinds=CN + ["empty"])
add("take_0d", "torch.take(a, b)", "torch.take(a, b)", [T(3), I(3, hi=1)], kinds=["scalar0d"])
err("take_out_of_range", "torch.take(a, b)", "torch.take(a, b)", [T(3, 4), I(2, lo=12, hi=14)])

# ---- masked ops, nonzero, where(cond) ----------------------------------------------------------
add("masked_fill", "a.masked_fill(b, 0.5)", "a.maskedFill(b, 0.5)", [T(3, 4), M(3, 4)],
    kinds=CN + ["scalar0d", "empty"])
add("masked_fill_broadcast", "torch.masked_fill(a, b, -1.0)", "torch.maskedFill(a, b, -1.0)", [T(3, 4), M(4)])
add("masked_fill_tensor_value", "a.masked_fill(b, c)", "a.maskedFill(b, c)", [T(3, 4), M(3, 4), T()],
    kinds=["contig"])
add("masked_fill_int", "a.masked_fill(b, 3)", "a.maskedFill(b, 3)", [T(3, 4), M(3, 4)], dtypes=INTS + ["bool"])
add("masked_fill_inplace", "a.clone().masked_fill_(b, 2.0)", "a.clone().maskedFill_(b, 2.0)", [T(3, 4), M(4)])
err("masked_fill_float_mask", "a.masked_fill(b, 0.5)", "a.maskedFill(b, 0.5)", [T(3, 4), T(3, 4, grad=False)])
err("masked_fill_value_not_0d", "a.masked_fill(b, c)", "a.maskedFill(b, c)", [T(3, 4), M(3, 4), T(2)])
# PyTorch 1.13's masked_select backward puts the gradient in memory order when both the input and the
# mask are transposed views (its gradient is then wrong); the reference makes the input contiguous,
# which is the same function
add("masked_select", "torch.masked_select(a.contiguous(), b)", "torch.maskedSelect(a, b)", [T(3, 4), M(3, 4)],
    dtypes=DT, kinds=CN + ["scalar0d", "empty"])
add("masked_select_broadcast_mask", "a.masked_select(b)", "a.maskedSelect(b)", [T(3, 4), M(4)])
add("masked_select_broadcast_self", "a.masked_select(b)", "a.maskedSelect(b)", [T(3, 1), M(3, 4)], kinds=["contig"])
err("masked_select_bad_shape", "torch.masked_select(a, b)", "torch.maskedSelect(a, b)", [T(3, 4), M(3)])
add("masked_scatter", "a.masked_scatter(b, c)", "a.maskedScatter(b, c)", [T(3, 4), M(3, 4), T(3, 4)], dtypes=FI,
    kinds=CN + ["empty"])
add("masked_scatter_broadcast", "a.masked_scatter(b, c)", "a.maskedScatter(b, c)", [T(3, 4), M(4), T(14)])
err("masked_scatter_source_too_small", "a.masked_scatter(b, c)", "a.maskedScatter(b, c)",
    [T(3, 4), M(3, 4, values=[[True] * 4] * 3), T(5)])
add("nonzero", "torch.nonzero(a)", "torch.nonzero(a)", [T(3, 4, int_range=(-1, 2))], dtypes=["int64", "bool", "int32"],
    kinds=CN + ["scalar0d", "empty"], grad=False)
add("nonzero_float", "torch.nonzero(a.round())", "torch.nonzero(a.round())", [T(2, 3, 4, lo=-1, hi=1)], grad=False)
add("nonzero_tuple", "torch.nonzero(a, as_tuple=True)", "torch.nonzero(a, { asTuple: true })",
    [T(3, 4, int_range=(-1, 2))], dtypes=["int64", "bool"], kinds=CN + ["scalar0d", "empty"], grad=False)
add("nonzero_method", "a.nonzero()", "a.nonzero()", [T(5, int_range=(0, 2))], dtypes=["int64"], grad=False)
add("where_cond", "torch.where(a)", "torch.where(a)", [T(3, 4, int_range=(-1, 2))], dtypes=["int64", "bool"],
    kinds=CN + ["scalar0d", "empty"], grad=False)
add("where_cond_compare", "torch.where(a > 0)", "torch.where(a.gt(0))", [T(2, 3, 4)], grad=False)
add("where_three_args_still", "torch.where(a > 0, a, b)", "torch.where(a.gt(0), a, b)", [T(3, 4), T(3, 4)])

# ---- host ops: unique, unique_consecutive, bincount, histc, searchsorted, bucketize ------------
H = dict(grad=False)
add("unique", "torch.unique(a)", "torch.unique(a)", [T(12, int_range=(-3, 3))], dtypes=["int64", "int32", "bool"],
    kinds=CN + ["scalar0d", "empty"], **H)
add("unique_float", "torch.unique(a.round())", "torch.unique(a.round())", [T(3, 4, lo=-2, hi=2)],
    kinds=CN + ["scalar0d", "empty"], **H)
add("unique_all", "torch.unique(a, return_inverse=True, return_counts=True)",
    "torch.unique(a, { returnInverse: true, returnCounts: true })", [T(3, 4, int_range=(-2, 3))],
    dtypes=["int64", "bool"], kinds=CN + ["scalar0d", "empty"], **H)
add("unique_inverse", "torch.unique(a.round(), return_inverse=True)",
    "torch.unique(a.round(), { returnInverse: true })",
    [T(2, 5)], **H)
add("unique_counts", "torch.unique(a, return_counts=True)", "torch.unique(a, { returnCounts: true })",
    [T(10, int_range=(0, 4))], dtypes=["int64"], **H)
# sorted=False gives PyTorch's hash order, which is unspecified: compare the sets
add("unique_unsorted", "torch.unique(a, sorted=False).sort().values",
    "torch.unique(a, { sorted: false }).sort().values", [T(10, int_range=(0, 4))], dtypes=["int64"], **H)
add("unique_method", "a.unique()", "a.unique()", [T(10, int_range=(0, 4))], dtypes=["int64"], **H)
add("unique_dim", "torch.unique(a, dim=0)", "torch.unique(a, { dim: 0 })", [T(6, 3, int_range=(0, 2))],
    dtypes=["int64", "float32"], **H)
add("unique_dim_all", "torch.unique(a, dim=-1, return_inverse=True, return_counts=True)",
    "torch.unique(a, { dim: -1, returnInverse: true, returnCounts: true })", [T(2, 7, int_range=(0, 2))],
    dtypes=["int64"], **H)
add("unique_dim_3d", "torch.unique(a, dim=1)", "torch.unique(a, { dim: 1 })", [T(2, 5, 2, int_range=(0, 2))],
    dtypes=["int64"], **H)
add("unique_consecutive_dim", "torch.unique_consecutive(a, dim=0, return_inverse=True, return_counts=True)",
    "torch.uniqueConsecutive(a, { dim: 0, returnInverse: true, returnCounts: true })",
    [T(5, 2, values=[[1, 2], [1, 2], [0, 2], [1, 2], [1, 2]])], dtypes=["int64", "float64"], kinds=["contig"], **H)
add("unique_consecutive", "torch.unique_consecutive(a)", "torch.uniqueConsecutive(a)", [T(12, int_range=(0, 2))],
    dtypes=["int64", "bool"], kinds=CN + ["scalar0d", "empty"], **H)
add("unique_consecutive_all", "torch.unique_consecutive(a, return_inverse=True, return_counts=True)",
    "torch.uniqueConsecutive(a, { returnInverse: true, returnCounts: true })", [T(3, 4, int_range=(0, 2))],
    dtypes=["int64"], kinds=CN + ["scalar0d", "empty"], **H)
add("unique_consecutive_float", "torch.unique_consecutive(a.round(), return_counts=True)",
    "torch.uniqueConsecutive(a.round(), { returnCounts: true })", [T(12, lo=-1, hi=1)], **H)
add("bincount", "torch.bincount(a)", "torch.bincount(a)", [T(10, int_range=(0, 5))], dtypes=["int64", "int32", "uint8"],
    kinds=CN + ["empty"], **H)
add("bincount_weights", "torch.bincount(a, b)", "torch.bincount(a, b)", [I(10, hi=5), T(10)], **H)
add("bincount_int_weights", "torch.bincount(a, b)", "torch.bincount(a, b)", [I(10, hi=5), T(10)], dtypes=["int64"],
    **H)
add("bincount_minlength", "torch.bincount(a, minlength=8)", "torch.bincount(a, null, 8)", [T(6, int_range=(0, 5))],
    dtypes=["int64"], kinds=CN + ["empty"], **H)
add("bincount_weights_minlength", "torch.bincount(a, b, 3)", "torch.bincount(a, b, 3)", [I(6, hi=5), T(6)], **H)
err("bincount_negative", "torch.bincount(a)", "torch.bincount(a)", [I(4, lo=-2, hi=0)], dtypes=["int64"])
err("bincount_2d", "torch.bincount(a)", "torch.bincount(a)", [I(2, 2)], dtypes=["int64"])
err("bincount_float", "torch.bincount(a)", "torch.bincount(a)", [T(4)])
err("bincount_weights_shape", "torch.bincount(a, b)", "torch.bincount(a, b)", [I(4), T(3)])
add("histc", "torch.histc(a, bins=5, min=-1, max=1)", "torch.histc(a, 5, -1, 1)", [T(4, 5)],
    kinds=CN + ["scalar0d", "empty"], **H)
add("histc_default", "torch.histc(a)", "torch.histc(a)", [T(30)], kinds=CN + ["scalar0d"], **H)
add("histc_data_range", "torch.histc(a, 7)", "torch.histc(a, 7)", [T(3, 5)], **H)
add("histc_edges", "torch.histc(a, 4, 0, 2)", "torch.histc(a, 4, 0, 2)",
    [T(8, values=[0, 0.5, 1, 1.5, 2, 2.5, -0.5, 1.25])], kinds=["contig"], **H)
add("histc_constant", "torch.histc(a, 3)", "torch.histc(a, 3)", [T(4, values=[1.0, 1.0, 1.0, 1.0])],
    kinds=["contig"], **H)
err("histc_int", "torch.histc(a, 3)", "torch.histc(a, 3)", [T(4)], dtypes=["int64"])
err("histc_bad_range", "torch.histc(a, 3, 2, 1)", "torch.histc(a, 3, 2, 1)", [T(4)])
err("histc_bad_bins", "torch.histc(a, 0)", "torch.histc(a, 0)", [T(4)])
SEQ = T(6, values=[-1.5, -0.5, 0.0, 0.0, 0.5, 1.5], grad=False, contig_only=True)
VALS = T(2, 4, values=[[-2.0, -0.5, 0.0, 0.25], [0.5, 1.5, 2.0, 0.0]], grad=False, contig_only=True)
add("searchsorted", "torch.searchsorted(a, b)", "torch.searchsorted(a, b)", [SEQ, VALS], kinds=["contig"], **H)
add("searchsorted_random", "torch.searchsorted(a, b)", "torch.searchsorted(a, b)", [SEQ, T(3, 5, grad=False)], **H)
add("searchsorted_right", "torch.searchsorted(a, b, right=True)", "torch.searchsorted(a, b, { right: true })",
    [SEQ, VALS], kinds=["contig"], **H)
add("searchsorted_side", "torch.searchsorted(a, b, side='right')", "torch.searchsorted(a, b, { side: 'right' })",
    [SEQ, VALS], kinds=["contig"], **H)
add("searchsorted_side_left", "torch.searchsorted(a, b, side='left')", "torch.searchsorted(a, b, { side: 'left' })",
    [SEQ, VALS], kinds=["contig"], **H)
add("searchsorted_sorter", "torch.searchsorted(a, b, sorter=torch.argsort(a))",
    "torch.searchsorted(a, b, { sorter: torch.argsort(a) })",
    [T(5, values=[0.5, -1.0, 2.0, 0.0, 1.0], grad=False, contig_only=True), VALS], kinds=["contig"], **H)
add("searchsorted_sorter_right", "torch.searchsorted(a, b, right=True, sorter=torch.argsort(a))",
    "torch.searchsorted(a, b, { right: true, sorter: torch.argsort(a) })",
    [T(5, values=[0.5, -1.0, 2.0, 0.0, 1.0], grad=False, contig_only=True), VALS], kinds=["contig"], **H)
add("searchsorted_nd", "torch.searchsorted(a, b)", "torch.searchsorted(a, b)",
    [T(2, 4, values=[[-1, 0, 0, 1], [0, 0.5, 1, 1.5]], grad=False, contig_only=True), VALS], kinds=["contig"], **H)
add("searchsorted_nd_right", "torch.searchsorted(a, b, right=True)", "torch.searchsorted(a, b, { right: true })",
    [T(2, 4, values=[[-1, 0, 0, 1], [0, 0.5, 1, 1.5]], grad=False, contig_only=True), VALS], kinds=["contig"], **H)
add("searchsorted_int32_out", "torch.searchsorted(a, b, out_int32=True)",
    "torch.searchsorted(a, b, { outInt32: true })", [SEQ, VALS], kinds=["contig"], **H)
add("searchsorted_scalar", "torch.searchsorted(a, 0.0)", "torch.searchsorted(a, 0.0)", [SEQ], kinds=["contig"], **H)
add("searchsorted_int", "torch.searchsorted(a, b)", "torch.searchsorted(a, b)",
    [T(5, values=[-3, 0, 0, 2, 5], contig_only=True), T(3, 3, int_range=(-4, 6))], dtypes=["int64"], **H)
add("searchsorted_empty_seq", "torch.searchsorted(a, b)", "torch.searchsorted(a, b)", [T(0, grad=False), VALS],
    kinds=["contig"], **H)
err("searchsorted_bad_dims", "torch.searchsorted(a, b)", "torch.searchsorted(a, b)", [T(3, 4), T(2, 4)])
err("searchsorted_side_conflict", "torch.searchsorted(a, b, right=True, side='left')",
    "torch.searchsorted(a, b, { right: true, side: 'left' })", [SEQ, VALS])
err("searchsorted_bad_sorter", "torch.searchsorted(a, b, sorter=c)", "torch.searchsorted(a, b, { sorter: c })",
    [SEQ, VALS, I(4)])
add("bucketize", "torch.bucketize(b, a)", "torch.bucketize(b, a)", [SEQ, VALS], kinds=["contig"], **H)
add("bucketize_right", "torch.bucketize(b, a, right=True)", "torch.bucketize(b, a, { right: true })", [SEQ, VALS],
    kinds=["contig"], **H)
add("bucketize_random", "torch.bucketize(b, a, out_int32=True)", "torch.bucketize(b, a, { outInt32: true })",
    [SEQ, T(4, 3, grad=False)], **H)
add("bucketize_0d", "torch.bucketize(b, a)", "torch.bucketize(b, a)", [SEQ, T(values=0.5, grad=False)],
    kinds=["contig"], **H)
err("bucketize_2d_boundaries", "torch.bucketize(b, a)", "torch.bucketize(b, a)", [T(2, 3), T(4)])
