"""Specs of the elementwise ops: unary, binary, ternary, in-place forms."""

from framework import Spec, T, FLOATS, INTS, ALL_INT

SPECS = []


def unary(name, py, ts, lo=-2.0, hi=2.0, dtypes=FLOATS, grad=True, gradgrad=True, edge=True, **kw):
    SPECS.append(Spec(name, py, ts, [T(3, 4, lo=lo, hi=hi)], dtypes=dtypes, grad=grad, gradgrad=gradgrad,
                      edge=edge, **kw))


def binary(name, py, ts, lo=-2.0, hi=2.0, blo=None, bhi=None, dtypes=FLOATS, grad=True, gradgrad=True, **kw):
    b = T(3, 4, lo=blo if blo is not None else lo, hi=bhi if bhi is not None else hi)
    SPECS.append(Spec(name, py, ts, [T(3, 4, lo=lo, hi=hi), b], dtypes=dtypes, grad=grad, gradgrad=gradgrad,
                      bshapes=[[(3, 1), (1, 4)], [(2, 3, 4), (4,)], [(), (3, 4)],
                               [{"base": (3, 1), "expand": (3, 4)}, (3, 4)]], **kw))


# name, torch expression, torchts expression, value domain
for name, lo, hi in [("abs", -2, 2), ("neg", -2, 2), ("sign", -2, 2), ("exp", -2, 2), ("exp2", -2, 2),
                     ("expm1", -2, 2), ("log", 0.1, 3), ("log2", 0.1, 3), ("log10", 0.1, 3), ("log1p", -0.9, 3),
                     ("sqrt", 0.1, 3), ("rsqrt", 0.1, 3), ("square", -2, 2), ("sin", -3, 3), ("cos", -3, 3),
                     ("tan", -1.2, 1.2), ("asin", -0.95, 0.95), ("acos", -0.95, 0.95), ("atan", -3, 3),
                     ("sinh", -2, 2), ("cosh", -2, 2), ("tanh", -2, 2), ("asinh", -3, 3), ("acosh", 1.1, 3),
                     ("atanh", -0.95, 0.95), ("sigmoid", -4, 4), ("erf", -2, 2), ("erfc", -2, 2),
                     ("erfinv", -0.95, 0.95), ("floor", -3, 3), ("ceil", -3, 3), ("round", -3, 3),
                     ("trunc", -3, 3), ("frac", -3, 3), ("reciprocal", 0.2, 3), ("relu", -2, 2)]:
    ts = {"relu": "torch.relu(a)"}.get(name, f"torch.{name}(a)")
    unary(name, f"torch.{name}(a)", ts, lo, hi)

# integer inputs: ops that keep ints, and ops that promote ints to float
for name in ["abs", "neg", "sign", "square", "relu"]:
    SPECS.append(Spec(f"{name}_int", f"torch.{name}(a)", f"torch.{name}(a)", [T(3, 4)], dtypes=ALL_INT, grad=False,
                      edge=False))
for name in ["exp", "sqrt", "sin", "sigmoid", "log1p"]:
    SPECS.append(Spec(f"{name}_int", f"torch.{name}(a)", f"torch.{name}(a)", [T(3, 4, lo=0, hi=3)], dtypes=INTS,
                      grad=False, edge=False))

