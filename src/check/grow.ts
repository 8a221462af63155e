// Exact sums, integer lists and first-seen tables: what the row pass keeps per row (its
// column of line numbers is Int32List, in src/lists.ts).

/** Exact integers: in a Float64Array while safe, the rare larger one kept aside as a bigint. */
export class IntegerList {
  private a = new Float64Array(1024);
  private readonly big = new Map<number, bigint>();
  length = 0;
  push(v: bigint): void {
    if (this.length === this.a.length) {
      const b = new Float64Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const n = Number(v);
    if (Number.isSafeInteger(n)) this.a[this.length++] = n;
    else {
      this.big.set(this.length, v);
      this.a[this.length++] = NaN;
    }
  }
  get(i: number): number | bigint {
    const n = this.a[i]!;
    return n === n ? n : this.big.get(i)!;
  }
}

/**
 * First line of each distinct text: texts of up to 15 digits (10-digit site codes) kept as
 * numbers (exact in a double) in an open-addressed table of keys, their lines in a table of
 * their own: a lookup reads one slot of 8 bytes (one cache miss), and the line is read only
 * for a duplicate (written for a new key, which does not wait for memory).
 */
export class FirstSeen {
  /** Keys; EMPTY where none. */
  private keys = new Float64Array(1 << 12).fill(EMPTY);
  private lines = new Int32Array(1 << 12);
  private size = 0;
  private readonly other = new Map<string, number>();

  /** The line where `text` was first seen, or undefined (and `line` is recorded). */
  check(text: string, line: number): number | undefined {
    const n = digitsValue(text);
    if (n < 0) {
      const first = this.other.get(text);
      if (first === undefined) this.other.set(text, line);
      return first;
    }
    if (this.size * 2 >= this.keys.length) this.grow();
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = hash(n) & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === EMPTY) {
        keys[i] = n;
        this.lines[i] = line;
        this.size++;
        return undefined;
      }
      if (k === n) return this.lines[i];
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldLines = this.lines;
    const keys = new Float64Array(oldKeys.length * 2).fill(EMPTY);
    const lines = new Int32Array(oldKeys.length * 2);
    const mask = keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const n = oldKeys[j]!;
      if (n === EMPTY) continue;
      let i = hash(n) & mask;
      while (keys[i] !== EMPTY) i = (i + 1) & mask;
      keys[i] = n;
      lines[i] = oldLines[j]!;
    }
    this.keys = keys;
    this.lines = lines;
  }
}

/** No key: digitsValue gives none below zero. */
const EMPTY = -1;

/** The value of 1–15 digits without a leading zero (so equal values are equal texts), else -1. */
function digitsValue(s: string): number {
  const len = s.length;
  if (len === 0 || len > 15 || (len > 1 && s.charCodeAt(0) === 48)) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

function hash(n: number): number {
  const lo = n % 4294967296;
  const hi = (n - lo) / 4294967296;
  return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) ^ (lo >>> 13);
}

/** A sum of bigints that adds small ones as numbers (exact below 2^53) and carries over. */
export class ExactSum {
  private n = 0;
  private b = 0n;
  add(v: bigint): void {
    const x = Number(v);
    if (x < 2147483648 && x > -2147483648) {
      this.n += x;
      if (this.n > 4503599627370496 || this.n < -4503599627370496) {
        this.b += BigInt(this.n);
        this.n = 0;
      }
    } else this.b += v;
  }
  get value(): bigint {
    return this.b + BigInt(this.n);
  }
}
