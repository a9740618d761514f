"""Specs of the linear algebra ops: matmul (all its 1-D/2-D/batched cases), mm, bmm, mv, dot, outer,
addmm/addmv/baddbmm, einsum, tensordot, kron, trace, tril/triu.

Every spec runs contiguous inputs and non-contiguous ones (the last two dims of each input
transposed, 1-D inputs a stride-2 slice); extra named cases cover empty dims, broadcasting, other
layouts and the shapes PyTorch rejects (those cases record PyTorch's error: torchts must raise).
"""

from framework import Spec, T, FLOATS

SPECS = []
NAN = float("nan")
INF = float("inf")
WITH_INT = FLOATS + ["int64"]


def spec(name, py, ts, inputs, dtypes=FLOATS, kinds=("contig", "noncontig"), **kw):
    SPECS.append(Spec(name, py, ts, inputs, dtypes=dtypes, kinds=list(kinds), edge=False, **kw))


def errors(name, py, ts, cases, dtypes=("float32",)):
    """Inputs PyTorch rejects: each case must raise in torchts too. Cases made of shapes share one spec
    (the first is its contig case); a case with T(..., dtype=...) inputs gets a spec of its own."""
    plain = [(label, shs) for label, shs in cases if all(isinstance(s, tuple) for s in shs)]
    if plain:
        SPECS.append(Spec(name, py, ts, [T(*s) for s in plain[0][1]], dtypes=list(dtypes), kinds=["contig"],
                          edge=False, grad=False, shapes=plain[1:]))
    for label, shs in cases:
        if not all(isinstance(s, tuple) for s in shs):
            SPECS.append(Spec(f"{name}_{label}", py, ts, [T(*s) if isinstance(s, tuple) else s for s in shs],
                              dtypes=list(dtypes), kinds=["contig"], edge=False, grad=False))


# ---- matmul ------------------------------------------------------------------------------------

MATMUL = ("torch.matmul(a, b)", "torch.matmul(a, b)")
spec("matmul_1d_1d", *MATMUL, [T(5), T(5)], dtypes=WITH_INT, shapes=[("empty", [(0,), (0,)])])
spec("matmul_1d_2d", *MATMUL, [T(4), T(4, 5)], dtypes=WITH_INT, shapes=[("empty", [(0,), (0, 3)])])
spec("matmul_2d_1d", *MATMUL, [T(3, 4), T(4)], dtypes=WITH_INT, shapes=[("empty", [(0, 4), (4,)])])
spec("matmul_2d_2d", *MATMUL, [T(3, 4), T(4, 5)], dtypes=WITH_INT,
     shapes=[("empty_m", [(0, 3), (3, 4)]), ("empty_k", [(3, 0), (0, 4)]), ("empty_n", [(3, 4), (4, 0)]),
             ("a_t", [{"shape": (3, 4), "t": [0, 1]}, (4, 5)]), ("b_t", [(3, 4), {"shape": (4, 5), "t": [0, 1]}]),
             ("a_step", [{"shape": (3, 4), "step": 1}, (4, 5)]), ("b_step", [(3, 4), {"shape": (4, 5), "step": 0}]),
             ("b_expand", [(3, 4), {"base": (4, 1), "expand": (4, 5)}]), ("vec_like", [(1, 4), (4, 1)])])
spec("matmul_batched_1d", *MATMUL, [T(2, 3, 4), T(4)], dtypes=WITH_INT)
spec("matmul_1d_batched", *MATMUL, [T(4), T(2, 4, 5)], dtypes=WITH_INT)
spec("matmul_batched_2d", *MATMUL, [T(2, 3, 4), T(4, 5)], dtypes=WITH_INT,
     shapes=[("4d", [(2, 2, 3, 4), (4, 5)]), ("empty_batch", [(0, 3, 4), (4, 5)])])
