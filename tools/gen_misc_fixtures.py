#!/usr/bin/python3
"""Write test/fixtures/misc.json: PyTorch reference values for the autograd, creation, dtype and
printing tests (test/autograd.test.ts, creation.test.ts, dtype.test.ts, format.test.ts).

Run with Debian's PyTorch: `/usr/bin/python3 tools/gen_misc_fixtures.py`. The output is committed,
so the tests need no Python. Every case is built here from explicit values, and the TS tests rebuild
the same tensors from the values stored in the fixture (or from the same expression, by case name).
"""

import json
import math
import os

import sys
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "opspec"))
from framework import encode_tensor as enc_tensor, encode_value as enc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures", "misc.json")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
FLOATS = {"float16", "bfloat16", "float32", "float64"}


def dt(name):
    return getattr(torch, name)


# ---- dtypes -------------------------------------------------------------------------------------

def promotion():
    return [[a, b, str(torch.promote_types(dt(a), dt(b)))[6:]] for a in DTYPES for b in DTYPES]


def operand(kind, d=None, value=None):
    if kind == "scalar":
        return value, {"kind": "scalar", "value": value}
    shape = (2,) if kind == "dim" else ()
    return torch.ones(shape, dtype=dt(d)), {"kind": kind, "dtype": d}


def result_types():
    """torch.result_type over dimensioned tensors, 0-dim tensors and Python scalars (2, 0.5, True)."""
    cases = []
    pairs = []
    for a in DTYPES:
        for b in DTYPES:
            pairs.append((("dim", a, None), ("zerodim", b, None)))
        for s in (2, 0.5, True):
            pairs.append((("dim", a, None), ("scalar", None, s)))
            pairs.append((("zerodim", a, None), ("scalar", None, s)))
    for default in ("float32", "float64"):
        torch.set_default_dtype(dt(default))
        for (ka, da, va), (kb, db, vb) in pairs:
            if default == "float64" and not (kb == "scalar" and isinstance(vb, float)):
                continue  # the default dtype only matters for float scalars
            x, jx = operand(ka, da, va)
            y, jy = operand(kb, db, vb)
            r = torch.result_type(x, y)
            assert (x + y).dtype == r
            cases.append({"a": jx, "b": jy, "default": default, "dtype": str(r)[6:]})
    torch.set_default_dtype(torch.float32)
    return cases


def grid_values(ulp1, min_normal, min_sub, max_val):
    """Values around the grid of a 16-bit float format whose ulp at 1 is ulp1."""
    vals = [0.0, -0.0, 1.0, -1.0, float("nan"), float("inf"), float("-inf")]
    for x in (1.0, 1.5, 3.0, 1000.0, min_normal, 2 * min_normal, 0.1, 1 / 3, max_val / 2):
        e = math.floor(math.log2(x))
        ulp = ulp1 * 2.0 ** e
        for k in range(0, 6):
            g = x + k * ulp
            for d in (0.0, 0.5 * ulp, -0.5 * ulp, 0.5 * ulp * (1 + 2**-12), 0.5 * ulp * (1 - 2**-12),
                      0.5 * ulp + 2.0**-40 * x, 0.25 * ulp):
                vals.append(g + d)
                vals.append(-(g + d))
    # subnormals and underflow
    for k in (0.25, 0.5, 0.5 + 2**-20, 0.75, 1, 1.5, 2.5, 3, 3.5, 100.5, 101.5, 1 / 3):
        vals.append(k * min_sub)
        vals.append(-k * min_sub)
    vals += [min_normal - min_sub / 2, min_normal - min_sub, min_normal * (1 - 2**-30)]
    # the top of the range and overflow
    top_ulp = ulp1 * 2.0 ** math.floor(math.log2(max_val))
    for d in (0.0, 0.25, 0.5, 0.5 - 2**-12, 0.5 + 2**-12, 0.999, 1.0, 4.0):
        vals.append(max_val + d * top_ulp)
        vals.append(-(max_val + d * top_ulp))
    vals += [1e300, -1e300, 1e-300]
    g = torch.Generator().manual_seed(7)
    mags = torch.exp(torch.rand(60, generator=g, dtype=torch.float64) * 40 - 25)
    signs = torch.where(torch.rand(60, generator=g) > 0.5, 1.0, -1.0).double()
    vals += (mags * signs).tolist()
    return vals


