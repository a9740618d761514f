#!/usr/bin/python3
"""Write test/fixtures/nn_seq.json: PyTorch references for the sequence layers (RNN, LSTM, GRU, their
cells, nn.utils.rnn packing, MultiheadAttention and the Transformer family).

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_nn_seq_fixtures.py`. test/nn_seq.test.ts
replays each case in torchts:
  - the module built right after torch.manual_seed(seed): its repr, state-dict keys in order and
    values (`init`), so default initialisation (and its order of random draws) is compared;
  - `state`: every parameter re-drawn at random (attention biases and LayerNorm weights start as
    constants), loaded into the torchts module;
  - steps, each in train or eval mode, run right after torch.manual_seed(step_seed) so dropout masks
    are PyTorch's: the inputs (named a, b, c, ...; float ones require grad), the call (a Python and a
    TS expression of m and the inputs), its outputs flattened (nested tuples, PackedSequence fields,
    None skipped), and the gradients of sum(out * cotangent) over the differentiable outputs with
    respect to the float inputs and every parameter.
The attention layers run PyTorch's math path here: autograd is on and the parameters require grad,
which rules out 1.13's fused eval-mode kernels.
"""

import json
import os
import sys

import numpy as np
import torch
from torch import nn
from torch.nn.utils import rnn as U

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "opspec"))
from framework import encode_tensor  # noqa: E402

OUT = os.path.join(HERE, "..", "test", "fixtures", "nn_seq.json")
NAMES = "abcdefgh"


def F(*shape):
    """A random float input that requires grad."""
    return ("f", shape)


def K(values, dtype):
    """A fixed input (mask, lengths) given by value."""
    return ("k", values, dtype)


CASES = []


def case(name, py, ts, inputs, call, steps=("train",), redraw=False):
    """py/ts: module constructors (None: no module); call: (python expr, ts expr) of m and inputs."""
    CASES.append(dict(name=name, py=py, ts=ts, inputs=inputs, call=call, steps=list(steps), redraw=redraw))


def mod(py, ts, shape, steps=("train",), redraw=False, name=None):
    """A module applied to one float input: forward(a)."""
    case(name, py, ts, [F(*shape)], ("m(a)", "m.forward(a)"), steps, redraw)


NEG = float("-inf")

# ---- RNN, LSTM, GRU --------------------------------------------------------------------------------
mod("nn.RNN(3, 4)", "new nn.RNN(3, 4)", (5, 2, 3), name="rnn_tanh")
case("rnn_relu_2layer_bidir_h0", "nn.RNN(3, 4, 2, nonlinearity='relu', bidirectional=True)",
     "new nn.RNN(3, 4, 2, { nonlinearity: 'relu', bidirectional: true })", [F(4, 2, 3), F(4, 2, 4)],
     ("m(a, b)", "m.forward(a, b)"))
case("rnn_unbatched_batch_first", "nn.RNN(3, 4, batch_first=True)", "new nn.RNN(3, 4, { batchFirst: true })",
     [F(5, 3), F(1, 4)], ("m(a, b)", "m.forward(a, b)"))
mod("nn.LSTM(3, 5)", "new nn.LSTM(3, 5)", (4, 2, 3), name="lstm")
case("lstm_2layer_bidir_batch_first_h0c0", "nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)",
     "new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true })",
     [F(2, 5, 3), F(4, 2, 4), F(4, 2, 4)], ("m(a, (b, c))", "m.forward(a, [b, c])"))
mod("nn.LSTM(3, 4, num_layers=3, dropout=0.5)", "new nn.LSTM(3, 4, { numLayers: 3, dropout: 0.5 })", (4, 2, 3),
    steps=("train", "train", "eval"), name="lstm_dropout")
mod("nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)",
    "new nn.LSTM(3, 5, { projSize: 2, numLayers: 2, bidirectional: true })", (3, 2, 3), name="lstm_proj")