spec("matmul_2d_batched", *MATMUL, [T(3, 4), T(2, 4, 5)], dtypes=WITH_INT)
spec("matmul_batched", *MATMUL, [T(2, 3, 4), T(2, 4, 5)], dtypes=WITH_INT,
     shapes=[("batch_t", [{"shape": (2, 3, 4), "t": [0, 1]}, {"shape": (2, 4, 5), "t": [0, 2]}]),
             ("expand_batch", [{"base": (1, 3, 4), "expand": (2, 3, 4)}, (2, 4, 5)])])
spec("matmul_broadcast", *MATMUL, [T(2, 1, 3, 4), T(5, 4, 2)], dtypes=WITH_INT,
     shapes=[("both", [(2, 1, 3, 4), (1, 5, 4, 2)]), ("ones", [(1, 1, 3, 4), (2, 4, 2)]),
             ("empty", [(2, 1, 3, 4), (0, 4, 2)]), ("batched_1d", [(4,), (2, 1, 4, 3)])])
spec("matmul_long_k", *MATMUL, [T(6, 64), T(64, 7)],
     shapes=[("bt", [(6, 64), {"shape": (64, 7), "t": [0, 1]}]), ("wide", [(5, 33), (33, 40)])])
spec("matmul_method", "a.matmul(b)", "a.matmul(b)", [T(3, 4), T(4, 5)])
errors("matmul_errors", *MATMUL, [
    ("mismatch_2d", [(3, 4), (5, 6)]),
    ("mismatch_1d", [(3,), (4,)]),
    ("mismatch_1d_2d", [(3,), (4, 5)]),
    ("mismatch_2d_1d", [(3, 4), (5,)]),
    ("mismatch_batched", [(2, 3, 4), (2, 5, 6)]),
    ("batch_not_broadcast", [(2, 3, 4), (3, 4, 5)]),
    ("zero_dim", [(), (3,)]),
    ("zero_dim_b", [(3, 4), ()]),
])
errors("matmul_errors", *MATMUL, [("dtypes", [T(3, 4, dtype="float32"), T(4, 5, dtype="float64")])])

# ---- mm, bmm, mv, dot, outer --------------------------------------------------------------------

spec("mm", "torch.mm(a, b)", "torch.mm(a, b)", [T(3, 4), T(4, 5)], dtypes=WITH_INT,
     shapes=[("empty_m", [(0, 3), (3, 4)]), ("empty_k", [(3, 0), (0, 4)])])
spec("mm_method", "a.mm(b)", "a.mm(b)", [T(2, 3), T(3, 4)])
errors("mm_errors", "torch.mm(a, b)", "torch.mm(a, b)", [
    ("mismatch", [(2, 3), (4, 5)]),
    ("a_1d", [(3,), (3, 4)]),
    ("b_3d", [(2, 3), (2, 3, 4)]),
    ("dtypes", [T(2, 3, dtype="float32"), T(3, 4, dtype="float64")]),
])
spec("bmm", "torch.bmm(a, b)", "torch.bmm(a, b)", [T(2, 3, 4), T(2, 4, 5)], dtypes=WITH_INT,
     shapes=[("batch_t", [{"shape": (2, 3, 4), "t": [0, 2]}, {"shape": (2, 4, 5), "t": [0, 1]}]),
             ("empty_batch", [(0, 3, 4), (0, 4, 5)]), ("empty_k", [(2, 3, 0), (2, 0, 5)])])
errors("bmm_errors", "torch.bmm(a, b)", "torch.bmm(a, b)", [
    ("batch_mismatch", [(2, 3, 4), (3, 4, 5)]),
    ("inner_mismatch", [(2, 3, 4), (2, 5, 5)]),
    ("a_2d", [(3, 4), (2, 4, 5)]),
    ("b_4d", [(2, 3, 4), (1, 2, 4, 5)]),
])
spec("mv", "torch.mv(a, b)", "torch.mv(a, b)", [T(3, 4), T(4)], dtypes=WITH_INT,
     shapes=[("empty_k", [(3, 0), (0,)]), ("empty_m", [(0, 4), (4,)])])
