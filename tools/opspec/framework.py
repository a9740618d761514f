"""Op-spec framework: describes op test cases once and runs them through PyTorch to write fixtures.

A spec names an op, its PyTorch call (`py`) and its torchts call (`ts`) side by side, the input
shapes/dtypes/value domains, and which input kinds to generate. `gen_fixtures.py` runs every spec
through Debian's PyTorch and writes JSON fixtures that test/ops.test.ts replays on every backend.

Input kinds generated per spec (each a separate case):
  contig     inputs as given
  noncontig  every input of ndim >= 2 is a transposed view (1-D: a stride-2 slice)
  broadcast  the spec's `bshapes` (inputs that broadcast against each other)
  scalar0d   0-dim inputs
  empty      inputs with a zero-size dim
  edge       NaN, +-Inf, +-0, huge and tiny values (float dtypes, first float input)
A spec's `shapes` adds named cases with explicit shapes and layouts (e.g. matmul's (3,0)@(0,4)).
Layouts are replayed in TS: {"t": [d0, d1]} (base has d0/d1 swapped, view transposes them),
{"step": d} (base has dim d doubled, view takes every 2nd), {"expand": shape}.
"""

import hashlib
import math

import numpy as np
import torch

FLOATS = ["float32", "float64"]
INTS = ["int32", "int64"]
ALL_INT = ["int8", "uint8", "int16", "int32", "int64"]
EDGE_VALUES = [float("nan"), float("inf"), float("-inf"), 0.0, -0.0, 1e-30, -1e-30, 1e30, -1e30,
               0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 1e-5]


class T:
    """One tensor input: shape, value domain (lo, hi) and options."""

    def __init__(self, *shape, lo=-2.0, hi=2.0, grad=True, dtype=None, values=None, int_range=None,
                 contig_only=False):
        self.shape = tuple(shape)
        self.lo, self.hi = lo, hi
        self.grad = grad
        self.dtype = dtype  # fixed dtype (e.g. an index tensor), else the case's dtype
        self.values = values  # explicit values (nested list), overrides random
        self.int_range = int_range  # (lo, hi) for integer dtypes
        self.contig_only = contig_only  # stays contiguous in the noncontig kind (e.g. index tensors)

    def with_shape(self, shape):
        t = T(*shape, lo=self.lo, hi=self.hi, grad=self.grad, dtype=self.dtype, int_range=self.int_range,
              contig_only=self.contig_only)
        return t


class Spec:
    def __init__(self, name, py, ts, inputs, dtypes=FLOATS, grad=True, kinds=None, bshapes=None,
                 edge=True, gradgrad=True, tol=None, gradcheck=True, note=None, unique=False, shapes=None):
        self.name = name
        self.py = py
        self.ts = ts
        self.inputs = inputs
        self.dtypes = dtypes
        self.grad = grad
        # kinds=[] leaves only the edge case (when `edge`)
        self.kinds = kinds if kinds is not None else ["contig", "noncontig", "scalar0d", "empty"]
        self.bshapes = bshapes
        self.edge = edge
        self.gradgrad = gradgrad
        self.tol = tol  # {"float32": [rtol, atol], ...} overrides, with a reason in `note`
        self.gradcheck = gradcheck and grad
        self.note = note
        self.unique = unique  # values drawn without ties (for sort-like ops)
        # extra named cases: [(label, [shape | {"shape": s, "t": [d0, d1]} | {"shape": s, "step": d}
        #                              | {"base": b, "expand": s}, ...]), ...] -> case id "label/dtype"
        self.shapes = shapes


def seeded(name):
    g = torch.Generator()
    g.manual_seed(int(hashlib.sha256(name.encode()).hexdigest()[:8], 16))
    return g


def encode_value(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0 and math.copysign(1, v) < 0:
            return "-0"
    return v


def encode_tensor(t):
    """{dtype, shape, data} with float32 values in their shortest round-trip decimal form."""
    t = t.detach()
    flat = t.reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        flat = flat.double()
    data = [encode_value(v) for v in flat.tolist()]
    if t.dtype == torch.float32:
        data = [float(repr(np.float32(v))) if isinstance(v, float) else v for v in data]
    return {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape), "data": data}


def make_values(inp, shape, dtype, g, unique=False):
    tdt = getattr(torch, dtype)
    if inp.values is not None:
        return torch.tensor(inp.values, dtype=tdt).reshape(shape)
    n = math.prod(shape)
    if dtype == "bool":
        return (torch.rand(shape, generator=g) > 0.5)
    if dtype in ("float32", "float64", "float16", "bfloat16"):
        if unique and n > 0:
            perm = torch.randperm(n, generator=g).double()
            vals = inp.lo + (inp.hi - inp.lo) * (perm + 0.5) / n
            return vals.reshape(shape).to(tdt)
        return (inp.lo + (inp.hi - inp.lo) * torch.rand(shape, generator=g, dtype=torch.float64)).to(tdt)
    lo, hi = inp.int_range or (int(math.floor(inp.lo)) * 3, int(math.ceil(inp.hi)) * 3 + 1)
    if dtype == "uint8":
        lo = max(lo, 0)
    return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64).to(tdt)


