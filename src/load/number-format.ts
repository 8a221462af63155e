// A number as Excel shows it under the cell's number format, for the formats offices use:
// General, 0, 0.0, #,##0, 0.00%, #0.0#% (optional decimals), 0.0"%" (a literal sign, no
// scaling), sections for negatives, [Red] and other bracketed codes, quoted text and \ escapes.
// Rounding is decimal half-up from the shortest decimal of the value (roundedDecimal), as Excel
// does: 0.8155 under 0.0% shows 81.6%. SheetJS's ssf would do this in full but is not a
// dependency here; what is not covered (dates, fractions, scientific) falls back to General.
import { roundedDecimal } from '../values.js';

/** The sections of a format (positive;negative;zero;text), split outside quotes. */
function sections(fmt: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c === '"') {
      const end = fmt.indexOf('"', i + 1);
      const j = end < 0 ? fmt.length : end;
      cur += fmt.slice(i, j + 1);
      i = j;
    } else if (c === '\\') {
      cur += fmt.slice(i, i + 2);
      i++;
    } else if (c === ';') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** General: up to 11 significant digits, as Excel's General shows a number in a cell. */
function general(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e11) return String(v);
  return String(Number(v.toPrecision(11)));
}

interface Token {
  literal?: string;
  number?: true;
}

export function formatNumber(v: number, numFmt: string | undefined): string {
  if (!numFmt || /^(General|@)$/i.test(numFmt.trim())) return general(v);
  const parts = sections(numFmt);
  let section = parts[0]!;
  let value = v;
  if (v < 0 && parts.length > 1 && parts[1]!.trim() !== '') {
    section = parts[1]!;
    value = -v;
  } else if (v === 0 && parts.length > 2 && parts[2]!.trim() !== '') section = parts[2]!;
  // Literal text and the placeholders, in order; a date or time format is not ours to show.
  const tokens: Token[] = [];
  let pattern = '';
  let percents = 0;
  for (let i = 0; i < section.length; i++) {
    const c = section[i]!;
    if (c === '"') {
      const end = section.indexOf('"', i + 1);
      const j = end < 0 ? section.length : end;
      tokens.push({ literal: section.slice(i + 1, j) });
      i = j;
    } else if (c === '\\') {
      tokens.push({ literal: section[i + 1] ?? '' });
      i++;
    } else if (c === '[') {
      const j = section.indexOf(']', i);
      i = j < 0 ? section.length : j; // [Red], [$-804]: no text
    } else if (c === '_' || c === '*') i++; // padding
    else if (/[0#?.,]/.test(c)) {
      if (!tokens.at(-1)?.number) tokens.push({ number: true });
      pattern += c;
    } else if (c === '%') {
      percents++;
      tokens.push({ literal: '%' });
    } else if (/[ymdhsEe\/]/i.test(c)) return general(v);
    else tokens.push({ literal: c });
  }
  if (!pattern) return tokens.map((t) => t.literal ?? '').join('');
  const [intPart = '', fracPart = ''] = pattern.split('.');
  const grouped = /[0#?],+[0#?]/.test(intPart);
  const minInt = (intPart.match(/0/g) ?? []).length;
  const minFrac = (fracPart.match(/0/g) ?? []).length;
  const maxFrac = (fracPart.match(/[0#?]/g) ?? []).length;
  let text = roundedDecimal(Math.abs(value), 2 * percents, maxFrac);
  let [int = '', frac = ''] = text.split('.');
  while (frac.length > minFrac && frac.endsWith('0')) frac = frac.slice(0, -1);
  int = int.replace(/^0+/, '');
  if (int.length < minInt) int = int.padStart(minInt, '0');
  if (grouped) int = int.replace(/\B(?=(\d{3})+$)/g, ',');
  text = `${int}${pattern.includes('.') ? '.' : ''}${frac}`;
  // Excel prints "-" before a negative shown by the first section, and nothing when all is 0.
  const negative = value < 0 && /[1-9]/.test(text);
  return tokens.map((t) => (t.number ? `${negative ? '-' : ''}${text}` : t.literal)).join('');
}