errors("mv_errors", "torch.mv(a, b)", "torch.mv(a, b)", [
    ("mismatch", [(3, 4), (5,)]),
    ("vec_2d", [(3, 4), (4, 1)]),
    ("mat_1d", [(4,), (4,)]),
])
spec("dot", "torch.dot(a, b)", "torch.dot(a, b)", [T(6), T(6)], dtypes=WITH_INT, shapes=[("empty", [(0,), (0,)])])
errors("dot_errors", "torch.dot(a, b)", "torch.dot(a, b)", [
    ("mismatch", [(3,), (4,)]),
    ("a_2d", [(3, 1), (3,)]),
    ("dtypes", [T(3, dtype="float32"), T(3, dtype="float64")]),
])
spec("outer", "torch.outer(a, b)", "torch.outer(a, b)", [T(3), T(4)], dtypes=WITH_INT,
     shapes=[("empty", [(0,), (4,)])])
errors("outer_errors", "torch.outer(a, b)", "torch.outer(a, b)", [("a_2d", [(2, 2), (3,)]), ("b_0d", [(2,), ()])])

# ---- addmm, addmv, baddbmm ----------------------------------------------------------------------

NAN_35 = [[NAN] * 5] * 3
spec("addmm", "torch.addmm(a, b, c)", "torch.addmm(a, b, c)", [T(3, 5), T(3, 4), T(4, 5)], dtypes=WITH_INT,
     shapes=[("bcast_row", [(5,), (3, 4), (4, 5)]), ("bcast_col", [(3, 1), (3, 4), (4, 5)]),
             ("bcast_0d", [(), (3, 4), (4, 5)]), ("empty_k", [(3, 5), (3, 0), (0, 5)])])
spec("addmm_beta_alpha", "torch.addmm(a, b, c, beta=0.5, alpha=2)", "torch.addmm(a, b, c, { beta: 0.5, alpha: 2 })",
     [T(3, 5), T(3, 4), T(4, 5)], shapes=[("bcast_row", [(1, 5), (3, 4), (4, 5)])])
spec("addmm_int_beta_alpha", "torch.addmm(a, b, c, beta=2, alpha=3)", "torch.addmm(a, b, c, { beta: 2, alpha: 3 })",
     [T(3, 5), T(3, 4), T(4, 5)], dtypes=["int64"])
spec("addmm_beta0_nan", "torch.addmm(a, b, c, beta=0, alpha=1.5)", "torch.addmm(a, b, c, { beta: 0, alpha: 1.5 })",
     [T(3, 5, values=NAN_35), T(3, 4), T(4, 5)], gradcheck=False,
     note="gradcheck is skipped: the NaN input makes finite differences NaN (the fixture still checks that "
          "its gradient is exactly zero and the output has no NaN)")
spec("addmm_beta0_nan_bcast", "torch.addmm(a, b, c, beta=0)", "torch.addmm(a, b, c, { beta: 0 })",
     [T(5, values=[NAN, INF, -INF, NAN, 1.0]), T(3, 4), T(4, 5)], gradcheck=False, kinds=["contig"],
     note="gradcheck is skipped: NaN/Inf input values make finite differences NaN")
spec("addmm_method", "a.addmm(b, c, beta=2)", "a.addmm(b, c, { beta: 2 })", [T(3, 5), T(3, 4), T(4, 5)])
errors("addmm_errors", "torch.addmm(a, b, c)", "torch.addmm(a, b, c)", [
    ("input_too_big", [(3, 4, 5), (4, 2), (2, 5)]),
    ("input_not_broadcast", [(2, 5), (3, 4), (4, 5)]),
    ("mismatch", [(3, 5), (3, 4), (3, 5)]),
    ("mat_1d", [(3,), (3,), (3,)]),
    ("dtypes", [T(3, 5, dtype="float64"), T(3, 4, dtype="float32"), T(4, 5, dtype="float32")]),
])

