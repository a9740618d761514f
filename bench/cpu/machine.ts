// What the CPU benchmark records about where it ran: date, CPU model and cores (lscpu), load average,
// Node and TF.js versions, and how PyTorch's BLAS was set up (bench/run.sh's environment).

import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { createRequire } from "node:module";

/** The CPU's model name as `lscpu` prints it (os.cpus() where lscpu is missing). */
export function cpuModel(): string {
  try {
    const out = execFileSync("lscpu", { encoding: "utf8" });
    const m = /^Model name:\s*(.+)$/m.exec(out);
    if (m) return m[1]!.trim();
  } catch {
    // fall through
  }
  return cpus()[0]?.model ?? "unknown CPU";
}

/** The 1-minute load average (NaN off Linux). */
export function loadAverage(): number {
  try {
    return Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/** One line describing the machine. */
export function machineLine(): string {
  return `${cpuModel()}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

/** The installed TF.js core version. */
export function tfjsVersion(): string {
  const req = createRequire(import.meta.url);
  return (req("@tensorflow/tfjs-core/package.json") as { version: string }).version;
}

/** How PyTorch's BLAS is set up in this environment (bench/run.sh puts OpenBLAS in front). */
export function blasLine(core: string | undefined): string {
  const lib = process.env.LD_LIBRARY_PATH?.split(":").find((d) => /openblas/i.test(d));
  const where = lib ? `OpenBLAS from ${lib}` : "the system's libblas.so.3 (run through bench/run.sh for OpenBLAS)";
  return `${where}, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? "auto"}${core ? `, core used: ${core}` : ""}`;
}