unary("logit", "torch.logit(a)", "torch.logit(a)", 0.05, 0.95)
unary("logit_eps", "torch.logit(a, eps=0.2)", "torch.logit(a, 0.2)", 0.05, 0.95)
unary("gelu", "torch.nn.functional.gelu(a)", "torch.gelu(a)")
unary("gelu_tanh", "torch.nn.functional.gelu(a, approximate='tanh')", "torch.gelu(a, { approximate: 'tanh' })")
unary("silu", "torch.nn.functional.silu(a)", "torch.silu(a)")
unary("mish", "torch.nn.functional.mish(a)", "torch.mish(a)")
unary("softplus", "torch.nn.functional.softplus(a)", "torch.softplus(a)")
unary("softplus_beta", "torch.nn.functional.softplus(a, beta=2, threshold=3)", "torch.softplus(a, 2, 3)")
unary("hardtanh", "torch.nn.functional.hardtanh(a, -0.5, 1.0)", "torch.hardtanh(a, -0.5, 1.0)")
unary("leaky_relu", "torch.nn.functional.leaky_relu(a, 0.1)", "torch.leakyRelu(a, 0.1)")
unary("elu", "torch.nn.functional.elu(a, 0.7)", "torch.elu(a, 0.7)")
unary("selu", "torch.selu(a)", "torch.selu(a)")
unary("nan_to_num", "torch.nan_to_num(a, nan=1.5, posinf=9.0)", "torch.nanToNum(a, 1.5, 9.0)")
unary("nan_to_num_default", "torch.nan_to_num(a)", "torch.nanToNum(a)")
unary("isnan", "torch.isnan(a)", "torch.isnan(a)", grad=False)
unary("isinf", "torch.isinf(a)", "torch.isinf(a)", grad=False)
unary("isfinite", "torch.isfinite(a)", "torch.isfinite(a)", grad=False)
unary("logical_not", "torch.logical_not(a)", "torch.logicalNot(a)", grad=False, dtypes=FLOATS + INTS + ["bool"])
unary("bitwise_not", "torch.bitwise_not(a)", "torch.bitwise_not(a)".replace("bitwise_not", "bitwiseNot"), grad=False,
      dtypes=ALL_INT + ["bool"], edge=False)
unary("clamp", "torch.clamp(a, -0.5, 0.8)", "torch.clamp(a, -0.5, 0.8)")
unary("clamp_min", "torch.clamp(a, min=-0.5)", "torch.clamp(a, -0.5)")
unary("clamp_max", "torch.clamp(a, max=0.5)", "torch.clamp(a, null, 0.5)")
SPECS.append(Spec("clamp_int", "torch.clamp(a, -2, 3)", "torch.clamp(a, -2, 3)", [T(3, 4)], dtypes=ALL_INT, grad=False,
                  edge=False))
unary("pow_scalar", "torch.pow(a, 3)", "torch.pow(a, 3)")
unary("pow_frac", "torch.pow(a, 0.5)", "torch.pow(a, 0.5)", 0.1, 3)
unary("rpow", "torch.pow(2.5, a)", "torch.pow(2.5, a)")
unary("mul_scalar", "a * 0.5", "a.mul(0.5)")
unary("add_scalar_alpha", "torch.add(a, 2, alpha=3)", "torch.add(a, 2, { alpha: 3 })")
unary("rsub_scalar", "1 - a", "torch.sub(1, a)")
unary("div_scalar", "a / 4", "a.div(4)")
SPECS.append(Spec("int_mul_float_scalar", "a * 0.5", "a.mul(0.5)", [T(3, 4)], dtypes=INTS, grad=False, edge=False))
SPECS.append(Spec("int_add_int_scalar", "a + 2", "a.add(2)", [T(3, 4)], dtypes=ALL_INT, grad=False, edge=False))
SPECS.append(Spec("bool_add_scalar", "a + 2", "a.add(2)", [T(3, 4)], dtypes=["bool"], grad=False, edge=False))

binary("add", "torch.add(a, b)", "torch.add(a, b)")
binary("add_alpha", "torch.add(a, b, alpha=2)", "torch.add(a, b, { alpha: 2 })")
binary("sub", "torch.sub(a, b)", "torch.sub(a, b)")
binary("mul", "torch.mul(a, b)", "torch.mul(a, b)")
binary("div", "torch.div(a, b)", "torch.div(a, b)", blo=0.5, bhi=2)
binary("div_trunc", "torch.div(a, b, rounding_mode='trunc')", "torch.div(a, b, { roundingMode: 'trunc' })", -5, 5,
       blo=0.5, bhi=2)
binary("div_floor", "torch.div(a, b, rounding_mode='floor')", "torch.div(a, b, { roundingMode: 'floor' })", -5, 5,
       blo=0.5, bhi=2)
