// Smoke test of the CPU benchmark driver (bench/cpu/run.ts): a --quick run of a few cases for the
// torchts contenders only must print a table with a numeric time in every torchts cell and write its
// marked section into a results file without touching the rest. No timing is asserted.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpuKernelInfo } from "../src/backends/cpu/native.js";
import * as prettier from "prettier";
import { writeSection } from "../bench/cpu/results_file.js";

const TIME = /^\d+(\.\d+)? (us|ms|s)$/;

/** The cells of the markdown table rows whose first cell starts with `prefix`. */
function rows(text: string, prefix: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`| ${prefix}`))
    .map((l) =>
      l
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

test("bench --quick prints numeric torchts times and writes only its marked section", async () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-bench-"));
  try {
    const results = join(dir, "RESULTS.md");
    const before =
      "# Results\n\nintro\n\n<!-- cpu-bench:start -->\nold table\n<!-- cpu-bench:end -->\n\n## Other section\n\nkept\n";
    writeFileSync(results, before);
    const native = cpuKernelInfo().kernels === "native";
    const contenders = native ? "native,ts" : "ts";
    const r = spawnSync(
      process.execPath,
      ["--import", "tsx", "bench/cpu/run.ts", "--quick", "--cases", "matmul,add", "--threads", "1"].concat([
        "--contenders",
        contenders,
        "--write",
        "--results",
        results,
      ]),
      { encoding: "utf8", timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const matmul = rows(r.stdout, "matmul");
    const add = rows(r.stdout, "dispatch");
    assert.equal(matmul.length, 2, r.stdout);
    assert.equal(add.length, 1, r.stdout);
    for (const row of [...matmul, ...add]) {
      assert.equal(row[1], "not run"); // PyTorch was not asked for
      if (native) assert.match(row[2]!, TIME);
      assert.match(row[5]!, TIME); // TS kernels
    }
    const written = readFileSync(results, "utf8");
    assert.ok(written.startsWith("# Results\n\nintro\n\n<!-- cpu-bench:start -->\n\n### CPU benchmark"), written);
    assert.ok(written.endsWith("|\n\n<!-- cpu-bench:end -->\n\n## Other section\n\nkept\n"), written);
    assert.ok(!written.includes("old table"));
    assert.equal(rows(written, "matmul").length, 2);
    const config = (await prettier.resolveConfig("bench/RESULTS.md")) ?? {};
    assert.ok(await prettier.check(written, { ...config, parser: "markdown" }), "the section is prettier-formatted");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("writeSection appends a missing section and refuses a half-marked file", () => {
  const dir = mkdtempSync(join(tmpdir(), "torchts-bench-"));
  try {
    const f = join(dir, "R.md");
    writeFileSync(f, "# R\n\ntext\n");
    writeSection(f, "s", "body 1");
    assert.equal(readFileSync(f, "utf8"), "# R\n\ntext\n\n<!-- s:start -->\n\nbody 1\n\n<!-- s:end -->\n");
    writeSection(f, "s", "body 2\n");
    assert.equal(readFileSync(f, "utf8"), "# R\n\ntext\n\n<!-- s:start -->\n\nbody 2\n\n<!-- s:end -->\n");
    writeFileSync(f, "<!-- s:start -->\n");
    assert.throws(() => writeSection(f, "s", "x"), /only one of the markers/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
