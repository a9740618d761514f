// Writes one marked section of bench/RESULTS.md (between `<!-- <name>:start -->` and
// `<!-- <name>:end -->`), leaving the rest of the file, which other people edit, untouched. The section is
// formatted with the repo's prettier settings first, so `prettier --check` keeps passing.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as prettier from "prettier";

/** `markdown` formatted as prettier would format it inside `path`. */
export async function formatMarkdown(markdown: string, path: string): Promise<string> {
  const config = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(markdown, { ...config, parser: "markdown" });
}

/** Replaces section `name` of the markdown file at `path` with `body` (appended when absent). */
export function writeSection(path: string, name: string, body: string): void {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n\n${body.trim()}\n\n${end}`;
  const text = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  let out: string;
  if (i >= 0 && j > i) out = text.slice(0, i) + block + text.slice(j + end.length);
  else if (i >= 0 || j >= 0) throw new Error(`bench: ${path} has only one of the markers ${start} / ${end}`);
  else out = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, out);
}
