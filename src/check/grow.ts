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
 * numbers in an open-addressed table of 12-byte slots (key high and low halves, line), side by
 * side so that a lookup costs one cache miss.
 */
export class FirstSeen {
  /** Triples [key high 32 bits (-1: empty), key low 32 bits, line]. */
  private slots = new Int32Array(3 << 12).fill(-1);
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
    if (this.size * 6 >= this.slots.length) this.grow();
    const lo = n % 4294967296 | 0;
    const hi = (n / 4294967296) | 0; // below 2^18: 15 digits
    const slots = this.slots;
    const capacity = slots.length / 3;
    const mask = capacity - 1;
    let i = hash(n) & mask;
    for (;;) {
      const k = 3 * i;
      const h = slots[k]!;
      if (h === -1) {
        slots[k] = hi;
        slots[k + 1] = lo;
        slots[k + 2] = line;
        this.size++;
        return undefined;
      }
      if (h === hi && slots[k + 1] === lo) return slots[k + 2];
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2).fill(-1);
    const mask = slots.length / 3 - 1;
    for (let j = 0; j < old.length; j += 3) {
      const hi = old[j]!;
      if (hi === -1) continue;
      const lo = old[j + 1]!;
      let i = hash(hi * 4294967296 + (lo >>> 0)) & mask;
      while (slots[3 * i] !== -1) i = (i + 1) & mask;
      slots[3 * i] = hi;
      slots[3 * i + 1] = lo;
      slots[3 * i + 2] = old[j + 2]!;
    }
    this.slots = slots;
  }
}

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
