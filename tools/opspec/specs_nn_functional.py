"""Specs of torch.nn.functional: activations, linear maps, dropout (seeded: torchts's generator follows
PyTorch's), embedding, one_hot, distances and the losses with their reductions and options.

Integer inputs (class indices, lengths) are int64 tensors without gradients; where their values matter
they are given explicitly and kept contiguous. Weights that PyTorch does not differentiate (loss weights,
pos_weight) have no gradient here. CTC is compared through log_softmax: PyTorch's CTC backward adds
exp(log_probs) * grad to the true derivative, a term that log_softmax's backward cancels.
"""

import warnings

import torch

from framework import Spec, T, FLOATS

warnings.filterwarnings("ignore")  # PyTorch's deprecation notes (F.sigmoid, 3-D dropout2d, kl_div 'mean')

SPECS = []
CN = ["contig", "noncontig"]
ALL = ["contig", "noncontig", "scalar0d", "empty"]
F_TS = "torch.nn.functional."


def I(*shape, lo=0, hi=3, values=None):
    """An int64 tensor with values in [lo, hi) (or explicit values, kept contiguous)."""
    if values is not None:
        shape = tuple(torch.tensor(values).shape)
    return T(*shape, dtype="int64", int_range=(lo, hi), values=values, grad=False, contig_only=values is not None)


def V(values, grad=True, **kw):
    """A float tensor with explicit values."""
    shape = tuple(torch.tensor(values).shape)
    return T(*shape, values=values, grad=grad, contig_only=True, **kw)


def add(name, py, ts, inputs, kinds=CN, edge=False, **kw):
    SPECS.append(Spec(name, py, ts.replace("F.", F_TS), inputs, kinds=kinds, edge=edge, **kw))


def unary(name, py, ts, shape=(3, 4), lo=-4.0, hi=4.0, kinds=ALL, edge=True, **kw):
    add(name, py, ts, [T(*shape, lo=lo, hi=hi)], kinds=kinds, edge=edge, **kw)


# ---- activations ------------------------------------------------------------------------------
unary("relu", "F.relu(a)", "F.relu(a)")
unary("relu_inplace", "F.relu(a * 1, inplace=True)", "F.relu(a.mul(1), true)", kinds=CN, edge=False)
unary("relu6", "F.relu6(a * 2)", "F.relu6(a.mul(2))")
# at the kinks the gradient is PyTorch's convention, not a derivative: no gradcheck there
add("relu6_at_kinks", "F.relu6(a)", "F.relu6(a)", [V([-1.0, 0.0, 3.0, 6.0, 7.0])], kinds=["contig"],
    gradcheck=False)
unary("hardtanh", "F.hardtanh(a, -0.5, 1.5)", "F.hardtanh(a, -0.5, 1.5)")
unary("leaky_relu", "F.leaky_relu(a, 0.2)", "F.leakyRelu(a, 0.2)")
unary("leaky_relu_default", "F.leaky_relu(a)", "F.leakyRelu(a)", kinds=CN, edge=False)
unary("elu", "F.elu(a, 1.3)", "F.elu(a, 1.3)")
unary("elu_inplace", "F.elu(a * 1, 0.5, inplace=True)", "F.elu(a.mul(1), 0.5, true)", kinds=CN, edge=False)
unary("selu", "F.selu(a)", "F.selu(a)")
unary("celu", "F.celu(a, 0.7)", "F.celu(a, 0.7)")
unary("gelu", "F.gelu(a)", "F.gelu(a)")
unary("gelu_tanh", "F.gelu(a, approximate='tanh')", "F.gelu(a, { approximate: 'tanh' })")
unary("silu", "F.silu(a)", "F.silu(a)")
unary("mish", "F.mish(a)", "F.mish(a)")
unary("sigmoid", "F.sigmoid(a)", "F.sigmoid(a)")
unary("tanh", "F.tanh(a)", "F.tanh(a)")
unary("softplus", "F.softplus(a, 2, 5)", "F.softplus(a, 2, 5)")
unary("softplus_default", "F.softplus(a * 8)", "F.softplus(a.mul(8))")
unary("hardswish", "F.hardswish(a)", "F.hardswish(a)")
# 16 elements: PyTorch's vectorised kernel (gradient 1 at x = 3; its scalar tail loop gives 1.5)
add("hardswish_at_kinks", "F.hardswish(a)", "F.hardswish(a)", [V([-4.0, -3.0, -1.0, 0.0, 3.0, 5.0] * 2 + [3.0] * 4)],
    kinds=["contig"], gradcheck=False)