spec("addmv", "torch.addmv(a, b, c)", "torch.addmv(a, b, c)", [T(3), T(3, 4), T(4)], dtypes=WITH_INT,
     shapes=[("bcast_1", [(1,), (3, 4), (4,)]), ("bcast_0d", [(), (3, 4), (4,)])])
spec("addmv_beta_alpha", "torch.addmv(a, b, c, beta=-1.5, alpha=0.25)",
     "torch.addmv(a, b, c, { beta: -1.5, alpha: 0.25 })", [T(3), T(3, 4), T(4)])
spec("addmv_beta0_nan", "torch.addmv(a, b, c, beta=0)", "torch.addmv(a, b, c, { beta: 0 })",
     [T(3, values=[NAN, INF, 1.0]), T(3, 4), T(4)], gradcheck=False, kinds=["contig"],
     note="gradcheck is skipped: NaN/Inf input values make finite differences NaN")
errors("addmv_errors", "torch.addmv(a, b, c)", "torch.addmv(a, b, c)", [
    ("mismatch", [(3,), (3, 4), (5,)]),
    ("input_bad", [(2,), (3, 4), (4,)]),
    ("input_2d", [(3, 3), (3, 4), (4,)]),
])

spec("baddbmm", "torch.baddbmm(a, b, c)", "torch.baddbmm(a, b, c)", [T(2, 3, 5), T(2, 3, 4), T(2, 4, 5)],
     dtypes=WITH_INT, shapes=[("bcast_2d", [(3, 5), (2, 3, 4), (2, 4, 5)]), ("bcast_cols", [(1, 3, 1), (2, 3, 4),
                                                                                        (2, 4, 5)])])
spec("baddbmm_beta_alpha", "torch.baddbmm(a, b, c, beta=0.5, alpha=-2)",
     "torch.baddbmm(a, b, c, { beta: 0.5, alpha: -2 })", [T(2, 3, 5), T(2, 3, 4), T(2, 4, 5)],
     shapes=[("bcast_row", [(5,), (2, 3, 4), (2, 4, 5)])])
spec("baddbmm_beta0_nan", "torch.bmm(b, c)", "torch.baddbmm(a, b, c, { beta: 0 })",
     [T(3, 5, values=NAN_35), T(2, 3, 4), T(2, 4, 5)], gradcheck=False,
     note="The reference is bmm(b, c), the documented result of beta=0 (input ignored, its NaN not "
          "propagated, so its gradient is zero): PyTorch 1.13's CPU baddbmm with beta=0 reads uninitialised "
          "memory and returns NaN in some runs, even for a zero input. gradcheck is skipped: the NaN input "
          "makes finite differences NaN.")
errors("baddbmm_errors", "torch.baddbmm(a, b, c)", "torch.baddbmm(a, b, c)", [
    ("batch_mismatch", [(2, 3, 5), (2, 3, 4), (3, 4, 5)]),
    ("input_bad", [(4, 3, 5), (2, 3, 4), (2, 4, 5)]),
    ("mat_2d", [(3, 5), (3, 4), (4, 5)]),
])

# ---- einsum -------------------------------------------------------------------------------------


def einsum(name, eq, operands, **kw):
    args = ", ".join("abcde"[:len(operands)])
    spec(name, f"torch.einsum('{eq}', {args})", f"torch.einsum('{eq}', {args})", [T(*s) for s in operands], **kw)


einsum("einsum_matmul", "ij,jk->ik", [(3, 4), (4, 5)], shapes=[("empty_k", [(3, 0), (0, 5)])])
einsum("einsum_bmm", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)],
       shapes=[("bcast_batch", [(1, 3, 4), (5, 4, 2)])])
