// Exact fused multiply-add in float32 and float64: PyTorch's x86 kernels are compiled with FMA
// contraction, so reproducing their rounding (random normals, linspace) needs a*b + c rounded once.

const fround = Math.fround;
const f64buf = new Float64Array(1);
const u64buf = new BigUint64Array(f64buf.buffer);
const hi32 = new Uint32Array(f64buf.buffer);

/** fmaf(a, b, c) for float32 values: a*b + c rounded once to float32. */
export function fmaf(a: number, b: number, c: number): number {
  const s = a * b + c; // a * b is exact: two 24-bit significands
  const r = fround(s);
  // when s is a float32, the exact value (within a double ulp of s) rounds to it
  return r === s ? r : fmafRound(a * b, c, s, r);
}
/** fmaf's rounding when p + c rounded to double (s) is not a float32. */
function fmafRound(p: number, c: number, s: number, r: number): number {
  const d = s - r;
  const n = r + 2 * d;
  if (fround(n) !== n) return r; // s is not halfway between two float32s
  // s is halfway: the rounding error of p + c in double breaks the tie
  const bb = s - p;
  const err = p - (s - bb) + (c - bb); // p + c = s + err exactly
  if (err === 0) return r;
  return err > 0 === d > 0 ? n : r;
}

/** Splits a double into two halves whose products are exact (Veltkamp). */
function twoProdErr(a: number, b: number, p: number): number {
  const ca = 134217729 * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = 134217729 * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/** A double as mantissa * 2^exp with an integer (BigInt) mantissa. */
function exactParts(x: number): [bigint, number] {
  if (x === 0) return [0n, 0];
  f64buf[0] = x;
  const bits = u64buf[0]!;
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let ex = -1074;
  if (e !== 0) {
    m |= 1n << 52n;
    ex = e - 1075;
  }
  return [neg ? -m : m, ex];
}

/** Round m * 2^e to the nearest double (ties to even). */
function roundExact(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let a = neg ? -m : m;
  const bits = a.toString(2).length;
  let shift = bits - 53;
  // subnormal results keep fewer bits
  if (e + shift < -1074) shift = -1074 - e;
  if (shift > 0) {
    const sh = BigInt(shift);
    const rem = a & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    a >>= sh;
    if (rem > half || (rem === half && (a & 1n) === 1n)) a += 1n;
    e += shift;
  }
  const r = Number(a) * 2 ** e;
  return neg ? -r : r;
}

function fmaSlow(a: number, b: number, c: number): number {
  const [ma, ea] = exactParts(a);
  const [mb, eb] = exactParts(b);
  const [mc, ec] = exactParts(c);
  const mp = ma * mb;
  const ep = ea + eb;
  if (mp === 0n) return a * b + c;
  if (mc === 0n) return roundExact(mp, ep);
  const e = Math.min(ep, ec);
  return roundExact((mp << BigInt(ep - e)) + (mc << BigInt(ec - e)), e);
}

/** Half the spacing of doubles just above |r| (r finite, nonzero). */
function halfUlp(r: number): number {
  f64buf[0] = r;
  const exp = (hi32[1]! >>> 20) & 0x7ff;
  return exp === 0 ? 2 ** -1075 : 2 ** (exp - 1076);
}

/** fma(a, b, c) for doubles: a*b + c rounded once. */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (c === 0 || p === 0 || !Number.isFinite(p) || !Number.isFinite(c)) return p + c;
  const ap = Math.abs(p);
  if (ap > 2 ** 990 || ap < 2 ** -960 || Math.abs(c) < 2 ** -960) return fmaSlow(a, b, c);
  const e = twoProdErr(a, b, p); // a*b = p + e
  const s = p + c;
  const sb = s - p;
  const t = p - (s - sb) + (c - sb); // p + c = s + t
  const w = t + e;
  const wb = w - t;
  const werr = t - (w - wb) + (e - wb); // t + e = w + werr
  const r = s + w;
  if (werr === 0) return r;
  const rb = r - s;
  const q = s - (r - rb) + (w - rb); // s + w = r + q; exact value r + q + werr
  const h = halfUlp(r);
  // the exact value stays within the rounding interval of r unless q + werr reaches its edge
  const below = q + werr < 0 === r > 0; // moving towards zero, where r may be a binade edge
  const edge = below ? h / 2 : h;
  if (Math.abs(q) + Math.abs(werr) < edge) return r;
  return fmaSlow(a, b, c);
}
