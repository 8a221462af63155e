// Chinese writing conventions for figures in prose: numerals, changes, lists.
import type { Fraction } from '../figures/fraction.js';
import { toDecimal } from '../figures/fraction.js';

export { chineseNumeral } from '../periods.js';

/** A change in percentage points, in words: 提高14个百分点, 下降3.5个百分点, 持平. */
export function changeInWords(points: Fraction, digits: number): string {
  const text = toDecimal(points, digits);
  if (/^-?0(\.0+)?$/.test(text)) return '持平';
  return text.startsWith('-') ? `下降${text.slice(1)}个百分点` : `提高${text}个百分点`;
}

/** Items joined with 、; with `max`, cut and closed with 等. */
export function joinList(items: readonly string[], max?: number): string {
  if (max !== undefined && items.length > max) return `${items.slice(0, max).join('、')}等`;
  return items.join('、');
}

/**
 * Items of a list that end in a count (`青石县 5`, as group and ranking lists give them) with
 * the count written as an office writes it: no space, and a unit (`青石县5个`).
 */
export function withUnit(items: readonly string[], unit: string): string[] {
  return items.map((item) => item.replace(/\s+(\d+(?:\.\d+)?%?)$/, (_, n: string) => (n.endsWith('%') ? n : `${n}${unit}`)));
}
