// The row-holding figure code as it was before figures were accumulated row by row
// (src/check/accumulate.ts): kept as the reference the accumulator must agree with.
// Figures computed from the tables: pure functions from loaded tables to named figures.
// Names are `<table>.<column>.<statistic>`, so a bulletin with other tables gets its own
// figures without code: counts, sums, shares, coverage of check columns, rates, rankings.
import type { Attachment, Column } from '../src/schema.js';
import type { Row } from '../src/load/rows.js';
import type { Table } from '../src/load/table.js';
import type { Percent } from '../src/values.js';
import { add, compare, div, fraction, type Fraction } from '../src/figures/fraction.js';
import { display, naturalDigits, type Derivation, type Figure } from '../src/figures/figure.js';

/** Rows that hold a total rather than a member: they are checked, never counted. */
export const TOTAL_LABELS = ['合计', '总计', '总体', '全部'];

export function isTotalRow(row: Row): boolean {
  return Object.values(row.cells).some((c) => TOTAL_LABELS.includes(c.text));
}

/** The column that names a row: the first region column, else the first text column. */
export function labelColumn(columns: readonly Column[]): Column | undefined {
  return columns.find((c) => c.type === 'region') ?? columns.find((c) => c.type === 'text');
}

/** How a table is named in a derivation: `附件2` for attachments, the file name otherwise. */
export function tablePlace(table: Table, attachments: readonly Attachment[]): string {
  const i = attachments.findIndex((a) => a.id === table.id);
  return i >= 0 ? `附件${i + 1}` : (table.file.split('/').at(-1) ?? table.file);
}

export function computeFigures(tables: Iterable<Table>, attachments: readonly Attachment[]): Figure[] {
  const figures: Figure[] = [];
  for (const table of tables) figures.push(...tableFigures(table, tablePlace(table, attachments)));
  return figures;
}

function share(num: bigint, den: bigint): Fraction | undefined {
  return den === 0n ? undefined : fraction(num, den);
}

