// Checkpoints both ways with PyTorch: files written by torch.save load in torchts, files written by
// torchts load in Python's torch.load(weights_only=True); safetensors round trips and lazy loading;
// corrupt files and code-running pickles are refused with clear errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { serialize, deserialize, save, load } from "../src/serialization/pt.js";
import {
  saveFile,
  loadFile,
  SafeOpen,
  serializeSafetensors,
  deserializeSafetensors,
} from "../src/serialization/safetensors.js";
import { writeZip } from "../src/serialization/zip.js";

const DIR = join(import.meta.dirname, "fixtures", "pt");
const expected = JSON.parse(readFileSync(join(DIR, "expected.json"), "utf8")) as Record<string, Record<string, Enc>>;
interface Enc {
  dtype: string;
  shape: number[];
  stride: number[];
  offset: number;
  data: (number | string)[];
}

function check(t: unknown, e: Enc, what: string): void {
  assert.ok(t instanceof torch.Tensor, `${what} is a tensor`);
  assert.equal(t.dtype, e.dtype, `${what} dtype`);
  assert.deepEqual(t.shape, e.shape, `${what} shape`);
  assert.deepEqual(t.strides, e.stride, `${what} strides`);
  assert.equal(t.offset, e.offset, `${what} offset`);
  const got = Array.from(t.dataSync());
  assert.deepEqual(
    got,
    e.data.map((v) => (v === "nan" ? NaN : Number(v))),
    `${what} values`,
  );
}

test("load: every dtype written by PyTorch", async () => {
  const d = (await load(join(DIR, "dtypes.pt"))) as Map<string, torch.Tensor>;
  assert.ok(d instanceof Map);
  for (const [k, e] of Object.entries(expected.dtypes!)) check(d.get(k), e, k);
});

test("load: views keep sharing one storage; nested lists, tuples, numbers, strings", async () => {
  const d = (await load(join(DIR, "nested.pt"))) as Map<string, unknown>;
  for (const k of ["base", "row", "col", "t"]) check(d.get(k), expected.nested![k]!, k);
  const base = d.get("base") as torch.Tensor;
  assert.equal((d.get("row") as torch.Tensor).storage, base.storage);
  assert.equal((d.get("t") as torch.Tensor).storage, base.storage);
  const list = d.get("list") as unknown[];
  assert.deepEqual(Array.from((list[0] as torch.Tensor).dataSync()), [0, 1]);
  assert.deepEqual(list.slice(1), [3, 2.5, "text", null, true]);
  const tuple = d.get("tuple") as unknown[];
  assert.equal(tuple[0], 1);
  assert.deepEqual(Array.from((tuple[1] as torch.Tensor).dataSync()), [9]);
});

test("load: a module state dict (OrderedDict with metadata, BatchNorm buffers) in key order", async () => {
  const sd = (await load(join(DIR, "state_dict.pt"))) as Map<string, torch.Tensor>;
  assert.deepEqual([...sd.keys()], Object.keys(expected.state_dict!));
  for (const [k, e] of Object.entries(expected.state_dict!)) check(sd.get(k), e, k);
});

test("serialize/deserialize round trip keeps dtypes, values and shared storage", () => {
  const base = torch.arange(0, 12, 1, { dtype: "float64" }).view(3, 4);
  const obj = new Map<string, unknown>([
    ["base", base],
    ["view", base.t().select(0, 1)],
    ["half", torch.tensor([0.1, -2.5, 65504], { dtype: "float16" })],
    ["bf", torch.tensor([0.1, -2.5, 3e38], { dtype: "bfloat16" })],
    ["long", torch.tensor([-(2 ** 50), 3])],
    ["flag", torch.tensor([true, false])],
    ["meta", { epoch: 3, lr: 0.5, name: "x", tags: ["a", "b"] }],
  ]);
  const back = deserialize(serialize(obj)) as Map<string, unknown>;
  for (const k of ["base", "view", "half", "bf", "long", "flag"]) {
    const a = obj.get(k) as torch.Tensor;
    const b = back.get(k) as torch.Tensor;
    assert.equal(b.dtype, a.dtype, k);
    assert.deepEqual(b.shape, a.shape, k);
    assert.deepEqual(Array.from(b.dataSync()), Array.from(a.dataSync()), k);
  }
  assert.equal((back.get("view") as torch.Tensor).storage, (back.get("base") as torch.Tensor).storage);
  const meta = back.get("meta") as Map<string, unknown>;
  assert.deepEqual([meta.get("epoch"), meta.get("lr"), meta.get("name"), meta.get("tags")], [3, 0.5, "x", ["a", "b"]]);
});

