"""Specs of the reductions and scans: sum, mean, prod, max/min, amax/amin, argmax/argmin, var/std,
var_mean/std_mean, norm, logsumexp, all/any, count_nonzero, median, mode, nansum/nanmean, cumsum,
cumprod, cummax/cummin.

Each op is checked over one dim, several dims (lists) and all dims, with and without keepdim, on
contiguous and transposed inputs, 0-dim and empty tensors (errors where PyTorch raises), NaN/inf edge
values, and the float/int/bool dtypes it takes. Ops that return indices draw inputs without ties
(`unique=True`) unless the spec tests a documented tie rule.
"""

from framework import Spec, T, FLOATS, INTS, ALL_INT

SPECS = []
NAN = float("nan")
INF = float("inf")
D2 = (3, 4)
D3 = (2, 3, 4)
ONLY = ["contig", "noncontig"]  # for explicit values (their shape is fixed)
# at ties (and at NaN/inf) the op is not differentiable: finite differences cannot check the gradient
# PyTorch picks there, which the fixtures compare instead
KINK = dict(gradcheck=False, note="ties/NaN: not differentiable there; the fixture gradients check PyTorch's rule")


def spec(name, py, ts, shape=D2, dtypes=FLOATS, inputs=None, **kw):
    SPECS.append(Spec(name, py, ts, inputs or [T(*shape)], dtypes=dtypes, **kw))


def nograd(name, py, ts, shape=D2, dtypes=ALL_INT, **kw):
    kw.setdefault("edge", False)
    spec(name, py, ts, shape, dtypes=dtypes, grad=False, **kw)


# values with zeros (prod/cumprod), ties (amax/max()/median() gradient splitting, argmax first index)
ZEROS_34 = [[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 0.5], [1.0, 2.0, -0.5, 1.25]]
TIES_34 = [[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 2.0, -1.0, 2.0]]
TIES_234 = [[[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 3.0, -1.0, 2.0]],
            [[2.0, 1.0, 0.0, 1.0], [2.0, -1.0, -3.0, 2.0], [1.5, 1.5, -1.5, -1.5]]]
# at most 16 per row: PyTorch's CPU mode sorts with std::sort, stable (insertion sort) only that far
MODE_35 = [[2.0, 1.0, 2.0, 1.0, 3.0], [0.5, -1.0, 0.5, -1.0, 0.5], [4.0, 4.0, 4.0, 4.0, 4.0]]
ALL_34 = [[1.0, 0.0, 2.0, 5.0], [3.0, 1.0, 4.0, 2.0], [0.0, 0.0, 0.0, 0.0]]  # also cast to uint8/bool
PERM_34 = [[7, 2, 11, 0], [5, 9, 1, 10], [3, 8, 6, 4]]  # distinct ints

# ---- sum / mean / prod -------------------------------------------------------------------------
spec("sum", "torch.sum(a)", "torch.sum(a)")
spec("sum_dim", "torch.sum(a, 1)", "torch.sum(a, 1)", edge=False)
spec("sum_dim0_keepdim", "a.sum(0, keepdim=True)", "a.sum(0, true)")
spec("sum_neg_dim", "a.sum(-1)", "a.sum(-1)", shape=D3, edge=False)
spec("sum_dims", "torch.sum(a, (0, 2))", "torch.sum(a, [0, 2])", shape=D3, edge=False)
spec("sum_dims_keepdim", "a.sum((-1, 0), keepdim=True)", "a.sum([-1, 0], true)", shape=D3, edge=False)
spec("sum_all_dims_list", "torch.sum(a, (0, 1, 2))", "torch.sum(a, [0, 1, 2])", shape=D3, edge=False)
spec("sum_empty_dim_list", "torch.sum(a, [])", "torch.sum(a, [])", edge=False)
spec("sum_repeated_dim", "torch.sum(a, (0, 0))", "torch.sum(a, [0, 0])", kinds=["contig", "scalar0d"], grad=False,
     edge=False)
spec("sum_dim_out_of_range", "torch.sum(a, 2)", "torch.sum(a, 2)", kinds=["contig"], grad=False, edge=False)
nograd("sum_int", "torch.sum(a)", "torch.sum(a)", dtypes=ALL_INT + ["bool"])
nograd("sum_int_dim", "torch.sum(a, 1, True)", "torch.sum(a, 1, true)", dtypes=ALL_INT + ["bool"])
spec("sum_dtype", "torch.sum(a, dtype=torch.float64)", "torch.sum(a, null, false, { dtype: 'float64' })",
     dtypes=["float32"], edge=False)
