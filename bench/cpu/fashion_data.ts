// Fashion-MNIST for the epoch case: picks the full set (Debian's dataset-fashion-mnist) when it is
// installed, else the subset embedded in the repo, and reads its training images as normalized float32
// pixels (the demo's Normalize(0.286, 0.353)) and int labels. The TS contenders share this reader;
// bench/cpu/torch_cases.py reads the same files the same way.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { EpochData } from "./cases.js";

const FULL = "/usr/share/datasets/fashion-mnist";
const SUBSET = fileURLToPath(new URL("../../data/fashion-mnist-subset", import.meta.url));

/** Bytes of an idx file (gzipped or not) after checking its magic number and first dimension. */
function readIdx(path: string, magic: number): { count: number; body: Uint8Array } {
  const raw = readFileSync(existsSync(path) ? path : `${path}.gz`);
  const buf = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.getUint32(0) !== magic) throw new Error(`fashion_data: ${path} is not an idx file (magic ${magic})`);
  const dims = magic & 0xff;
  return { count: view.getUint32(4), body: buf.subarray(4 + 4 * dims) };
}

/** The data set the epoch case uses: the full one if installed, else the embedded subset. */
export function epochData(): EpochData {
  const dir = existsSync(join(FULL, "train-images-idx3-ubyte.gz")) ? FULL : SUBSET;
  const { count } = readIdx(join(dir, "train-labels-idx1-ubyte"), 0x801);
  const name = dir === FULL ? `the full Fashion-MNIST (${dir})` : "the embedded Fashion-MNIST subset";
  return { dir, name, images: count };
}

/** The first `limit` training images of `dir` as normalized [N*784] pixels, and their labels. */
export function loadTrain(dir: string, limit: number): { images: Float32Array; labels: Int32Array; count: number } {
  const img = readIdx(join(dir, "train-images-idx3-ubyte"), 0x803);
  const lab = readIdx(join(dir, "train-labels-idx1-ubyte"), 0x801);
  const count = Math.min(limit, img.count, lab.count);
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (img.body[i]! / 255 - 0.286) / 0.353;
  return { images, labels: Int32Array.from(lab.body.subarray(0, count)), count };
}
