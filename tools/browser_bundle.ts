// Bundles torchts for browsers with esbuild: src/index.ts as one ES module (`torchts.js`, platform
// "browser"), plus optional page modules, into build/browser/ (git-ignored). test/browser.test.ts serves
// the result to Chromium; `npx tsx tools/browser_bundle.ts [outdir]` builds it by hand.

import * as esbuild from "esbuild";
import { basename, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

/** Where the bundle goes unless told otherwise (ignored by git, eslint and prettier). */
export const DEFAULT_OUTDIR = join(root, "build", "browser");

/** What `bundleForBrowser` wrote. */
export interface BrowserBundle {
  /** The output folder. */
  outdir: string;
  /** File names (relative to `outdir`) written: `torchts.js` first, then one `<name>.js` per page module. */
  files: string[];
  /** Bytes of `torchts.js`. */
  bytes: number;
}

const common: esbuild.BuildOptions = {
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  sourcemap: "linked",
  logLevel: "warning",
};

/**
 * Bundle src/index.ts into `<outdir>/torchts.js` for browsers, and each of `pages` (TypeScript modules that
 * get torchts as an argument, importing it as a type only) into `<outdir>/<name>.js`. Node-only modules
 * must not be reachable statically from src: a static import of one fails the build with esbuild's message.
 */
export async function bundleForBrowser(outdir = DEFAULT_OUTDIR, pages: readonly string[] = []): Promise<BrowserBundle> {
  const lib = await esbuild.build({
    ...common,
    entryPoints: [join(root, "src", "index.ts")],
    outfile: join(outdir, "torchts.js"),
    metafile: true,
  });
  const files = ["torchts.js"];
  for (const page of pages) {
    const name = basename(page, extname(page)) + ".js";
    await esbuild.build({ ...common, entryPoints: [page], outfile: join(outdir, name) });
    files.push(name);
  }
  const out = Object.entries(lib.metafile.outputs).find(([f]) => f.endsWith("torchts.js"));
  return { outdir, files, bytes: out ? out[1].bytes : 0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const b = await bundleForBrowser(process.argv[2] ? resolve(process.argv[2]) : DEFAULT_OUTDIR);
  console.log(`${join(b.outdir, b.files[0]!)}: ${(b.bytes / 1024).toFixed(0)} KiB`);
}