unary("hardsigmoid", "F.hardsigmoid(a)", "F.hardsigmoid(a)")
add("hardsigmoid_at_kinks", "F.hardsigmoid(a)", "F.hardsigmoid(a)", [V([-4.0, -3.0, 0.0, 3.0, 5.0])],
    kinds=["contig"], gradcheck=False)
unary("logsigmoid", "F.logsigmoid(a)", "F.logsigmoid(a)")
unary("logsigmoid_wide", "F.logsigmoid(a)", "F.logsigmoid(a)", lo=-40, hi=40, kinds=CN, edge=False)
for dim in [1, -1, 0]:
    unary(f"softmax_dim{dim}", f"F.softmax(a, {dim})", f"F.softmax(a, {dim})", edge=(dim == 0))
    unary(f"log_softmax_dim{dim}", f"F.log_softmax(a, {dim})", f"F.logSoftmax(a, {dim})", edge=(dim == 0))
unary("softmax_3d", "F.softmax(a, 1)", "F.softmax(a, 1)", shape=(2, 3, 4), kinds=CN, edge=False)
unary("softmax_large", "F.softmax(a, 1)", "F.softmax(a, 1)", lo=-300, hi=300, kinds=CN, edge=False)
unary("log_softmax_large", "F.log_softmax(a, 1)", "F.logSoftmax(a, 1)", lo=-300, hi=300, kinds=CN, edge=False)
unary("softmax_dtype", "F.softmax(a, 1, dtype=torch.float64)", "F.softmax(a, 1, { dtype: 'float64' })",
      kinds=CN, edge=False)
unary("softmin", "F.softmin(a, 1)", "F.softmin(a, 1)", edge=False)
add("softmax_neginf", "F.softmax(a, 1)", "F.softmax(a, 1)",
    [V([[0.5, float("-inf"), 1.0], [float("-inf"), float("-inf"), float("-inf")]])], kinds=["contig"], gradcheck=False)
add("log_softmax_neginf", "F.log_softmax(a, 0)", "F.logSoftmax(a, 0)", [V([0.5, float("-inf"), 1.0])],
    kinds=["contig"], gradcheck=False)
unary("glu", "F.glu(a)", "F.glu(a)", kinds=CN, edge=False)
unary("glu_dim0", "F.glu(a, 0)", "F.glu(a, 0)", shape=(4, 3), kinds=CN, edge=False)
unary("glu_odd", "F.glu(a, 1)", "F.glu(a, 1)", shape=(4, 3), kinds=["contig"], edge=False, dtypes=["float32"])
add("prelu", "F.prelu(a, b)", "F.prelu(a, b)", [T(2, 3, 4), T(3, lo=0.0, hi=0.5)])
add("prelu_shared", "F.prelu(a, b)", "F.prelu(a, b)", [T(2, 3, 4), T(1, lo=0.0, hi=0.5)])
add("prelu_1d", "F.prelu(a, b)", "F.prelu(a, b)", [T(5), T(1, lo=0.0, hi=0.5)])
add("prelu_zero", "F.prelu(a, b)", "F.prelu(a, b)", [V([[0.0, -1.0, 2.0]]), V([0.25, 0.5, 0.75])], kinds=["contig"],
    gradcheck=False)
add("prelu_mismatch", "F.prelu(a, b)", "F.prelu(a, b)", [T(2, 3, 4), T(4)], kinds=["contig"], dtypes=["float32"])