mod("nn.LSTM(3, 4, bias=False)", "new nn.LSTM(3, 4, { bias: false })", (3, 2, 3), name="lstm_no_bias")
case("lstm_unbatched_h0c0", "nn.LSTM(2, 3, 2)", "new nn.LSTM(2, 3, 2)", [F(4, 2), F(2, 3), F(2, 3)],
     ("m(a, (b, c))", "m.forward(a, [b, c])"))
case("gru_h0", "nn.GRU(3, 4)", "new nn.GRU(3, 4)", [F(5, 2, 3), F(1, 2, 4)], ("m(a, b)", "m.forward(a, b)"))
mod("nn.GRU(3, 4, 2, dropout=0.3, bidirectional=True, batch_first=True)",
    "new nn.GRU(3, 4, 2, { dropout: 0.3, bidirectional: true, batchFirst: true })", (3, 4, 3),
    steps=("train", "eval"), name="gru_2layer_bidir_dropout")

# packed sequences through the layers (outputs: packed data, then the final states)
case("lstm_packed_unsorted", "nn.LSTM(3, 4, 2, bidirectional=True)", "new nn.LSTM(3, 4, 2, { bidirectional: true })",
     [F(5, 4, 3), F(4, 4, 4), F(4, 4, 4)],
     ("(lambda r: (r[0].data, U.pad_packed_sequence(r[0])[0], r[1]))"
      "(m(U.pack_padded_sequence(a, [2, 5, 3, 4], enforce_sorted=False), (b, c)))",
      "((r) => [r[0].data, U.padPackedSequence(r[0])[0], r[1]])"
      "(m.forward(U.packPaddedSequence(a, [2, 5, 3, 4], false, false), [b, c]))"))
case("gru_packed_sorted_batch_first", "nn.GRU(3, 4, batch_first=True, bidirectional=True)",
     "new nn.GRU(3, 4, { batchFirst: true, bidirectional: true })", [F(3, 4, 3)],
     ("(lambda r: (U.pad_packed_sequence(r[0], batch_first=True, total_length=5)[0], r[1]))"
      "(m(U.pack_padded_sequence(a, torch.tensor([4, 3, 1]), batch_first=True)))",
      "((r) => [U.padPackedSequence(r[0], true, 0, 5)[0], r[1]])"
      "(m.forward(U.packPaddedSequence(a, torch.tensor([4, 3, 1]), true)))"))
case("rnn_packed_dropout", "nn.RNN(2, 3, 2, dropout=0.5)", "new nn.RNN(2, 3, 2, { dropout: 0.5 })", [F(4, 3, 2)],
     ("(lambda r: (r[0].data, r[1]))(m(U.pack_padded_sequence(a, [3, 4, 2], enforce_sorted=False)))",
      "((r) => [r[0].data, r[1]])(m.forward(U.packPaddedSequence(a, [3, 4, 2], false, false)))"))

# single-step cells
case("rnn_cell_relu", "nn.RNNCell(3, 4, nonlinearity='relu')", "new nn.RNNCell(3, 4, { nonlinearity: 'relu' })",
     [F(2, 3), F(2, 4)], ("m(a, b)", "m.forward(a, b)"))
case("lstm_cell", "nn.LSTMCell(3, 4)", "new nn.LSTMCell(3, 4)", [F(2, 3), F(2, 4), F(2, 4)],
     ("m(a, (b, c))", "m.forward(a, [b, c])"))
mod("nn.GRUCell(3, 4, bias=False)", "new nn.GRUCell(3, 4, { bias: false })", (3,), name="gru_cell_unbatched")

# nn.utils.rnn without a module
case("pad_and_pack_sequence", None, None, [F(3, 2), F(5, 2), F(1, 2)],
     ("(lambda p: (U.pad_sequence([a, b, c]), U.pad_sequence([a, b, c], batch_first=True, padding_value=-1.0),"
      " p.data, p.batch_sizes, p.sorted_indices, p.unsorted_indices, *U.pad_packed_sequence(p, batch_first=True)))"
      "(U.pack_sequence([a, b, c], enforce_sorted=False))",
      "((p) => [U.padSequence([a, b, c]), U.padSequence([a, b, c], true, -1),"
      " p.data, p.batchSizes, p.sortedIndices, p.unsortedIndices, ...U.padPackedSequence(p, true)])"
      "(U.packSequence([a, b, c], false))"))

