// Typed values as offices print them, parsed exactly: integers as bigint, percentages as
// fractions that remember how many decimals they were printed with, dates as calendar days.
import { DATE_PATTERN } from './schema.js';
import { fraction, parseDecimal, type Fraction } from './figures/fraction.js';

export interface Percent {
  kind: 'percent';
  /** The share itself: 97.2% → 972/1000. */
  value: Fraction;
  /** Decimals as printed: 97.2% → 1. */
  digits: number;
}

export interface CalendarDate {
  kind: 'date';
  year: number;
  month: number;
  day: number;
}

export type Value = string | bigint | boolean | Percent | CalendarDate | null;

/** Full-width digits and signs, as some input methods type them, made ASCII. */
export function toHalfWidth(text: string): string {
  return text.replace(/[０-９．％，－＋]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

export function parseInteger(text: string): bigint | undefined {
  const n = smallDigits(text);
  if (n >= 0) return BigInt(n); // the usual case, without the two rewrites below
  const t = toHalfWidth(text).replace(/,(?=\d{3}(?:\D|$))/g, '');
  return /^[+-]?\d+$/.test(t) ? BigInt(t) : undefined;
}

/** The value of 1–15 ASCII digits (exact as a number), else -1: cheaper than BigInt(text). */
function smallDigits(s: string): number {
  if (s.length === 0 || s.length > 15) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

export function parsePercent(text: string): Percent | undefined {
  const m = /^(.*?)\s*%$/.exec(toHalfWidth(text));
  if (!m) return undefined;
  const d = parseDecimal(m[1]!);
  if (!d) return undefined;
  return { kind: 'percent', value: fraction(d.value.num, d.value.den * 100n), digits: d.digits };
}

export function parseDate(text: string): CalendarDate | undefined {
  const m = DATE_PATTERN.exec(toHalfWidth(text).replace(/\//g, '-'));
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2] ?? m[4]);
  const day = Number(m[3] ?? m[5]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return { kind: 'date', year, month, day };
}

export const CHECK_MARKS = ['√', '✓', '✔', '☑'];
const NO_MARKS = ['', '×', '✗', '✘', '-', '—', '无'];

export function parseCheck(text: string): boolean | undefined {
  if (CHECK_MARKS.includes(text)) return true;
  if (NO_MARKS.includes(text)) return false;
  return undefined;
}

/** `2017年1月20日`: Arabic digits, no leading zeros, as GB/T 9704-2012 writes dates. */
export function formatDate(d: CalendarDate): string {
  return `${d.year}年${d.month}月${d.day}日`;
}

export function isoDate(d: CalendarDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/**
 * `v × 10^shift` rounded half-up (away from zero) to `digits` decimals, as text, computed from
 * the shortest decimal that reads back as `v` (String(v)): a spreadsheet's 0.8155 shown with
 * `0.0%` is 81.6%, where binary arithmetic (0.8155 * 100).toFixed(1) gives 81.5.
 */
export function roundedDecimal(v: number, shift: number, digits: number): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(v));
  if (!m) return String(v); // NaN, Infinity
  const [, sign, int, frac = '', exp = '0'] = m;
  let n = BigInt(int! + frac); // |v| = n × 10^(exp − frac.length)
  const e = Number(exp) - frac.length + shift + digits;
  if (e >= 0) n *= 10n ** BigInt(e);
  else {
    const d = 10n ** BigInt(-e);
    n = (n * 2n + d) / (2n * d);
  }
  const s = n.toString().padStart(digits + 1, '0');
  const text = digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return sign && n !== 0n ? `-${text}` : text;
}

/**
 * Around each figure's text in a page rendered for the Word document (`markFigures`): two
 * Unicode noncharacters, meant for a program's own use, so no text from data holds them.
 */
export const FIGURE_MARKS = { open: '\uFDD0', close: '\uFDD1' } as const;

/** A text without the figure marks. */
export const unmarked = (s: string): string => s.replace(/[\uFDD0\uFDD1]/g, '');