# ---- linear maps --------------------------------------------------------------------------------
add("linear", "F.linear(a, b, c)", "F.linear(a, b, c)", [T(4, 3), T(5, 3), T(5)])
add("linear_nobias", "F.linear(a, b)", "F.linear(a, b)", [T(2, 4, 3), T(5, 3)])
add("linear_1d", "F.linear(a, b, c)", "F.linear(a, b, c)", [T(3), T(5, 3), T(5)])
add("linear_bad", "F.linear(a, b)", "F.linear(a, b)", [T(4, 3), T(5, 2)], kinds=["contig"], dtypes=["float32"])
add("bilinear", "F.bilinear(a, b, c, d)", "F.bilinear(a, b, c, d)", [T(4, 3), T(4, 2), T(5, 3, 2), T(5)])
add("bilinear_batch", "F.bilinear(a, b, c)", "F.bilinear(a, b, c)", [T(2, 4, 3), T(2, 4, 2), T(5, 3, 2)])
add("bilinear_bad", "F.bilinear(a, b, c)", "F.bilinear(a, b, c)", [T(4, 3), T(4, 2), T(5, 2, 2)],
    kinds=["contig"], dtypes=["float32"])

# ---- dropout: seeded, so the masks are PyTorch's ----------------------------------------------------
add("dropout", "(torch.manual_seed(0), F.dropout(a, 0.3))[1]", "(torch.manualSeed(0), F.dropout(a, 0.3))",
    [T(6, 7)], kinds=ALL)
add("dropout_eval", "F.dropout(a, 0.3, False)", "F.dropout(a, 0.3, false)", [T(3, 4)])
add("dropout_p1", "F.dropout(a, 1.0)", "F.dropout(a, 1.0)", [T(3, 4)])
add("dropout_inplace", "(torch.manual_seed(3), F.dropout(a * 1, 0.5, True, True))[1]",
    "(torch.manualSeed(3), F.dropout(a.mul(1), 0.5, true, true))", [T(5, 4)])
add("dropout_bad_p", "F.dropout(a, 1.5)", "F.dropout(a, 1.5)", [T(3, 4)], kinds=["contig"], dtypes=["float32"])
add("dropout2d", "(torch.manual_seed(1), F.dropout2d(a, 0.5))[1]", "(torch.manualSeed(1), F.dropout2d(a, 0.5))",
    [T(3, 4, 2, 3)])
add("dropout2d_3d", "(torch.manual_seed(2), F.dropout2d(a, 0.4))[1]", "(torch.manualSeed(2), F.dropout2d(a, 0.4))",
    [T(4, 5, 3)])

# ---- embedding, one_hot -------------------------------------------------------------------------
add("embedding", "F.embedding(a, b)", "F.embedding(a, b)", [I(2, 3, hi=5), T(5, 4)])
add("embedding_repeat", "F.embedding(a, b)", "F.embedding(a, b)", [I(values=[[1, 2, 1], [0, 4, 1]]), T(5, 4)])
# padding rows and scale_grad_by_freq change the gradient on purpose: no gradcheck
add("embedding_padding", "F.embedding(a, b, padding_idx=1)", "F.embedding(a, b, { paddingIdx: 1 })",
    [I(values=[[1, 2, 1], [0, 4, 1]]), T(5, 4)], gradcheck=False)
add("embedding_padding_neg", "F.embedding(a, b, padding_idx=-1)", "F.embedding(a, b, { paddingIdx: -1 })",
    [I(values=[[4, 2], [0, 4]]), T(5, 3)], gradcheck=False)
add("embedding_scale_freq", "F.embedding(a, b, scale_grad_by_freq=True)",
    "F.embedding(a, b, { scaleGradByFreq: true })", [I(values=[[1, 2, 1], [0, 1, 1]]), T(5, 4)], gradcheck=False)
add("embedding_max_norm", "F.embedding(a, b, max_norm=1.0)", "F.embedding(a, b, { maxNorm: 1.0 })",
    [I(values=[[1, 2, 1], [0, 3, 1]]), T(5, 4)], gradcheck=False)
add("embedding_max_norm_p1", "F.embedding(a, b, max_norm=1.5, norm_type=1.0)",
    "F.embedding(a, b, { maxNorm: 1.5, normType: 1 })", [I(values=[0, 2, 4]), T(5, 4)], gradcheck=False)
add("embedding_0d_index", "F.embedding(a, b)", "F.embedding(a, b)", [I(values=3), T(5, 4)])
add("embedding_out_of_range", "F.embedding(a, b)", "F.embedding(a, b)", [I(values=[1, 5]), T(5, 4)],
    kinds=["contig"], dtypes=["float32"])
