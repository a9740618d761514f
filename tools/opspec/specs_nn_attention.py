"""Specs of the attention functionals: scaled_dot_product_attention and multi_head_attention_forward.

PyTorch 1.13 has the former only as the private F._scaled_dot_product_attention (boolean masks mean
"takes part", float masks are added, is_causal, dropout), which returns (output, weights): the specs
take its output. Its `scale` argument came later (PyTorch 2.1): that spec's reference is the explicit
formula softmax(q k^T * scale) v written with PyTorch ops. Dropout specs seed the generator inside
the expression, so the mask is PyTorch's and gradcheck sees one fixed mask.
"""

import torch

from framework import Spec, T

SPECS = []
CN = ["contig", "noncontig"]
F_TS = "torch.nn.functional."
SDPA = "F._scaled_dot_product_attention"


def add(name, py, ts, inputs, kinds=CN, **kw):
    SPECS.append(Spec(name, py, ts.replace("F.", F_TS), inputs, kinds=kinds, edge=False, **kw))


def B(values):
    """A fixed boolean mask."""
    shape = tuple(torch.tensor(values).shape)
    return T(*shape, dtype="bool", values=values, grad=False, contig_only=True)


Q, K, V = T(2, 3, 4), T(2, 5, 4), T(2, 5, 6)
Q4, K4, V4 = T(2, 2, 3, 4), T(2, 2, 5, 4), T(2, 2, 5, 3)

add("sdpa", f"{SDPA}(a, b, c)[0]", "F.scaledDotProductAttention(a, b, c)", [Q, K, V])
add("sdpa_4d_bool_mask", f"{SDPA}(a, b, c, attn_mask=d)[0]", "F.scaledDotProductAttention(a, b, c, { attnMask: d })",
    [Q4, K4, V4, B([[True, False, True, True, False], [True, True, True, True, True],
                    [False, False, True, True, False]])])
add("sdpa_float_mask", f"{SDPA}(a, b, c, attn_mask=d)[0]", "F.scaledDotProductAttention(a, b, c, { attnMask: d })",
    [Q4, K4, V4, T(2, 1, 3, 5)])
add("sdpa_causal", f"{SDPA}(a, b, c, is_causal=True)[0]", "F.scaledDotProductAttention(a, b, c, { isCausal: true })",
    [T(2, 4, 4), T(2, 4, 4), T(2, 4, 3)])
add("sdpa_causal_rect", f"{SDPA}(a, b, c, is_causal=True)[0]",
    "F.scaledDotProductAttention(a, b, c, { isCausal: true })", [Q, K, V])
add("sdpa_dropout", f"(torch.manual_seed(0), {SDPA}(a, b, c, dropout_p=0.3)[0])[1]",
    "(torch.manualSeed(0), F.scaledDotProductAttention(a, b, c, { dropoutP: 0.3 }))", [Q4, K4, V4])
add("sdpa_scale", "torch.softmax(a @ b.transpose(-2, -1) * 0.3, -1) @ c",
    "F.scaledDotProductAttention(a, b, c, { scale: 0.3 })", [Q, K, V])

# multi_head_attention_forward: self-attention (one shared projection), then cross-attention with masks.
# Inputs in [-1, 1] and weights in [-0.5, 0.5]: with the default [-2, 2] the scores reach tens, and
# PyTorch's own float32 gradients drift ~1e-5 from its float64 ones (ill-conditioned, not a bug).
X = dict(lo=-1.0, hi=1.0)
W = dict(lo=-0.5, hi=0.5)
add("mha_forward_self",
    "F.multi_head_attention_forward(a, a, a, 4, 2, b, c, None, None, False, 0.0, d, e)",
    "F.multiHeadAttentionForward(a, a, a, 4, 2, b, c, null, null, false, 0, d, e)",
    [T(3, 2, 4, **X), T(12, 4, **W), T(12, **W), T(4, 4, **W), T(4, **W)])
add("mha_forward_cross_masks",
    "F.multi_head_attention_forward(a, b, b, 4, 2, c, d, None, None, False, 0.0, e, None,"
    " key_padding_mask=torch.tensor([[False, False, False, True, True], [False, False, False, False, False]]),"
    " attn_mask=torch.tensor([[False, True, False, False, False], [False, False, False, False, False],"
    " [True, False, False, False, False]]), average_attn_weights=False)",
    "F.multiHeadAttentionForward(a, b, b, 4, 2, c, d, null, null, false, 0, e, null,"
    " { keyPaddingMask: torch.tensor([[false, false, false, true, true], [false, false, false, false, false]],"
    " { device: a.device }), attnMask: torch.tensor([[false, true, false, false, false],"
    " [false, false, false, false, false], [true, false, false, false, false]], { device: a.device }),"
    " averageAttnWeights: false })",
    [T(3, 2, 4, **X), T(5, 2, 4, **X), T(12, 4, **W), T(12, **W), T(4, 4, **W)])
add("mha_forward_dropout",
    "(torch.manual_seed(5), F.multi_head_attention_forward(a, a, a, 4, 2, b, c, None, None, False, 0.4, d, e))[1]",
    "(torch.manualSeed(5), F.multiHeadAttentionForward(a, a, a, 4, 2, b, c, null, null, false, 0.4, d, e))",
    [T(3, 2, 4, **X), T(12, 4, **W), T(12, **W), T(4, 4, **W), T(4, **W)])
