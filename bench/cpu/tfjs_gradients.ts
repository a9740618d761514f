// Registers TensorFlow.js's gradient functions in Node. tfjs-core's Node bundle (what
// `import "@tensorflow/tfjs-core"` loads) has no gradients (the `@tensorflow/tfjs` union package
// registers them), and its ESM sources (`dist/register_all_gradients.js`) use directory imports that
// Node's ESM loader refuses. So this bundles that file once with esbuild (a devDependency) into a
// temporary module and imports it; tfjs keeps its registries and engine in one global, so the
// bundled gradients register into the same engine the backends use.

import { buildSync } from "esbuild";
import { existsSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { version_core } from "@tensorflow/tfjs-core";

/** Bundles (once per tfjs version) and imports tfjs-core's gradient registrations. */
export async function registerTfjsGradients(): Promise<void> {
  const out = join(tmpdir(), `torchts-bench-tfjs-gradients-${version_core}.mjs`);
  if (!existsSync(out)) {
    const entry = createRequire(import.meta.url).resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
    const part = `${out}.${process.pid}.tmp`;
    buildSync({
      entryPoints: [entry],
      bundle: true,
      format: "esm",
      platform: "node",
      outfile: part,
      logLevel: "error",
    });
    renameSync(part, out);
  }
  await import(pathToFileURL(out).href);
}