einsum("einsum_trace", "ii", [(4, 4)])
einsum("einsum_trace_explicit", "ii->", [(4, 4)])
einsum("einsum_diagonal", "ii->i", [(4, 4)])
einsum("einsum_batch_diagonal", "bii->bi", [(2, 3, 3)])
einsum("einsum_transpose", "ij->ji", [(3, 4)])
einsum("einsum_sum", "ij->", [(3, 4)])
einsum("einsum_sum_dim", "ijk->ik", [(2, 3, 4)])
einsum("einsum_outer", "i,j->ij", [(3,), (4,)])
einsum("einsum_dot", "i,i->", [(5,), (5,)])
einsum("einsum_rowdot", "ij,ij->i", [(3, 4), (3, 4)])
einsum("einsum_hadamard", "ij,ij->ij", [(3, 4), (3, 4)])
einsum("einsum_ellipsis", "...ij,...jk->...ik", [(2, 3, 4), (2, 4, 5)],
       shapes=[("no_batch", [(3, 4), (4, 5)])])
einsum("einsum_ellipsis_broadcast", "...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)],
       shapes=[("ones", [(1, 3, 4), (2, 1, 4, 2)])])
einsum("einsum_ellipsis_summed", "...ij,...jk->ik", [(2, 3, 4), (2, 4, 5)])
einsum("einsum_ellipsis_middle", "i...j->j...i", [(2, 3, 4, 5)])
einsum("einsum_implicit", "ij,jk", [(3, 4), (4, 5)])
einsum("einsum_implicit_sorted", "ba,bc", [(3, 4), (3, 5)])
einsum("einsum_implicit_ellipsis", "...ij,...jk", [(2, 3, 4), (4, 5)])
einsum("einsum_implicit_transpose", "ji", [(3, 4)])
einsum("einsum_three", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)])
einsum("einsum_three_shared", "bi,bj,bk->bijk", [(2, 3), (2, 4), (2, 2)])
einsum("einsum_three_implicit", "ij,jk,kl", [(2, 3), (3, 4), (4, 2)])
einsum("einsum_repeated_contract", "iij,jk->ik", [(3, 3, 4), (4, 5)])
einsum("einsum_repeated_both", "jii,ikk->jk", [(2, 3, 3), (3, 4, 4)])
einsum("einsum_label_broadcast", "ij,jk->ik", [(3, 1), (4, 5)])
einsum("einsum_spaces", "i j , j k -> i k", [(3, 4), (4, 5)])
errors("einsum_errors", "torch.einsum('ij,jk->ik', a, b)", "torch.einsum('ij,jk->ik', a, b)", [
    ("size_mismatch", [(2, 3), (4, 4)]),
    ("too_few_dims", [(2,), (2, 4)]),
    ("too_many_dims", [(2, 3, 4), (3, 4)]),
])
errors("einsum_errors_repeated", "torch.einsum('ii->i', a)", "torch.einsum('ii->i', a)", [("not_square", [(3, 4)])])
errors("einsum_errors_output", "torch.einsum('ij->ik', a)", "torch.einsum('ij->ik', a)", [("unknown_label", [(3, 4)])])
errors("einsum_errors_operands", "torch.einsum('ij,jk->ik', a)", "torch.einsum('ij,jk->ik', a)",
       [("one_operand", [(3, 4)])])

# ---- tensordot, kron ----------------------------------------------------------------------------

spec("tensordot_int", "torch.tensordot(a, b, dims=2)", "torch.tensordot(a, b, 2)", [T(2, 3, 4), T(3, 4, 5)],
     shapes=[("empty", [(0, 3, 4), (3, 4, 5)])])
spec("tensordot_int1", "torch.tensordot(a, b, dims=1)", "torch.tensordot(a, b, 1)", [T(2, 3, 4), T(4, 5)])
spec("tensordot_int0", "torch.tensordot(a, b, dims=0)", "torch.tensordot(a, b, 0)", [T(2, 3), T(4)])
spec("tensordot_default", "torch.tensordot(a, b)", "torch.tensordot(a, b)", [T(2, 3, 4), T(3, 4)])
spec("tensordot_list", "torch.tensordot(a, b, dims=([1, 0], [0, 1]))", "torch.tensordot(a, b, [[1, 0], [0, 1]])",
     [T(3, 4, 2), T(4, 3, 5)])
