// Bundles bench/webgpu.ts (torchts and TensorFlow.js included) into one ES module for Node, so it runs
// without node_modules except the `webgpu` package (Dawn), which stays external. TensorFlow.js is
// taken from its ES module build ("module" field), which is the one that carries the gradients.
//   node bench/gpu/bundle.mjs [out file, default .gpu/webgpu.mjs]

import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outfile = process.argv[2] ?? join(root, ".gpu", "webgpu.mjs");
await build({
  entryPoints: [join(root, "bench", "webgpu.ts")],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  mainFields: ["module", "main"],
  external: ["webgpu"],
  // CommonJS dependencies call require(): give the ES module bundle one
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
console.error(`bundled bench/webgpu.ts into ${outfile}`);