nograd("sum_int_dtype", "torch.sum(a, 0, dtype=torch.float32)", "torch.sum(a, 0, false, { dtype: 'float32' })",
       dtypes=INTS)
spec("nansum", "torch.nansum(a)", "torch.nansum(a)")
spec("nansum_dim", "a.nansum(1, keepdim=True)", "a.nansum(1, true)", inputs=[T(3, 4, values=[
    [1.0, NAN, 2.0, -1.0], [NAN, NAN, NAN, NAN], [0.5, 2.0, NAN, 1.5]])], kinds=ONLY, edge=False)

spec("mean", "torch.mean(a)", "torch.mean(a)")
spec("mean_dim", "a.mean(1)", "a.mean(1)", edge=False)
spec("mean_dims_keepdim", "torch.mean(a, (0, 2), keepdim=True)", "torch.mean(a, [0, 2], true)", shape=D3,
     edge=False)
spec("mean_dtype", "torch.mean(a, dtype=torch.float64)", "torch.mean(a, null, false, { dtype: 'float64' })",
     dtypes=["float32"], edge=False)
nograd("mean_int_error", "torch.mean(a)", "torch.mean(a)", dtypes=INTS, kinds=["contig"])
nograd("mean_int_dtype", "torch.mean(a, 1, dtype=torch.float64)", "torch.mean(a, 1, false, { dtype: 'float64' })",
       dtypes=INTS)
spec("nanmean", "torch.nanmean(a)", "torch.nanmean(a)")
spec("nanmean_dim", "a.nanmean(1, keepdim=True)", "a.nanmean(1, true)", inputs=[T(3, 4, values=[
    [1.0, NAN, 2.0, -1.0], [NAN, NAN, NAN, NAN], [0.5, 2.0, NAN, 1.5]])], kinds=ONLY, edge=False, **KINK)

spec("prod", "torch.prod(a)", "torch.prod(a)", inputs=[T(3, 4, lo=0.5, hi=1.5)])
spec("prod_dim", "torch.prod(a, 1)", "torch.prod(a, 1)", edge=False)
spec("prod_dim_keepdim", "a.prod(0, keepdim=True)", "a.prod(0, true)")
spec("prod_zeros_dim", "torch.prod(a, 1)", "torch.prod(a, 1)", inputs=[T(3, 4, values=ZEROS_34)], kinds=ONLY,
     edge=False)
spec("prod_zeros_dim0", "torch.prod(a, 0, True)", "torch.prod(a, 0, true)", inputs=[T(3, 4, values=ZEROS_34)],
     kinds=ONLY, edge=False)
spec("prod_one_zero", "torch.prod(a)", "torch.prod(a)", inputs=[T(2, 3, values=[[1.5, 0.0, 2.0], [-1.0, 0.5, 3.0]])],
     kinds=ONLY, edge=False)
spec("prod_two_zeros", "torch.prod(a)", "torch.prod(a)", inputs=[T(2, 3, values=[[1.5, 0.0, 2.0], [-1.0, 0.0, 3.0]])],
     kinds=ONLY, edge=False)
spec("prod_dtype", "torch.prod(a, 1, dtype=torch.float64)", "torch.prod(a, 1, false, { dtype: 'float64' })",
     dtypes=["float32"], edge=False)
nograd("prod_int", "torch.prod(a)", "torch.prod(a)", dtypes=ALL_INT + ["bool"], inputs=[T(3, 4, int_range=(-3, 4))])
nograd("prod_int_dim", "torch.prod(a, 0)", "torch.prod(a, 0)", dtypes=ALL_INT + ["bool"])

