// Builds the native CPU kernels (native/build/Release/torchts_native.node) with node-gyp and the system
// C++ compiler; run by `npm ci` / `npm install` (the package's "install" script) and `npm run build:native`.
// It never fails the install: without a compiler torchts runs on its TypeScript kernels and says so.
// Headers come from the local Node installation (nodedir), so the build works offline.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const strict = process.argv.includes("--strict"); // exit non-zero on failure (for CI and `build:native`)

/** node-gyp's entry script: npm's own (npm sets npm_config_node_gyp for scripts), or a resolvable one. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not a dependency: fine
  }
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"));
  return candidates.find((c) => c && existsSync(c));
}

/** Node's headers without a download: npm's nodedir setting, else the installation running this script. */
function findNodeDir() {
  if (process.env.npm_config_nodedir) return process.env.npm_config_nodedir;
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, "include/node/node_api.h")) ? prefix : undefined;
}

function giveUp(why) {
  console.warn(`torchts: native CPU kernels not built (${why}); torchts will use its TypeScript kernels.`);
  process.exit(strict ? 1 : 0);
}

if (process.env.TORCHTS_SKIP_NATIVE_BUILD) giveUp("TORCHTS_SKIP_NATIVE_BUILD is set");
const gyp = findNodeGyp();
if (!gyp) giveUp("node-gyp not found");
const nodedir = findNodeDir();
const args = [gyp, "rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const r = spawnSync(process.execPath, args, { cwd: here, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
if (r.status !== 0) {
  const log = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n");
  console.warn(log);
  giveUp(r.error ? r.error.message : `node-gyp exited with ${r.status}`);
}
console.log("torchts: native CPU kernels built (native/build/Release/torchts_native.node)");