def rounding():
    out = {}
    specs = {
        "float16": (2.0**-10, 2.0**-14, 2.0**-24, 65504.0),
        "bfloat16": (2.0**-7, 2.0**-126, 2.0**-133, float(torch.finfo(torch.bfloat16).max)),
    }
    for name, args in specs.items():
        vals = grid_values(*args)
        src = torch.tensor(vals, dtype=torch.float64)
        r = src.to(dt(name))
        # creation from Python floats rounds the same way as the cast kernel
        assert torch.equal(torch.tensor(vals, dtype=dt(name)), r) or torch.isnan(r).any()
        out[name] = {"inputs": [enc(v) for v in vals], "outputs": [enc(v) for v in r.double().tolist()]}
    return out


CAST_VALUES = [0.0, -0.0, 0.5, -0.5, 0.9999, -0.9999, 1.5, -1.5, 2.5, -2.5, 7.99, -7.99, 127.9, 128.5, -128.5,
               -129.5, 255.9, 256.5, -1.0, 300.7, 32767.9, 32768.5, -32769.5, 65535.5, 65536.0, 1e6 + 0.5,
               2147483520.0, -2147483648.0, 2147483648.0, 3e9, -3e9, 1e10, -1e10, 2.0**52 + 2, -(2.0**52),
               1e30, -1e30, float("nan"), float("inf"), float("-inf")]
INT_VALUES = [0, 1, -1, 2, 127, 128, -128, -129, 255, 256, 300, -300, 32767, 32768, -32769, 65535, 65537,
              2**31 - 1, 2**31, -(2**31) - 1, 2**32 + 5, -(2**40) - 3, 2**53]


def casts():
    """Float to integer and bool (truncation toward zero; NaN/Inf/out of range as x86 PyTorch gives
    them), integer narrowing (low bits kept) and integer to bool. Only values whose result is the same
    for one element and for a long (vectorised) tensor are kept."""
    cases = []
    targets = ["bool", "uint8", "int8", "int16", "int32", "int64"]
    for src, values in (("float32", CAST_VALUES), ("float64", CAST_VALUES), ("int64", INT_VALUES),
                        ("int32", [v for v in INT_VALUES if -(2**31) <= v < 2**31])):
        for to in targets + (["float32", "float16"] if src == "int64" else []):
            kept, outs, dropped = [], [], []
            for v in values:
                one = torch.tensor([v], dtype=dt(src)).to(dt(to))
                many = torch.full((67,), v, dtype=dt(src)).to(dt(to))
                if torch.equal(one.expand(67), many) or (one.isnan().all() and many.isnan().all()):
                    kept.append(v)
                    outs.append(one.item())
                else:
                    dropped.append(v)
            cases.append({"from": src, "to": to, "inputs": [enc(float(v)) if src.startswith("float") else v
                                                             for v in kept],
                          "outputs": [enc(float(o)) if to in FLOATS else int(o) for o in outs],
                          "dropped": [enc(v) for v in dropped]})
    return cases


# ---- creation -----------------------------------------------------------------------------------