add("embedding_float_index", "F.embedding(a, b)", "F.embedding(a, b)", [T(3), T(5, 4)], kinds=["contig"],
    dtypes=["float32"])
add("one_hot", "F.one_hot(a, 6)", "F.oneHot(a, 6)", [I(2, 3, hi=6)], dtypes=["int64"], grad=False)
add("one_hot_infer", "F.one_hot(a)", "F.oneHot(a)", [I(values=[[0, 3], [2, 1]])], dtypes=["int64"], grad=False)
add("one_hot_too_small", "F.one_hot(a, 3)", "F.oneHot(a, 3)", [I(values=[0, 3])], dtypes=["int64"], grad=False)
add("one_hot_negative", "F.one_hot(a, 3)", "F.oneHot(a, 3)", [I(values=[0, -1])], dtypes=["int64"], grad=False)
add("one_hot_empty", "F.one_hot(a, 4)", "F.oneHot(a, 4)", [I(0, 2)], kinds=["contig"], dtypes=["int64"], grad=False)
add("one_hot_float", "F.one_hot(a, 4)", "F.oneHot(a, 4)", [T(3)], kinds=["contig"], dtypes=["float32"], grad=False)

# ---- distances ----------------------------------------------------------------------------------
add("normalize", "F.normalize(a)", "F.normalize(a)", [T(4, 5)], kinds=["contig", "noncontig", "empty"])
add("normalize_p1_dim0", "F.normalize(a, p=1.0, dim=0)", "F.normalize(a, 1, 0)", [T(4, 5)])
add("normalize_zero_row", "F.normalize(a)", "F.normalize(a)", [V([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0]])],
    kinds=["contig"], gradcheck=False)
add("cosine_similarity", "F.cosine_similarity(a, b)", "F.cosineSimilarity(a, b)", [T(4, 5), T(4, 5)],
    bshapes=[[(4, 5), (1, 5)], [(3, 1, 5), (4, 5)]])
add("cosine_similarity_dim0", "F.cosine_similarity(a, b, dim=0, eps=1e-6)", "F.cosineSimilarity(a, b, 0, 1e-6)",
    [T(4, 5), T(4, 5)])
add("cosine_similarity_tiny", "F.cosine_similarity(a, b)", "F.cosineSimilarity(a, b)",
    [V([[0.0, 0.0], [1e-9, 0.0], [3.0, 4.0]]), V([[1.0, 1.0], [1.0, 1.0], [1.0, 2.0]])], kinds=["contig"],
    gradcheck=False)
add("pairwise_distance", "F.pairwise_distance(a, b)", "F.pairwiseDistance(a, b)", [T(4, 5), T(4, 5)],
    bshapes=[[(4, 5), (5,)]])
add("pairwise_distance_p1_keepdim", "F.pairwise_distance(a, b, p=1.0, keepdim=True)",
    "F.pairwiseDistance(a, b, 1, 1e-6, true)", [T(4, 5), T(4, 5)])
add("pairwise_distance_p3", "F.pairwise_distance(a, b, p=3.0, eps=0.1)", "F.pairwiseDistance(a, b, 3, 0.1)",
    [T(4, 5), T(4, 5)])
add("pairwise_distance_1d", "F.pairwise_distance(a, b)", "F.pairwiseDistance(a, b)", [T(5), T(5)])

# ---- regression losses ----------------------------------------------------------------------------
RED = ["mean", "sum", "none"]
for r in RED:
    add(f"mse_loss_{r}", f"F.mse_loss(a, b, reduction='{r}')", f"F.mseLoss(a, b, {{ reduction: '{r}' }})",
        [T(3, 4), T(3, 4)], kinds=ALL, edge=(r == "none"))
    add(f"l1_loss_{r}", f"F.l1_loss(a, b, reduction='{r}')", f"F.l1Loss(a, b, {{ reduction: '{r}' }})",
        [T(3, 4), T(3, 4)], kinds=ALL, edge=(r == "none"))
    add(f"smooth_l1_loss_{r}", f"F.smooth_l1_loss(a, b, reduction='{r}', beta=0.5)",
        f"F.smoothL1Loss(a, b, {{ reduction: '{r}', beta: 0.5 }})", [T(3, 4), T(3, 4)], kinds=ALL,
        edge=(r == "none"))
    add(f"huber_loss_{r}", f"F.huber_loss(a, b, reduction='{r}', delta=0.7)",
        f"F.huberLoss(a, b, {{ reduction: '{r}', delta: 0.7 }})", [T(3, 4), T(3, 4)], kinds=ALL,
        edge=(r == "none"))