# ---- attention -------------------------------------------------------------------------------------
R = dict(redraw=True)
case("mha_self", "nn.MultiheadAttention(8, 2)", "new nn.MultiheadAttention(8, 2)", [F(3, 2, 8)],
     ("m(a, a, a)", "m.forward(a, a, a)"), **R)
case("mha_cross_masks_batch_first", "nn.MultiheadAttention(8, 2, batch_first=True)",
     "new nn.MultiheadAttention(8, 2, { batchFirst: true })",
     [F(2, 3, 8), F(2, 4, 8), F(2, 4, 8), K([[False, False, True, True], [False, False, False, True]], "bool"),
      K([[False, True, False, False], [False, False, False, True], [True, False, False, False]], "bool")],
     ("m(a, b, c, key_padding_mask=d, attn_mask=e, average_attn_weights=False)",
      "m.forward(a, b, c, { keyPaddingMask: d, attnMask: e, averageAttnWeights: false })"), **R)
case("mha_kdim_vdim_dropout_float_mask", "nn.MultiheadAttention(8, 4, dropout=0.3, kdim=6, vdim=5)",
     "new nn.MultiheadAttention(8, 4, { dropout: 0.3, kdim: 6, vdim: 5 })",
     [F(3, 2, 8), F(4, 2, 6), F(4, 2, 5), F(8, 3, 4)],
     ("m(a, b, c, attn_mask=d)", "m.forward(a, b, c, { attnMask: d })"), steps=("train", "eval"), **R)
case("mha_bias_kv_zero_attn_kv_shared", "nn.MultiheadAttention(6, 3, add_bias_kv=True, add_zero_attn=True)",
     "new nn.MultiheadAttention(6, 3, { addBiasKv: true, addZeroAttn: true })",
     [F(2, 2, 6), F(3, 2, 6), K([[False, False, True], [False, False, False]], "bool")],
     ("m(a, b, b, key_padding_mask=c)", "m.forward(a, b, b, { keyPaddingMask: c })"), **R)
case("mha_unbatched_no_weights", "nn.MultiheadAttention(4, 2, bias=False)",
     "new nn.MultiheadAttention(4, 2, { bias: false })", [F(3, 4), F(5, 4)],
     ("m(a, b, b, need_weights=False)", "m.forward(a, b, b, { needWeights: false })"), **R)

CAUSAL4 = [[0.0 if j <= i else NEG for j in range(4)] for i in range(4)]
case("encoder_layer_causal", "nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0)",
     "new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0 })", [F(4, 2, 4), K(CAUSAL4, "float32")],
     ("m(a, src_mask=b)", "m.forward(a, { srcMask: b })"), steps=("train", "eval"), **R)
case("encoder_layer_gelu_norm_first_dropout",
     "nn.TransformerEncoderLayer(4, 2, 8, dropout=0.2, activation='gelu', norm_first=True, batch_first=True)",
     "new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.2, activation: 'gelu', normFirst: true,"
     " batchFirst: true })",
     [F(2, 3, 4), K([[False, False, True], [False, False, False]], "bool")],
     ("m(a, src_key_padding_mask=b)", "m.forward(a, { srcKeyPaddingMask: b })"), steps=("train", "eval"), **R)
case("encoder_2layers_norm",
     "nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.1, batch_first=True), 2, nn.LayerNorm(4))",
     "new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.1,"
     " batchFirst: true }), 2, new nn.LayerNorm(4))",
     [F(2, 4, 4), K([[False, False, False, True], [False, False, False, False]], "bool")],
     ("m(a, src_key_padding_mask=b)", "m.forward(a, { srcKeyPaddingMask: b })"), steps=("train", "eval"), **R)
