import { isDepartmentCode, provinceCode, provinceName } from '../../regions.js';
import { misnamedIn, plainDivision } from '../../divisions.js';
import type { RowRule } from '../rule.js';

/**
 * A site code against its row: its first two digits against the row's province, its first
 * six (a county) against a county the row's text names.
 */
export const siteCode: RowRule = {
  name: 'site-code',
  description: 'A 网站标识码 belongs to the province of its row and to the county the row names.',
  create({ spec, report }) {
    const codes = spec.columns.flatMap((column, at) => {
      if (column.type !== 'site-code') return [];
      const regionAt = column.region ? spec.columns.findIndex((c) => c.key === column.region) : -1;
      return [{ at, regionAt }];
    });
    if (!codes.length) return undefined;
    const textAt = spec.columns.flatMap((c, at) => (c.type === 'text' ? [at] : []));
    return {
      row({ cells }) {
        for (let i = 0; i < codes.length; i++) {
          const { at, regionAt } = codes[i]!;
          const code = cells[at];
          if (!code || typeof code.value !== 'string') continue;
          const value = code.value;
          const department = isDepartmentCode(value);
          const region = regionAt >= 0 ? cells[regionAt] : undefined;
          const expected = region && region.text !== '' ? provinceCode(region.text) : undefined;
          // A department or a local unit has no province rule.
          if (expected !== undefined && department) {
            report(code, { reason: `网站标识码 ${value} 是部门网站的编码，但这一行的地区是「${region!.text}」`, hint: '核对标识码或地区', rule: 'rows/site-code-region' });
          } else if (expected !== undefined && !value.startsWith(expected)) {
            const actual = value.slice(0, 2);
            const actualName = provinceName(actual);
            report(code, {
              reason: `网站标识码 ${value} 的前两位 ${actual}${actualName ? `（${actualName}）` : ''}与这一行的地区「${region!.text}」（${expected}）不符`,
              hint: '核对标识码：前六位是网站所在地的行政区划代码（GB/T 2260）',
              rule: 'rows/site-code-region',
            });
          }
          // The row's text is read only for a division with a plain name, the only kind compared.
          const plain = department ? null : plainDivision(value);
          if (!plain) continue;
          const text = textAt.length === 1 ? (cells[textAt[0]!]?.text ?? '') : textAt.map((i) => cells[i]?.text ?? '').join(' ');
          const odd = misnamedIn(plain, text);
          if (odd) {
            report(code, {
              reason: `这一行写的是「${odd.written}」，网站标识码 ${value} 的行政区划 ${value.slice(0, 6)} 是「${odd.official}」`,
              hint: '核对网站名称或标识码；行政区划调整后的旧名也会这样提示',
              rule: 'rows/site-code-division',
              severity: 'warning',
            });
          }
        }
      },
    };
  },
};