add("mse_loss_broadcast", "F.mse_loss(a, b)", "F.mseLoss(a, b)", [T(3, 4), T(4)])
add("smooth_l1_loss_default", "F.smooth_l1_loss(a, b)", "F.smoothL1Loss(a, b)", [T(3, 4), T(3, 4)])
add("smooth_l1_loss_beta0", "F.smooth_l1_loss(a, b, beta=0.0)", "F.smoothL1Loss(a, b, { beta: 0 })",
    [T(3, 4), T(3, 4)])
add("huber_loss_default", "F.huber_loss(a, b)", "F.huberLoss(a, b)", [T(3, 4), T(3, 4)])
add("smooth_l1_at_beta", "F.smooth_l1_loss(a, b, reduction='none', beta=0.5)",
    "F.smoothL1Loss(a, b, { reduction: 'none', beta: 0.5 })", [V([0.5, -0.5, 1.0, 0.0]), V([0.0, 0.0, 0.0, 0.0])],
    kinds=["contig"], gradcheck=False)
add("mse_loss_bad_reduction", "F.mse_loss(a, b, reduction='avg')", "F.mseLoss(a, b, { reduction: 'avg' })",
    [T(3), T(3)], kinds=["contig"], dtypes=["float32"])

# ---- binary classification -------------------------------------------------------------------------
P = dict(lo=0.02, hi=0.98)
for r in RED:
    add(f"bce_{r}", f"F.binary_cross_entropy(a, b, reduction='{r}')",
        f"F.binaryCrossEntropy(a, b, {{ reduction: '{r}' }})", [T(3, 4, **P), T(3, 4, lo=0, hi=1)],
        kinds=["contig", "noncontig", "scalar0d", "empty"])
    add(f"bce_logits_{r}", f"F.binary_cross_entropy_with_logits(a, b, reduction='{r}')",
        f"F.binaryCrossEntropyWithLogits(a, b, {{ reduction: '{r}' }})", [T(3, 4, lo=-6, hi=6), T(3, 4, lo=0, hi=1)],
        kinds=ALL)
add("bce_weight", "F.binary_cross_entropy(a, b, weight=c)", "F.binaryCrossEntropy(a, b, { weight: c })",
    [T(3, 4, **P), T(3, 4, lo=0, hi=1), T(4, lo=0, hi=2, grad=False)])
add("bce_clamped_log", "F.binary_cross_entropy(a, b, reduction='none')",
    "F.binaryCrossEntropy(a, b, { reduction: 'none' })", [V([0.0, 1.0, 1e-45, 0.5]), V([0.3, 0.6, 0.5, 1.0])],
    kinds=["contig"], dtypes=["float32"], grad=False)
add("bce_out_of_range", "F.binary_cross_entropy(a, b)", "F.binaryCrossEntropy(a, b)", [V([0.5, 1.5]), V([0.0, 1.0])],
    kinds=["contig"], dtypes=["float32"])
add("bce_size_mismatch", "F.binary_cross_entropy(a, b)", "F.binaryCrossEntropy(a, b)", [T(3, **P), T(2, **P)],
    kinds=["contig"], dtypes=["float32"])
add("bce_logits_weights", "F.binary_cross_entropy_with_logits(a, b, weight=c, pos_weight=d)",
    "F.binaryCrossEntropyWithLogits(a, b, { weight: c, posWeight: d })",
    [T(3, 4, lo=-6, hi=6), T(3, 4, lo=0, hi=1), T(3, 1, lo=0, hi=2, grad=False), T(4, lo=0.5, hi=3, grad=False)])
add("bce_logits_pos_weight_sum", "F.binary_cross_entropy_with_logits(a, b, pos_weight=c, reduction='sum')",
    "F.binaryCrossEntropyWithLogits(a, b, { posWeight: c, reduction: 'sum' })",
    [T(2, 3, 4, lo=-30, hi=30), T(2, 3, 4, lo=0, hi=1), T(4, lo=0.5, hi=3, grad=False)])