# ---- max / min / amax / amin / argmax / argmin ------------------------------------------------
for op, other in [("max", "maximum"), ("min", "minimum")]:
    spec(op, f"torch.{op}(a)", f"torch.{op}(a)", unique=True)
    spec(f"{op}_dim", f"torch.{op}(a, 1)", f"[...torch.{op}(a, 1)]", unique=True, edge=False)
    spec(f"{op}_dim0", f"torch.{op}(a, 0)", f"((r) => [r.values, r.indices])(torch.{op}(a, 0))", unique=True)
    spec(f"{op}_dim_keepdim", f"a.{op}(-1, keepdim=True)", f"[...a.{op}(-1, true)]", shape=D3, unique=True,
         edge=False)
    spec(f"{op}_dim_out_of_range", f"torch.{op}(a, 2)", f"torch.{op}(a, 2)", kinds=["contig"], grad=False,
         edge=False)
    # documented: max()/min() over all elements split the gradient evenly among equal values; with a
    # dim the first maximal/minimal index is returned
    spec(f"{op}_ties", f"torch.{op}(a)", f"torch.{op}(a)", inputs=[T(3, 4, values=TIES_34)], kinds=ONLY, edge=False,
         **KINK)
    spec(f"{op}_dim_ties", f"torch.{op}(a, 1)", f"[...torch.{op}(a, 1)]", inputs=[T(3, 4, values=TIES_34)],
         kinds=ONLY, edge=False, **KINK)
    nograd(f"{op}_int", f"torch.{op}(a)", f"torch.{op}(a)", dtypes=ALL_INT + ["bool"], kinds=["contig", "noncontig"])
    nograd(f"{op}_int_dim", f"torch.{op}(a, 1)", f"[...torch.{op}(a, 1)]", dtypes=ALL_INT + ["bool"])
    spec(f"{op}_other", f"torch.{op}(a, b)", f"torch.{op}(a, b)", inputs=[T(3, 4), T(3, 4)],
         bshapes=[[(3, 1), (1, 4)], [(2, 3, 4), (4,)]], edge=False)
    spec(f"{op}_other_method", f"a.{op}(b)", f"a.{op}(b)", inputs=[T(3, 4), T(4)], kinds=["contig", "noncontig"],
         edge=False)
    spec(f"a{op}", f"torch.a{op}(a)", f"torch.a{op}(a)")
    spec(f"a{op}_dim", f"torch.a{op}(a, 1)", f"torch.a{op}(a, 1)", edge=False)
    spec(f"a{op}_edge_dim", f"a.a{op}(0)", f"a.a{op}(0)", kinds=["contig", "scalar0d"])
    spec(f"a{op}_dims", f"torch.a{op}(a, (0, 2))", f"torch.a{op}(a, [0, 2])", shape=D3, edge=False)
    spec(f"a{op}_dims_keepdim", f"a.a{op}((-1, -2), True)", f"a.a{op}([-1, -2], true)", shape=D3, edge=False)
    # documented: amax/amin split the gradient evenly among equal values
    spec(f"a{op}_ties", f"torch.a{op}(a, 1)", f"torch.a{op}(a, 1)", inputs=[T(3, 4, values=TIES_34)], kinds=ONLY,
         edge=False, **KINK)
    spec(f"a{op}_ties_dims", f"torch.a{op}(a, (0, 2), True)", f"torch.a{op}(a, [0, 2], true)",
         inputs=[T(2, 3, 4, values=TIES_234)], kinds=ONLY, edge=False, **KINK)
    nograd(f"a{op}_int", f"torch.a{op}(a, 0)", f"torch.a{op}(a, 0)", dtypes=ALL_INT + ["bool"])
    spec(f"arg{op}", f"torch.arg{op}(a)", f"torch.arg{op}(a)", grad=False, unique=True)
    spec(f"arg{op}_dim", f"torch.arg{op}(a, 1)", f"torch.arg{op}(a, 1)", grad=False, unique=True, edge=False)
    spec(f"arg{op}_dim_keepdim", f"a.arg{op}(0, keepdim=True)", f"a.arg{op}(0, true)", grad=False, unique=True)
    spec(f"arg{op}_ties", f"torch.arg{op}(a, 1)", f"torch.arg{op}(a, 1)", inputs=[T(3, 4, values=TIES_34)],
         kinds=ONLY, grad=False, edge=False)
    nograd(f"arg{op}_int", f"torch.arg{op}(a, 0)", f"torch.arg{op}(a, 0)", dtypes=ALL_INT)