test("files written by torchts load in PyTorch with weights_only=True", async () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-"));
  const path = join(dir, "ours.pt");
  const base = torch.tensor(
    [
      [1.5, -2],
      [3, 4.25],
    ],
    { dtype: "float32" },
  );
  await save(
    new Map<string, unknown>([
      ["w", base],
      ["wt", base.t()],
      ["i", torch.tensor([-(2 ** 40), 5])],
      ["h", torch.tensor([0.5, -1], { dtype: "float16" })],
      ["b", torch.tensor([true, false])],
      ["n", 7],
      ["s", "hello"],
    ]),
    path,
  );
  const script = `
import json, sys, torch
d = torch.load(sys.argv[1], weights_only=True)
out = {k: ({"dtype": str(v.dtype), "shape": list(v.shape), "data": v.double().reshape(-1).tolist(),
            "shares": v.storage().data_ptr() == d["w"].storage().data_ptr()} if torch.is_tensor(v) else v)
       for k, v in d.items()}
print(json.dumps(out))`;
  const out = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8" })) as Record<
    string,
    unknown
  >;
  assert.deepEqual(out.w, { dtype: "torch.float32", shape: [2, 2], data: [1.5, -2, 3, 4.25], shares: true });
  assert.deepEqual(out.wt, { dtype: "torch.float32", shape: [2, 2], data: [1.5, 3, -2, 4.25], shares: true });
  assert.deepEqual(out.i, { dtype: "torch.int64", shape: [2], data: [-(2 ** 40), 5], shares: false });
  assert.deepEqual(out.h, { dtype: "torch.float16", shape: [2], data: [0.5, -1], shares: false });
  assert.deepEqual(out.b, { dtype: "torch.bool", shape: [2], data: [1, 0], shares: false });
  assert.equal(out.n, 7);
  assert.equal(out.s, "hello");
});

test("corrupt and truncated checkpoints give clear errors", () => {
  const good = readFileSync(join(DIR, "dtypes.pt"));
  assert.throws(
    () => deserialize(new Uint8Array(good.subarray(0, good.length - 40))),
    /not a zip file|truncated|corrupt/,
  );
  const flipped = new Uint8Array(good);
  flipped[200] ^= 0xff;
  assert.throws(() => deserialize(flipped), /CRC mismatch|corrupt/);
  assert.throws(() => deserialize(new TextEncoder().encode("not a checkpoint at all")), /not a zip file/);
});

test("a pickle referencing an unknown global is refused, never run", () => {
  // GLOBAL 'os system', then a call: what a malicious checkpoint would do
  const enc = new TextEncoder();
  const pkl = Uint8Array.from([
    0x80,
    2,
    0x63,
    ...enc.encode("os\nsystem\n"),
    0x58,
    4,
    0,
    0,
    0,
    ...enc.encode("echo"),
    0x85,
    0x52,
    0x2e,
  ]);
  const zip = writeZip([{ name: "archive/data.pkl", data: pkl }]);
  assert.throws(() => deserialize(zip), /unsupported global 'os.system'/);
});

test("safetensors: round trip with metadata, lazy single-tensor read, PyTorch-compatible bytes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-"));
  const path = join(dir, "m.safetensors");
  const tensors = {
    "layer.weight": torch.tensor(
      [
        [1, 2.5],
        [-3, 4],
      ],
      { dtype: "float32" },
    ),
    "layer.bias": torch.tensor([0.5, -0.25], { dtype: "float64" }),
    steps: torch.tensor([3, -(2 ** 40)]),
    mask: torch.tensor([true, false, true]),
    half: torch.tensor([1.5, -0.125], { dtype: "bfloat16" }),
  };
  await saveFile(tensors, path, { format: "pt", note: "hi" });
  const back = await loadFile(path);
  for (const [k, t] of Object.entries(tensors)) {
    const b = back.get(k)!;
    assert.equal(b.dtype, t.dtype, k);
    assert.deepEqual(Array.from(b.dataSync()), Array.from(t.dataSync()), k);
  }
  const f = await SafeOpen.open(path);
  assert.deepEqual(f.metadata, { format: "pt", note: "hi" });
  assert.deepEqual(Array.from((await f.getTensor("layer.bias")).dataSync()), [0.5, -0.25]);
  await assert.rejects(() => f.getTensor("nope"), /no tensor named 'nope'/);
  await f.close();
  // an independent reader (Python struct + json + torch.frombuffer) sees the same values
  const script = `
import json, struct, sys, torch
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n])
dt = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "BOOL": torch.bool, "BF16": torch.bfloat16}
out = {}
for k, e in h.items():
    if k == "__metadata__": continue
    s, t = e["data_offsets"]
    out[k] = torch.frombuffer(bytearray(b[8 + n + s:8 + n + t]), dtype=dt[e["dtype"]]).double().tolist()
print(json.dumps(out))`;
  const py = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, path], { encoding: "utf8" })) as Record<
    string,
    number[]
  >;
  assert.deepEqual(py["layer.weight"], [1, 2.5, -3, 4]);
  assert.deepEqual(py.steps, [3, -(2 ** 40)]);
  assert.deepEqual(py.mask, [1, 0, 1]);
  assert.deepEqual(py.half, [1.5, -0.125]);
});

