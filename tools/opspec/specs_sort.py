"""Specs of sorting and selection: sort (ascending/descending, stable), argsort, msort, topk, kthvalue.

Inputs are drawn without ties (`unique=True`) wherever indices are compared, except in the stable-sort
specs, whose tie order PyTorch documents (equal elements keep their original order). NaN sorts as the
largest value.
"""

from framework import Spec, T, FLOATS, ALL_INT

SPECS = []
NAN = float("nan")
INF = float("inf")
D2 = (3, 4)
D3 = (2, 3, 4)
ONLY = ["contig", "noncontig"]  # for explicit values (their shape is fixed)
# at ties and NaN/inf the values are not differentiable: finite differences cannot check the gradient
KINK = dict(gradcheck=False, note="ties/NaN: not differentiable there; the fixture gradients check PyTorch's rule")
TIES_35 = [[1.0, 0.5, 1.0, -2.0, 0.5], [3.0, 3.0, 3.0, 3.0, 3.0], [NAN, 1.0, NAN, -INF, 1.0]]
PERM_34 = [[7, 2, 11, 0], [5, 9, 1, 10], [3, 8, 6, 4]]  # distinct ints


def spec(name, py, ts, shape=D2, dtypes=FLOATS, inputs=None, **kw):
    SPECS.append(Spec(name, py, ts, inputs or [T(*shape)], dtypes=dtypes, **kw))


def nograd(name, py, ts, shape=D2, dtypes=ALL_INT, **kw):
    kw.setdefault("edge", False)
    spec(name, py, ts, shape, dtypes=dtypes, grad=False, **kw)


# ---- sort / argsort / msort ---------------------------------------------------------------------
spec("sort", "torch.sort(a)", "[...torch.sort(a)]", unique=True, edge=False)
spec("sort_dim0", "torch.sort(a, 0)", "((r) => [r.values, r.indices])(torch.sort(a, 0))", unique=True, edge=False)
spec("sort_descending", "torch.sort(a, 1, descending=True)", "[...torch.sort(a, 1, true)]", unique=True, edge=False)
spec("sort_method_3d", "a.sort(-2, True)", "[...a.sort(-2, true)]", shape=D3, unique=True, edge=False)
# edge values hold +0 and -0 (equal): stable, so their order is defined
spec("sort_stable_edge", "torch.sort(a, stable=True)", "[...torch.sort(a, -1, false, { stable: true })]",
     kinds=["scalar0d", "empty"], unique=True)
spec("sort_stable_descending_edge", "torch.sort(a, stable=True, descending=True)",
     "[...torch.sort(a, -1, true, { stable: true })]", kinds=[])
spec("sort_stable_ties", "torch.sort(a, stable=True, dim=1)", "[...torch.sort(a, 1, false, { stable: true })]",
     inputs=[T(3, 5, values=TIES_35)], kinds=ONLY, edge=False, **KINK)
spec("sort_stable_ties_descending", "torch.sort(a, dim=-1, descending=True, stable=True)",
     "[...torch.sort(a, -1, true, { stable: true })]", inputs=[T(3, 5, values=TIES_35)], kinds=ONLY, edge=False,
     **KINK)
spec("sort_stable_ties_dim0", "a.sort(stable=True, dim=0)", "[...a.sort(0, false, { stable: true })]",
     inputs=[T(3, 5, values=TIES_35)], kinds=ONLY, edge=False, **KINK)
nograd("sort_int", "torch.sort(a, stable=True)", "[...torch.sort(a, -1, false, { stable: true })]",
       dtypes=ALL_INT + ["bool"])
nograd("sort_int_descending", "torch.sort(a, dim=0, descending=True, stable=True)",
       "[...torch.sort(a, 0, true, { stable: true })]", dtypes=ALL_INT + ["bool"])
spec("sort_dim_out_of_range", "torch.sort(a, 2)", "torch.sort(a, 2)", kinds=["contig", "scalar0d"], grad=False,
     edge=False)

spec("argsort", "torch.argsort(a)", "torch.argsort(a)", grad=False, unique=True, edge=False)
spec("argsort_dim0_descending", "torch.argsort(a, 0, True)", "torch.argsort(a, 0, true)", grad=False, unique=True,
     edge=False)
spec("argsort_method", "a.argsort(dim=1, descending=True)", "a.argsort(1, true)", shape=D3, grad=False, unique=True,
     edge=False)
spec("argsort_stable_ties", "torch.argsort(a, dim=1, stable=True)", "torch.argsort(a, 1, false, { stable: true })",
     inputs=[T(3, 5, values=TIES_35)], kinds=ONLY, grad=False, edge=False)
spec("argsort_stable_edge", "torch.argsort(a, stable=True, descending=True)",
     "torch.argsort(a, -1, true, { stable: true })", grad=False, kinds=[])
nograd("argsort_int", "torch.argsort(a, dim=0, stable=True)", "torch.argsort(a, 0, false, { stable: true })",
       dtypes=ALL_INT + ["bool"])