add("bce_logits_size_mismatch", "F.binary_cross_entropy_with_logits(a, b)", "F.binaryCrossEntropyWithLogits(a, b)",
    [T(3), T(3, 1)], kinds=["contig"], dtypes=["float32"])

# ---- classification -----------------------------------------------------------------------------
W5 = T(5, lo=0.2, hi=2.0, grad=False)
for r in RED:
    add(f"nll_loss_{r}", f"F.nll_loss(a, b, reduction='{r}')", f"F.nllLoss(a, b, {{ reduction: '{r}' }})",
        [T(4, 5), I(4, hi=5)], kinds=["contig", "noncontig", "empty"])
    add(f"nll_loss_weight_ignore_{r}", f"F.nll_loss(a, b, weight=c, ignore_index=2, reduction='{r}')",
        f"F.nllLoss(a, b, {{ weight: c, ignoreIndex: 2, reduction: '{r}' }})",
        [T(6, 5), I(values=[2, 0, 4, 2, 1, 4]), W5])
    add(f"cross_entropy_{r}", f"F.cross_entropy(a, b, reduction='{r}')",
        f"F.crossEntropy(a, b, {{ reduction: '{r}' }})", [T(4, 5), I(4, hi=5)], kinds=["contig", "noncontig", "empty"])
    add(f"cross_entropy_all_options_{r}",
        f"F.cross_entropy(a, b, weight=c, ignore_index=-100, reduction='{r}', label_smoothing=0.2)",
        f"F.crossEntropy(a, b, {{ weight: c, ignoreIndex: -100, reduction: '{r}', labelSmoothing: 0.2 }})",
        [T(6, 5), I(values=[3, -100, 0, 4, -100, 1]), W5])
    add(f"cross_entropy_smoothing_{r}", f"F.cross_entropy(a, b, reduction='{r}', label_smoothing=0.1)",
        f"F.crossEntropy(a, b, {{ reduction: '{r}', labelSmoothing: 0.1 }})", [T(2, 5, 3), I(2, 3, hi=5)])
    add(f"cross_entropy_probs_{r}", f"F.cross_entropy(a, b, reduction='{r}')",
        f"F.crossEntropy(a, b, {{ reduction: '{r}' }})", [T(4, 5), T(4, 5, lo=0, hi=1)])
    add(f"cross_entropy_probs_options_{r}", f"F.cross_entropy(a, b, weight=c, reduction='{r}', label_smoothing=0.3)",
        f"F.crossEntropy(a, b, {{ weight: c, reduction: '{r}', labelSmoothing: 0.3 }})",
        [T(2, 5, 3), T(2, 5, 3, lo=0, hi=1), W5])
# contiguous only: PyTorch 1.13's nll_loss2d backward refuses a non-contiguous input ("grad_input must be contiguous")
add("nll_loss_nd", "F.nll_loss(a, b)", "F.nllLoss(a, b)", [T(2, 5, 3, 2), I(2, 3, 2, hi=5)], kinds=["contig"])
add("nll_loss_1d", "F.nll_loss(a, b)", "F.nllLoss(a, b)", [T(5), I(values=3)])
add("nll_loss_all_ignored", "F.nll_loss(a, b)", "F.nllLoss(a, b)", [T(2, 3), I(values=[-100, -100])],
    gradcheck=False)
add("nll_loss_out_of_bounds", "F.nll_loss(a, b)", "F.nllLoss(a, b)", [T(2, 3), I(values=[0, 3])], kinds=["contig"],
    dtypes=["float32"])
add("nll_loss_batch_mismatch", "F.nll_loss(a, b)", "F.nllLoss(a, b)", [T(2, 3), I(3)], kinds=["contig"],
    dtypes=["float32"])
add("nll_loss_bad_weight", "F.nll_loss(a, b, weight=c)", "F.nllLoss(a, b, { weight: c })",
    [T(2, 3), I(2), T(4, grad=False)], kinds=["contig"], dtypes=["float32"])
add("cross_entropy_1d", "F.cross_entropy(a, b, label_smoothing=0.25)",
    "F.crossEntropy(a, b, { labelSmoothing: 0.25 })", [T(5), I(values=1)])
