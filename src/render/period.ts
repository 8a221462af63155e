// Periods as prose: 2016Q4 → 2016年第四季度; the quarter before and after.
import { chineseNumeral } from './chinese.js';

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