# ---- var / std / var_mean / std_mean ------------------------------------------------------------
# A 0-dim var with correction 1 divides 0 by 0: PyTorch 1.13's backward there is inconsistent (inf for
# 0-dim, shape errors or negative divisors for n <= correction otherwise), so those gradients are left
# out: values only (var_0dim, *_correction_too_big). torchts's gradient there is NaN.
NO0 = dict(kinds=["contig", "noncontig", "empty"])
for op in ["var", "std"]:
    spec(op, f"torch.{op}(a)", f"torch.{op}(a)", **(NO0 if op == "var" else {}))
    spec(f"{op}_dim", f"torch.{op}(a, 1)", f"torch.{op}(a, 1)", edge=False)
    spec(f"{op}_dim0", f"a.{op}(0)", f"a.{op}(0)", **(NO0 if op == "var" else {}))
    spec(f"{op}_0dim", f"torch.{op}(a)", f"torch.{op}(a)", kinds=["scalar0d"], grad=False, edge=False)
    spec(f"{op}_correction0_keepdim", f"torch.{op}(a, 1, correction=0, keepdim=True)",
         f"torch.{op}(a, 1, {{ correction: 0, keepdim: true }})", edge=False)
    spec(f"{op}_correction2_dims", f"torch.{op}(a, (0, 2), correction=2)",
         f"torch.{op}(a, [0, 2], {{ correction: 2 }})", shape=D3, edge=False)
    spec(f"{op}_all_dims_keepdim", f"a.{op}(None, correction=0, keepdim=True)",
         f"a.{op}(null, {{ correction: 0, keepdim: true }})", shape=D3, edge=False,
         kinds=["contig", "noncontig", "scalar0d"])  # PyTorch's backward fails on the empty case
    spec(f"{op}_unbiased_false", f"torch.{op}(a, 1, unbiased=False)", f"torch.{op}(a, 1, {{ unbiased: false }})",
         edge=False)
    spec(f"{op}_unbiased_positional", f"torch.{op}(a, False)", f"torch.{op}(a, null, {{ unbiased: false }})",
         edge=False, kinds=["contig", "noncontig", "scalar0d"])  # PyTorch's backward fails on the empty case
    spec(f"{op}_unbiased_dims_keepdim", f"torch.{op}(a, (-1, 0), True, True)",
         f"torch.{op}(a, [-1, 0], {{ unbiased: true, keepdim: true }})", shape=D3, edge=False)
    nograd(f"{op}_int_error", f"torch.{op}(a)", f"torch.{op}(a)", dtypes=INTS, kinds=["contig"])
    # n - correction < 0: PyTorch clamps the divisor to 0 (inf) in the forward, but its backward uses
    # the negative divisor, which is not the derivative of that forward: values only
    spec(f"{op}_correction_too_big", f"torch.{op}(a, 1, correction=5)", f"torch.{op}(a, 1, {{ correction: 5 }})",
         grad=False, edge=False)
spec("var_mean", "torch.var_mean(a, 1)", "torch.varMean(a, 1)", edge=False)
spec("var_mean_all", "torch.var_mean(a)", "torch.varMean(a)", **NO0)
spec("var_mean_dims", "torch.var_mean(a, (0, 2), correction=0, keepdim=True)",
     "torch.varMean(a, [0, 2], { correction: 0, keepdim: true })", shape=D3, edge=False)
spec("std_mean", "torch.std_mean(a, 0, unbiased=False)", "torch.stdMean(a, 0, { unbiased: false })")
spec("std_mean_dims", "torch.std_mean(a, (1, 2), correction=2)", "torch.stdMean(a, [1, 2], { correction: 2 })",
     shape=D3, edge=False)

# ---- norm ---------------------------------------------------------------------------------------
spec("norm", "torch.norm(a)", "torch.norm(a)")
for label, pp, tp in [("2", "2", "2"), ("1", "1", "1"), ("inf", "float('inf')", "Infinity"),
                      ("neg_inf", "float('-inf')", "-Infinity"), ("0", "0", "0"), ("3", "3", "3"),
                      ("fro", "'fro'", "'fro'")]:
    # PyTorch 1.13 gives 0 for the -inf norm over an empty dim (no identity: newer PyTorch raises, as
    # torchts does), so that case is left out
    kinds = ["contig", "noncontig", "scalar0d"] + ([] if label == "neg_inf" else ["empty"])
    spec(f"norm_p{label}", f"torch.norm(a, {pp})", f"torch.norm(a, {tp})", kinds=kinds)
    spec(f"norm_p{label}_dim", f"torch.norm(a, {pp}, 1)", f"torch.norm(a, {tp}, 1)", edge=False, kinds=kinds)
    spec(f"norm_p{label}_dims_keepdim", f"torch.norm(a, {pp}, (0, 2), True)", f"torch.norm(a, {tp}, [0, 2], true)",
         shape=D3, edge=False, kinds=kinds)