add("cross_entropy_probs_1d", "F.cross_entropy(a, b)", "F.crossEntropy(a, b)", [T(5), T(5, lo=0, hi=1)])
add("cross_entropy_ignore_smoothing_mean", "F.cross_entropy(a, b, ignore_index=1, label_smoothing=0.4)",
    "F.crossEntropy(a, b, { ignoreIndex: 1, labelSmoothing: 0.4 })", [T(5, 4), I(values=[1, 0, 3, 1, 2])])
add("cross_entropy_large_logits", "F.cross_entropy(a, b)", "F.crossEntropy(a, b)", [T(4, 5, lo=-500, hi=500),
                                                                                   I(4, hi=5)])
add("cross_entropy_bad_smoothing", "F.cross_entropy(a, b, label_smoothing=1.5)",
    "F.crossEntropy(a, b, { labelSmoothing: 1.5 })", [T(2, 3), I(2)], kinds=["contig"], dtypes=["float32"])
add("cross_entropy_float_target_ignore", "F.cross_entropy(a, b, ignore_index=1)",
    "F.crossEntropy(a, b, { ignoreIndex: 1 })", [T(2, 3), T(2, 3, lo=0, hi=1)], kinds=["contig"], dtypes=["float32"])
for r in RED + ["batchmean"]:
    add(f"kl_div_{r}", f"F.kl_div(a, b, reduction='{r}')", f"F.klDiv(a, b, {{ reduction: '{r}' }})",
        [T(3, 4, lo=-3, hi=0), T(3, 4, lo=0.01, hi=1)])
    add(f"kl_div_log_target_{r}", f"F.kl_div(a, b, reduction='{r}', log_target=True)",
        f"F.klDiv(a, b, {{ reduction: '{r}', logTarget: true }})", [T(3, 4, lo=-3, hi=0), T(3, 4, lo=-3, hi=0)])
add("kl_div_zero_target", "F.kl_div(a, b, reduction='none')", "F.klDiv(a, b, { reduction: 'none' })",
    [T(4, lo=-3, hi=0), V([0.0, 0.5, 0.0, 0.25], grad=False)], kinds=["contig"])
add("kl_div_0d_batchmean", "F.kl_div(a, b, reduction='batchmean')", "F.klDiv(a, b, { reduction: 'batchmean' })",
    [T(4, lo=-3, hi=0), T(4, lo=0.01, hi=1)], kinds=["scalar0d"])

# ---- embedding and ranking losses -------------------------------------------------------------------
Y4 = [1.0, -1.0, 1.0, -1.0]
for r in RED:
    add(f"cosine_embedding_loss_{r}", f"F.cosine_embedding_loss(a, b, c, margin=0.2, reduction='{r}')",
        f"F.cosineEmbeddingLoss(a, b, c, {{ margin: 0.2, reduction: '{r}' }})", [T(4, 5), T(4, 5), V(Y4, grad=False)])
    add(f"margin_ranking_loss_{r}", f"F.margin_ranking_loss(a, b, c, margin=0.1, reduction='{r}')",
        f"F.marginRankingLoss(a, b, c, {{ margin: 0.1, reduction: '{r}' }})", [T(4), T(4), V(Y4, grad=False)])
    add(f"triplet_margin_loss_{r}", f"F.triplet_margin_loss(a, b, c, reduction='{r}')",
        f"F.tripletMarginLoss(a, b, c, {{ reduction: '{r}' }})", [T(4, 5), T(4, 5), T(4, 5)])
add("cosine_embedding_loss_1d", "F.cosine_embedding_loss(a, b, c)", "F.cosineEmbeddingLoss(a, b, c)",
    [T(5), T(5), V(-1.0, grad=False)])
add("cosine_embedding_loss_bad", "F.cosine_embedding_loss(a, b, c)", "F.cosineEmbeddingLoss(a, b, c)",
    [T(5), T(5), V(Y4, grad=False)], kinds=["contig"], dtypes=["float32"])
add("margin_ranking_loss_default", "F.margin_ranking_loss(a, b, c)", "F.marginRankingLoss(a, b, c)",
    [T(4), T(4), V(Y4, grad=False)])
