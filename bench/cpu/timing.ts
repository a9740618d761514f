// How a benchmark process times one case. bench/cpu/torch_cases.py follows the same rule, so every
// contender is measured alike: warm-up calls (at least one, until `warmupMs` has passed, untimed), then
// timed calls until at least `minReps` are done and `budgetMs` has passed, at most `maxReps`.

/** Repetition rule handed by the driver to each contender's process. */
export interface Protocol {
  readonly warmupMs: number;
  readonly minReps: number;
  readonly maxReps: number;
  readonly budgetMs: number;
}

/**
 * The rule of a measurement run. Two seconds of warm-up: V8 keeps compiling hot code on a background
 * thread for the first second or so, which at 2 threads takes a core from the kernels (MLP inference
 * at batch 64, 2 threads: 460 us per call in the 40 calls after 300 ms of warm-up, 245 us after 2 s).
 */
export const FULL_PROTOCOL: Protocol = { warmupMs: 2000, minReps: 3, maxReps: 40, budgetMs: 1500 };
/** The rule of a `--quick` smoke run. */
export const QUICK_PROTOCOL: Protocol = { warmupMs: 0, minReps: 2, maxReps: 3, budgetMs: 0 };

/**
 * Times `step` (sync, or async like an epoch over a DataLoader) by the protocol; `calls` is how many operations one step performs (the reported times
 * are per operation). `single` runs exactly one timed step and no warm-up (a whole epoch).
 */
export async function timeSteps(step: () => unknown, p: Protocol, calls = 1, single = false): Promise<number[]> {
  if (!single) {
    const w0 = performance.now();
    do await step();
    while (performance.now() - w0 < p.warmupMs);
  }
  const times: number[] = [];
  const t0 = performance.now();
  const maxReps = single ? 1 : p.maxReps;
  const minReps = single ? 1 : p.minReps;
  while (times.length < maxReps && (times.length < minReps || performance.now() - t0 < p.budgetMs)) {
    const s = performance.now();
    await step();
    times.push((performance.now() - s) / calls);
  }
  return times;
}
