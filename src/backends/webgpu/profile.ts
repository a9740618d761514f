// The kernel profiler of the webgpu device: between `startProfiling()` and `await stopProfiling()`,
// every kernel runs in its own compute pass whose start and end the GPU timestamps (the adapter's
// "timestamp-query" feature), and the durations are summed per kernel. It measures GPU time, not
// the JS time spent queueing, and serialises kernels that would otherwise overlap, so totals are a
// little above an unprofiled run. Browsers may round timestamps (to 100 us in Chrome without its
// developer features); Dawn in Node gives the GPU's resolution.

/** GPU time of one kernel (pipeline) over a profiling session. */
export interface KernelTime {
  /** The pipeline's cache key, cut to 120 characters: kernel family, dtypes, expression or tile. */
  readonly kernel: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanUs: number;
}

const U = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, QUERY_RESOLVE: 512 } as const;
/** Kernels per query set: each batch of queued kernels is resolved at the flush that submits it. */
export const PROFILE_CAPACITY = 256;

interface Session {
  device: GPUDevice;
  querySet: GPUQuerySet;
  resolve: GPUBuffer;
  /** Kernel names of the passes timestamped since the last flush, in order. */
  names: string[];
  totals: Map<string, { calls: number; ns: number }>;
  /** Readbacks of submitted batches still to be summed. */
  pending: Promise<void>[];
}

let session: Session | null = null;

/** Whether a profiling session is running. */
export function profiling(): boolean {
  return session !== null;
}

/** Begin a session on `device` (which must have been created with "timestamp-query"). */
export function beginSession(device: GPUDevice): void {
  session = {
    device,
    querySet: device.createQuerySet({ type: "timestamp", count: 2 * PROFILE_CAPACITY }),
    resolve: device.createBuffer({ size: 16 * PROFILE_CAPACITY, usage: U.QUERY_RESOLVE | U.COPY_SRC }),
    names: [],
    totals: new Map(),
    pending: [],
  };
}

/** The timestampWrites of the next kernel's pass (named `name`), or null when the batch is full. */
export function nextTimestamps(name: string): GPUComputePassTimestampWrites | null {
  const s = session!;
  if (s.names.length >= PROFILE_CAPACITY) return null;
  const i = s.names.length;
  s.names.push(name);
  return { querySet: s.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
}

/** Queue the resolve and copy of this batch's timestamps into `encoder` (before it is finished). */
export function resolveBatch(encoder: GPUCommandEncoder): (() => void) | null {
  const s = session;
  if (!s || s.names.length === 0) return null;
  const n = s.names.length;
  const names = s.names.splice(0);
  const read = s.device.createBuffer({ size: 16 * n, usage: U.MAP_READ | U.COPY_DST });
  encoder.resolveQuerySet(s.querySet, 0, 2 * n, s.resolve, 0);
  encoder.copyBufferToBuffer(s.resolve, 0, read, 0, 16 * n);
  // after submit: read the timestamps back and add them up
  return () => {
    s.pending.push(
      read.mapAsync(1).then(() => {
        const t = new BigInt64Array(read.getMappedRange());
        for (let i = 0; i < n; i++) {
          const ns = Number(t[2 * i + 1]! - t[2 * i]!);
          const e = s.totals.get(names[i]!) ?? { calls: 0, ns: 0 };
          e.calls++;
          e.ns += ns > 0 ? ns : 0;
          s.totals.set(names[i]!, e);
        }
        read.unmap();
        read.destroy();
      }),
    );
  };
}

/** End the session (after its last batch was submitted): per-kernel times, largest total first. */
export async function endSession(): Promise<KernelTime[]> {
  const s = session;
  if (!s) throw new Error("webgpu.stopProfiling(): no profiling session is running (call startProfiling() first)");
  session = null;
  await Promise.all(s.pending);
  s.querySet.destroy();
  s.resolve.destroy();
  return [...s.totals]
    .map(([kernel, e]) => ({ kernel, calls: e.calls, totalMs: e.ns / 1e6, meanUs: e.ns / 1e3 / e.calls }))
    .sort((a, b) => b.totalMs - a.totalMs);
}