add("margin_ranking_loss_dims", "F.margin_ranking_loss(a, b, c)", "F.marginRankingLoss(a, b, c)",
    [T(4), T(4), V([Y4], grad=False)], kinds=["contig"], dtypes=["float32"])
add("triplet_margin_loss_options", "F.triplet_margin_loss(a, b, c, margin=0.5, p=1.0, eps=1e-3, swap=True)",
    "F.tripletMarginLoss(a, b, c, { margin: 0.5, p: 1, eps: 1e-3, swap: true })", [T(4, 5), T(4, 5), T(4, 5)])
add("triplet_margin_loss_1d", "F.triplet_margin_loss(a, b, c, margin=3.0)",
    "F.tripletMarginLoss(a, b, c, { margin: 3.0 })", [T(5), T(5), T(5)])

# ---- CTC (through log_softmax; lengths and targets fixed so every alignment exists) ----------------
# gradgradcheck (slow: one graph node per op per time step) on the first spec only
CTC_T = [[1, 2, 2, 3], [3, 1, 0, 0], [4, 4, 1, 0]]
for r in RED:
    add(f"ctc_loss_{r}", f"F.ctc_loss(F.log_softmax(a, 2), b, c, d, reduction='{r}')",
        f"F.ctcLoss(F.logSoftmax(a, 2), b, c, d, {{ reduction: '{r}' }})",
        [T(8, 3, 5), I(values=CTC_T), I(values=[8, 6, 7]), I(values=[4, 2, 3])], gradgrad=(r == "mean"))
add("ctc_loss_concat_targets", "F.ctc_loss(F.log_softmax(a, 2), b, c, d)",
    "F.ctcLoss(F.logSoftmax(a, 2), b, c, d)",
    [T(7, 3, 4), I(values=[1, 2, 2, 3, 3, 1]), I(values=[7, 7, 5]), I(values=[3, 1, 2])], gradgrad=False)
add("ctc_loss_blank_last", "F.ctc_loss(F.log_softmax(a, 2), b, c, d, blank=4, reduction='sum')",
    "F.ctcLoss(F.logSoftmax(a, 2), b, c, d, { blank: 4, reduction: 'sum' })",
    [T(6, 2, 5), I(values=[[0, 0, 3], [2, 1, 0]]), I(values=[6, 4]), I(values=[3, 2])], gradgrad=False)
add("ctc_loss_empty_target", "F.ctc_loss(F.log_softmax(a, 2), b, c, d, reduction='none')",
    "F.ctcLoss(F.logSoftmax(a, 2), b, c, d, { reduction: 'none' })",
    [T(5, 2, 3), I(values=[[1, 2], [0, 0]]), I(values=[5, 3]), I(values=[2, 0])], gradgrad=False)
add("ctc_loss_unbatched", "F.ctc_loss(F.log_softmax(a, 1), b, c, d)", "F.ctcLoss(F.logSoftmax(a, 1), b, c, d)",
    [T(6, 4), I(values=[1, 3, 3]), I(values=6), I(values=3)], gradgrad=False)
add("ctc_loss_impossible", "F.ctc_loss(F.log_softmax(a, 2), b, c, d, reduction='none')",
    "F.ctcLoss(F.logSoftmax(a, 2), b, c, d, { reduction: 'none' })",
    [T(3, 2, 4), I(values=[[1, 1, 1], [2, 3, 0]]), I(values=[3, 3]), I(values=[3, 2])], grad=False)
add("ctc_loss_zero_infinity", "F.ctc_loss(F.log_softmax(a, 2), b, c, d, reduction='sum', zero_infinity=True)",
    "F.ctcLoss(F.logSoftmax(a, 2), b, c, d, { reduction: 'sum', zeroInfinity: true })",
    [T(3, 2, 4), I(values=[[1, 1, 1], [2, 3, 0]]), I(values=[3, 3]), I(values=[3, 2])], gradgrad=False)
add("ctc_loss_input_too_long", "F.ctc_loss(a, b, c, d)", "F.ctcLoss(a, b, c, d)",
    [T(4, 2, 3), I(values=[[1, 2], [1, 0]]), I(values=[5, 4]), I(values=[2, 1])], kinds=["contig"],
    dtypes=["float32"])
