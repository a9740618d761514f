// Gradient paths taken for speed on the CPU, checked against hand-written float64 formulas: matmul's
// gradient of a transposed operand (x @ W.t(), as nn.Linear computes) comes out in that operand's
// layout, the gradients of permute and view are views of the incoming gradient, and ReLU's gradient
// is one fused pass (threshold_backward) that keeps PyTorch's treatment of 0, -0 and NaN outputs.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

const flat = (t: Tensor): number[] => Array.from(t.dataSync() as ArrayLike<number>);

/** c[i][j] = sum_k a[i][k] * b[k][j] in float64, from row-major arrays. */
function mm(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) c[i * n + j]! += a[i * k + q]! * b[q * n + j]!;
  return c;
}
const tr = (a: number[], r: number, c: number): number[] =>
  Array.from({ length: r * c }, (_, i) => a[(i % r) * c + Math.floor(i / r)]!);

function assertClose(got: number[], want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((v, i) =>
    assert.ok(Math.abs(v - want[i]!) <= tol * (1 + Math.abs(want[i]!)), `${what}[${i}]: ${v} vs ${want[i]}`),
  );
}

for (const dtype of ["float32", "float64"] as const) {
  test(`matmul gradients of transposed operands (${dtype})`, () => {
    torch.manualSeed(3);
    const [M, K, N] = [37, 70, 19];
    const tol = dtype === "float32" ? 1e-5 : 1e-12;
    // y = x @ W.t() and y = A.t() @ B: the transposed operand's gradient is checked in its own layout
    const x = torch.randn([M, K], { dtype }).requiresGrad_(true);
    const w = torch.randn([N, K], { dtype }).requiresGrad_(true);
    const g = torch.randn([M, N], { dtype });
    torch.matmul(x, w.t()).backward(g);
    const [X, W, G] = [x, w, g].map((t) => flat(t.detach()));
    assertClose(flat(w.grad!), mm(tr(G!, M, N), X!, N, M, K), tol, "dW"); // g^T x
    assertClose(flat(x.grad!), mm(G!, W!, M, N, K), tol, "dx"); // g W
    assert.deepEqual(w.grad!.shape, [N, K]);
    assert.ok(w.grad!.isContiguous());

    const a = torch.randn([K, M], { dtype }).requiresGrad_(true);
    const b = torch.randn([K, N], { dtype }).requiresGrad_(true);
    torch.matmul(a.t(), b).backward(g);
    const [A, B] = [a, b].map((t) => flat(t.detach()));
    assertClose(flat(a.grad!), mm(B!, tr(G!, M, N), K, N, M), tol, "dA"); // (g b^T)^T = b g^T
    assertClose(flat(b.grad!), mm(A!, G!, K, M, N), tol, "dB"); // a g
  });
}

test("permute and view gradients are views of the incoming gradient, with the input's values", () => {
  const x = torch.arange(24, { dtype: "float64" }).reshape([2, 3, 4]).requiresGrad_(true);
  const g = torch.arange(24, { dtype: "float64" }).mul(0.5).reshape([4, 6]);
  const y = x.permute([2, 0, 1]).reshape([4, 6]);
  const [gx] = torch.autograd.grad([y], [x], { gradOutputs: [g] });
  // y[i, j] = x[a, b, i] with j = a * 3 + b, so gx[a, b, i] = g[i, a * 3 + b]
  const G = flat(g);
  const want: number[] = [];
  for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) for (let i = 0; i < 4; i++) want.push(G[i * 6 + a * 3 + b]!);
  assert.deepEqual(gx!.shape, [2, 3, 4]);
  assert.deepEqual(flat(gx!.contiguous()), want);
  // second order still works through the view gradients
  const z = x.permute([1, 2, 0]).reshape([-1]);
  const [gz] = torch.autograd.grad([z.mul(z).sum()], [x], { createGraph: true });
  const [ggz] = torch.autograd.grad([gz!.sum()], [x]);
  assert.deepEqual(flat(ggz!), new Array<number>(24).fill(2));
});

test("relu's gradient passes g where the output is > 0 or NaN and 0 elsewhere, also twice", () => {
  for (const dtype of ["float32", "float64"] as const) {
    const vals = [-2, -0, 0, 1e-30, 3, NaN, -Infinity, Infinity];
    const n = 4096; // above the native kernels' threshold
    const data = Array.from({ length: n }, (_, i) => vals[i % vals.length]!);
    const x = torch.tensor(data, { dtype }).requiresGrad_(true);
    const g = torch.arange(n, { dtype }).add(1);
    const [gx] = torch.autograd.grad([x.relu()], [x], { gradOutputs: [g], createGraph: true });
    const want = data.map((v, i) => (v > 0 || Number.isNaN(v) ? i + 1 : 0));
    assert.deepEqual(flat(gx!), want, dtype);
    assert.ok(
      flat(gx!).every((v) => !Object.is(v, -0)),
      `${dtype}: no -0 in the gradient`,
    );
    // d(gx . h)/dg = relu mask applied to h; the graph of the gradient reaches g, not x
    const gl = g.clone().requiresGrad_(true);
    const [gx2] = torch.autograd.grad([x.relu()], [x], { gradOutputs: [gl], createGraph: true });
    const [gg] = torch.autograd.grad([gx2!.mul(2).sum()], [gl]);
    assert.deepEqual(
      flat(gg!),
      data.map((v) => (v > 0 || Number.isNaN(v) ? 2 : 0)),
    );
  }
});
