// Chinese writing conventions for figures in prose: numerals, changes, lists.
import type { Fraction } from '../figures/fraction.js';
import { toDecimal } from '../figures/fraction.js';

const DIGITS = '〇一二三四五六七八九';

/** Chinese numerals as used in headings and ordinals: 4 → 四, 12 → 十二, 105 → 一百零五. */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99999) return String(n);
  if (n === 0) return '〇';
  const units = ['', '十', '百', '千', '万'];
  const digits = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  digits.forEach((d, i) => {
    const unit = units[digits.length - 1 - i]!;
    if (d === 0) {
      zero = out !== '';
      return;
    }
    if (zero) out += '零';
    zero = false;
    out += DIGITS[d] + unit;
  });
  // 一十二 is written 十二 when it stands first.
  return out.startsWith('一十') ? out.slice(1) : out;
}

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
