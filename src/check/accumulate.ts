// The figures of one table, computed row by row: a table read as a stream (a million rows)
// gives its figures without keeping its rows, and a table held in memory is fed through the
// same code, so the two can never disagree. Only what a figure prints is kept: line numbers,
// label texts (interned), and the two counts of each rated row.
import { boundOf, type Column, type TableSpec } from '../schema.js';
import { labelColumn, type Cell } from '../load/rows.js';
import type { Percent } from '../values.js';
import { add, div, fraction, type Fraction } from '../figures/fraction.js';
import { display, naturalDigits, type Derivation, type Figure } from '../figures/figure.js';
import { ExactSum, IntegerList } from './grow.js';
import { Int32List } from '../lists.js';

/**
 * `a + b + c` of the values, as String(bigint) writes each: a million values kept as numbers
 * rather than a million strings (which outlived every young-generation collection of the pass),
 * their digits written as ASCII into one buffer and read out as one string.
 */
function terms(l: IntegerList): string {
  let buf = Buffer.allocUnsafe(l.length * 8 + 64);
  let o = 0;
  for (let i = 0; i < l.length; i++) {
    const v = l.get(i);
    const big = typeof v === 'number' && v >= 0 && v <= 0x7fffffff ? undefined : String(v);
    const room = 3 + (big === undefined ? 10 : big.length);
    if (buf.length - o < room) {
      const more = Buffer.allocUnsafe(buf.length * 2 + room);
      buf.copy(more, 0, 0, o);
      buf = more;
    }
    if (i > 0) {
      buf[o++] = 32; // ' + '
      buf[o++] = 43;
      buf[o++] = 32;
    }
    if (big !== undefined) {
      o += buf.write(big, o, 'latin1');
      continue;
    }
    let x = v as number;
    let digits = 1;
    for (let y = x; y >= 10; y = (y / 10) | 0) digits++;
    for (let k = o + digits - 1; k >= o; k--) {
      buf[k] = 48 + (x % 10);
      x = (x / 10) | 0;
    }
    o += digits;
  }
  return buf.toString('latin1', 0, o);
}

/** A long `a + b + c` formula, built in chunks rather than a million concatenations. */
class Joined {
  private chunks: string[] = [];
  private part: string[] = [];
  constructor(private readonly sep: string) {}
  push(s: string) {
    this.part.push(s);
    if (this.part.length === 8192) {
      this.chunks.push(this.part.join(this.sep));
      this.part = [];
    }
  }
  toString() {
    if (this.part.length) {
      this.chunks.push(this.part.join(this.sep));
      this.part = [];
    }
    return this.chunks.join(this.sep);
  }
}

/** Counts as numbers while they are exact, else as bigints. */
type Num = number | bigint;
const big = (n: Num) => (typeof n === 'bigint' ? n : BigInt(n));