spec("tensordot_list_neg", "torch.tensordot(a, b, dims=([-1], [0]))", "torch.tensordot(a, b, [[-1], [0]])",
     [T(2, 3), T(3, 2, 2)])
errors("tensordot_errors", "torch.tensordot(a, b, dims=([0], [1]))", "torch.tensordot(a, b, [[0], [1]])", [
    ("size_mismatch", [(2, 3), (2, 3)]),
    ("dim_out_of_range", [(2,), (3,)]),
])
errors("tensordot_errors_int", "torch.tensordot(a, b, dims=2)", "torch.tensordot(a, b, 2)",
       [("size_mismatch", [(2, 3, 4), (4, 3, 5)])])

spec("kron", "torch.kron(a, b)", "torch.kron(a, b)", [T(2, 3), T(3, 2)], dtypes=WITH_INT,
     shapes=[("vec", [(3,), (2,)]), ("empty", [(0, 3), (3, 2)])])
spec("kron_ndims", "torch.kron(a, b)", "torch.kron(a, b)", [T(2, 3), T(2, 2, 2)], dtypes=WITH_INT,
     shapes=[("vec_mat", [(3,), (2, 2)]), ("mat_vec", [(2, 2), (3,)])])

# ---- trace, tril, triu --------------------------------------------------------------------------

spec("trace", "torch.trace(a)", "torch.trace(a)", [T(4, 4)], dtypes=WITH_INT,
     shapes=[("wide", [(3, 5)]), ("empty", [(0, 3)])])
spec("trace_tall", "torch.diagonal(a).sum()", "torch.trace(a)", [T(5, 3)], dtypes=WITH_INT,
     note="PyTorch 1.13's trace backward is wrong for matrices with more rows than columns: it fills "
          "every (cols + 1)-th element of the flattened gradient, which also hits (4, 0) in a 5x3 matrix. "
          "The reference is the same sum taken through diagonal(), whose gradient is correct; gradcheck "
          "checks torchts's trace gradient on this tall shape independently.")
spec("trace_method", "a.trace()", "a.trace()", [T(3, 3)])
errors("trace_errors", "torch.trace(a)", "torch.trace(a)", [("vec", [(3,)]), ("batched", [(2, 3, 3)])])

for fn in ["tril", "triu"]:
    for k in [0, 1, -1, 2, -3]:
        kname = f"{'m' if k < 0 else ''}{abs(k)}"
        spec(f"{fn}_{kname}", f"torch.{fn}(a, {k})", f"torch.{fn}(a, {k})", [T(4, 5)], dtypes=WITH_INT,
             shapes=[("batched", [(2, 3, 4)]), ("tall", [(5, 3)]), ("empty", [(0, 3)]), ("big_k", [(2, 2)])])
    spec(f"{fn}_default", f"torch.{fn}(a)", f"torch.{fn}(a)", [T(3, 3)])
    spec(f"{fn}_method", f"a.{fn}(1)", f"a.{fn}(1)", [T(3, 4)])
    spec(f"{fn}_nan", f"torch.{fn}(a)", f"torch.{fn}(a)",
         [T(3, 3, values=[[NAN, INF, -INF], [1, NAN, 2], [-INF, 3, NAN]])], gradcheck=False, note="gradcheck is skipped: NaN/Inf inputs make finite differences NaN")
    errors(f"{fn}_errors", f"torch.{fn}(a)", f"torch.{fn}(a)", [("vec", [(3,)]), ("scalar", [()])])

# tril/triu keep the input dtype (bool masks stay bool)
SPECS.append(Spec("tril_bool", "torch.tril(a > 0, 1)", "torch.tril(a.gt(0), 1)", [T(3, 4)], grad=False, edge=False))
SPECS.append(Spec("triu_bool", "torch.triu(a > 0, -1)", "torch.triu(a.gt(0), -1)", [T(2, 3, 4)], grad=False, edge=False))