binary("pow", "torch.pow(a, b)", "torch.pow(a, b)", 0.2, 2)
binary("remainder", "torch.remainder(a, b)", "torch.remainder(a, b)", -5, 5, blo=0.5, bhi=2)
binary("fmod", "torch.fmod(a, b)", "torch.fmod(a, b)", -5, 5, blo=0.5, bhi=2)
binary("atan2", "torch.atan2(a, b)", "torch.atan2(a, b)")
binary("maximum", "torch.maximum(a, b)", "torch.maximum(a, b)")
binary("minimum", "torch.minimum(a, b)", "torch.minimum(a, b)")
binary("fmax", "torch.fmax(a, b)", "torch.fmax(a, b)")
binary("fmin", "torch.fmin(a, b)", "torch.fmin(a, b)")
binary("hypot", "torch.hypot(a, b)", "torch.hypot(a, b)")
for op, ts in [("eq", "eq"), ("ne", "ne"), ("lt", "lt"), ("le", "le"), ("gt", "gt"), ("ge", "ge"),
               ("logical_and", "logicalAnd"), ("logical_or", "logicalOr"), ("logical_xor", "logicalXor")]:
    binary(op, f"torch.{op}(a, b.round())", f"torch.{ts}(a, b.round())", grad=False)
    binary(op + "_int", f"torch.{op}(a, b)", f"torch.{ts}(a, b)", grad=False, dtypes=INTS + ["bool"], edge=False)
for op, ts in [("bitwise_and", "bitwiseAnd"), ("bitwise_or", "bitwiseOr"), ("bitwise_xor", "bitwiseXor")]:
    binary(op, f"torch.{op}(a, b)", f"torch.{ts}(a, b)", grad=False, dtypes=ALL_INT + ["bool"], edge=False)
for op in ["add", "sub", "mul", "maximum", "minimum"]:
    binary(op + "_int", f"torch.{op}(a, b)", f"torch.{op}(a, b)", grad=False, dtypes=ALL_INT, edge=False)
binary("remainder_int", "torch.remainder(a, b)", "torch.remainder(a, b)", grad=False, dtypes=INTS, blo=1, bhi=3,
       edge=False)
binary("div_int", "torch.div(a, b)", "torch.div(a, b)", grad=False, dtypes=INTS, blo=1, bhi=3, edge=False)
binary("div_floor_int", "torch.div(a, b, rounding_mode='floor')", "torch.div(a, b, { roundingMode: 'floor' })",
       grad=False, dtypes=INTS, blo=1, bhi=3, edge=False)
# mixed dtypes: promotion
SPECS.append(Spec("promote_int_float", "a + b", "a.add(b)", [T(3, 4, dtype="int32"), T(3, 4)], dtypes=FLOATS,
                  edge=False))
SPECS.append(Spec("promote_f32_f64", "a * b", "a.mul(b)", [T(3, 4, dtype="float32"), T(3, 4, dtype="float64")],
                  dtypes=["float32"], edge=False))
SPECS.append(Spec("promote_0dim", "a * b", "a.mul(b)", [T(3, 4, dtype="float32"), T(dtype="float64")],
                  dtypes=["float32"], edge=False, kinds=["contig"]))
SPECS.append(Spec("promote_uint8_int8", "a + b", "a.add(b)", [T(3, 4, dtype="uint8"), T(3, 4, dtype="int8")],
                  dtypes=["int8"], grad=False, edge=False))

SPECS.append(Spec("where", "torch.where(a > 0, b, c)", "torch.where(a.gt(0), b, c)", [T(3, 4), T(3, 4), T(3, 4)],
                  bshapes=[[(3, 1), (1, 4), (3, 4)], [(3, 4), (), (4,)]], edge=False))
