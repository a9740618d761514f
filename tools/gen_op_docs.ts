// Generates docs/ops.md: the primitives of the op table and every public torch function, with the
// number of PyTorch fixture specs that exercise each. Run: npx tsx tools/gen_op_docs.ts
// (test/docs.test.ts fails when the committed file is out of date).

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as torch from "../src/index.js";
import { loadFixtures } from "../test/opspec.js";

export function renderOpDocs(): string {
  const specs = [...loadFixtures().values()].flat();
  const uses = (name: string) => {
    const re = new RegExp(`(torch\\.|\\.)${name}_?\\(`);
    return specs.filter((s) => re.test(s.ts)).length;
  };
  const lines: string[] = [
    "# Op coverage",
    "",
    "Generated from the op table (`src/ops/table.ts`) and the public API by `npx tsx tools/gen_op_docs.ts`;",
    'do not edit by hand. "Specs" counts the PyTorch fixture specs (test/fixtures/ops) whose torchts',
    "expression calls the function; each spec runs several input kinds (contiguous, non-contiguous,",
    "broadcast, 0-dim, empty, edge values) and dtypes, and checks gradients.",
    "",
    "## Primitives",
    "",
    "| primitive | gradient | kind |",
    "| --- | --- | --- |",
  ];
  for (const [name, p] of Object.entries(torch.prims)) {
    const prim = p as { grad: unknown; view?: unknown; run?: unknown };
    const kind = prim.view ? "view" : "kernel";
    lines.push(`| \`${name}\` | ${prim.grad ? "yes" : "no"} | ${kind} |`);
  }
  lines.push("", "## Public functions", "", "| function | specs |", "| --- | --- |");
  const fns = Object.entries(torch)
    .filter(([k, v]) => typeof v === "function" && /^[a-z]/.test(k))
    .map(([k]) => k)
    .sort();
  for (const name of fns) lines.push(`| \`torch.${name}\` | ${uses(name)} |`);
  lines.push("");
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(join(import.meta.dirname, "..", "docs", "ops.md"), renderOpDocs());
  console.log("wrote docs/ops.md");
}