spec("norm_method_dim0", "a.norm(2, 0)", "a.norm(2, 0)", kinds=["contig", "noncontig", "scalar0d", "empty"])
spec("norm_inf_ties", "torch.norm(a, float('inf'), 1)", "torch.norm(a, Infinity, 1)",
     inputs=[T(3, 4, values=[[1.0, -3.0, 3.0, 2.0], [0.5, -0.5, 0.5, -0.5], [-1.0, 2.0, -1.0, 2.0]])], kinds=ONLY,
     edge=False, **KINK)
nograd("norm_int_error", "torch.norm(a)", "torch.norm(a)", dtypes=INTS, kinds=["contig"])

# ---- logsumexp ----------------------------------------------------------------------------------
spec("logsumexp", "torch.logsumexp(a, 1)", "torch.logsumexp(a, 1)", edge=False)
spec("logsumexp_dim0", "a.logsumexp(0)", "a.logsumexp(0)")
spec("logsumexp_dims_keepdim", "torch.logsumexp(a, (0, 2), keepdim=True)", "torch.logsumexp(a, [0, 2], true)",
     shape=D3, edge=False)
spec("logsumexp_all_dims", "torch.logsumexp(a, (0, 1))", "torch.logsumexp(a, [0, 1])", edge=False)
spec("logsumexp_inf", "torch.logsumexp(a, 1)", "torch.logsumexp(a, 1)", inputs=[T(3, 3, values=[
    [-INF, -INF, -INF], [1.0, 2.0, -INF], [INF, 1.0, 2.0]])], kinds=ONLY, edge=False, **KINK)
spec("logsumexp_large", "torch.logsumexp(a, 1)", "torch.logsumexp(a, 1)", inputs=[T(3, 4, lo=500, hi=800)],
     kinds=ONLY, edge=False)
nograd("logsumexp_int", "torch.logsumexp(a, 0)", "torch.logsumexp(a, 0)", dtypes=INTS)

# ---- all / any / count_nonzero ------------------------------------------------------------------
BOOLISH = FLOATS + ALL_INT + ["bool"]
for op in ["all", "any"]:
    nograd(op, f"torch.{op}(a)", f"torch.{op}(a)", dtypes=BOOLISH, inputs=[T(3, 4, values=ALL_34)], kinds=ONLY)
    nograd(f"{op}_dim", f"torch.{op}(a, 1)", f"torch.{op}(a, 1)", dtypes=BOOLISH, inputs=[T(3, 4, values=ALL_34)],
           kinds=ONLY)
    nograd(f"{op}_dim0_keepdim", f"a.{op}(0, keepdim=True)", f"a.{op}(0, true)", dtypes=BOOLISH,
           inputs=[T(3, 4, values=ALL_34)], kinds=ONLY)
    nograd(f"{op}_random", f"torch.{op}(a, -1)", f"torch.{op}(a, -1)", dtypes=BOOLISH,
           inputs=[T(3, 4, lo=-0.6, hi=0.6, int_range=(0, 2))], kinds=["contig", "scalar0d", "empty"])
    nograd(f"{op}_all_random", f"torch.{op}(a)", f"torch.{op}(a)", dtypes=BOOLISH,
           inputs=[T(3, 4, lo=-0.6, hi=0.6, int_range=(0, 2))], kinds=["scalar0d", "empty"])
    spec(f"{op}_edge", f"torch.{op}(a)", f"torch.{op}(a)", grad=False, kinds=[])
nograd("count_nonzero", "torch.count_nonzero(a)", "torch.countNonzero(a)", dtypes=BOOLISH,
       inputs=[T(3, 4, values=ALL_34)], kinds=ONLY)
nograd("count_nonzero_dim", "torch.count_nonzero(a, 1)", "torch.countNonzero(a, 1)", dtypes=BOOLISH,
       inputs=[T(3, 4, values=ALL_34)], kinds=ONLY)