function tableFigures(table: Table, place: string): Figure[] {
  const out: Figure[] = [];
  const rows = table.rows.filter((r) => !isTotalRow(r));
  const label = labelColumn(table.spec.columns);
  const nameOf = (r: Row) => (label ? (r.cells[label.key]?.text ?? '') : String(r.line));
  const lines = (rs: Row[]) => rs.map((r) => r.line);
  const base = (column: Column | undefined, formula: string, rs: Row[]): Derivation => ({
    formula,
    place: column ? `${place}「${column.name}」` : place,
    file: table.file,
    ...(column && { column: column.name }),
    rows: lines(rs),
  });

  out.push({
    name: `${table.id}.count`,
    label: `${place}的行数`,
    source: 'computed',
    value: { type: 'integer', value: BigInt(rows.length) },
    derivation: base(undefined, `${rows.length} 行`, rows),
  });

  for (const column of table.spec.columns) {
    const id = `${table.id}.${column.key}`;
    const cellsOf = (rs: Row[]) => rs.map((r) => r.cells[column.key]?.value);

    if (column.type === 'check') {
      const yes = rows.filter((r) => r.cells[column.key]?.value === true);
      const no = rows.filter((r) => r.cells[column.key]?.value !== true);
      const total = BigInt(rows.length);
      out.push(
        { name: `${id}.count`, label: `「${column.name}」打 √ 的数目`, source: 'computed', value: { type: 'integer', value: BigInt(yes.length) }, derivation: base(column, `${yes.length} 个 √`, yes) },
        { name: `${id}.total`, label: `「${column.name}」的总数`, source: 'computed', value: { type: 'integer', value: total }, derivation: base(column, `${rows.length} 行`, rows) },
        { name: `${id}.members`, label: `「${column.name}」打 √ 的`, source: 'computed', value: { type: 'list', value: yes.map(nameOf) }, derivation: base(column, `${yes.length} 项`, yes) },
        { name: `${id}.without`, label: `「${column.name}」未打 √ 的`, source: 'computed', value: { type: 'list', value: no.map(nameOf) }, derivation: base(column, `${no.length} 项`, no) },
      );
      const s = share(BigInt(yes.length), total);
      if (s) out.push({ name: `${id}.share`, label: `「${column.name}」的覆盖比例`, source: 'computed', value: { type: 'share', value: s, digits: naturalDigits(s) }, derivation: base(column, `${yes.length}/${rows.length}`, rows) });
    }

    // Sums only of counts: an integer column may be a serial number or a code.
    if (column.type === 'count') {
      const values = cellsOf(rows).filter((v): v is bigint => typeof v === 'bigint');
      const sum = values.reduce((a, b) => a + b, 0n);
      out.push({ name: `${id}.sum`, label: `「${column.name}」之和`, source: 'computed', value: { type: 'integer', value: sum }, derivation: base(column, values.map(String).join(' + ') || '0', rows) });
      // A bounded count (passed ≤ sampled) makes a rate: overall, by row, ranked.
      if (column.max) {
        const bound = table.spec.columns.find((c) => c.key === column.max)!;
        const den = rows.reduce((a, r) => a + (typeof r.cells[bound.key]?.value === 'bigint' ? (r.cells[bound.key]!.value as bigint) : 0n), 0n);
        const s = share(sum, den);
        if (s) out.push({ name: `${id}.rate`, label: `「${column.name}」占「${bound.name}」的比例`, source: 'computed', value: { type: 'share', value: s, digits: naturalDigits(s) }, derivation: base(column, `${sum}/${den}`, rows) });
        const rated = rows
          .map((r) => {
            const n = r.cells[column.key]?.value;
            const d = r.cells[bound.key]?.value;
            return typeof n === 'bigint' && typeof d === 'bigint' && d > 0n ? { row: r, rate: fraction(n, d) } : undefined;
          })
          .filter((x) => x !== undefined)
          .sort((a, b) => compare(b.rate, a.rate) || a.row.line - b.row.line);
        out.push({
          name: `${id}.ranking`,
          label: `按「${column.name}」/「${bound.name}」从高到低`,
          source: 'computed',
          value: { type: 'list', value: rated.map((x) => `${nameOf(x.row)} ${display({ type: 'share', value: x.rate, digits: naturalDigits(x.rate) })}`) },
          derivation: base(column, `各行 ${column.name}/${bound.name}`, rated.map((x) => x.row)),
        });
        const full = rated.filter((x) => x.rate.num === x.rate.den);
        out.push({ name: `${id}.full`, label: `「${column.name}」达到100%的`, source: 'computed', value: { type: 'list', value: full.map((x) => nameOf(x.row)) }, derivation: base(column, `${full.length} 项`, full.map((x) => x.row)) });
      }
    }

    if (column.type === 'percent') {
      const withValue = rows.filter((r) => r.cells[column.key]?.value !== null && r.cells[column.key]?.value !== undefined);
      const pct = (r: Row) => r.cells[column.key]!.value as Percent;
      const first = withValue[0];
      const last = withValue.at(-1);
      if (first && last) {
        out.push(
          { name: `${id}.first`, label: `「${column.name}」第一行（${nameOf(first)}）`, source: 'computed', value: { type: 'share', value: pct(first).value, digits: pct(first).digits }, derivation: base(column, `${nameOf(first)}：${first.cells[column.key]!.text}`, [first]) },
          { name: `${id}.last`, label: `「${column.name}」最后一行（${nameOf(last)}）`, source: 'computed', value: { type: 'share', value: pct(last).value, digits: pct(last).digits }, derivation: base(column, `${nameOf(last)}：${last.cells[column.key]!.text}`, [last]) },
        );
        const mean = div(withValue.map((r) => pct(r).value).reduce(add, fraction(0n)), fraction(BigInt(withValue.length)));
        out.push({ name: `${id}.mean`, label: `「${column.name}」的平均值`, source: 'computed', value: { type: 'share', value: mean, digits: naturalDigits(mean) }, derivation: base(column, `(${withValue.map((r) => r.cells[column.key]!.text).join(' + ')}) / ${withValue.length}`, withValue) });
      }
    }

    if (column.type === 'region' || (column.type === 'text' && column === label)) {
      // Rows by region (or by the label column): counts, largest first.
      const groups = new Map<string, Row[]>();
      for (const r of rows) {
        const k = r.cells[column.key]?.text ?? '';
        if (k) groups.set(k, [...(groups.get(k) ?? []), r]);
      }
      const ranked = [...groups].sort((a, b) => b[1].length - a[1].length);
      // The rows' names, one row each: nothing to group; a region groups even so.
      if (ranked.length === rows.length && column.type === 'text' && !column.values) continue;
      out.push({
        name: `${id}.groups`,
        label: `按「${column.name}」分组的行数`,
        source: 'computed',
        value: { type: 'list', value: ranked.map(([k, rs]) => `${k} ${rs.length}`) },
        derivation: base(column, `${groups.size} 组`, rows),
      });
      out.push({ name: `${id}.distinct`, label: `「${column.name}」的不同取值数`, source: 'computed', value: { type: 'integer', value: BigInt(groups.size) }, derivation: base(column, `${groups.size} 个`, rows) });
    }
  }
  return out;
}
