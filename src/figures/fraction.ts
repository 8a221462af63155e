// Exact rationals on bigint: rates are kept as fractions and rounded only for display.
// Floats are never used for a figure, so 71/130 shows as 54.62%, never 54.61%.

export interface Fraction {
  readonly num: bigint;
  /** Always positive. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function fraction(num: bigint | number, den: bigint | number = 1n): Fraction {
  let n = BigInt(num);
  let d = BigInt(den);
  if (d === 0n) throw new RangeError('denominator is zero');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { num: n / g, den: d / g };
}

export const add = (a: Fraction, b: Fraction) => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const sub = (a: Fraction, b: Fraction) => fraction(a.num * b.den - b.num * a.den, a.den * b.den);
export const mul = (a: Fraction, b: Fraction) => fraction(a.num * b.num, a.den * b.den);
export const div = (a: Fraction, b: Fraction) => fraction(a.num * b.den, a.den * b.num);
export const compare = (a: Fraction, b: Fraction) => {
  const d = a.num * b.den - b.num * a.den;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};
export const equals = (a: Fraction, b: Fraction) => a.num === b.num && a.den === b.den;

/**
 * Round half-up (四舍五入: half away from zero, as Chinese statistics do) to `digits`
 * decimals; returns the scaled integer, e.g. 0.546153…, 2 → 55 (for 0.55).
 */
export function roundScaled(f: Fraction, digits: number): bigint {
  const scale = 10n ** BigInt(digits);
  const n = f.num < 0n ? -f.num : f.num;
  const q = (2n * n * scale + f.den) / (2n * f.den);
  return f.num < 0n ? -q : q;
}

/**
 * Decimals to show `f` with beside its rounding at `printed` decimals: at least `min`, and more
 * when fewer would read as rounding the other way (98.4496 → 98.4, where 98.450 would read
 * as 98.5); fewer when `f` is exact with fewer (93.75).
 */
export function decidingDecimals(f: Fraction, printed: number, min: number): number {
  const want = roundScaled(f, printed);
  for (let d = 0; d < 40; d++) {
    const scale = 10n ** BigInt(d);
    if ((f.num * scale) % f.den === 0n) return d;
    if (d >= min && d > printed && roundScaled(fraction(roundScaled(f, d), scale), printed) === want) return d;
  }
  return 40;
}

/** Decimal text of a fraction rounded half-up to `digits` decimals: `toDecimal(1/8, 2)` → `0.13`. */
export function toDecimal(f: Fraction, digits: number): string {
  const q = roundScaled(f, digits);
  const neg = q < 0n;
  const s = (neg ? -q : q).toString().padStart(digits + 1, '0');
  const body = digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  return neg ? `-${body}` : body;
}

/** A share as a percentage rounded half-up: `formatPercent(71/130, 2)` → `54.62%`. */
export function formatPercent(f: Fraction, digits: number): string {
  return `${toDecimal(mul(f, fraction(100n)), digits)}%`;
}

/**
 * Parse a decimal as printed (`97.2`, `-3`, `0.125`) into an exact fraction and the number
 * of decimals it was printed with. Returns undefined for anything else.
 */
export function parseDecimal(text: string): { value: Fraction; digits: number } | undefined {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, int, dec = ''] = m;
  const n = BigInt(int! + dec) * (sign === '-' ? -1n : 1n);
  return { value: fraction(n, 10n ** BigInt(dec.length)), digits: dec.length };
}

export function toNumber(f: Fraction): number {
  return Number(f.num) / Number(f.den);
}

export function fractionToJSON(f: Fraction): string {
  return f.den === 1n ? f.num.toString() : `${f.num}/${f.den}`;
}
