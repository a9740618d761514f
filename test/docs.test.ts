// The generated op coverage list in docs/ops.md must match the op table and fixtures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderOpDocs } from "../tools/gen_op_docs.js";

test("docs/ops.md is up to date (run: npx tsx tools/gen_op_docs.ts)", () => {
  const committed = readFileSync(join(import.meta.dirname, "..", "docs", "ops.md"), "utf8");
  assert.equal(committed, renderOpDocs());
});
