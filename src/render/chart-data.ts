// What a chart shows, read from the loaded tables and computed figures: categories, exact
// values and the text each value is printed as. Drawing (chart.ts) only places these; every
// label is made here with the project's rounding, never from a float.
import { heldTable, type LoadedBulletin } from '../load/bulletin.js';
import type { Figures } from '../figures/figure.js';
import { namingColumns, rowKind, tablePlace, type Row } from '../load/rows.js';
import { compare, formatPercent, fraction, toNumber, type Fraction } from '../figures/fraction.js';
import { naturalDigits } from '../figures/figure.js';
import { chartLabelColumn } from '../load/charts.js';
import { boundOf, numberedAttachments, PERIOD_PATTERN, type Chart, type Column } from '../schema.js';
import type { Percent } from '../values.js';
import { chineseNumeral } from './chinese.js';
import { nextPeriod, periodInfo } from '../periods.js';

/** A value both exact (for order and labels) and as a number (for geometry only). */
interface Exact {
  key: Fraction;
  /** Position on the axis: percent points for shares, the count itself for counts. */
  plot: number;
  text: string;
  /** The inputs, for the data table: `25/32`. */
  detail?: string;
}

export interface ChartPoint {
  label: string;
  /** Absent where the table has no value (a period without data): drawn as a gap. */
  value?: Exact;
}

export interface ChartData {
  id: string;
  kind: Chart['kind'];
  title: string;
  note?: string;
  print: boolean;
  unit: 'percent' | 'count';
  points: ChartPoint[];
  /** Headers of the data table: the category and the value. */
  headers: [string, string];
  /** Where the numbers are: `附件2` (with its number, for a link) or `history.csv`. */
  source: { place: string; attachment?: number };
  /** One sentence naming what is drawn and every value, for the SVG's <desc>. */
  description: string;
}

const DEFAULT_DIGITS = 1;

/** A computed share at most `digits` decimals: 100%, 12.5%, 78.1% (25/32), never 100.0%. */
const shareText = (f: Fraction, digits: number) => formatPercent(f, Math.min(naturalDigits(f), digits));

function cellValue(row: Row, column: Column, bound: Column | undefined, digits: number, failed = false): Exact | undefined {
  const v = row.cells[column.key]?.value;
  if (column.type === 'percent' && v && typeof v === 'object' && 'kind' in v && v.kind === 'percent') {
    const p = v as Percent;
    return { key: p.value, plot: toNumber(p.value) * 100, text: formatPercent(p.value, p.digits) };
  }
  if (typeof v !== 'bigint') return undefined;
  if (bound) {
    // A bounded count (passed ≤ sampled) is drawn as its rate, as figures rank it.
    const d = row.cells[bound.key]?.value;
    if (typeof d !== 'bigint' || d <= 0n) return undefined;
    // Failures are drawn as the pass rate they are the complement of.
    const f = fraction(failed ? d - v : v, d);
    return { key: f, plot: toNumber(f) * 100, text: shareText(f, digits), detail: failed ? `(${d} − ${v})/${d}` : `${v}/${d}` };
  }
  return { key: fraction(v), plot: Number(v), text: v.toString() };
}

/** Short axis labels for periods of one year (第一季度), full ones across years. */
function periodLabel(name: string, oneYear: boolean): string {
  const p = periodInfo(name);
  if (!oneYear) return p.text;
  if (p.quarter) return `第${chineseNumeral(p.quarter)}季度`;
  if (p.half) return p.half === 1 ? '上半年' : '下半年';
  if (p.month) return `${p.month}月`;
  return p.text;
}

const kindOf = (name: string) => (/Q/.test(name) ? 'Q' : /H/.test(name) ? 'H' : /-/.test(name) ? 'M' : 'Y');

/**
 * Periods as an honest axis: every period from the first to the last, those the table does not
 * have left as gaps (never filled in), when the labels are ascending periods of one kind.
 */
