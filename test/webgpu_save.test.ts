// Checkpoints of webgpu tensors: torch.save and safetensors' saveFile read device storages with
// `await` (WebGPU has no synchronous readback), and the files load back on the CPU with the same
// values, as PyTorch saves CUDA tensors. Fails (does not skip) when no WebGPU adapter appears.

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import type { Tensor } from "../src/index.js";

before(async () => {
  await torch.webgpu.init();
});

function values(t: Tensor): number[] {
  return Array.from(t.dataSync());
}

test("torch.save of a webgpu model's state dict loads back on the CPU", async () => {
  torch.manualSeed(0);
  const cpu = new torch.nn.Linear(3, 2);
  const gpu = new torch.nn.Linear(3, 2);
  gpu.loadStateDict(cpu.stateDict());
  gpu.to("webgpu");
  assert.equal(gpu.weight.device, "webgpu");
  const dir = mkdtempSync(join(tmpdir(), "torchts-save-"));
  try {
    const file = join(dir, "m.pt");
    await torch.save(gpu.stateDict(), file);
    const loaded = (await torch.load(file)) as Map<string, Tensor>;
    assert.deepEqual([...loaded.keys()], ["weight", "bias"]);
    assert.equal(loaded.get("weight")!.device, "cpu");
    assert.deepEqual(values(loaded.get("weight")!), values(cpu.weight));
    assert.deepEqual(values(loaded.get("bias")!), values(cpu.bias!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("saveFile (safetensors) of webgpu tensors, including a non-contiguous view", async () => {
  const a = torch.arange(12, { dtype: "float32" }).reshape(3, 4);
  const view = a.to("webgpu").t(); // (4, 3), strides (1, 4)
  const dir = mkdtempSync(join(tmpdir(), "torchts-save-"));
  try {
    const file = join(dir, "t.safetensors");
    await torch.safetensors.saveFile({ view }, file);
    const loaded = await torch.safetensors.loadFile(file);
    assert.deepEqual(loaded.get("view")!.shape, [4, 3]);
    assert.deepEqual(values(loaded.get("view")!), values(a.t().contiguous()));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