case("decoder_layer", "nn.TransformerDecoderLayer(4, 2, 8, dropout=0.1)",
     "new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8, dropout: 0.1 })",
     [F(4, 2, 4), F(3, 2, 4), K(CAUSAL4, "float32")],
     ("m(a, b, tgt_mask=c)", "m.forward(a, b, { tgtMask: c })"), steps=("train", "eval"), **R)
case("decoder_2layers_norm_first",
     "nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0, norm_first=True), 2)",
     "new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8, dropout: 0,"
     " normFirst: true }), 2)",
     [F(3, 2, 4), F(4, 2, 4), K([[False, False, True, True], [False, False, False, False]], "bool")],
     ("m(a, b, memory_key_padding_mask=c)", "m.forward(a, b, { memoryKeyPaddingMask: c })"), **R)
case("transformer",
     "nn.Transformer(4, 2, 1, 2, 8, dropout=0.1, batch_first=True)",
     "new nn.Transformer(4, 2, { numEncoderLayers: 1, numDecoderLayers: 2, dimFeedforward: 8, dropout: 0.1,"
     " batchFirst: true })",
     [F(2, 3, 4), F(2, 4, 4), K(CAUSAL4, "float32")],
     ("m(a, b, tgt_mask=c)", "m.forward(a, b, { tgtMask: c })"), steps=("train", "eval"))


def flatten(r):
    if r is None:
        return []
    if isinstance(r, torch.Tensor):
        return [r]
    out = []
    for x in r:
        out.extend(flatten(x))
    return out


def state_list(m):
    return [[k, encode_tensor(v)] for k, v in m.state_dict().items()]


def make_input(spec, g):
    if spec[0] == "f":
        return (torch.rand(spec[1], generator=g) * 2 - 1).requires_grad_(True)
    return torch.tensor(spec[1], dtype=getattr(torch, spec[2]))


def run(c, seed):
    out = {"name": c["name"], "ts": c["ts"], "seed": seed, "call": c["call"][1]}
    g = torch.Generator()
    g.manual_seed(1000 + seed)
    m = None
    if c["py"]:
        torch.manual_seed(seed)
        m = eval(c["py"], {"nn": nn})
        out["repr"] = str(m)
        out["init"] = state_list(m)
        if c["redraw"]:
            with torch.no_grad():
                for p in m.parameters():
                    p.copy_(torch.rand(p.shape, generator=g) - 0.5)
        if c["redraw"]:  # otherwise the state is the initial one
            out["state"] = state_list(m)
    params = dict(m.named_parameters()) if m is not None else {}
    steps = []
    for i, mode in enumerate(c["steps"]):
        if m is not None:
            m.train(mode == "train")
        xs = [make_input(s, g) for s in c["inputs"]]
        env = {"m": m, "U": U, "torch": torch}
        env.update({NAMES[j]: x for j, x in enumerate(xs)})
        step_seed = 100 * seed + i
        torch.manual_seed(step_seed)
        ys = flatten(eval(c["call"][0], env))
        step = {"train": mode == "train", "seed": step_seed,
                "inputs": [dict(encode_tensor(x), grad=x.requires_grad) for x in xs],
                "outputs": [encode_tensor(y) for y in ys]}
        diff = [y for y in ys if y.requires_grad]
        leaves = [x for x in xs if x.requires_grad]
        names = list(params.keys())
        cots = [torch.randn(y.shape, generator=g) for y in diff]
        step["cotangents"] = [encode_tensor(ct) for ct in cots]
        if diff:
            total = sum((y * ct).sum() for y, ct in zip(diff, cots))
            grads = torch.autograd.grad(total, leaves + [params[k] for k in names], allow_unused=True)
            enc = [encode_tensor(gr) if gr is not None else None for gr in grads]
            step["input_grads"] = enc[:len(leaves)]
            step["param_grads"] = [[k, e] for k, e in zip(names, enc[len(leaves):])]
        steps.append(step)
    out["steps"] = steps
    return out


def main():
    torch.set_num_threads(1)
    cases = [run(c, i + 1) for i, c in enumerate(CASES)]
    with open(OUT, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
    print(f"{len(cases)} cases -> {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