function periodAxis(points: ChartPoint[]): ChartPoint[] {
  const names = points.map((p) => p.label);
  if (names.length === 0 || !names.every((n) => PERIOD_PATTERN.test(n))) return points;
  if (new Set(names.map(kindOf)).size !== 1 || kindOf(names[0]!) === 'Y') return points;
  const byName = new Map(points.map((p) => [p.label, p]));
  const axis: string[] = [names[0]!];
  while (axis.at(-1) !== names.at(-1) && axis.length <= 240) axis.push(nextPeriod(axis.at(-1)!));
  if (axis.at(-1) !== names.at(-1) || names.some((n) => !axis.includes(n))) return points; // not ascending
  const oneYear = new Set(axis.map((n) => n.slice(0, 4))).size === 1;
  return axis.map((n) => {
    const value = byName.get(n)?.value;
    return { label: periodLabel(n, oneYear), ...(value && { value }) };
  });
}

function describe(kind: string, data: Omit<ChartData, 'description'>): string {
  const shown = data.points.filter((p) => p.value).map((p) => `${p.label}${p.value!.detail ? ` ${p.value!.detail}` : ''} ${p.value!.text}`);
  const missing = data.points.filter((p) => !p.value).map((p) => p.label);
  const gaps = missing.length ? `；${missing.join('、')}无数据` : '';
  const from = data.source.attachment ? `，数据来自${data.source.place}` : '';
  return `${kind}${from}：${shown.join('，')}${gaps}。`;
}

/**
 * The shares of a coverage chart that the circular prints otherwise: a reported figure checked
 * against the share (`check: institutions.assessment.share`) whose printed text is not the
 * share at its own precision — an error of the original kept as printed (severity: warning, or
 * accepted). The chart draws the table's share; its note says so, beside the text's figure.
 */
function printedOtherwise(loaded: LoadedBulletin, figures: Figures, table: string, columns: readonly string[], digits: number) {
  const out: { label: string; detail: string; computed: string; printed: string }[] = [];
  const spec = heldTable(loaded, table)!.spec;
  for (const key of columns) {
    const share = figures.get(`${table}.${key}.share`)?.value;
    const count = figures.get(`${table}.${key}.count`)?.value;
    const total = figures.get(`${table}.${key}.total`)?.value;
    if (share?.type !== 'share' || count?.type !== 'integer' || total?.type !== 'integer') continue;
    for (const reported of Object.values(loaded.bulletin.figures)) {
      if (typeof reported !== 'object' || reported === null || !('check' in reported) || reported.check !== `${table}.${key}.share`) continue;
      const printed = String(reported.value ?? '');
      const precision = /^\d+(?:\.(\d+))?%$/.exec(printed);
      if (!precision || formatPercent(share.value, precision[1]?.length ?? 0) === printed) continue;
      out.push({ label: spec.columns.find((c) => c.key === key)!.name, detail: `${count.value}/${total.value}`, computed: shareText(share.value, digits), printed });
    }
  }
  return out;
}

