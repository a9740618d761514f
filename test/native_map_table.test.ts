// The native map's table of expressions (src/backends/cpu/native.ts) against the op table
// (src/ops/elementwise.ts): every float32 op that has a native loop must render exactly an expression
// the table keys on, or it silently runs on the TS loop. Needs no addon: it records what the ops ask
// the CPU kernels for.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";
import type { Expr } from "../src/backend.js";
import { cpuBackend } from "../src/backends/cpu/index.js";
import { nativeMapExprs } from "../src/backends/cpu/native.js";

test("float32 ops with a native loop render expressions the native map knows", () => {
  const x = torch.rand([64]).add(0.5);
  const y = torch.rand([64]).add(0.5);
  const g = torch.rand([64]);
  const ops: [string, () => unknown][] = [
    ["neg", () => x.neg()],
    ["abs", () => x.abs()],
    ["relu", () => x.relu()],
    ["square", () => x.square()],
    ["sqrt", () => x.sqrt()],
    ["reciprocal", () => x.reciprocal()],
    ["exp", () => x.exp()],
    ["log", () => x.log()],
    ["sigmoid", () => x.sigmoid()],
    ["tanh", () => x.tanh()],
    ["add", () => x.add(y)],
    ["sub", () => x.sub(y)],
    ["mul", () => x.mul(y)],
    ["div", () => x.div(y)],
    ["relu's gradient", () => x.clone().requiresGrad_(true).relu().backward(g)],
  ];
  const k = cpuBackend.kernels;
  const original = k.map;
  const asked: string[] = [];
  k.map = (expr: Expr, ...rest) => {
    asked.push(expr.js);
    original.call(k, expr, ...rest);
  };
  const known = new Set(nativeMapExprs());
  try {
    for (const [name, run] of ops) {
      asked.length = 0;
      run();
      assert.ok(asked.length > 0, `${name} did not reach the map kernel`);
      for (const js of asked) assert.ok(known.has(js), `${name} renders ${js}, which the native map does not know`);
    }
  } finally {
    k.map = original;
  }
});