def ranges():
    lin = []
    for d in ("float32", "float64"):
        for start, end, steps in ((0, 1, 0), (0, 1, 1), (0, 1, 2), (0, 1, 3), (0, 1, 4), (0, 1, 5), (-3.7, 11.2, 7),
                                  (0.1, 0.9, 9), (10, -10, 6), (1e-3, 5.5, 15), (0, 1, 11), (2, 2, 5), (-1, 1, 7),
                                  (1 / 3, 2 / 3, 6), (-5.25, 1e4, 13), (3.3, 3.3, 1), (1e20, -1e20, 4),
                                  (0, 1, 100), (-2.5, 7.1, 33), (0.1, 0.2, 1000)):
            t = torch.linspace(start, end, steps, dtype=dt(d))
            lin.append({"start": start, "end": end, "steps": steps, "dtype": d, "values": [enc(v) for v in t.tolist()]})
    for d in ("int64", "int32"):
        for start, end, steps in ((0, 10, 4), (-7, 7, 5), (10, -3, 6), (0, 100, 7)):
            t = torch.linspace(start, end, steps, dtype=dt(d))
            lin.append({"start": start, "end": end, "steps": steps, "dtype": d, "values": t.tolist()})
    log = []
    for d in ("float32", "float64"):
        for start, end, steps, base in ((0, 2, 3, 10.0), (-2, 2, 5, 10.0), (0, 1, 0, 10.0), (1, 1, 1, 10.0),
                                        (0, 3, 4, 2.0), (-1.5, 2.5, 9, 10.0), (0.1, 1.7, 7, 2.5), (-10, 10, 6, 2.0),
                                        (0.3, -0.7, 11, 10.0), (0, 1, 2, 10.0), (2, 3, 40, 10.0)):
            t = torch.logspace(start, end, steps, base=base, dtype=dt(d))
            log.append({"start": start, "end": end, "steps": steps, "base": base, "dtype": d,
                        "values": [enc(v) for v in t.tolist()]})
    ar = []
    for args in ((5,), (1, 4), (0, 1, 0.1), (1, 0, -0.25), (10, 0, -3), (-2.5, 2.5, 0.5), (0, 0.3, 0.1), (0, 5, 2),
                 (3, 3), (0.5, 10.5, 1.3), (-1, -10, -1.5)):
        # Python ints and non-integer floats, which JS numbers infer the same way
        t = torch.arange(*args)
        ar.append({"args": list(args), "dtype": str(t.dtype)[6:], "values": [enc(v) for v in t.tolist()]})
    for args, d in (((0, 1, 0.1), "float64"), ((5,), "float32"), ((0, 10, 3), "int32"), ((0.5, 4), "int64"),
                    ((1e9, 1e9 + 7, 1), "float32"), ((16777215, 16777222, 1), "float32"), ((0, 300, 100), "int8")):
        t = torch.arange(*args, dtype=dt(d))
        ar.append({"args": list(args), "dtype": d, "explicit": True, "values": [enc(v) for v in t.tolist()]})
    return {"linspace": lin, "logspace": log, "arange": ar}


# ---- printing -----------------------------------------------------------------------------------