def build_input(inp, shape, dtype, layout, g, unique=False):
    """Returns (base leaf, view used by the op, json description)."""
    dt = inp.dtype or dtype
    if layout is None:
        base_shape = shape
    elif "t" in layout:
        d0, d1 = layout["t"]
        base_shape = list(shape)
        base_shape[d0], base_shape[d1] = base_shape[d1], base_shape[d0]
    elif "step" in layout:
        base_shape = list(shape)
        base_shape[layout["step"]] *= 2
    else:
        base_shape = layout["base"]
    base = make_values(inp, tuple(base_shape), dt, g, unique)
    wants_grad = inp.grad and dt in ("float32", "float64", "float16", "bfloat16")
    if wants_grad:
        base.requires_grad_(True)
    if layout is None:
        view = base
    elif "t" in layout:
        view = base.transpose(*layout["t"])
    elif "step" in layout:
        idx = [slice(None)] * len(shape)
        idx[layout["step"]] = slice(None, None, 2)
        view = base[tuple(idx)]
    else:
        view = base.expand(layout["expand"])
    desc = encode_tensor(base)
    desc["layout"] = {k: v for k, v in (layout or {}).items() if k != "base"} or None
    desc["grad"] = wants_grad
    return base, view, desc


NAMES = ["a", "b", "c", "d", "e"]


def run_case(spec, case_id, shapes, dtype, layouts, g, edge=False):
    bases, views, descs = [], [], []
    for i, inp in enumerate(spec.inputs):
        shape = shapes[i]
        base, view, desc = build_input(inp, shape, dtype, layouts[i], g, spec.unique)
        if edge and i == 0:
            vals = torch.tensor(EDGE_VALUES, dtype=getattr(torch, dtype))
            base = vals.clone().requires_grad_(base.requires_grad)
            view = base
            desc = encode_tensor(base)
            desc["layout"] = None
            desc["grad"] = base.requires_grad
        bases.append(base)
        views.append(view)
        descs.append(desc)
    env = {"torch": torch, "F": torch.nn.functional, "math": math}
    env.update({NAMES[i]: v for i, v in enumerate(views)})
    try:
        out = eval(spec.py, env)
    except Exception as e:  # the spec says PyTorch raises: torchts must raise too
        return {"id": case_id, "inputs": descs, "error": str(e).split("\n")[0]}
    outs = out if isinstance(out, (tuple, list)) else [out]
    enc_outs = []
    for o in outs:
        if isinstance(o, torch.Tensor):
            enc_outs.append(encode_tensor(o))
        else:
            enc_outs.append({"scalar": encode_value(o if not isinstance(o, bool) else bool(o))})
    case = {"id": case_id, "inputs": descs, "outputs": enc_outs}
    leaves = [b for b in bases if b.requires_grad]
    diff_outs = [o for o in outs if isinstance(o, torch.Tensor) and o.requires_grad]
    if spec.grad and leaves and diff_outs:
        cots = [torch.randn(o.shape, generator=g, dtype=torch.float64).to(o.dtype) for o in diff_outs]
        total = sum((o * c).sum() for o, c in zip(diff_outs, cots))
        grads = torch.autograd.grad(total, leaves, allow_unused=True)
        case["cotangents"] = [encode_tensor(c) for c in cots]
        case["grads"] = [encode_tensor(gr) if gr is not None else None for gr in grads]
    return case


def default_layouts(shapes):
    out = []
    for s in shapes:
        if len(s) >= 2:
            out.append({"t": [len(s) - 2, len(s) - 1]})
        elif len(s) == 1:
            out.append({"step": 0})
        else:
            out.append(None)
    return out


def cases_for(spec):
    g = seeded(spec.name)
    base_shapes = [inp.shape for inp in spec.inputs]
    cases = []
    for dtype in spec.dtypes:
        for kind in spec.kinds:
            if kind == "contig":
                shapes, layouts = base_shapes, [None] * len(base_shapes)
            elif kind == "noncontig":
                shapes, layouts = base_shapes, default_layouts(base_shapes)
                layouts = [None if inp.contig_only else l for inp, l in zip(spec.inputs, layouts)]
                if all(l is None for l in layouts):
                    continue
            elif kind == "scalar0d":
                shapes, layouts = [() for _ in base_shapes], [None] * len(base_shapes)
            elif kind == "empty":
                shapes = [tuple([0] + list(s[1:])) if len(s) else () for s in base_shapes]
                layouts = [None] * len(base_shapes)
            else:
                raise ValueError(kind)
            cases.append(run_case(spec, f"{kind}/{dtype}", shapes, dtype, layouts, g))
        for bi, bsh in enumerate(spec.bshapes or []):
            layouts = []
            shapes = []
            for s in bsh:
                if isinstance(s, dict):  # {"base": ..., "expand": ...}
                    shapes.append(tuple(s["expand"]))
                    layouts.append(s)
                else:
                    shapes.append(tuple(s))
                    layouts.append(None)
            cases.append(run_case(spec, f"broadcast{bi}/{dtype}", shapes, dtype, layouts, g))
        for label, shs in spec.shapes or []:
            shapes, layouts = [], []
            for s in shs:
                if isinstance(s, dict) and "expand" in s:
                    shapes.append(tuple(s["expand"]))
                    layouts.append(s)
                elif isinstance(s, dict):
                    shapes.append(tuple(s["shape"]))
                    layouts.append({k: v for k, v in s.items() if k != "shape"})
                else:
                    shapes.append(tuple(s))
                    layouts.append(None)
            cases.append(run_case(spec, f"{label}/{dtype}", shapes, dtype, layouts, g))
        if spec.edge and dtype in FLOATS and len(spec.inputs) >= 1 and spec.inputs[0].dtype is None:
            shapes = [(len(EDGE_VALUES),)] + [
                (len(EDGE_VALUES),) if len(s) > 0 else () for s in base_shapes[1:]]
            cases.append(run_case(spec, f"edge/{dtype}", shapes, dtype, [None] * len(shapes), g, edge=True))
    return cases


def spec_json(spec):
    return {
        "name": spec.name,
        "ts": spec.ts,
        "py": spec.py,
        "tol": spec.tol,
        "note": spec.note,
        "gradcheck": spec.gradcheck,
        "gradgrad": spec.gradgrad,
        "cases": cases_for(spec),
    }
