// Periods as prose: 2016Q4 → 2016年第四季度; the quarter before and after, and the periods of
// a year. Shared vocabulary: the check stage reads periods across a workspace too.

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

export interface PeriodInfo {
  name: string;
  year: number;
  quarter?: number;
  half?: number;
  month?: number;
  /** 2016年第四季度, 2016年上半年, 2016年12月, 2016年 */
  text: string;
}

export function periodInfo(name: string): PeriodInfo {
  const year = Number(name.slice(0, 4));
  const q = /Q([1-4])$/.exec(name);
  if (q) return { name, year, quarter: Number(q[1]), text: `${year}年第${chineseNumeral(Number(q[1]))}季度` };
  const h = /H([12])$/.exec(name);
  if (h) return { name, year, half: Number(h[1]), text: `${year}年${h[1] === '1' ? '上' : '下'}半年` };
  const m = /-(\d\d)$/.exec(name);
  if (m) return { name, year, month: Number(m[1]), text: `${year}年${Number(m[1])}月` };
  return { name, year, text: `${year}年` };
}

/** The next period of the same kind: 2016Q4 → 2017Q1. */
export function nextPeriod(name: string): string {
  const p = periodInfo(name);
  if (p.quarter) return p.quarter === 4 ? `${p.year + 1}Q1` : `${p.year}Q${p.quarter + 1}`;
  if (p.half) return p.half === 2 ? `${p.year + 1}H1` : `${p.year}H2`;
  if (p.month) return p.month === 12 ? `${p.year + 1}-01` : `${p.year}-${String(p.month + 1).padStart(2, '0')}`;
  return String(p.year + 1);
}

export function previousPeriod(name: string): string {
  const p = periodInfo(name);
  if (p.quarter) return p.quarter === 1 ? `${p.year - 1}Q4` : `${p.year}Q${p.quarter - 1}`;
  if (p.half) return p.half === 1 ? `${p.year - 1}H2` : `${p.year}H1`;
  if (p.month) return p.month === 1 ? `${p.year - 1}-12` : `${p.year}-${String(p.month - 1).padStart(2, '0')}`;
  return String(p.year - 1);
}

/**
 * The periods of a year up to and including `name`, of its kind (2017Q3 → 2017Q1, 2017Q2,
 * 2017Q3): what the year's figures are taken over at that period. A year is only itself.
 */
export function yearToDate(name: string): string[] {
  const p = periodInfo(name);
  const n = p.quarter ?? p.half ?? p.month;
  if (n === undefined) return [name];
  const out = [name];
  while (out.length < n) out.unshift(previousPeriod(out[0]!));
  return out;
}

/** 2017Q2 → 第二季度: a period named within its year. */
export function withinYear(name: string): string {
  const p = periodInfo(name);
  return p.text.slice(String(p.year).length + 1) || p.text;
}

/**
 * How a period written another way is written here: 2024q1, 2024 Q1, 2024年第一季度 → 2024Q1;
 * 2024年上半年 → 2024H1; 2024年3月 → 2024-03. Undefined when the text is no period at all.
 */
export function periodSuggestion(text: string): string | undefined {
  const t = text.trim().replace(/[\s\u3000]+/g, '').replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
  const digit = (s: string) => ('一二三四'.indexOf(s) + 1 || Number(s));
  let m = /^(\d{4})[qQ]([1-4])$/.exec(t) ?? /^(\d{4})年?第?([一二三四1-4])(?:季度|季)$/.exec(t);
  if (m) return `${m[1]}Q${digit(m[2]!)}`;
  m = /^(\d{4})[hH]([12])$/.exec(t);
  if (m) return `${m[1]}H${m[2]}`;
  m = /^(\d{4})年?([上下])半年$/.exec(t);
  if (m) return `${m[1]}H${m[2] === '上' ? 1 : 2}`;
  m = /^(\d{4})(?:年|[-./])(\d{1,2})月?$/.exec(t);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return `${m[1]}-${m[2]!.padStart(2, '0')}`;
  m = /^(\d{4})年(?:度)?$/.exec(t);
  if (m) return m[1];
  return undefined;
}

/** The hint for a period not written as one: the suggestion, or the forms. */
export function periodHint(text: string): string {
  const s = periodSuggestion(text);
  return s && s !== text ? `是指 ${s} 吗？期次写作 2024Q1（季度）、2024H1（半年）、2024-03（月）或 2024（年）` : '期次写作 2024Q1（季度）、2024H1（半年）、2024-03（月）或 2024（年）';
}