nograd("count_nonzero_dims", "a.count_nonzero((0, 2))", "a.countNonzero([0, 2])", shape=D3, dtypes=BOOLISH,
       inputs=[T(2, 3, 4, lo=-0.6, hi=0.6, int_range=(0, 2))], kinds=["contig", "noncontig", "empty"])
nograd("count_nonzero_random", "torch.count_nonzero(a, -1)", "torch.countNonzero(a, -1)", dtypes=BOOLISH,
       inputs=[T(3, 4, lo=-0.6, hi=0.6, int_range=(0, 2))], kinds=["scalar0d", "empty"])
spec("count_nonzero_edge", "torch.count_nonzero(a)", "torch.countNonzero(a)", grad=False, kinds=[])

# ---- median / mode ------------------------------------------------------------------------------
# median() of an empty int tensor gives PyTorch's garbage value (INT_MIN): left out
spec("median", "torch.median(a)", "torch.median(a)", unique=True)
spec("median_odd", "a.median()", "a.median()", shape=(3, 5), unique=True, kinds=["contig", "noncontig"], edge=False)
spec("median_dim", "torch.median(a, 1)", "[...torch.median(a, 1)]", unique=True, edge=False)
spec("median_dim0", "torch.median(a, 0)", "((r) => [r.values, r.indices])(torch.median(a, 0))", unique=True)
spec("median_dim_keepdim", "a.median(-1, keepdim=True)", "[...a.median(-1, true)]", shape=(2, 3, 5), unique=True,
     edge=False)
spec("median_nan_dim", "torch.median(a, 1)", "[...torch.median(a, 1)]", inputs=[T(3, 4, values=[
    [1.0, NAN, 0.5, NAN], [2.0, -1.0, 0.0, 3.0], [NAN, 1.0, 2.0, 0.5]])], kinds=ONLY, edge=False, **KINK)
spec("median_nan", "torch.median(a)", "torch.median(a)", inputs=[T(2, 3, values=[[1.0, NAN, 0.5], [NAN, 2.0, 0.0]])],
     kinds=ONLY, edge=False, **KINK)
# documented: median() over all elements splits the gradient among equal values (as max())
spec("median_ties", "torch.median(a)", "torch.median(a)", inputs=[T(3, 4, values=TIES_34)], kinds=ONLY, edge=False,
     **KINK)
nograd("median_int", "torch.median(a)", "torch.median(a)", inputs=[T(3, 4, values=PERM_34)], kinds=ONLY)
nograd("median_int_dim", "torch.median(a, 1)", "[...torch.median(a, 1)]", inputs=[T(3, 4, values=PERM_34)],
       kinds=ONLY)
nograd("median_int_dim_empty", "torch.median(a, -1)", "[...torch.median(a, -1)]", kinds=["scalar0d", "empty"])
spec("median_empty_dim_error", "torch.median(a, 0)", "torch.median(a, 0)", kinds=["empty"], grad=False, edge=False)

# mode: the smallest of the most frequent values; its index is the last occurrence (PyTorch's CPU
# kernel for rows of up to 16 elements). NaN rows are left out: PyTorch sorts them with std::sort and a
# `<` comparator, which is undefined for NaN.
spec("mode_unique", "torch.mode(a)", "[...torch.mode(a)]", unique=True, edge=False)
spec("mode", "torch.mode(a)", "[...torch.mode(a)]", inputs=[T(3, 5, values=MODE_35)], kinds=ONLY, edge=False,
     **KINK)
spec("mode_dim0", "torch.mode(a, 0)", "((r) => [r.values, r.indices])(torch.mode(a, 0))",
     inputs=[T(3, 5, values=MODE_35)], kinds=ONLY, edge=False, **KINK)
spec("mode_keepdim", "a.mode(1, keepdim=True)", "[...a.mode(1, true)]", inputs=[T(3, 5, values=MODE_35)],
     kinds=ONLY, edge=False, **KINK)
spec("mode_3d", "torch.mode(a, 1)", "[...torch.mode(a, 1)]", inputs=[T(2, 3, 4, values=TIES_234)], kinds=ONLY,
     edge=False, **KINK)
