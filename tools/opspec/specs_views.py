"""Specs of the view ops: view, reshape, permute, transpose, t, mT, expand, squeeze, unsqueeze, flatten,
unflatten, narrow, select, unfold, diagonal, as_strided, contiguous, movedim.

Each view is also checked on integer and bool inputs (no gradients there) and, where PyTorch accepts
them, on 0-dim and empty inputs; the 0-dim/empty cases that PyTorch rejects record its error.
"""

from framework import Spec, T, FLOATS

SPECS = []
DT = FLOATS + ["int64", "bool"]
ALL_KINDS = ["contig", "noncontig", "scalar0d", "empty"]


def v(name, py, ts, shape, kinds=ALL_KINDS, dtypes=DT, others=(), **kw):
    SPECS.append(Spec(name, py, ts, [T(*shape)] + list(others), dtypes=dtypes, kinds=kinds, edge=False, **kw))


# view / reshape
v("view_flat", "a.view(-1)", "a.view(-1)", (3, 4))  # noncontig: PyTorch refuses the view
v("view_split", "a.view(2, 2, 3)", "a.view(2, 2, 3)", (4, 3), kinds=["contig", "noncontig"])
v("view_merge", "a.view(6, 2)", "a.view([6, 2])", (3, 2, 2), kinds=["contig", "noncontig"])
v("view_bad_size", "a.view(5, 2)", "a.view(5, 2)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("view_two_infer", "a.view(-1, -1)", "a.view(-1, -1)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("reshape", "a.reshape(2, -1)", "a.reshape(2, -1)", (3, 4))
v("reshape_col", "a.reshape(-1, 1)", "a.reshape([-1, 1])", (3, 4))
v("reshape_3d", "a.reshape(4, 1, 3)", "a.reshape(4, 1, 3)", (3, 4), kinds=["contig", "noncontig"])
v("reshape_empty_ambiguous", "a.reshape(0, -1)", "a.reshape(0, -1)", (3, 4), kinds=["empty"], dtypes=["float32"])
v("reshape_0d", "a.reshape(())", "a.reshape([])", (1, 1), kinds=["contig", "scalar0d"])

# permute / transpose / t / mT
v("permute", "a.permute(2, 0, 1)", "a.permute(2, 0, 1)", (2, 3, 4))
v("permute_neg", "a.permute(-1, 0, -2)", "a.permute([-1, 0, -2])", (2, 3, 4), kinds=["contig", "noncontig"])
v("permute_repeated", "a.permute(0, 0, 1)", "a.permute(0, 0, 1)", (2, 3, 4), kinds=["contig"], dtypes=["float32"])
v("transpose", "a.transpose(0, -1)", "a.transpose(0, -1)", (2, 3, 4))
v("transpose_same", "a.transpose(1, 1)", "a.transpose(1, 1)", (2, 3, 4), kinds=["contig", "noncontig"])
v("transpose_bad_dim", "a.transpose(0, 3)", "a.transpose(0, 3)", (2, 3, 4), kinds=["contig"], dtypes=["float32"])
v("t_2d", "a.t()", "a.t()", (3, 4))
v("t_1d", "a.t()", "a.t()", (5,))
v("t_3d_error", "a.t()", "a.t()", (2, 3, 4), kinds=["contig"], dtypes=["float32"])
v("mT", "a.mT", "a.mT", (2, 3, 4))
v("mT_2d", "a.mT", "a.mT", (3, 4), kinds=["contig", "noncontig"])

# expand
v("expand", "a.expand(2, 3, 4)", "a.expand(2, 3, 4)", (3, 1))
v("expand_keep", "a.expand(-1, 4)", "a.expand([-1, 4])", (3, 1))
v("expand_as", "a.expand_as(b)", "a.expandAs(b)", (1, 4), others=[T(3, 4, grad=False)],
  kinds=["contig", "noncontig"])
v("expand_bad", "a.expand(3, 5)", "a.expand(3, 5)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("expand_fewer_dims", "a.expand(4)", "a.expand(4)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("expand_new_minus_one", "a.expand(-1, 3, 4)", "a.expand(-1, 3, 4)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("expand_then_sum", "a.expand(5, 3, 4).sum(0)", "a.expand(5, 3, 4).sum(0)", (3, 1), kinds=["contig"])

# squeeze / unsqueeze
v("squeeze_all", "a.squeeze()", "a.squeeze()", (3, 1, 4, 1))
v("squeeze_dim", "a.squeeze(1)", "a.squeeze(1)", (3, 1, 4, 1), kinds=["contig", "noncontig", "empty"])
v("squeeze_dim_noop", "a.squeeze(0)", "a.squeeze(0)", (3, 1, 4, 1), kinds=["contig", "noncontig", "empty"])
v("squeeze_neg", "a.squeeze(-1)", "a.squeeze(-1)", (3, 1, 4, 1))
v("squeeze_0d", "a.squeeze(0)", "a.squeeze(0)", (1,), kinds=["contig", "scalar0d"])
# PyTorch 1.13 has no tuple form of squeeze: the reference squeezes one dim at a time
v("squeeze_list", "a.squeeze(3).squeeze(1)", "a.squeeze([1, 3])", (3, 1, 4, 1), kinds=["contig", "noncontig", "empty"])
v("squeeze_list_noop", "a.squeeze(2).squeeze(0)", "a.squeeze([0, -2])", (1, 3, 1, 4),
  kinds=["contig", "noncontig"])
v("squeeze_bad_dim", "a.squeeze(4)", "a.squeeze(4)", (3, 1, 4, 1), kinds=["contig"], dtypes=["float32"])
v("unsqueeze0", "a.unsqueeze(0)", "a.unsqueeze(0)", (3, 4))
v("unsqueeze_mid", "a.unsqueeze(1)", "a.unsqueeze(1)", (3, 4))
v("unsqueeze_last", "a.unsqueeze(-1)", "a.unsqueeze(-1)", (3, 4))
v("unsqueeze_bad", "a.unsqueeze(3)", "a.unsqueeze(3)", (3, 4), kinds=["contig"], dtypes=["float32"])

# flatten / unflatten
v("flatten", "a.flatten()", "a.flatten()", (2, 3, 4))
v("flatten_start", "a.flatten(1)", "a.flatten(1)", (2, 3, 4))
v("flatten_range", "a.flatten(0, 1)", "a.flatten(0, 1)", (2, 3, 4))
v("flatten_neg", "torch.flatten(a, -2, -1)", "torch.flatten(a, -2, -1)", (2, 3, 4))
v("flatten_bad", "a.flatten(2, 1)", "a.flatten(2, 1)", (2, 3, 4), kinds=["contig"], dtypes=["float32"])
v("unflatten", "a.unflatten(1, (2, 2))", "a.unflatten(1, [2, 2])", (3, 4), kinds=["contig", "noncontig", "empty"])
v("unflatten_infer", "a.unflatten(-1, (2, -1))", "a.unflatten(-1, [2, -1])", (3, 4),
  kinds=["contig", "noncontig", "empty"])
v("unflatten_bad", "a.unflatten(1, (3, 2))", "a.unflatten(1, [3, 2])", (3, 4), kinds=["contig"], dtypes=["float32"])

# narrow / select
v("narrow", "a.narrow(1, 1, 2)", "a.narrow(1, 1, 2)", (3, 4), kinds=["contig", "noncontig", "empty"])
v("narrow_neg_start", "a.narrow(0, -2, 2)", "a.narrow(0, -2, 2)", (3, 4), kinds=["contig", "noncontig"])
v("narrow_zero_len", "torch.narrow(a, 1, 4, 0)", "torch.narrow(a, 1, 4, 0)", (3, 4), kinds=["contig", "noncontig"])
v("narrow_bad", "a.narrow(1, 3, 2)", "a.narrow(1, 3, 2)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("select", "a.select(1, 2)", "a.select(1, 2)", (3, 4), kinds=["contig", "noncontig", "empty"])
v("select_neg", "a.select(0, -1)", "a.select(0, -1)", (3, 4), kinds=["contig", "noncontig", "empty"])
v("select_1d", "a.select(0, 3)", "a.select(0, 3)", (5,), kinds=["contig", "noncontig"])
v("select_bad", "a.select(1, 4)", "a.select(1, 4)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("select_0d", "a.select(0, 0)", "a.select(0, 0)", (3,), kinds=["scalar0d"], dtypes=["float32"])

# unfold
v("unfold", "a.unfold(1, 2, 1)", "a.unfold(1, 2, 1)", (3, 5), kinds=["contig", "noncontig", "empty"])
v("unfold_step", "a.unfold(0, 2, 2)", "a.unfold(0, 2, 2)", (5, 3), kinds=["contig", "noncontig"])
v("unfold_overlap_3d", "a.unfold(-1, 3, 1)", "a.unfold(-1, 3, 1)", (2, 3, 4), kinds=["contig", "noncontig"])
v("unfold_0d", "a.unfold(0, 1, 1)", "a.unfold(0, 1, 1)", (3,), kinds=["scalar0d"])
v("unfold_too_big", "a.unfold(1, 6, 1)", "a.unfold(1, 6, 1)", (3, 5), kinds=["contig"], dtypes=["float32"])
v("unfold_bad_step", "a.unfold(1, 2, 0)", "a.unfold(1, 2, 0)", (3, 5), kinds=["contig"], dtypes=["float32"])

# diagonal
v("diagonal", "a.diagonal()", "a.diagonal()", (3, 4), kinds=["contig", "noncontig", "empty"])
v("diagonal_pos", "a.diagonal(1)", "a.diagonal(1)", (3, 4), kinds=["contig", "noncontig", "empty"])
v("diagonal_neg", "a.diagonal(-1)", "a.diagonal(-1)", (3, 4), kinds=["contig", "noncontig", "empty"])
v("diagonal_past_end", "a.diagonal(5)", "a.diagonal(5)", (3, 4), kinds=["contig", "noncontig"])
v("diagonal_past_end_neg", "a.diagonal(-4)", "a.diagonal(-4)", (3, 4), kinds=["contig"])
v("diagonal_dims", "torch.diagonal(a, 0, 1, 2)", "torch.diagonal(a, 0, 1, 2)", (2, 3, 4),
  kinds=["contig", "noncontig", "empty"])
v("diagonal_dims_rev", "torch.diagonal(a, 1, -1, 0)", "torch.diagonal(a, 1, -1, 0)", (3, 2, 4),
  kinds=["contig", "noncontig"])
v("diagonal_same_dim", "a.diagonal(0, 1, 1)", "a.diagonal(0, 1, 1)", (3, 4), kinds=["contig"], dtypes=["float32"])
v("diagonal_then_mul", "a.diagonal(0, 0, 2) * 2", "a.diagonal(0, 0, 2).mul(2)", (3, 2, 3), kinds=["contig"])

# as_strided (the geometry is relative to the storage, so non-contiguous inputs see their base's data)
v("as_strided", "a.as_strided((2, 2), (1, 2))", "a.asStrided([2, 2], [1, 2])", (3, 4), kinds=["contig"])
v("as_strided_offset", "a.as_strided((2, 3), (4, 1), 1)", "a.asStrided([2, 3], [4, 1], 1)", (3, 4),
  kinds=["contig", "noncontig"])
v("as_strided_overlap", "torch.as_strided(a, (3, 3), (1, 1))", "torch.asStrided(a, [3, 3], [1, 1])", (6,),
  kinds=["contig", "noncontig"])
v("as_strided_0d", "a.as_strided((), (), 2)", "a.asStrided([], [], 2)", (3, 4), kinds=["contig"])
v("as_strided_bigger", "a.as_strided((4, 4), (4, 1))", "a.asStrided([4, 4], [4, 1])", (3, 4), kinds=["contig"],
  dtypes=["float32"])

# contiguous, movedim
v("contiguous", "a.contiguous()", "a.contiguous()", (3, 4))
v("contiguous_3d", "a.transpose(0, 2).contiguous()", "a.transpose(0, 2).contiguous()", (2, 3, 4),
  kinds=["contig", "noncontig"])
v("movedim", "torch.movedim(a, 0, -1)", "torch.movedim(a, 0, -1)", (2, 3, 4))
v("movedim_list", "torch.movedim(a, (0, 1), (2, 0))", "torch.movedim(a, [0, 1], [2, 0])", (2, 3, 4),
  kinds=["contig", "noncontig", "empty"])
v("movedim_method", "a.movedim(-1, 1)", "a.movedim(-1, 1)", (2, 3, 4), kinds=["contig", "noncontig"])
v("movedim_bad", "torch.movedim(a, (0, 0), (1, 2))", "torch.movedim(a, [0, 0], [1, 2])", (2, 3, 4),
  kinds=["contig"], dtypes=["float32"])
v("movedim_len_mismatch", "torch.movedim(a, (0, 1), (2,))", "torch.movedim(a, [0, 1], [2])", (2, 3, 4),
  kinds=["contig"], dtypes=["float32"])

# views of views and a write through a view (the base sees it; gradients flow to both)
v("view_chain", "a.transpose(0, 1)[1:].unsqueeze(0).expand(2, -1, -1).flatten(1)",
  "a.transpose(0, 1).index('1:').unsqueeze(0).expand(2, -1, -1).flatten(1)", (3, 4), kinds=["contig", "noncontig"])
v("write_through_view", "(lambda t: (t.t()[1].mul_(b), t)[1])(a.clone())",
  "((t) => { t.t().select(0, 1).mul_(b); return t; })(a.clone())", (3, 4), others=[T(3)],
  kinds=["contig", "noncontig"], dtypes=FLOATS)
v("write_through_diagonal", "(lambda t: (t.diagonal().add_(b), t)[1])(a.clone())",
  "((t) => { t.diagonal().add_(b); return t; })(a.clone())", (3, 4), others=[T(3)], kinds=["contig"],
  dtypes=FLOATS)
