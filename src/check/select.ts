// Rows and groups by name in an expression: `regions[东江市].passed.rate` is the statistic
// `passed.rate` over the rows whose label is 东江市, `problem_sites.region[西岭市].count` over
// the rows whose 地区 is 西岭市. The names a period's checks and claims use are known before its
// tables are read, so each table's pass feeds the selected rows to an accumulator of their own
// (a streamed table keeps no rows to look up afterwards). Names in brackets are compared in the
// form row labels are (nameKey: spaces, full-width letters, invisible characters).
import type { Column, TableSpec } from '../schema.js';
import type { Figure, FigureValue } from '../figures/figure.js';
import type { Cell } from '../load/rows.js';
import { labelColumn } from '../load/rows.js';
import { nameKey } from '../load/identity.js';
import type { Percent } from '../values.js';
import { FigureAccumulator } from './accumulate.js';
import { nearest } from './rules/known-values.js';

/** A name that selects rows, taken apart. */
interface SelectionName {
  table: string;
  /** The column compared; undefined for the table's label column. */
  column?: string;
  /** The name in brackets as written (trimmed), and in its compared form. */
  text: string;
  key: string;
  /** The selection in canonical form, `regions[东江市]`; the statistic follows it. */
  prefix: string;
  /** What follows the brackets: `.passed.rate`. */
  rest: string;
}

const SELECTION = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\[([^\]]*)\](.*)$/;