spec("msort", "torch.msort(a)", "torch.msort(a)", unique=True, kinds=["contig", "noncontig", "scalar0d", "empty"],
     edge=False)
spec("msort_method_3d", "a.msort()", "a.msort()", shape=D3, unique=True, edge=False)
nograd("msort_int", "torch.msort(a)", "torch.msort(a)", inputs=[T(3, 4, values=PERM_34)], kinds=ONLY)

# ---- topk ---------------------------------------------------------------------------------------
spec("topk", "torch.topk(a, 2)", "[...torch.topk(a, 2)]", unique=True, kinds=["contig", "noncontig", "empty"],
     edge=False)
spec("topk_smallest_dim0", "torch.topk(a, 3, dim=0, largest=False)",
     "((r) => [r.values, r.indices])(torch.topk(a, 3, 0, false))", unique=True, kinds=["contig", "noncontig"],
     edge=False)
spec("topk_method_3d", "a.topk(2, 1)", "[...a.topk(2, 1)]", shape=D3, unique=True, edge=False)
spec("topk_all", "torch.topk(a, 4)", "[...torch.topk(a, 4)]", unique=True, kinds=["contig", "noncontig"], edge=False)
spec("topk_k0", "torch.topk(a, 0)", "[...torch.topk(a, 0)]", unique=True, edge=False)
spec("topk_k1_scalar", "torch.topk(a, 1)", "[...torch.topk(a, 1)]", kinds=["scalar0d"], edge=False)
spec("topk_edge", "torch.topk(a, 5)", "[...torch.topk(a, 5)]", kinds=[])
spec("topk_edge_smallest", "torch.topk(a, 5, largest=False)", "[...torch.topk(a, 5, -1, false)]", kinds=[])
# one NaN per row (also in the transposed layout): PyTorch's order among several NaNs is not stable
NAN_25 = [[1.0, NAN, 3.0, -2.0, 0.0], [0.5, 2.0, -1.0, NAN, 4.0]]
spec("topk_nan", "torch.topk(a, 3)", "[...torch.topk(a, 3)]", inputs=[T(2, 5, values=NAN_25)], kinds=ONLY,
     edge=False, **KINK)
spec("topk_k_too_big", "torch.topk(a, 5)", "torch.topk(a, 5)", kinds=["contig", "scalar0d"], grad=False, edge=False)
spec("topk_empty_dim_error", "torch.topk(a, 1, 0)", "torch.topk(a, 1, 0)", kinds=["empty"], grad=False, edge=False)
nograd("topk_int", "torch.topk(a, 2)", "[...torch.topk(a, 2)]", inputs=[T(3, 4, values=PERM_34)], kinds=ONLY)

# ---- kthvalue -----------------------------------------------------------------------------------
spec("kthvalue", "torch.kthvalue(a, 2)", "[...torch.kthvalue(a, 2)]", unique=True, kinds=["contig", "noncontig",
                                                                                        "empty"], edge=False)
spec("kthvalue_dim0_keepdim", "torch.kthvalue(a, 3, 0, True)",
     "((r) => [r.values, r.indices])(torch.kthvalue(a, 3, 0, true))", unique=True, kinds=["contig", "noncontig"],
     edge=False)
spec("kthvalue_method_3d", "a.kthvalue(1, dim=1)", "[...a.kthvalue(1, 1)]", shape=D3, unique=True, edge=False)
spec("kthvalue_scalar", "torch.kthvalue(a, 1)", "[...torch.kthvalue(a, 1)]", kinds=["scalar0d"], edge=False)
for k in [1, 9, 16]:  # 7 and 8 are the tied +0/-0
    spec(f"kthvalue_edge_{k}", f"torch.kthvalue(a, {k})", f"[...torch.kthvalue(a, {k})]", kinds=[])
for k in [4, 5]:
    spec(f"kthvalue_nan_{k}", f"torch.kthvalue(a, {k})", f"[...torch.kthvalue(a, {k})]",
         inputs=[T(2, 5, values=NAN_25)], kinds=ONLY, edge=False, **KINK)
spec("kthvalue_k_out_of_range", "torch.kthvalue(a, 5)", "torch.kthvalue(a, 5)", kinds=["contig", "scalar0d"],
     grad=False, edge=False)
spec("kthvalue_k0", "torch.kthvalue(a, 0)", "torch.kthvalue(a, 0)", kinds=["contig"], grad=False, edge=False)
spec("kthvalue_empty_dim_error", "torch.kthvalue(a, 1, 0)", "torch.kthvalue(a, 1, 0)", kinds=["empty"], grad=False,
     edge=False)
nograd("kthvalue_int", "torch.kthvalue(a, 2, 0)", "[...torch.kthvalue(a, 2, 0)]", inputs=[T(3, 4, values=PERM_34)],
       kinds=ONLY)
