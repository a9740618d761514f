// Bundles bench/webgpu.ts (torchts and TensorFlow.js included) and the demo examples/fashion_mnist.ts
// into ES modules for Node, so they run without node_modules except the `webgpu` package (Dawn), which
// stays external. TensorFlow.js is taken from its ES module build ("module" field), which is the one
// that carries the gradients.
//   node bench/gpu/bundle.mjs [out folder, default .gpu]  -> webgpu.mjs, fashion_mnist.mjs

import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const outdir = process.argv[2] ?? join(root, ".gpu");
await build({
  entryPoints: {
    webgpu: join(root, "bench", "webgpu.ts"),
    fashion_mnist: join(root, "examples", "fashion_mnist.ts"),
  },
  outdir,
  outExtension: { ".js": ".mjs" },
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
console.error(`bundled bench/webgpu.ts and examples/fashion_mnist.ts into ${outdir}`);