function parseSelection(name: string): SelectionName | { problem: string; hint: string } {
  if ((name.match(/\[/g) ?? []).length > 1) return { problem: `「${name}」中有不止一处方括号`, hint: '一个名称中只按一列取行，如 problem_sites.region[西岭市].count' };
  const m = SELECTION.exec(name);
  if (!m) return { problem: `「${name}」不是按名称取行的写法`, hint: '写作 表格[行名].列.统计（regions[东江市].passed.rate）或 表格.列[取值].统计（problem_sites.region[西岭市].count）' };
  const [, table, column, inner, rest] = m;
  const text = inner!.trim();
  const key = nameKey(text);
  return { table: table!, ...(column && { column }), text, key, prefix: `${table}${column ? `.${column}` : ''}[${key}]`, rest: rest! };
}

/** A name in its canonical form: the text in brackets as row labels are compared. */
export function canonicalName(name: string): string {
  if (!name.includes('[')) return name;
  const s = parseSelection(name);
  return 'problem' in s ? name : s.prefix + s.rest;
}

/** The selected rows of one table, filled by its pass. */
export class RowSelector {
  acc!: FigureAccumulator;
  rows = 0;
  /** The first selected row's cells, copied: a single row's own values (`regions[东江市].rate`). */
  first?: ({ text: string; value: Cell['value'] } | undefined)[];
  /** The compared values met in the column, for the nearest name when none matches. */
  readonly seen = new Set<string>();
  constructor(
    readonly sel: SelectionName,
    readonly spec: TableSpec,
    readonly file: string,
    /** Index in the spec's columns of the compared column. */
    readonly at: number,
  ) {
    this.reset();
  }

  /** From the start (a stream read again). */
  reset(): void {
    this.acc = new FigureAccumulator(this.sel.prefix, this.file, this.spec);
    this.rows = 0;
    this.first = undefined;
    this.seen.clear();
  }

  /** A member row; `key` is the compared column's text in its compared form. */
  add(line: number, cells: readonly (Cell | undefined)[], key: string): void {
    if (this.seen.size < 10_000) this.seen.add(key);
    if (key !== this.sel.key) return;
    this.rows++;
    this.acc.addCells(line, cells);
    this.first ??= cells.map((c) => c && { text: c.text, value: c.value });
  }

  /** Every figure of the selected rows: the table's statistics, and with one row its own values. */
  figures(place: string): Figure[] {
    const label = this.spec.columns[this.at]!;
    const out = this.acc.figures(`${place}中「${label.name}」为「${this.sel.text}」的行`);
    if (this.rows === 1 && this.first) {
      this.spec.columns.forEach((c, i) => {
        const v = cellValue(c, this.first![i]?.value);
        if (v) out.push({ name: `${this.sel.prefix}.${c.key}`, label: `「${this.sel.text}」的「${c.name}」`, source: 'computed', value: v, derivation: { formula: this.first![i]!.text, place, file: this.file, column: c.name } });
      });
    }
    return out;
  }
}

function cellValue(column: Column, v: Cell['value'] | undefined): FigureValue | undefined {
  if (typeof v === 'bigint' && (column.type === 'count' || column.type === 'integer')) return { type: 'integer', value: v };
  if (column.type === 'percent' && v && typeof v === 'object' && 'kind' in v && v.kind === 'percent') return { type: 'share', value: (v as Percent).value, digits: (v as Percent).digits };
  return undefined;
}

/**
 * The selections a period's expressions name, one selector per distinct selection, and what
 * they came to once the tables are read.
 */
export class RowAccess {
  private readonly selectors = new Map<string, RowSelector>();
  /** Figures of each selection, by its prefix, once the tables are read. */
  private readonly selected = new Map<string, Map<string, Figure>>();

  constructor(
    names: readonly string[],
    private readonly tables: readonly { spec: TableSpec; file: string }[],
  ) {
    for (const name of names) {
      if (!name.includes('[')) continue;
      const s = parseSelection(name);
      if ('problem' in s || this.selectors.has(s.prefix)) continue;
      const t = tables.find((x) => x.spec.id === s.table);
      if (!t) continue;
      const column = s.column ? t.spec.columns.find((c) => c.key === s.column) : labelColumn(t.spec.columns);
      if (!column) continue;
      this.selectors.set(s.prefix, new RowSelector(s, t.spec, t.file, t.spec.columns.indexOf(column)));
    }
  }

  /** The selectors a table's pass feeds. */
  forTable(id: string): RowSelector[] {
    return [...this.selectors.values()].filter((s) => s.spec.id === id);
  }

  /** After the pass: each selection's figures, `place` naming its table. */
  collect(id: string, place: string): void {
    // A name no row has is an error (explain), never a count of 0: 西岭 for 西岭市 is a slip.
    for (const s of this.forTable(id)) if (s.rows > 0) this.selected.set(s.sel.prefix, new Map(s.figures(place).map((f) => [f.name, f])));
  }

  /** The selected figures the names refer to. */
  figures(names: readonly string[]): Figure[] {
    const out: Figure[] = [];
    for (const name of new Set(names.map(canonicalName))) {
      const f = this.selected.get(name.slice(0, name.indexOf(']') + 1))?.get(name);
      if (f) out.push(f);
    }
    return out;
  }

  /** Whether a name picks rows of a table that has none yet (a new period's): nothing to say of it until filled. */
  empty(name: string): boolean {
    if (!name.includes('[')) return false;
    const s = parseSelection(name);
    const selector = 'problem' in s ? undefined : this.selectors.get(s.prefix);
    return !!selector && selector.seen.size === 0;
  }

  /** Why a name with brackets names no figure: the table, the column, the row or the statistic. */
  explain(name: string): { reason: string; hint: string } | undefined {
    if (!name.includes('[')) return undefined;
    const s = parseSelection(name);
    if ('problem' in s) return { reason: s.problem, hint: s.hint };
    if (s.table === 'previous' || s.table === 'year') return { reason: `「${name}」：上期和全年的数字不能按名称取行`, hint: '按名称取行只用于本期的表格；上期的数字写在 figures 中再核对' };
    const t = this.tables.find((x) => x.spec.id === s.table);
    if (!t) {
      const ids = this.tables.map((x) => x.spec.id);
      const near = nearest(s.table, ids);
      return { reason: `没有 id 为「${s.table}」的表格`, hint: `${near ? `最接近的是「${near}」；` : ''}表格有：${ids.join('、') || '（无）'}` };
    }
    const columns = t.spec.columns;
    if (s.column && !columns.some((c) => c.key === s.column)) {
      const near = nearest(s.column, columns.map((c) => c.key));
      return { reason: `表格「${s.table}」没有「${s.column}」列`, hint: `${near ? `最接近的是「${near}」；` : ''}列有：${columns.map((c) => `${c.key}（${c.name}）`).join('、')}` };
    }
    if (!s.column && !labelColumn(columns)) return { reason: `表格「${s.table}」没有名称列（地区或文字列），不能写 ${s.table}[…]`, hint: `按某一列的取值写作 ${s.table}.列[取值]` };
    const selector = this.selectors.get(s.prefix);
    if (!selector) return undefined;
    const label = columns[selector.at]!;
    if (selector.rows === 0) {
      const seen = [...selector.seen];
      const near = nearest(s.key, seen);
      return {
        reason: s.column ? `表格「${s.table}」中没有「${label.name}」为「${s.text}」的行` : `表格「${s.table}」中没有「${s.text}」这一行`,
        hint: `${near ? `最接近的是「${near}」；` : ''}${seen.length ? `「${label.name}」有：${seen.slice(0, 20).join('、')}${seen.length > 20 ? '等' : ''}` : '表格中没有数据行'}`,
      };
    }
    if (!s.rest.startsWith('.')) return { reason: `「${s.prefix}」是${selector.rows === 1 ? '一行' : `${selector.rows} 行`}，不是一个数`, hint: `写出要取的统计，如 ${s.prefix}.count` };
    const available = [...(this.selected.get(s.prefix)?.keys() ?? [])].filter((k) => !/\.(members|without|groups|ranking|full)$/.test(k));
    return { reason: `「${s.prefix}」（${selector.rows} 行）没有「${s.rest.slice(1)}」`, hint: `可用的有：${available.slice(0, 16).join('、')}` };
  }
}

/** The figures of a period with names in brackets looked up in their canonical form. */
export class FigureMap extends Map<string, Figure> {
  rows?: RowAccess;
  override get(name: string): Figure | undefined {
    return super.get(canonicalName(name));
  }
  override has(name: string): boolean {
    return super.has(canonicalName(name));
  }
}

/** Why `name` is not a figure, when rows by name tell more than "unknown". */
export function explainUnknown(name: string, figures: ReadonlyMap<string, Figure>): { reason: string; hint: string } | undefined {
  return figures instanceof FigureMap ? figures.rows?.explain(name) : undefined;
}
