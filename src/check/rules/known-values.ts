import type { Column } from '../../schema.js';
import { identityForm } from '../../load/identity.js';
import { isDepartmentCode, provinceCode, provinceNames } from '../../regions.js';
import { divisionNames } from '../../divisions.js';
import type { RowRule } from '../rule.js';

/**
 * A region is a known one (a province, a GB/T 2260 division, or a department on a row whose
 * site code is a department's), and a column that lists its values holds only those: a name
 * nobody knows (火星) would otherwise slip past the site-code check and make a group of its own.
 */
export const knownValues: RowRule = {
  name: 'known-values',
  description: 'A region column holds known regions; a column declaring `values` holds only those.',
  create({ spec, report }) {
    const checked = spec.columns.flatMap((column, at): { column: Column; at: number; listed: Set<string> | undefined }[] => {
      if (column.values) return [{ column, at, listed: new Set(column.values.map((v) => identityForm(v, 'name')?.text ?? v)) }];
      return column.type === 'region' ? [{ column, at, listed: undefined }] : [];
    });
    if (!checked.length) return undefined;
    const codeAt = spec.columns.findIndex((c) => c.type === 'site-code');
    const known = new Map<string, boolean>();
    const isKnown = (text: string, listed: Set<string> | undefined) => {
      // Declared values are compared in the identifying form, and so is the cell (a text column
      // keeps the spaces it was written with: 今日 头条 is the declared 今日 头条).
      if (listed) return listed.has(identityForm(text, 'name')?.text ?? text);
      let k = known.get(text);
      if (k === undefined) known.set(text, (k = provinceCode(text) !== undefined || divisionNames().has(text)));
      return k;
    };
    return {
      row({ cells, total }) {
        if (total) return; // 合计 and 小计 rows name no region
        for (let i = 0; i < checked.length; i++) {
          const { column, at, listed } = checked[i]!;
          const cell = cells[at];
          if (!cell || cell.text === '' || isKnown(cell.text, listed)) continue;
          // A department's row (bm… code) names the department where a region would be.
          const code = codeAt >= 0 ? cells[codeAt]?.text : undefined;
          if (!listed && code && isDepartmentCode(code)) continue;
          report(cell, unknown(column, cell.text, listed));
        }
      },
    };
  },
};

function unknown(column: Column, text: string, listed: Set<string> | undefined) {
  const candidates = listed ? [...listed] : [...provinceNames(), ...divisionNames()];
  const near = nearest(text, candidates);
  return listed
    ? {
        reason: `「${column.name}」的「${text}」不在这一列声明的取值中`,
        hint: `${near ? `最接近的是「${near}」；` : ''}可以填的有：${[...listed].slice(0, 40).join('、')}`,
        rule: 'rows/unknown-value',
      }
    : {
        reason: `「${column.name}」的「${text}」不是已知的地区（省级名称或 GB/T 2260 中的行政区划）`,
        hint: `${near ? `最接近的是「${near}」；` : ''}本地的区县、乡镇或部门等其他名称，请在 bulletin.yaml 中用 values 列出这一列的全部取值`,
        rule: 'rows/unknown-region',
      };
}

/**
 * The candidate fewest edits away (Levenshtein), if it is close enough to be a slip; a name
 * written without its suffix (安吉 for 安吉县, 递铺 for 递铺街道) first, before one a letter off (安徽).
 */
export function nearest(text: string, candidates: readonly string[]): string | undefined {
  if (text.length >= 2) {
    const stem = candidates.filter((c) => c.startsWith(text) && c.length - text.length <= 2);
    if (stem.length) return stem.reduce((a, b) => (b.length < a.length ? b : a));
  }
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - text.length) >= bestD) continue;
    const d = distance(text, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= Math.max(1, Math.ceil(text.length / 2)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}
