// Scratch memory for the size / stride / offset lists ("meta") the native addon's kernels take. A
// fresh Float64Array per call costs more than a small kernel: V8 keeps arrays of up to 64 bytes in
// its heap and must move them off it the first time native code asks for their data, and gives larger
// ones an off-heap buffer of their own; either is about a microsecond. The lists are instead views of
// one ring of off-heap memory, valid until the ring comes round again (far more than any one kernel
// call needs, since a list is read only during the call it is built for).

/** Doubles in the ring. */
const RING = 1 << 14;
const ring = new Float64Array(RING);
let next = 0;

/** A zero-filled Float64Array of `n` elements for one native call's meta list. */
export function metaArray(n: number): Float64Array {
  if (n > RING / 4) return new Float64Array(n);
  if (next + n > RING) next = 0;
  const m = ring.subarray(next, next + n);
  next += n;
  return m.fill(0);
}

/** A meta list holding `values`. */
export function metaOf(values: readonly number[]): Float64Array {
  const m = metaArray(values.length);
  m.set(values);
  return m;
}