nograd("mode_int", "torch.mode(a, -1)", "[...torch.mode(a, -1)]", dtypes=ALL_INT + ["bool"],
       inputs=[T(3, 6, int_range=(0, 3))], kinds=["contig", "noncontig", "scalar0d", "empty"])
nograd("mode_empty_dim_error", "torch.mode(a, 0)", "torch.mode(a, 0)", dtypes=FLOATS, kinds=["empty"])

# ---- scans --------------------------------------------------------------------------------------
spec("cumsum", "torch.cumsum(a, 1)", "torch.cumsum(a, 1)", edge=False)
spec("cumsum_dim0", "a.cumsum(0)", "a.cumsum(0)")
spec("cumsum_3d", "torch.cumsum(a, -2)", "torch.cumsum(a, -2)", shape=D3, edge=False)
spec("cumsum_dtype", "torch.cumsum(a, 0, dtype=torch.float64)", "torch.cumsum(a, 0, { dtype: 'float64' })",
     dtypes=["float32"])
nograd("cumsum_int", "torch.cumsum(a, 1)", "torch.cumsum(a, 1)", dtypes=ALL_INT + ["bool"])
nograd("cumsum_int_dtype", "torch.cumsum(a, 0, dtype=torch.float32)", "torch.cumsum(a, 0, { dtype: 'float32' })",
       dtypes=INTS)
spec("cumsum_dim_out_of_range", "torch.cumsum(a, 2)", "torch.cumsum(a, 2)", kinds=["contig", "scalar0d"],
     grad=False, edge=False)
spec("cumprod", "torch.cumprod(a, 1)", "torch.cumprod(a, 1)", edge=False)
spec("cumprod_dim0", "a.cumprod(0)", "a.cumprod(0)", inputs=[T(3, 4, lo=0.5, hi=1.5)])
spec("cumprod_3d", "torch.cumprod(a, -2)", "torch.cumprod(a, -2)", shape=D3, edge=False)
spec("cumprod_zeros", "torch.cumprod(a, 1)", "torch.cumprod(a, 1)", inputs=[T(3, 4, values=ZEROS_34)], kinds=ONLY,
     edge=False)
spec("cumprod_zeros_dim0", "torch.cumprod(a, 0)", "torch.cumprod(a, 0)", inputs=[T(3, 4, values=ZEROS_34)],
     kinds=ONLY, edge=False)
spec("cumprod_dtype", "torch.cumprod(a, 1, dtype=torch.float64)", "torch.cumprod(a, 1, { dtype: 'float64' })",
     dtypes=["float32"], edge=False)
nograd("cumprod_int", "torch.cumprod(a, 1)", "torch.cumprod(a, 1)", dtypes=ALL_INT + ["bool"],
       inputs=[T(3, 4, int_range=(-3, 4))])
for op in ["cummax", "cummin"]:
    # PyTorch 1.13 takes any dim for a 0-dim input here (then fails in backward): 0-dim only with dim 0
    kinds = ["contig", "noncontig", "empty"]
    spec(op, f"torch.{op}(a, 1)", f"[...torch.{op}(a, 1)]", unique=True, edge=False, kinds=kinds)
    spec(f"{op}_dim0", f"a.{op}(0)", f"((r) => [r.values, r.indices])(a.{op}(0))", unique=True)
    spec(f"{op}_3d", f"torch.{op}(a, -2)", f"[...torch.{op}(a, -2)]", shape=D3, unique=True, edge=False,
         kinds=kinds)
    # PyTorch's CPU kernel: a tie moves the index to the later element, a NaN always takes over
    spec(f"{op}_ties_nan", f"torch.{op}(a, 1)", f"[...torch.{op}(a, 1)]", inputs=[T(3, 5, values=[
        [1.0, NAN, 3.0, NAN, 0.0], [2.0, 2.0, -1.0, 2.0, -1.0], [0.5, 0.5, 0.5, 0.5, 0.5]])], kinds=ONLY, edge=False,
        **KINK)
    nograd(f"{op}_int", f"torch.{op}(a, 1)", f"[...torch.{op}(a, 1)]", dtypes=ALL_INT + ["bool"], kinds=kinds)
    spec(f"{op}_dim_out_of_range", f"torch.{op}(a, 2)", f"torch.{op}(a, 2)", kinds=["contig"], grad=False,
         edge=False)