def repr_cases():
    g = torch.Generator().manual_seed(3)
    nan, inf = float("nan"), float("inf")
    c = []

    def add(name, t, make=None, src=None, default="float32"):
        """`t` is printed; the test rebuilds it from `src` (default: t itself) and the op `make`."""
        c.append({"name": name, "tensor": enc_tensor(t if src is None else src), "make": make, "default": default,
                  "repr": repr(t)})

    f = torch.tensor
    add("fixed", f([1.5, -2.25, 3.125]))
    add("fixed_tenths", f([0.1, 0.2, 0.3]))
    add("half_even_ties", f([0.03125, 0.96875, 1.40625, -0.21875], dtype=torch.float64))
    add("int_valued", f([1.0, 2.0, -3.0]))
    add("int_valued_big", f([100.0, -2.0, 7.0, 0.0]))
    add("int_ratio_sci", f([1.0, 10000.0]))
    add("int_big_sci", f([123456789.0, 1.0]))
    add("int_1e8", f([1e8, 3.0]))
    add("zeros", torch.zeros(4))
    add("neg_zero", f([-0.0, 1.0]))
    add("neg_zero_fixed", f([-0.0, 1.5]))
    add("sci_small", f([1e-5, 1.0]))
    add("sci_large", f([1e10, 1.5]))
    add("sci_ratio", f([0.001, 2.5]))
    add("ratio_1000", f([0.001, 1.0, 0.5]))
    add("sci_min", f([0.00015, 0.5]))
    add("sci_e100", f([1e-100, 1e100], dtype=torch.float64))
    add("nan_inf_fixed", f([nan, inf, -inf, 1.5]))
    add("nan_int", f([nan, 1.0, 2.0]))
    add("nan_only", f([nan, nan]))
    add("inf_int_wide", f([inf, 1000.0, -20.0]))
    add("nan_sci", f([nan, 1e-7, 3.0]))
    add("scalar_float", f(3.5))
    add("scalar_int_valued", f(2.0))
    add("scalar_neg", f(-0.125))
    add("scalar_nan", f(nan))
    add("scalar_sci", f(1e-9))
    add("scalar_int", f(7))
    add("scalar_bool", f(True))
    add("scalar_f64", f(3.5, dtype=torch.float64))
    add("scalar_int32", f(-4, dtype=torch.int32))
    add("int64", f([1, -20, 300]))
    add("int64_big", f([2**53, -(2**40), 0]))
    add("int32", f([1, -20, 300], dtype=torch.int32))
    add("int8", f([-128, 5], dtype=torch.int8))
    add("uint8", f([0, 255, 17], dtype=torch.uint8))
    add("int16", f([[1, 2], [-300, 4]], dtype=torch.int16))
    add("bool", f([True, False, True]))
    add("bool_all_true", f([True, True]))
    add("bool_2d", f([[True, False], [False, False]]))
    add("float64", f([1.5, -2.0], dtype=torch.float64))
    add("float64_int_valued", f([1.0, 2.0], dtype=torch.float64))
    add("float16", f([1.5, -2.0, 0.1], dtype=torch.float16))
    add("bfloat16", f([1.5, -2.0, 0.1], dtype=torch.bfloat16))
    add("empty", torch.zeros(0))
    add("empty_2d", torch.zeros(0, 3))
    add("empty_3d", torch.zeros(2, 0, 3))
    add("empty_int64", torch.zeros(0, dtype=torch.int64))
    add("empty_bool", torch.zeros(0, dtype=torch.bool))
    add("empty_float64", torch.zeros(0, dtype=torch.float64))
    add("empty_int32_2d", torch.zeros(3, 0, dtype=torch.int32))
    add("2d", f([[1.5, -2.0], [3.25, 4.0]]))
    add("2d_int", f([[1, 22, 333], [-4, 5, 6]]))
    add("2d_single_row", f([[0.5, 1.5, 2.5]]))
    add("2d_single_col", f([[0.5], [1.5], [2.5]]))
    add("3d", torch.arange(24.0).reshape(2, 3, 4) / 4)
    add("3d_int", torch.arange(24).reshape(2, 3, 4))
    add("4d", torch.arange(16).reshape(2, 2, 2, 2))
    add("wrap_float", torch.arange(30.0))
    add("wrap_float_fixed", torch.linspace(-1, 1, 25))
    add("wrap_int", torch.arange(100))
    add("wrap_sci", torch.randn(20, generator=g) * 1e5)
    add("wrap_2d", torch.randn(3, 20, generator=g))
    add("wrap_3d", torch.randn(2, 2, 15, generator=g))
    add("wrap_bool", torch.rand(40, generator=g) > 0.5)
    add("summary_1d", torch.arange(2000))
    add("summary_1d_float", torch.arange(1001.0) / 8)
    add("summary_width_edges", torch.cat([torch.tensor([1.5, 2.0, 3.0]), torch.full((1000,), 123456.0),
                                          torch.tensor([4.0, 5.0, 6.0])]))
    add("summary_2d", torch.arange(2000.0).reshape(40, 50))
    add("summary_2d_few_rows", torch.arange(2002).reshape(2, 1001))
    add("summary_2d_few_cols", torch.arange(2000).reshape(1000, 2))
    add("summary_3d", torch.arange(3000).reshape(10, 10, 30))
    add("summary_bool", torch.arange(1200) % 3 == 0)
    add("summary_sci", torch.linspace(0, 1, 1500, dtype=torch.float64) ** 3 * 1e-3)
    x = torch.tensor([1.5, -2.0, 3.0], requires_grad=True)
    add("requires_grad", x, "leaf")
    add("grad_fn_mul", x * 2, "mul2", x)
    add("grad_fn_sum", x.sum(), "sum", x)
    add("grad_fn_add", x + 1, "add1", x)
    x64 = torch.tensor([1.5, -2.0], dtype=torch.float64, requires_grad=True)
    add("requires_grad_f64", x64, "leaf")
    long = torch.tensor([1.0 + i / 8 for i in range(9)], requires_grad=True)
    add("requires_grad_wrap", long, "leaf")
    long64 = torch.tensor([1.0 + i / 8 for i in range(9)], dtype=torch.float64, requires_grad=True)
    add("suffixes_wrap", long64 * 3, "mul3", long64)
    add("dtype_wrap", torch.tensor([100.0 + i / 8 for i in range(10)], dtype=torch.float64))
    add("empty_requires_grad", torch.zeros(0, requires_grad=True), "leaf")
    torch.set_default_dtype(torch.float64)
    add("default64_float32", f([1.5, 2.0], dtype=torch.float32), default="float64")
    add("default64_float64", f([1.5, 2.0], dtype=torch.float64), default="float64")
    add("default64_empty_float64", torch.zeros(0, dtype=torch.float64), default="float64")
    add("default64_empty_float32", torch.zeros(0, dtype=torch.float32), default="float64")
    torch.set_default_dtype(torch.float32)
    return c