/** n1/d1 against n2/d2 (denominators positive), exactly. */
function compareRates(n1: Num, d1: Num, n2: Num, d2: Num): number {
  if (typeof n1 === 'number' && typeof d1 === 'number' && typeof n2 === 'number' && typeof d2 === 'number') {
    const a = n1 * d2;
    const b = n2 * d1;
    if (Number.isSafeInteger(a) && Number.isSafeInteger(b)) return a < b ? -1 : a > b ? 1 : 0;
  }
  const a = big(n1) * big(d2);
  const b = big(n2) * big(d1);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Below this, a rate n/d as a double is exact enough to rank by (see rankByRate). */
const RANK_EXACT = 2 ** 26;

/**
 * Indices of the rated rows, highest rate first, equal rates in file order (by line). Counts
 * below 2^26 are ranked by their rate as a double, grouped: a division is correctly rounded,
 * so equal fractions give the same double, and two different ones, at least 1/(d1·d2) apart,
 * keep their order (|n1|·d2 + |n2|·d1 < 2^53): exact. Rows enter their group in file order,
 * and only the groups (a few hundred rates in a million rows) are sorted. Larger counts, or
 * rows not in line order, take the general sort.
 */
function rankByRate(r: { line: Int32List; n: IntegerList; d: IntegerList }): { order: number[]; groupOf?: Int32Array } {
  const m = r.line.length;
  // Each row's group, by the rate's double; then the groups' places in the ranking.
  const groupOf = new Int32Array(m);
  const byRate = new Map<number, number>();
  const rates: number[] = [];
  for (let i = 0; i < m; i++) {
    const n = r.n.get(i);
    const d = r.d.get(i);
    if (typeof n !== 'number' || typeof d !== 'number' || n >= RANK_EXACT || n <= -RANK_EXACT || d >= RANK_EXACT || (i > 0 && r.line.get(i) <= r.line.get(i - 1))) {
      return { order: Array.from({ length: m }, (_, i) => i).sort((a, b) => compareRates(r.n.get(b), r.d.get(b), r.n.get(a), r.d.get(a)) || r.line.get(a) - r.line.get(b)) };
    }
    const k = n / d;
    let g = byRate.get(k);
    if (g === undefined) {
      byRate.set(k, (g = rates.length));
      rates.push(k);
    }
    groupOf[i] = g;
  }
  // Where each group starts in the ranking (counting sort: rows keep their order within one).
  const ranked = rates.map((_, g) => g).sort((a, b) => rates[b]! - rates[a]!);
  const count = new Int32Array(rates.length);
  for (let i = 0; i < m; i++) count[groupOf[i]!]!++;
  const at = new Int32Array(rates.length);
  let from = 0;
  for (const g of ranked) {
    at[g] = from;
    from += count[g]!;
  }
  const place = new Int32Array(m);
  for (let i = 0; i < m; i++) place[at[groupOf[i]!]!++] = i;
  const order: number[] = [];
  for (let i = 0; i < m; i++) order.push(place[i]!);
  return { order, groupOf };
}

/** What one column accumulates; every state has every field (one shape, fast property loads). */
interface ColumnState {
  column: Column;
  // check
  yesLines: Int32List | undefined;
  yesNames: Int32List | undefined;
  noLines: Int32List | undefined;
  noNames: Int32List | undefined;
  // count
  sum: ExactSum | undefined;
  /** The values summed, for the sum's formula: kept as numbers, written out once at the end. */
  values: IntegerList | undefined;
  den: ExactSum | undefined;
  bound: Column | undefined;
  /** The column counts failures: its rates are the complement, (bound − failures) / bound. */
  failed: boolean;
  /** Index of `bound` in the spec's columns. */
  boundAt: number;
  rated: { line: Int32List; name: Int32List; n: IntegerList; d: IntegerList } | undefined;
  // percent
  first: PercentEntry | undefined;
  last: PercentEntry | undefined;
  pctSum: Fraction | undefined;
  pctTexts: Joined | undefined;
  pctLines: Int32List | undefined;
  // region / label
  groups: Map<string, number> | undefined;
}

interface PercentEntry {
  line: number;
  name: string;
  text: string;
  value: Percent;
}

export class FigureAccumulator {
  private readonly lines = new Int32List();
  private readonly states: ColumnState[];
  private readonly label: Column | undefined;
  /** Index of `label` in the spec's columns, -1 without one. */
  private readonly labelAt: number;
  /** Row names, each distinct text once; rows hold its index. */
  private readonly names = new Map<string, number>();
  private readonly nameList: string[] = [];

  constructor(
    readonly id: string,
    readonly file: string,
    readonly spec: TableSpec,
  ) {
    this.label = labelColumn(spec.columns);
    this.labelAt = this.label ? spec.columns.indexOf(this.label) : -1;
    this.states = spec.columns.map((column) => {
      const check = column.type === 'check';
      const count = column.type === 'count';
      const rated = boundOf(spec.columns, column);
      const bound = rated?.bound;
      const percent = column.type === 'percent';
      return {
        column,
        yesLines: check ? new Int32List() : undefined,
        yesNames: check ? new Int32List() : undefined,
        noLines: check ? new Int32List() : undefined,
        noNames: check ? new Int32List() : undefined,
        sum: count ? new ExactSum() : undefined,
        values: count ? new IntegerList() : undefined,
        den: bound ? new ExactSum() : undefined,
        bound,
        failed: !!rated?.failed,
        boundAt: bound ? spec.columns.indexOf(bound) : -1,
        rated: bound ? { line: new Int32List(), name: new Int32List(), n: new IntegerList(), d: new IntegerList() } : undefined,
        first: undefined,
        last: undefined,
        pctSum: percent ? fraction(0n) : undefined,
        pctTexts: percent ? new Joined(' + ') : undefined,
        pctLines: percent ? new Int32List() : undefined,
        // Rows grouped by a region, the row's name, or a column of declared values (问题类别).
        groups: column.type === 'region' || (column.type === 'text' && (column === this.label || !!column.values)) ? new Map() : undefined,
      };
    });
  }

  /** The index of the row's name. */
  private nameOf(line: number, cells: readonly (Cell | undefined)[]): number {
    const text = this.labelAt >= 0 ? (cells[this.labelAt]?.text ?? '') : String(line);
    const known = this.names.get(text);
    if (known !== undefined) return known;
    this.names.set(text, this.nameList.length);
    this.nameList.push(text);
    return this.nameList.length - 1;
  }

  /** Add a member row given as its cells by index in the spec's columns; total rows are the caller's to leave out. */
  addCells(line: number, cells: readonly (Cell | undefined)[]): void {
    this.lines.push(line);
    let name = -1;
    const states = this.states;
    for (let c = 0; c < states.length; c++) {
      const s = states[c]!;
      const cell = cells[c];
      const value = cell?.value;
      switch (s.column.type) {
        case 'check':
          if (name < 0) name = this.nameOf(line, cells);
          if (value === true) {
            s.yesLines!.push(line);
            s.yesNames!.push(name);
          } else {
            s.noLines!.push(line);
            s.noNames!.push(name);
          }
          break;
        case 'count':
          if (typeof value === 'bigint') {
            s.sum!.add(value);
            s.values!.push(value);
          }
          if (s.bound) {
            const d = cells[s.boundAt]?.value;
            if (typeof d === 'bigint') {
              s.den!.add(d);
              if (typeof value === 'bigint' && d > 0n) {
                if (name < 0) name = this.nameOf(line, cells);
                s.rated!.line.push(line);
                s.rated!.name.push(name);
                // Rows are ranked by their pass rate: a failures column keeps the passes.
                s.rated!.n.push(s.failed ? d - value : value);
                s.rated!.d.push(d);
              }
            }
          }
          break;
        case 'percent':
          if (value !== null && value !== undefined) {
            if (name < 0) name = this.nameOf(line, cells);
            const entry = { line, name: this.nameList[name]!, text: cell!.text, value: value as Percent };
            s.first ??= entry;
            s.last = entry;
            s.pctSum = add(s.pctSum!, entry.value.value);
            s.pctTexts!.push(entry.text);
            s.pctLines!.push(line);
          }
          break;
      }
      if (s.groups) {
        const k = cell?.text ?? '';
        if (k) s.groups.set(k, (s.groups.get(k) ?? 0) + 1);
      }
    }
  }

  /** The figures, named `<table>.<column>.<statistic>`; `place` names the table in derivations. */
  figures(place: string): Figure[] {
    const out: Figure[] = [];
    const id0 = this.id;
    const all = this.lines.toArray();
    const n = all.length;
    const names = (l: Int32List) => {
      const out: string[] = new Array(l.length);
      for (let i = 0; i < l.length; i++) out[i] = this.nameList[l.get(i)]!;
      return out;
    };
    const base = (column: Column | undefined, formula: string, rows: number[]): Derivation => ({
      formula,
      place: column ? `${place}「${column.name}」` : place,
      file: this.file,
      ...(column && { column: column.name }),
      rows,
    });
    out.push({ name: `${id0}.count`, label: `${place}的行数`, source: 'computed', value: { type: 'integer', value: BigInt(n) }, derivation: base(undefined, `${n} 行`, all) });

    for (const s of this.states) {
      const column = s.column;
      const id = `${id0}.${column.key}`;
      if (column.type === 'check') {
        const yes = s.yesLines!.length;
        const no = s.noLines!.length;
        const total = BigInt(n);
        const yesLines = s.yesLines!.toArray(); // one array for both figures: a million lines is 8 MB
        out.push(
          { name: `${id}.count`, label: `「${column.name}」打 √ 的数目`, source: 'computed', value: { type: 'integer', value: BigInt(yes) }, derivation: base(column, `${yes} 个 √`, yesLines) },
          { name: `${id}.total`, label: `「${column.name}」的总数`, source: 'computed', value: { type: 'integer', value: total }, derivation: base(column, `${n} 行`, all) },
          { name: `${id}.members`, label: `「${column.name}」打 √ 的`, source: 'computed', value: { type: 'list', value: names(s.yesNames!) }, derivation: base(column, `${yes} 项`, yesLines) },
          { name: `${id}.without`, label: `「${column.name}」未打 √ 的`, source: 'computed', value: { type: 'list', value: names(s.noNames!) }, derivation: base(column, `${no} 项`, s.noLines!.toArray()) },
        );
        if (total !== 0n) {
          const share = fraction(BigInt(yes), total);
          out.push({ name: `${id}.share`, label: `「${column.name}」的覆盖比例`, source: 'computed', value: { type: 'share', value: share, digits: naturalDigits(share) }, derivation: base(column, `${yes}/${n}`, all) });
        }
      }

      if (column.type === 'count') {
        const sum = s.sum!.value;
        out.push({ name: `${id}.sum`, label: `「${column.name}」之和`, source: 'computed', value: { type: 'integer', value: sum }, derivation: base(column, terms(s.values!) || '0', all) });
        if (s.bound) {
          const bound = s.bound;
          const den = s.den!.value;
          if (den !== 0n && s.failed) {
            // Failures: `.rate` is the pass rate, as the table's rate column prints it.
            const pass = fraction(den - sum, den);
            const fail = fraction(sum, den);
            out.push(
              { name: `${id}.rate`, label: `按「${column.name}」算的合格率（1 − ${column.name}/${bound.name}）`, source: 'computed', value: { type: 'share', value: pass, digits: naturalDigits(pass) }, derivation: base(column, `(${den} − ${sum})/${den}`, all) },
              { name: `${id}.failure_rate`, label: `「${column.name}」占「${bound.name}」的比例`, source: 'computed', value: { type: 'share', value: fail, digits: naturalDigits(fail) }, derivation: base(column, `${sum}/${den}`, all) },
            );
          } else if (den !== 0n) {
            const share = fraction(sum, den);
            out.push({ name: `${id}.rate`, label: `「${column.name}」占「${bound.name}」的比例`, source: 'computed', value: { type: 'share', value: share, digits: naturalDigits(share) }, derivation: base(column, `${sum}/${den}`, all) });
          }
          const r = s.rated!;
          // Highest rate first; equal rates in file order (the line breaks the tie).
          const { order, groupOf } = rankByRate(r);
          const shown = new Map<number | string, string>();
          // A row's text is its name and its rate: one string per name and rate (one rate per
          // group: the fraction is reduced, so 3/4 and 6/8 print alike).
          const nameCount = this.nameList.length;
          const rateText = (i: number) => {
            const nn = r.n.get(i);
            const dd = r.d.get(i);
            const k = groupOf ? groupOf[i]! * nameCount + r.name.get(i) : typeof nn === 'number' && typeof dd === 'number' && nn >= 0 && nn < 65536 && dd < 65536 && r.name.get(i) < 1048576 ? (r.name.get(i) * 65536 + nn) * 65536 + dd : `${r.name.get(i)}/${nn}/${dd}`;
            let t = shown.get(k);
            if (t === undefined) {
              const f = fraction(big(r.n.get(i)), big(r.d.get(i)));
              t = `${this.nameList[r.name.get(i)]} ${display({ type: 'share', value: f, digits: naturalDigits(f) })}`;
              shown.set(k, t);
            }
            return t;
          };
          out.push({
            name: `${id}.ranking`,
            label: s.failed ? `按合格率（1 − ${column.name}/${bound.name}）从高到低` : `按「${column.name}」/「${bound.name}」从高到低`,
            source: 'computed',
            value: { type: 'list', value: order.map(rateText) },
            derivation: base(column, s.failed ? `各行 (${bound.name} − ${column.name})/${bound.name}` : `各行 ${column.name}/${bound.name}`, order.map((i) => r.line.get(i))),
          });
          const full = order.filter((i) => compareRates(r.n.get(i), r.d.get(i), 1, 1) === 0);
          out.push({ name: `${id}.full`, label: s.failed ? `「${column.name}」为零（合格率100%）的` : `「${column.name}」达到100%的`, source: 'computed', value: { type: 'list', value: full.map((i) => this.nameList[r.name.get(i)]!) }, derivation: base(column, `${full.length} 项`, full.map((i) => r.line.get(i))) });
        }
      }

      if (column.type === 'percent' && s.first && s.last) {
        const { first, last } = s;
        const count = s.pctLines!.length;
        out.push(
          { name: `${id}.first`, label: `「${column.name}」第一行（${first.name}）`, source: 'computed', value: { type: 'share', value: first.value.value, digits: first.value.digits }, derivation: base(column, `${first.name}：${first.text}`, [first.line]) },
          { name: `${id}.last`, label: `「${column.name}」最后一行（${last.name}）`, source: 'computed', value: { type: 'share', value: last.value.value, digits: last.value.digits }, derivation: base(column, `${last.name}：${last.text}`, [last.line]) },
        );
        const mean = div(s.pctSum!, fraction(BigInt(count)));
        out.push({ name: `${id}.mean`, label: `「${column.name}」的平均值`, source: 'computed', value: { type: 'share', value: mean, digits: naturalDigits(mean) }, derivation: base(column, `(${s.pctTexts!.toString()}) / ${count}`, s.pctLines!.toArray()) });
      }

      if (s.groups) {
        const ranked = [...s.groups].sort((a, b) => b[1] - a[1]);
        // The rows' names, one row each: nothing to group. A region or a declared category
        // groups even so: four sites in four districts are 4 个区县, one site is 1 个.
        if (ranked.length === n && column.type === 'text' && !column.values) continue;
        out.push({ name: `${id}.groups`, label: `按「${column.name}」分组的行数`, source: 'computed', value: { type: 'list', value: ranked.map(([k, c]) => `${k} ${c}`) }, derivation: base(column, `${s.groups.size} 组`, all) });
        out.push({ name: `${id}.distinct`, label: `「${column.name}」的不同取值数`, source: 'computed', value: { type: 'integer', value: BigInt(s.groups.size) }, derivation: base(column, `${s.groups.size} 个`, all) });
      }
    }
    return out;
  }
}
