// A growable column of 32-bit integers: a million line numbers in 4 MB, not in 8–12 MB of a JS
// array. Shared by the row pass (check/) and the register of sites (register/).
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
  set(i: number, v: number): void {
    this.a[i] = v;
  }
  toArray(): number[] {
    // A loop of pushes: Array.from over a typed array is several times slower at a million.
    const out: number[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.a[i]!);
    return out;
  }
}
