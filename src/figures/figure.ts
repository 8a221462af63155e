// A figure: a named value with the form it is printed in and how it was obtained, so that it
// can be shown, checked against a figure printed elsewhere, and explained.
import { decidingDecimals, formatPercent, fraction, fractionToJSON, mul, roundScaled, toDecimal, type Fraction } from './fraction.js';
import { formatDate, isoDate, parseDate, parseInteger, parsePercent, type CalendarDate } from '../values.js';

export type FigureValue =
  | { type: 'integer'; value: bigint }
  /** A share of a whole (0.91 for 91%); `digits` is the precision it is printed at. */
  | { type: 'share'; value: Fraction; digits: number }
  /**
   * A change of a share, in percentage points (11.8 for 11.8个百分点); `words` when printed with
   * its direction (提高11.8个百分点, 下降3个百分点), else the number and 个百分点.
   */
  | { type: 'points'; value: Fraction; digits: number; words?: boolean }
  /** A relative change, (x − base) / base, printed 增长12.5% or 减少8.3%. */
  | { type: 'growth'; value: Fraction; digits: number }
  | { type: 'list'; value: string[] }
  | { type: 'date'; value: CalendarDate }
  | { type: 'text'; value: string };

export interface Derivation {
  /** The arithmetic, e.g. `30/32`. */
  formula: string;
  /** Where the inputs are: `附件2「对政府网站进行考核」` or `history.csv「总体合格率」`. */
  place?: string;
  file?: string;
  column?: string;
  /** Line numbers of the rows used, in the file. */
  rows?: number[];
}

/** Every figure of a period, by name. */
export type Figures = ReadonlyMap<string, Figure>;

export interface Figure {
  name: string;
  label: string;
  source: 'reported' | 'computed';
  value: FigureValue;
  derivation?: Derivation;
  /** A series over periods (year.<name>.series): each period's value, absent where missing. */
  points?: { period: string; value?: FigureValue }[];
  /**
   * Drawn from another period that does not check (previous.*, .change, .growth, year.*): that
   * period's problem, as its check tells it. Each use of the figure is an error naming it.
   */
  faulty?: string;
}

/** What a use of a figure drawn from a period that does not check says. */
export function faultyUse(f: Figure): string {
  return `「${f.name}」取自有错误的期次，不能使用：${f.faulty}`;
}

/** What to do about it: the other period's problem is that period's to fix (or to accept). */
export function faultyHint(f: Figure): string {
  const period = f.faulty?.split(' ')[0] ?? '那一期';
  return `先改正 ${period} 的错误（运行 tongbao check ${period}）；确是原文印错、要照录的，在 ${period} 的 accept: 中写明`;
}

/** Precision for a computed share: exact when it has at most `max` decimals (of a percent). */
export function naturalDigits(f: Fraction, max = 3): number {
  for (let d = 0; d <= max; d++) {
    const scaled = mul(f, fraction(10n ** BigInt(d + 2)));
    if (scaled.den === 1n) return d;
  }
  return max;
}

export function display(v: FigureValue, digits?: number): string {
  switch (v.type) {
    case 'integer':
      return v.value.toString();
    case 'share':
      return formatPercent(v.value, digits ?? v.digits);
    case 'points': {
      const text = toDecimal(v.value, digits ?? v.digits);
      if (!v.words) return `${text}个百分点`;
      if (/^-?0(\.0+)?$/.test(text)) return '持平';
      return text.startsWith('-') ? `下降${text.slice(1)}个百分点` : `提高${text}个百分点`;
    }
    case 'growth': {
      // 持平 when the change rounds to zero at the digits it is printed at, up or down.
      if (roundScaled(v.value, (digits ?? v.digits) + 2) === 0n) return '持平';
      const abs = fraction(v.value.num < 0n ? -v.value.num : v.value.num, v.value.den);
      return `${v.value.num < 0n ? '减少' : '增长'}${formatPercent(abs, digits ?? v.digits)}`;
    }
    case 'list':
      return v.value.join('、');
    case 'date':
      return formatDate(v.value);
    case 'text':
      return v.value;
  }
}

