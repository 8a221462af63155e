import { isDepartmentCode, provinceCode, provinceName } from '../../regions.js';
import { divisionByCode, isDivisionCode, misnamedIn, placePrefixes, plainDivision } from '../../divisions.js';
import type { RowRule } from '../rule.js';

/**
 * A site code against its row: its first six digits are a GB/T 2260 division, which lies in
 * the province of the row's region and in the city or county (or town's county) it names; a row
 * with no region, or one naming none (县级部门), is held to the bulletin's own region.
 */
export const siteCode: RowRule = {
  name: 'site-code',
  description: 'A 网站标识码 is a GB/T 2260 division within the region of its row (or of the bulletin) and the county the row names.',
  create({ spec, report, region: own }) {
    const codes = spec.columns.flatMap((column, at) => {
      if (column.type !== 'site-code') return [];
      const regionAt = column.region ? spec.columns.findIndex((c) => c.key === column.region) : spec.columns.findIndex((c) => c.type === 'region');
      return [{ at, regionAt }];
    });
    if (!codes.length) return undefined;
    const textAt = spec.columns.flatMap((c, at) => (c.type === 'text' ? [at] : []));
    // Per region text, the code prefixes it allows (none: it names no place).
    const places = new Map<string, string[]>();
    const placed = (text: string) => {
      let p = places.get(text);
      if (p === undefined) places.set(text, (p = placePrefixes(text, own)));
      return p;
    };
    const ownName = own && divisionByCode(own)?.name;
    return {
      row({ cells, total }) {
        if (total) return;
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
            continue;
          } else if (expected !== undefined && !value.startsWith(expected)) {
            const actual = value.slice(0, 2);
            const actualName = provinceName(actual);
            report(code, {
              reason: `网站标识码 ${value} 的前两位 ${actual}${actualName ? `（${actualName}）` : ''}与这一行的地区「${region!.text}」（${expected}）不符`,
              hint: '核对标识码：前六位是网站所在地的行政区划代码（GB/T 2260）',
              rule: 'rows/site-code-region',
            });
            continue;
          }
          if (department) continue;
          const facts = divisionFacts(value);
          if (facts & UNKNOWN) {
            report(code, {
              reason: `网站标识码 ${value} 的前六位 ${six(value)} 不是 GB/T 2260 中的行政区划代码`,
              hint: '核对标识码（全国政府网站基本信息数据库中的 10 位编码）：前六位是网站所在地的行政区划代码，如 330523 是安吉县',
              rule: 'rows/site-code-unknown',
            });
            continue;
          }
          // The city, county or town the row names (a province was compared above), or else the
          // bulletin's own region: the code lies within it.
          if (!(facts & DIVISION)) continue;
          const named = expected === undefined && region && region.text !== '' ? placed(region.text) : [];
          if (named.length && !named.some((p) => value.startsWith(p))) {
            report(code, {
              reason: `网站标识码 ${value} 的行政区划 ${six(value)}（${divisionByCode(six(value))!.name}）不在这一行的地区「${region!.text}」（${named.join('、')}）之内`,
              hint: '核对标识码或地区：前六位是网站所在地的行政区划代码（GB/T 2260）',
              rule: 'rows/site-code-region',
            });
            continue;
          } else if (!named.length && expected === undefined && own && !value.startsWith(own)) {
            report(code, {
              reason: `网站标识码 ${value} 的行政区划 ${six(value)}（${divisionByCode(six(value))!.name}）不在本通报的地区${ownName ? `「${ownName}」` : ''}（bulletin.yaml 的 region: ${own}）之内`,
              hint: '核对标识码；确是外地网站的，可以不理会这条警告',
              rule: 'rows/site-code-region',
              severity: 'warning',
            });
            continue;
          }
          // The row's text is read only for a division with a plain name, the only kind compared.
          const plain = plainDivision(value);
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

const KNOWN = 1;
const UNKNOWN = 2;
const DIVISION = 4;
/** What is known of each six-digit prefix, as a number (KNOWN | UNKNOWN | DIVISION; 0 not yet): a million rows share a few thousand. */
let prefixFacts: Uint8Array | undefined;

/** A code's division, its first six characters: sliced for a message and a first look-up, not per row. */
const six = (value: string): string => value.slice(0, 6);

const factsOf = (code6: string): number => KNOWN | (unknownDivision(code6) ? UNKNOWN : 0) | (isDivisionCode(code6) ? DIVISION : 0);

/** unknownDivision and isDivisionCode of a code's first six characters, as flags. */
function divisionFacts(value: string): number {
  let n = 0;
  for (let i = 0; i < 6; i++) {
    const c = value.charCodeAt(i); // NaN past the end
    if (!(c >= 48 && c <= 57)) return factsOf(six(value));
    n = n * 10 + (c - 48);
  }
  prefixFacts ??= new Uint8Array(1_000_000);
  let f = prefixFacts[n]!;
  if (f === 0) prefixFacts[n] = f = factsOf(six(value));
  return f;
}

/**
 * Six digits that name no division in a province that exists: 330532 (湖州 has no 32), 3399xx.
 * Two digits of no province (a fictional code such as 99…, which a made-up example may use)
 * and the province-level form xx00yy (synthetic test tables use it) are left alone.
 */
function unknownDivision(code6: string): boolean {
  if (provinceName(code6.slice(0, 2)) === undefined) return false;
  if (code6.slice(2, 4) === '00') return false;
  return !isDivisionCode(code6);
}
