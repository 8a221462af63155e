// Growable typed arrays: a million line numbers in 4 MB, not in 8–12 MB of a JS array.
export class Int32List {
  private a = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.length++] = v;
  }
  get(i: number): number {
    return this.a[i]!;
  }
  toArray(): number[] {
    return Array.from(this.a.subarray(0, this.length));
  }
}

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

/** First line of each distinct text: 10-digit codes kept as numbers in an open-addressed table. */
export class FirstSeen {
  private keys = new Float64Array(1 << 12).fill(-1);
  private lines = new Int32Array(1 << 12);
  private size = 0;
  private readonly other = new Map<string, number>();

  /** The line where `text` was first seen, or undefined (and `line` is recorded). */
  check(text: string, line: number): number | undefined {
    const n = text.length <= 15 && text.length > 0 && isDigits(text) && (text.length === 1 || text.charCodeAt(0) !== 48) ? Number(text) : -1;
    if (n < 0) {
      const first = this.other.get(text);
      if (first === undefined) this.other.set(text, line);
      return first;
    }
    if (this.size * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let i = hash(n) & mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === -1) {
        this.keys[i] = n;
        this.lines[i] = line;
        this.size++;
        return undefined;
      }
      if (k === n) return this.lines[i];
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const lines = this.lines;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.lines = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j]!;
      if (k === -1) continue;
      let i = hash(k) & mask;
      while (this.keys[i] !== -1) i = (i + 1) & mask;
      this.keys[i] = k;
      this.lines[i] = lines[j]!;
    }
  }
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
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