SPECS.append(Spec("where_scalar", "torch.where(a > 0, a, 0.0)", "torch.where(a.gt(0), a, 0)", [T(3, 4)]))
SPECS.append(Spec("lerp", "torch.lerp(a, b, c)", "torch.lerp(a, b, c)", [T(3, 4), T(3, 4), T(3, 4, lo=0, hi=1)],
                  bshapes=[[(3, 1), (1, 4), ()]], edge=False))
SPECS.append(Spec("lerp_scalar", "torch.lerp(a, b, 0.3)", "torch.lerp(a, b, 0.3)", [T(3, 4), T(3, 4)], edge=False))
SPECS.append(Spec("addcmul", "torch.addcmul(a, b, c, value=0.5)", "torch.addcmul(a, b, c, { value: 0.5 })",
                  [T(3, 4), T(3, 4), T(3, 4)], bshapes=[[(3, 1), (1, 4), (3, 4)]], edge=False))
SPECS.append(Spec("addcdiv", "torch.addcdiv(a, b, c, value=0.5)", "torch.addcdiv(a, b, c, { value: 0.5 })",
                  [T(3, 4), T(3, 4), T(3, 4, lo=0.5, hi=2)], bshapes=[[(3, 1), (1, 4), (3, 4)]], edge=False))
SPECS.append(Spec("to_float64", "a.to(torch.float64)", "a.to('float64')", [T(3, 4)], dtypes=["float32"], edge=False))
SPECS.append(Spec("to_int32", "a.to(torch.int32)", "a.to('int32')", [T(3, 4, lo=-9, hi=9)], dtypes=FLOATS,
                  grad=False))
SPECS.append(Spec("to_bool", "a.to(torch.bool)", "a.to('bool')", [T(3, 4)], dtypes=FLOATS + INTS, grad=False))
SPECS.append(Spec("to_half", "a.to(torch.float16)", "a.to('float16')", [T(3, 4, lo=-100, hi=100)], dtypes=["float32"]))
SPECS.append(Spec("to_bfloat16", "a.to(torch.bfloat16)", "a.to('bfloat16')", [T(3, 4, lo=-100, hi=100)],
                  dtypes=["float32"]))
SPECS.append(Spec("half_arith", "(a.half() * b.half() + 1).float()", "a.half().mul(b.half()).add(1).float()",
                  [T(3, 4, lo=-30, hi=30), T(3, 4, lo=-30, hi=30)], dtypes=["float32"], edge=False))
# in-place forms on a non-leaf (autograd history is rebased)
SPECS.append(Spec("add_inplace", "a.clone().add_(b, alpha=2)", "a.clone().add_(b, { alpha: 2 })", [T(3, 4), T(3, 4)],
                  bshapes=[[(3, 4), (4,)]], edge=False))
SPECS.append(Spec("mul_inplace", "a.clone().mul_(b)", "a.clone().mul_(b)", [T(3, 4), T(3, 4)], edge=False))
SPECS.append(Spec("exp_inplace", "a.clone().exp_()", "a.clone().exp_()", [T(3, 4)], edge=False))
SPECS.append(Spec("clamp_inplace", "a.clone().clamp_(-0.5, 0.5)", "a.clone().clamp_(-0.5, 0.5)", [T(3, 4)],
                  edge=False))
SPECS.append(Spec("view_inplace", "(lambda t: (t[1].mul_(b), t)[1])(a.clone())",
                  "((t) => { t.select(0, 1).mul_(b); return t; })(a.clone())", [T(3, 4), T(4)], edge=False,
                  kinds=["contig"]))
SPECS.append(Spec("int_inplace_float_error", "a.clone().add_(0.5)", "a.clone().add_(0.5)", [T(3, 4)], dtypes=INTS,
                  grad=False, edge=False, kinds=["contig"]))
SPECS.append(Spec("bad_broadcast", "a + b", "a.add(b)", [T(3, 4), T(2, 4)], edge=False, kinds=["contig"], grad=False))
SPECS.append(Spec("float_only_int_error", "torch.nn.functional.silu(a)", "torch.silu(a)", [T(3, 4)], dtypes=["int64"],
                  grad=False, edge=False, kinds=["contig"]))
