// Python-style formatting of layer settings for module reprs, so `String(layer)` reads like PyTorch's
// (`Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))`, `BatchNorm2d(3, eps=1e-05, momentum=0.1, ...)`).

/** A float as Python's repr prints it: `1.0`, `0.1`, `1e-05`, `1e+16`. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // shortest round-trip digits, then Python's choice of notation (scientific below 1e-4 or from 1e16)
  const [mant, e] = x.toExponential().split("e") as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const neg = mant.startsWith("-");
  const digits = mant.replace("-", "").replace(".", "");
  let s: string;
  if (exp >= digits.length - 1) s = `${digits}${"0".repeat(exp - digits.length + 1)}.0`;
  else if (exp >= 0) s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  else s = `0.${"0".repeat(-exp - 1)}${digits}`;
  return neg ? `-${s}` : s;
}

/** A Python bool. */
export const pyBool = (b: boolean): string => (b ? "True" : "False");

/** An int, None, or a tuple of them (`(3,)`, `(3, 3)`, `(None, 1)`). */
export function pyValue(v: number | null | readonly (number | null)[]): string {
  if (v === null) return "None";
  if (typeof v === "number") return String(v);
  const items = v.map((x) => (x === null ? "None" : String(x)));
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}