/**
 * An exact value as a message shows it beside one printed as `printed`: a share or growth to
 * the digits that decide its rounding at the printed digits (127/129 as 98.4496% beside 98.4%,
 * where 98.450% would read as rounding to 98.5%).
 */
export function displayBeside(exact: FigureValue, printed: FigureValue): string {
  const shares = ['share', 'growth'];
  // Points are held in points already; shares and growths as parts of the whole.
  if (exact.type === 'points' && printed.type === 'points') return display(exact, decidingDecimals(exact.value, printed.digits, 3));
  if (!shares.includes(exact.type) || !shares.includes(printed.type)) return display(exact);
  const [e, p] = [exact as { value: Fraction }, printed as { digits: number }];
  return display(exact, decidingDecimals(mul(e.value, fraction(100n)), p.digits, 3));
}

/** The exact value for programs: integers and fractions as strings, never floats. */
export function exactJSON(v: FigureValue): unknown {
  switch (v.type) {
    case 'integer':
      return v.value.toString();
    case 'share':
    case 'points':
    case 'growth':
      return fractionToJSON(v.value);
    case 'date':
      return isoDate(v.value);
    default:
      return v.value;
  }
}

/** A reported figure as printed (`7535`, `"91%"`, `"2016-12-31"`) read into a typed value. */
export function parseReported(value: number | string): FigureValue {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? { type: 'integer', value: BigInt(value) } : { type: 'text', value: String(value) };
  }
  // 持平: no change at the precision a growth is printed at (one decimal).
  if (value.trim() === '持平') return { type: 'growth', value: fraction(0n), digits: 1 };
  const p = parsePercent(value);
  if (p) return { type: 'share', value: p.value, digits: p.digits };
  // A relative change as the text prints it: 增长12.5%, 下降8.3%.
  const g = /^(增长|增加|上升|提高|减少|下降|降低)(.+%)$/.exec(value);
  const gp = g && parsePercent(g[2]!);
  if (gp && gp.value.num >= 0n) return { type: 'growth', value: /^[减下降]/.test(g[1]!) ? fraction(-gp.value.num, gp.value.den) : gp.value, digits: gp.digits };
  const pts = parsePoints(value);
  if (pts) return pts;
  const n = parseInteger(value);
  if (n !== undefined) return { type: 'integer', value: n };
  const d = parseDate(value);
  if (d) return { type: 'date', value: d };
  return { type: 'text', value };
}

/**
 * Percentage points as the text prints them: 11.8个百分点 (the sentence says which way), or
 * with the direction, 提高11.8个百分点 / 下降3个百分点; 百分点 alone is read the same.
 */
function parsePoints(value: string): FigureValue | undefined {
  const m = /^(提高|上升|增加|增长|提升|下降|降低|减少|回落)?\s*([-−]?)(\d+(?:\.\d+)?)\s*个?百分点$/.exec(value.trim());
  if (!m || (m[1] && m[2])) return undefined;
  const [int, dec = ''] = m[3]!.split('.');
  const negative = !!m[2] || /^(下降|降低|减少|回落)$/.test(m[1] ?? '');
  const n = BigInt(int! + dec);
  return { type: 'points', value: fraction(negative ? -n : n, 10n ** BigInt(dec.length)), digits: dec.length, ...(m[1] && { words: true }) };
}

/** Does a printed share agree with an exact one, rounded half-up at the printed precision? */
export function agrees(printed: FigureValue, exact: FigureValue): boolean {
  const shares = ['share', 'growth'];
  if (shares.includes(printed.type) && shares.includes(exact.type)) {
    const [p, e] = [printed as { value: Fraction; digits: number }, exact as { value: Fraction }];
    // A share printed at d decimals of a percent is the fraction rounded at d + 2 decimals.
    return roundScaled(e.value, p.digits + 2) === roundScaled(p.value, p.digits + 2);
  }
  if (printed.type === 'points' && exact.type === 'points') return roundScaled(exact.value, printed.digits) === roundScaled(printed.value, printed.digits);
  if (printed.type === 'integer' && exact.type === 'integer') return printed.value === exact.value;
  if (printed.type === 'list' && exact.type === 'list') return printed.value.join('、') === exact.value.join('、');
  return display(printed) === display(exact);
}
