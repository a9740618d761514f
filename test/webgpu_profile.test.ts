// The webgpu kernel profiler (src/backends/webgpu/profile.ts): GPU timestamps per kernel between
// startProfiling() and stopProfiling(), on lavapipe (which has "timestamp-query"). Fails (does not
// skip) when no WebGPU adapter appears, like test/webgpu.test.ts.

import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as torch from "../src/index.js";

before(async () => {
  await torch.webgpu.init();
});

describe("webgpu profiler", () => {
  test("counts every kernel of the session, with non-negative GPU times, and results stay right", async () => {
    const a = torch.arange(1000, { dtype: "float32", device: "webgpu" });
    const b = torch.ones([1000], { device: "webgpu" });
    a.exp(); // queued before the session: not counted
    torch.webgpu.startProfiling();
    const calls = 300; // more than one batch of timestamp queries
    let c = a;
    for (let i = 0; i < calls; i++) c = c.add(b);
    const total = c.sum();
    const rows = await torch.webgpu.stopProfiling();
    assert.equal(await total.itemAsync(), (999 * 1000) / 2 + calls * 1000);
    const adds = rows.filter((r) => r.kernel.startsWith("map|") && r.kernel.endsWith("a + p0 * b")); // add with alpha
    assert.equal(adds.length, 1, JSON.stringify(rows.map((r) => r.kernel)));
    assert.equal(adds[0]!.calls, calls);
    assert.ok(
      rows.some((r) => r.kernel.startsWith("reduce|")),
      "the sum's kernel is listed",
    );
    assert.ok(!rows.some((r) => r.kernel.includes("exp")), "the kernel queued before the session is not");
    for (const r of rows) {
      assert.ok(r.totalMs >= 0 && Number.isFinite(r.totalMs), `${r.kernel}: ${r.totalMs}`);
      assert.ok(Math.abs(r.meanUs * r.calls - r.totalMs * 1000) <= 1e-6 * r.totalMs * 1000 + 1e-9);
    }
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i - 1]!.totalMs >= rows[i]!.totalMs, "largest first");
  });

  test("misuse is a clear error", async () => {
    await assert.rejects(torch.webgpu.stopProfiling(), /no profiling session is running/);
    torch.webgpu.startProfiling();
    assert.throws(() => torch.webgpu.startProfiling(), /already running/);
    assert.deepEqual(await torch.webgpu.stopProfiling(), []);
  });
});