test("safetensors: corrupt headers and truncated data are rejected", () => {
  const bytes = serializeSafetensors({ a: torch.tensor([1, 2, 3], { dtype: "float32" }) });
  assert.throws(
    () => deserializeSafetensors(bytes.subarray(0, bytes.length - 4)),
    /data_offsets|truncated|invalid header/,
  );
  const bad = bytes.slice();
  bad[0] = 0xff;
  bad[5] = 0x7f;
  assert.throws(() => deserializeSafetensors(bad), /invalid header length/);
});

test("optimizer state dicts go both ways through .pt files", async () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-"));
  // torchts -> PyTorch: Python's AdamW loads our state dict and continues from the same moments.
  // (1.13's weights_only unpickler rejects Python floats even in its own optimizer files, so this
  // load uses the full unpickler.)
  const w = new torch.nn.Parameter(
    torch.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "float32" },
    ),
  );
  const b = new torch.nn.Parameter(torch.tensor([0.5, -1], { dtype: "float32" }));
  const opt = new torch.optim.AdamW([{ params: [w], lr: 0.01 }, { params: [b] }], { lr: 0.1 });
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    w.matmul(b).pow(2).sum().backward();
    opt.step();
  }
  const ours = join(dir, "adamw.pt");
  await save(opt.stateDict(), ours);
  const script = `
import json, sys, torch
sd = torch.load(sys.argv[1])
w = torch.nn.Parameter(torch.zeros(2, 2)); b = torch.nn.Parameter(torch.zeros(2))
o = torch.optim.AdamW([{"params": [w], "lr": 0.01}, {"params": [b]}], lr=0.1)
o.load_state_dict(sd)
s = o.state_dict()
print(json.dumps({"lrs": [g["lr"] for g in s["param_groups"]], "step": float(s["state"][0]["step"]),
                  "exp_avg": s["state"][1]["exp_avg"].tolist()}))
p = torch.nn.Parameter(torch.ones(2, 2)); sgd = torch.optim.SGD([p], lr=0.1, momentum=0.9)
p.sum().backward(); sgd.step()
torch.save(sgd.state_dict(), sys.argv[2])`;
  const theirs = join(dir, "sgd.pt");
  const out = JSON.parse(execFileSync("/usr/bin/python3", ["-c", script, ours, theirs], { encoding: "utf8" })) as {
    lrs: number[];
    step: number;
    exp_avg: number[];
  };
  const st = opt.stateDict().state.get(1) as Record<string, torch.Tensor>;
  assert.deepEqual(out.lrs, [0.01, 0.1]);
  assert.equal(out.step, 2);
  assert.deepEqual(out.exp_avg, Array.from(st.exp_avg!.dataSync()));
  // PyTorch -> torchts: SGD's momentum buffer and group options arrive
  const p = new torch.nn.Parameter(torch.ones(2, 2));
  const sgd = new torch.optim.SGD([p], { lr: 0.5, momentum: 0.9 });
  sgd.loadStateDict((await load(theirs)) as Map<string, unknown>);
  const back = sgd.stateDict();
  assert.equal(back.param_groups[0]!.lr, 0.1);
  assert.deepEqual(
    Array.from((back.state.get(0) as Record<string, torch.Tensor>).momentum_buffer!.dataSync()),
    [1, 1, 1, 1],
  );
});