export function chartData(loaded: LoadedBulletin, figures: Figures, chart: Chart): ChartData {
  if (chart.kind === 'series' && chart.table === undefined) return yearSeries(figures, chart);
  const table = heldTable(loaded, chart.table!)!; // references were checked on load; charted tables are held
  const attachments = loaded.bulletin.attachments;
  const number = numberedAttachments(attachments).findIndex((a) => a.id === table.id);
  const source = { place: tablePlace(table, attachments), ...(number >= 0 && { attachment: number + 1 }) };
  const base = { id: chart.id, kind: chart.kind, title: chart.title, ...(chart.note && { note: chart.note }), print: chart.print, source };
  const naming = namingColumns(table.spec.columns);
  const rows = table.rows.filter((r) => rowKind(r, naming) === 'member');

  if (chart.kind === 'coverage') {
    const digits = chart.digits ?? DEFAULT_DIGITS;
    const columns = chart.columns ?? table.spec.columns.filter((c) => c.type === 'check').map((c) => c.key);
    // From the computed figures, so the chart and `{{table.col.share}}` can never disagree.
    const points = columns.map((key): ChartPoint => {
      const column = table.spec.columns.find((c) => c.key === key)!;
      const share = figures.get(`${table.id}.${key}.share`)?.value;
      const count = figures.get(`${table.id}.${key}.count`)?.value;
      const total = figures.get(`${table.id}.${key}.total`)?.value;
      if (share?.type !== 'share' || count?.type !== 'integer' || total?.type !== 'integer') return { label: column.name };
      return { label: column.name, value: { key: share.value, plot: toNumber(share.value) * 100, text: shareText(share.value, digits), detail: `${count.value}/${total.value}` } };
    });
    const differs = printedOtherwise(loaded, figures, table.id, columns, digits);
    const note = differs.length
      ? `图中的比例按${source.place}计算：${differs.map((d) => `${d.label} ${d.detail} = ${d.computed}，正文照原文印作 ${d.printed}`).join('；')}。`
      : undefined;
    const notes = [base.note, note].filter(Boolean).join('');
    const data = { ...base, ...(notes && { note: notes }), unit: 'percent' as const, points, headers: ['项目', '已做到的数目/总数，比例'] as [string, string] };
    return { ...data, description: describe('条形图', data) };
  }

  const label = chartLabelColumn(table.spec, chart)!;
  const valueColumn = table.spec.columns.find((c) => c.key === chart.value!)!;
  const rated = boundOf(table.spec.columns, valueColumn);
  const bound = rated?.bound;
  const digits = chart.kind === 'bars' ? (chart.digits ?? DEFAULT_DIGITS) : DEFAULT_DIGITS;
  let points: ChartPoint[] = rows.map((r) => {
    const value = cellValue(r, valueColumn, bound, digits, rated?.failed);
    return { label: r.cells[label.key]?.text ?? '', ...(value && { value }) };
  });
  const unit = valueColumn.type === 'percent' || bound ? ('percent' as const) : ('count' as const);
  const headers: [string, string] = [label.name, bound ? (rated!.failed ? `合格率（1 − ${valueColumn.name}/${bound.name}）` : `${valueColumn.name}/${bound.name}`) : valueColumn.name];

  if (chart.kind === 'series') {
    points = periodAxis(points);
    const data = { ...base, unit, points, headers };
    return { ...data, description: describe('折线图', data) };
  }
  if (chart.order !== 'table') {
    const sign = chart.order === 'asc' ? 1 : -1;
    // Stable: equal values keep the table's order. Rows without a value go last.
    points = points
      .map((p, i) => ({ p, i }))
      .sort((a, b) => (!a.p.value || !b.p.value ? Number(!a.p.value) - Number(!b.p.value) : sign * compare(a.p.value.key, b.p.value.key)) || a.i - b.i)
      .map((x) => x.p);
  }
  const data = { ...base, unit, points, headers };
  return { ...data, description: describe('条形图', data) };
}

/** A series drawn from the year's periods: each period's own figure, gaps where one is missing. */
function yearSeries(figures: Figures, chart: Extract<Chart, { kind: 'series' }>): ChartData {
  const series = figures.get(`year.${chart.figure}.series`)!; // the check stage made sure it exists
  const points: ChartPoint[] = (series.points ?? []).map((p) => {
    const v = p.value;
    const value: Exact | undefined =
      v?.type === 'share' ? { key: v.value, plot: toNumber(v.value) * 100, text: shareText(v.value, Math.min(v.digits, DEFAULT_DIGITS)) } : v?.type === 'integer' ? { key: fraction(v.value), plot: Number(v.value), text: v.value.toString() } : undefined;
    return { label: p.period, ...(value && { value }) };
  });
  const unit = series.points?.some((p) => p.value?.type === 'share') ? ('percent' as const) : ('count' as const);
  const data = {
    id: chart.id,
    kind: chart.kind,
    title: chart.title,
    ...(chart.note && { note: chart.note }),
    print: chart.print,
    source: { place: `各期数据（${chart.figure}）` },
    unit,
    points: periodAxis(points),
    headers: ['期次', series.label.replace(/^\d{4}年各期：/, '')] as [string, string],
  };
  return { ...data, description: describe('折线图', data) };
}