def py_format():
    """Python's '{:.Nf}' / '{:.Ne}' (round half to even on the exact binary value), which repr uses."""
    xs = [0.03125, 0.96875, 2.5, 3.5, 0.1, 0.15, -0.00001, -0.0, 123456789.0, 5e-324, 1.0, -0.000123456, 9.99995,
          1.00005, 1.00015, 1.25, 1e-100, 1.7976931348623157e308, 0.0, 0.5, 1.5, -2.5, 0.125, 1e21, 1e22, 2.0**70,
          0.3, 2 / 3, 1e-5, 99999.5, 0.000099995]
    g = torch.Generator().manual_seed(11)
    xs += (torch.randn(40, generator=g, dtype=torch.float64) * torch.exp(torch.randn(40, generator=g,
                                                                                      dtype=torch.float64) * 8)).tolist()
    specs = [".0f", ".1f", ".4f", ".20f", ".0e", ".1e", ".4e"]
    return [[spec, enc(x), format(x, spec)] for x in xs for spec in specs]


# ---- autograd -----------------------------------------------------------------------------------

def autograd_cases():
    out = {}
    f64 = dict(dtype=torch.float64)
    xv, yv, vv = [0.5, -1.3, 2.0], [1.2, 0.7, -0.4], [0.3, -0.2, 0.5]

    # higher order: first gradients with create_graph, then the gradient of a function of them
    x = torch.tensor(xv, **f64, requires_grad=True)
    y = torch.tensor(yv, **f64, requires_grad=True)
    z = (x.sin() * y.exp()).sum() + (x * y).pow(2).mean() + (x.tanh() / (y.pow(2) + 1)).sum()
    gx, gy = torch.autograd.grad(z, [x, y], create_graph=True)
    v = torch.tensor(vv, **f64)
    s = (gx * v).sum() + (gy * gy).sum()
    hx, hy = torch.autograd.grad(s, [x, y])
    out["higher_order"] = {"x": xv, "y": yv, "v": vv, "z": z.item(), "gx": gx.tolist(), "gy": gy.tolist(),
                           "hx": hx.tolist(), "hy": hy.tolist()}

    # grad with gradOutputs through broadcasting, w.r.t. a non-leaf
    x = torch.tensor(xv, **f64, requires_grad=True)
    w = torch.tensor([[1.0], [-2.0]], **f64, requires_grad=True)
    h = x.exp()
    o = h * w + x
    go = torch.tensor([[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0]], **f64)
    gh, gw, gx = torch.autograd.grad(o, [h, w, x], grad_outputs=go)
    out["grad_outputs"] = {"x": xv, "w": [[1.0], [-2.0]], "go": go.tolist(), "gh": gh.tolist(), "gw": gw.tolist(),
                           "gx": gx.tolist()}

    # a.mul_(y) on a non-leaf, then backward
    x = torch.tensor(xv, **f64, requires_grad=True)
    y = torch.tensor(yv, **f64, requires_grad=True)
    a = x * 2
    a.mul_(y)
    loss = (a * torch.tensor(vv, **f64)).sum() + a.pow(2).sum()
    loss.backward()
    out["inplace_mul"] = {"x": xv, "y": yv, "v": vv, "a": a.tolist(), "grad_fn": type(a.grad_fn).__name__,
                          "gx": x.grad.tolist(), "gy": y.grad.tolist()}

    # chained in-place ops on a non-leaf (mul_ needs the value a had before it was overwritten)
    x = torch.tensor(xv, **f64, requires_grad=True)
    a = x * 2
    a.add_(1).mul_(x).exp_()
    a.sum().backward()
    out["inplace_chain"] = {"x": xv, "a": a.tolist(), "gx": x.grad.tolist()}

    # sigmoid saves its output: modifying it in place makes backward fail
    x = torch.tensor(xv, **f64, requires_grad=True)
    a = x.sigmoid()
    a.add_(1)
    try:
        a.sum().backward()
        raise AssertionError("expected a version error")
    except RuntimeError as e:
        out["saved_output_error"] = str(e)

    # writes into views of a non-leaf: CopySlices
    xb = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]
    x = torch.tensor(xb, **f64, requires_grad=True)
    src = torch.tensor(yv, **f64, requires_grad=True)
    col = torch.tensor([3.0, -4.0], **f64, requires_grad=True)
    base = x * 1.5
    base[1].mul_(src)
    base[:, 0].copy_(col * col)
    wb = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.25]], **f64)
    (base * wb).sum().backward()
    out["copy_slices"] = {"x": xb, "src": yv, "col": [3.0, -4.0], "w": wb.tolist(), "base": base.tolist(),
                          "grad_fn": type(base.grad_fn).__name__, "gx": x.grad.tolist(), "gsrc": src.grad.tolist(),
                          "gcol": col.grad.tolist()}

    # custom Functions
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t ** 3

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return g * 3 * t ** 2

    class SinCos(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t.sin(), t.cos()

        @staticmethod
        def backward(ctx, gs, gc):
            (t,) = ctx.saved_tensors
            return gs * t.cos() - gc * t.sin()

    x = torch.tensor(xv, **f64, requires_grad=True)
    y1 = Cube.apply(x) + Cube.apply(x * 2)
    s, c2 = SinCos.apply(y1)
    total = (s * torch.tensor(vv, **f64)).sum() + c2.sum()
    total.backward()
    out["custom"] = {"x": xv, "v": vv, "total": total.item(), "gx": x.grad.tolist(),
                     "names": [type(y1.grad_fn.next_functions[0][0]).__name__, type(s.grad_fn).__name__]}

    # hooks: doubling hook on a leaf, +1 hook on a non-leaf
    x = torch.tensor(xv, **f64, requires_grad=True)
    m = x * x
    m.register_hook(lambda g: g + 1)
    x.register_hook(lambda g: g * 2)
    (m * 3).sum().backward()
    out["hooks"] = {"x": xv, "gx": x.grad.tolist()}

    # grad_fn names of common ops (torchts spelling -> PyTorch's name)
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    names = {
        "mul": x * 2, "add": x + 1, "sub": x - 1, "div": x / 2, "neg": -x, "pow": x ** 2, "exp": x.exp(),
        "sum": x.sum(), "mean": x.mean(), "view": x.view(4), "t": x.t(), "select": x[0],
        "unsqueeze": x.unsqueeze(0), "clone": x.clone(), "to": x.to(torch.float64), "matmul": x @ x,
        "relu": x.relu(), "tanh": x.tanh(), "sigmoid": x.sigmoid(), "expand": x[0:1].expand(3, 2),
        "transpose": x.transpose(0, 1), "permute": x.permute(1, 0), "abs": x.abs(),
    }
    out["names"] = {k: type(v.grad_fn).__name__ for k, v in names.items()}
    return out


def main():
    torch.set_num_threads(1)
    fixtures = {
        "torch": torch.__version__,
        "dtypes": DTYPES,
        "promote": promotion(),
        "resultType": result_types(),
        "rounding": rounding(),
        "casts": casts(),
        **ranges(),
        "repr": repr_cases(),
        "pyformat": py_format(),
        "autograd": autograd_cases(),
    }
    with open(OUT, "w") as fh:
        json.dump(fixtures, fh, separators=(",", ":"), allow_nan=False)
        fh.write("\n")
    print(f"wrote {os.path.relpath(OUT)}: {len(fixtures['repr'])} repr cases, {len(fixtures['resultType'])} result types")


if __name__ == "__main__":
    main()
