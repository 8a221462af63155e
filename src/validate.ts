// Rules across cells and rows that the schema of one cell cannot see: site codes against
// their region, uniqueness, and one column bounded by another (passed ≤ sampled).
import type { Message } from './messages.js';
import type { Column, TableSpec } from './schema.js';
import { cellPlace, type Cell, type Row, type Table } from './load/table.js';
import { isDepartmentCode, provinceCode, provinceName } from './regions.js';
import { misnamedDivision } from './divisions.js';

export function validateTables(tables: Iterable<Table>): Message[] {
  const messages: Message[] = [];
  for (const table of tables) {
    if (table.summary) {
      messages.push(...table.summary.validation); // checked row by row as it streamed
      continue;
    }
    if (table.rows.length === 0) {
      messages.push({
        severity: 'error',
        ...cellPlace(table.file, { line: 1 }),
        reason: `表格「${'title' in table.spec ? String(table.spec.title) : table.id}」还没有数据：文件只有表头`,
        hint: '在表头下面逐行填写数据',
        rule: 'rows/empty-table',
      });
      continue;
    }
    const at = (cell: Cell, reason: string, hint: string | undefined, rule: string) =>
      messages.push({ severity: 'error', ...cellPlace(table.file, cell), reason, ...(hint && { hint }), rule });

    for (const column of table.spec.columns) {
      // Uniqueness: declared, and always for site codes (one site, one code).
      if (column.unique || column.type === 'site-code') {
        const seen = new Map<string, number>();
        for (const row of table.rows) {
          const cell = row.cells[column.key];
          if (!cell || cell.text === '') continue;
          const first = seen.get(cell.text);
          if (first !== undefined) {
            at(cell, `「${column.name}」的「${cell.text}」与第 ${first} 行重复`, '每个值只能出现一次', 'rows/duplicate');
          } else seen.set(cell.text, row.line);
        }
      }

      if (column.max) {
        const bound = table.spec.columns.find((c) => c.key === column.max)!;
        for (const row of table.rows) {
          const v = row.cells[column.key]?.value;
          const b = row.cells[bound.key]?.value;
          if (typeof v === 'bigint' && typeof b === 'bigint' && v > b) {
            const cell = row.cells[column.key]!;
            at(cell, `「${column.name}」${v} 大于「${bound.name}」${b}`, `${column.name}不能超过${bound.name}`, 'rows/exceeds');
          }
        }
      }

      if (column.type === 'site-code') {
        for (const row of table.rows) messages.push(...siteCodeProblems(table.file, table.spec, column, row));
      }
    }
  }
  return messages;
}

/**
 * A site code against its row, for tables held in memory and tables streamed alike: its first
 * two digits against the row's province, its first six (a county) against a county the row names.
 */
export function siteCodeProblems(file: string, spec: TableSpec, column: Column, row: Row): Message[] {
  const code = row.cells[column.key];
  if (!code || typeof code.value !== 'string') return [];
  const out: Message[] = [];
  const at = (severity: 'error' | 'warning', reason: string, hint: string, rule: string) =>
    out.push({ severity, ...cellPlace(file, code), reason, hint, rule });
  const department = isDepartmentCode(code.value);
  const region = column.region ? row.cells[column.region] : undefined;
  const expected = region && region.text !== '' ? provinceCode(region.text) : undefined;
  // A department or a local unit has no province rule.
  if (expected !== undefined && department) {
    at('error', `网站标识码 ${code.value} 是部门网站的编码，但这一行的地区是「${region!.text}」`, '核对标识码或地区', 'rows/site-code-region');
  } else if (expected !== undefined && !code.value.startsWith(expected)) {
    const actual = code.value.slice(0, 2);
    const actualName = provinceName(actual);
    at(
      'error',
      `网站标识码 ${code.value} 的前两位 ${actual}${actualName ? `（${actualName}）` : ''}与这一行的地区「${region!.text}」（${expected}）不符`,
      '核对标识码：前六位是网站所在地的行政区划代码（GB/T 2260）',
      'rows/site-code-region',
    );
  }
  if (!department) {
    const text = spec.columns.filter((c) => c.type === 'text').map((c) => row.cells[c.key]?.text ?? '').join(' ');
    const odd = misnamedDivision(code.value.slice(0, 6), text);
    if (odd) {
      at(
        'warning',
        `这一行写的是「${odd.written}」，网站标识码 ${code.value} 的行政区划 ${code.value.slice(0, 6)} 是「${odd.official}」`,
        '核对网站名称或标识码；行政区划调整后的旧名也会这样提示',
        'rows/site-code-division',
      );
    }
  }
  return out;
}
