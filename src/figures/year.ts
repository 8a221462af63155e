// The year's figures from its periods: for each count or share a period has, its value in
// every period of the year so far (`year.<name>.series`), and when no period is missing the
// total of a count (`.sum`) and the mean of a share (`.mean`). A period without data is shown
// as missing and never filled: a sum over three quarters of four is not the year's.
import { add, div, fraction, type Fraction } from './fraction.js';
import { display, type Figure, type FigureValue } from './figure.js';
import { withinYear } from '../periods.js';

export interface YearPeriod {
  name: string;
  /** The period's own figures; undefined when its data are missing or do not read. */
  figures?: ReadonlyMap<string, Figure>;
  /** The period reads but does not check: its problem, carried by every year figure drawn from it. */
  faulty?: string;
}

/** Figures that are a period's own: not another period's (previous.*), not a change against one. */
export function ownFigure(f: Figure): boolean {
  return !f.name.startsWith('previous.') && !f.name.startsWith('year.') && !/\.(change|growth)$/.test(f.name);
}

export function yearFigures(year: number, periods: readonly YearPeriod[], current: ReadonlyMap<string, Figure>): Figure[] {
  const out: Figure[] = [];
  const missing = periods.filter((p) => !p.figures).map((p) => p.name);
  const names = periods.map((p) => p.name).join('、');
  out.push({ name: 'year.periods', label: `${year}年已有数据的期次`, source: 'computed', value: { type: 'list', value: periods.filter((p) => p.figures).map((p) => withinYear(p.name)) } });
  out.push({ name: 'year.missing', label: `${year}年缺少数据的期次`, source: 'computed', value: { type: 'list', value: missing.map(withinYear) } });
  for (const f of current.values()) {
    if (!ownFigure(f) || (f.value.type !== 'integer' && f.value.type !== 'share')) continue;
    // A computed share is exact to three decimals; the year's figures print it at one, as the text does.
    const digits = (v: FigureValue) => (v.type === 'share' && f.source === 'computed' ? Math.min(v.digits, 1) : undefined);
    const points = periods.map((p) => {
      const g = p.figures?.get(f.name);
      return { period: p.name, ...(g && g.value.type === f.value.type && { value: g.value }) };
    });
    const absent = points.filter((p) => !p.value).map((p) => p.period);
    // A value drawn from a period that does not check makes the figure an error at each use.
    const faulty = periods.find((p) => p.faulty && points.some((q) => q.period === p.name && q.value))?.faulty;
    const tainted = faulty ? { faulty } : {};
    out.push({
      name: `year.${f.name}.series`,
      label: `${year}年各期：${f.label}`,
      source: 'computed',
      value: { type: 'list', value: points.map((p) => `${withinYear(p.period)}${p.value ? display(p.value, digits(p.value)) : '（缺）'}`) },
      derivation: { formula: `${names} 各期的 ${f.name}${absent.length ? `；缺 ${absent.join('、')}` : ''}` },
      points,
      ...tainted,
    });
    if (absent.length) continue;
    const values = points.map((p) => p.value!);
    const formula = values.map((v) => display(v, digits(v))).join(' + ');
    if (f.value.type === 'integer') {
      const sum = values.reduce((s, v) => s + (v as { value: bigint }).value, 0n);
      out.push({ name: `year.${f.name}.sum`, label: `${year}年合计：${f.label}`, source: 'computed', value: { type: 'integer', value: sum }, derivation: { formula: `${formula}（${names}）` }, ...tainted });
    } else {
      const shares = values as Extract<FigureValue, { type: 'share' }>[];
      const total = shares.reduce<Fraction>((s, v) => add(s, v.value), fraction(0n));
      out.push({
        name: `year.${f.name}.mean`,
        label: `${year}年各期平均：${f.label}`,
        source: 'computed',
        value: { type: 'share', value: div(total, fraction(BigInt(shares.length))), digits: Math.max(...shares.map((v) => digits(v) ?? v.digits)) },
        derivation: { formula: `(${formula}) / ${shares.length}（${names}）` },
        ...tainted,
      });
    }
  }
  return out;
}
