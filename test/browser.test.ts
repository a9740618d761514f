// torchts in a real browser: Debian's Chromium (driven by playwright-core, never a downloaded browser)
// loads the esbuild bundle of src/index.ts from a static server on 127.0.0.1, then test/browser/page.ts
// trains a seeded tiny CNN for three SGD steps on "webgpu" and on "cpu" in the same page. The CPU run must
// match PyTorch 1.13 (test/fixtures/browser_train.json, from tools/gen_browser_fixture.py), the WebGPU run
// the CPU run, and webgpu readback must follow its rules. Fails (does not skip) without /usr/bin/chromium
// or without a WebGPU adapter. Headless Chromium without a GPU offers SwiftShader (Vulkan on the CPU,
// WebGPU's "fallback adapter"): the kernels still run as WGSL compute shaders, only slowly.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { DEFAULT_OUTDIR, bundleForBrowser } from "../tools/browser_bundle.js";
import type { PageResult } from "./browser/page.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--enable-unsafe-webgpu",
];
/** How long the page may take (it needs about 2 s with SwiftShader on 2 CPU cores). */
const PAGE_TIMEOUT_MS = 60_000;
const here = fileURLToPath(new URL(".", import.meta.url));
const PAGE_MODULE = join(here, "browser", "page.ts");

interface Fixture {
  labels: number[];
  losses: number[];
  params: Record<string, number[]>;
}
const want = JSON.parse(readFileSync(join(here, "fixtures", "browser_train.json"), "utf8")) as Fixture;

const INDEX = `<!doctype html>
<html><head><meta charset="utf-8"><title>torchts browser test</title></head>
<body>torchts browser test</body></html>
`;
const TYPES: Record<string, string> = { ".js": "text/javascript", ".map": "application/json" };

/** A static server on 127.0.0.1 (random port) for the page and the files of `dir`, cross-origin isolated. */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://127.0.0.1").pathname.slice(1) || "index.html";
    const headers = {
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cache-Control": "no-store",
    };
    if (name === "index.html") {
      res.writeHead(200, { ...headers, "Content-Type": "text/html; charset=utf-8" }).end(INDEX);
      return;
    }
    const ext = name.slice(name.lastIndexOf("."));
    if (!/^[\w.-]+$/.test(name) || !TYPES[ext]) {
      res.writeHead(404, headers).end();
      return;
    }
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200, { ...headers, "Content-Type": TYPES[ext] }).end(body),
      () => res.writeHead(404, headers).end(),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** `p`, or a rejection after `ms` (so the browser is closed in `finally` rather than left running). */
async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`${what} took more than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** PyTorch's `assert_close` for float32 (rtol 1.3e-6, atol 1e-5), element by element. */
function assertClose(got: readonly number[], exp: readonly number[], what: string): void {
  assert.equal(got.length, exp.length, `${what}: ${got.length} values, expected ${exp.length}`);
  for (let i = 0; i < exp.length; i++) {
    const g = got[i]!;
    const e = exp[i]!;
    assert.ok(Math.abs(g - e) <= 1e-5 + 1.3e-6 * Math.abs(e), `${what}[${i}]: ${g}, expected ${e}`);
  }
}

function assertSameParams(got: Record<string, number[]>, exp: Record<string, number[]>, what: string): void {
  assert.deepEqual(Object.keys(got), Object.keys(exp), `${what}: state-dict keys`);
  for (const k of Object.keys(exp)) assertClose(got[k]!, exp[k]!, `${what} ${k}`);
}

test("Chromium: a training step on WebGPU matches the CPU and PyTorch; webgpu readback is async", async (t) => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)`);
  const t0 = Date.now();
  const bundle = await bundleForBrowser(DEFAULT_OUTDIR, [PAGE_MODULE]);
  t.diagnostic(`bundle: ${(bundle.bytes / 1024).toFixed(0)} KiB in ${Date.now() - t0} ms`);
  const { server, url } = await serve(bundle.outdir);
  let browser: Browser | undefined;
  let r: PageResult;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: 30_000 });
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${url}/index.html`);
    const work = page
      .evaluate(
        async (mods: string[]) => {
          const torch = (await import(mods[0]!)) as typeof import("../src/index.js");
          const m = (await import(mods[1]!)) as typeof import("./browser/page.js");
          return m.run(torch);
        },
        bundle.files.map((f) => `${url}/${f}`),
      )
      .catch((e: Error) => {
        throw new Error(
          `in the page: ${e.message}${pageErrors.length ? `\npage errors: ${pageErrors.join("\n")}` : ""}`,
        );
      });
    r = await withTimeout(work, PAGE_TIMEOUT_MS, "the page's training run");
  } finally {
    await browser?.close();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
  const gap = Math.max(
    ...Object.keys(r.cpu.params).flatMap((k) => r.cpu.params[k]!.map((v, i) => Math.abs(v - r.webgpu.params[k]![i]!))),
  );
  t.diagnostic(
    `adapter ${JSON.stringify(r.adapter)}; cpu ${r.cpu.ms.toFixed(0)} ms, webgpu ${r.webgpu.ms.toFixed(0)} ms; ` +
      `max |webgpu - cpu| over parameters ${gap.toExponential(2)}; total ${Date.now() - t0} ms`,
  );

  // a real WebGPU device ran the kernels: the adapter exists and every tensor of the run lived on it
  assert.ok(r.adapter, "navigator.gpu.requestAdapter() returned null: WebGPU is not available in this Chromium");
  assert.ok(r.torchAdapter.length > 0);
  assert.ok(r.crossOriginIsolated, "the page is not cross-origin isolated (COOP/COEP headers)");
  assert.ok(r.webgpu.devices.length > 2);
  assert.ok(
    r.webgpu.devices.every((d) => d === "webgpu"),
    `webgpu run devices: ${r.webgpu.devices.join(",")}`,
  );
  assert.ok(
    r.cpu.devices.every((d) => d === "cpu"),
    `cpu run devices: ${r.cpu.devices.join(",")}`,
  );
  assert.ok(r.pipelines > 0, "no compute pipeline was compiled");
  assert.ok(r.bytesInUse > 0, "no GPU memory is held by the trained model");

  // the CPU run in the browser is PyTorch's; the WebGPU run is the CPU's
  assert.deepEqual(r.cpu.labels, want.labels);
  assert.deepEqual(r.webgpu.labels, want.labels);
  assertClose(r.cpu.losses, want.losses, "cpu loss");
  assertSameParams(r.cpu.params, want.params, "cpu");
  assertClose(r.webgpu.losses, r.cpu.losses, "webgpu loss vs cpu");
  assertSameParams(r.webgpu.params, r.cpu.params, "webgpu vs cpu");

  // webgpu readback: the sync forms raise the documented error, the async one returns the values
  assert.match(r.syncReadError, /cannot be read synchronously.*await x\.data\(\)/);
  assert.deepEqual(r.asyncRead, [3, -4, 6]);
  assert.match(r.badTargetError, /Target 3 is out of bounds/); // PyTorch's message, raised at the readback
});
