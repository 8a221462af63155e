// Rules across cells and rows that the schema of one cell cannot see: site codes against
// their region, uniqueness, and one column bounded by another (passed ≤ sampled). Each rule
// takes one row, so that tables held in memory and tables streamed row by row share it.
import type { Message } from './messages.js';
import type { Column, TableSpec } from './schema.js';
import { cellPlace, type Cell, type Row, type Table } from './load/table.js';
import { isDepartmentCode, provinceCode, provinceName } from './regions.js';
import { misnamedIn, plainDivision } from './divisions.js';
import { FirstSeen } from './figures/grow.js';

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
    const { file, spec } = table;
    for (const column of spec.columns) {
      if (isUnique(column)) {
        const seen = new FirstSeen();
        for (const row of table.rows) {
          const m = duplicateProblem(file, column, row.cells[column.key], row.line, seen);
          if (m) messages.push(m);
        }
      }
      const bound = boundOf(spec, column);
      if (bound) {
        for (const row of table.rows) {
          const m = exceedsProblem(file, column, bound, row.cells[column.key], row.cells[bound.key]);
          if (m) messages.push(m);
        }
      }
      if (column.type === 'site-code') {
        for (const row of table.rows) for (const m of siteCodeProblems(file, spec, column, row)) messages.push(m);
      }
    }
  }
  return messages;
}

/** Uniqueness: declared, and always for site codes (one site, one code). */
export function isUnique(column: Column): boolean {
  return column.unique === true || column.type === 'site-code';
}

/** The column bounding this one (`max: sampled`), if any. */
export function boundOf(spec: TableSpec, column: Column): Column | undefined {
  return column.max ? spec.columns.find((c) => c.key === column.max)! : undefined;
}

/** A value of a unique column already seen on an earlier row; `seen` records this one. */
export function duplicateProblem(file: string, column: Column, cell: Cell | undefined, line: number, seen: FirstSeen): Message | undefined {
  if (!cell || cell.text === '') return undefined;
  const first = seen.check(cell.text, line);
  if (first === undefined) return undefined;
  return { severity: 'error', ...cellPlace(file, cell), reason: `「${column.name}」的「${cell.text}」与第 ${first} 行重复`, hint: '每个值只能出现一次', rule: 'rows/duplicate' };
}

/** A count above the count bounding it (passed > sampled). */
export function exceedsProblem(file: string, column: Column, bound: Column, cell: Cell | undefined, boundCell: Cell | undefined): Message | undefined {
  const v = cell?.value;
  const b = boundCell?.value;
  if (typeof v !== 'bigint' || typeof b !== 'bigint' || v <= b) return undefined;
  return { severity: 'error', ...cellPlace(file, cell!), reason: `「${column.name}」${v} 大于「${bound.name}」${b}`, hint: `${column.name}不能超过${bound.name}`, rule: 'rows/exceeds' };
}

const NONE: readonly Message[] = Object.freeze([]);
/** The text columns of a spec, looked up once: a streamed table asks for every row. */
const textColumns = new WeakMap<TableSpec, string[]>();

/**
 * A site code against its row, for tables held in memory and tables streamed alike: its first
 * two digits against the row's province, its first six (a county) against a county the row names.
 */
export function siteCodeProblems(file: string, spec: TableSpec, column: Column, row: Row): readonly Message[] {
  const code = row.cells[column.key];
  if (!code || typeof code.value !== 'string') return NONE;
  let out: Message[] | undefined;
  const value = code.value;
  const department = isDepartmentCode(value);
  const region = column.region ? row.cells[column.region] : undefined;
  const expected = region && region.text !== '' ? provinceCode(region.text) : undefined;
  // A department or a local unit has no province rule.
  if (expected !== undefined && department) {
    (out ??= []).push(codeProblem(file, code, 'error', `网站标识码 ${value} 是部门网站的编码，但这一行的地区是「${region!.text}」`, '核对标识码或地区', 'rows/site-code-region'));
  } else if (expected !== undefined && !value.startsWith(expected)) {
    const actual = value.slice(0, 2);
    const actualName = provinceName(actual);
    (out ??= []).push(codeProblem(
      file,
      code,
      'error',
      `网站标识码 ${value} 的前两位 ${actual}${actualName ? `（${actualName}）` : ''}与这一行的地区「${region!.text}」（${expected}）不符`,
      '核对标识码：前六位是网站所在地的行政区划代码（GB/T 2260）',
      'rows/site-code-region',
    ));
  }
  // The row's text is read only for a division with a plain name, the only kind compared.
  const plain = department ? null : plainDivision(value);
  if (plain) {
    let keys = textColumns.get(spec);
    if (!keys) textColumns.set(spec, (keys = spec.columns.filter((c) => c.type === 'text').map((c) => c.key)));
    const text = keys.length === 1 ? (row.cells[keys[0]!]?.text ?? '') : keys.map((k) => row.cells[k]?.text ?? '').join(' ');
    const odd = misnamedIn(plain, text);
    if (odd) {
      (out ??= []).push(codeProblem(
        file,
        code,
        'warning',
        `这一行写的是「${odd.written}」，网站标识码 ${value} 的行政区划 ${value.slice(0, 6)} 是「${odd.official}」`,
        '核对网站名称或标识码；行政区划调整后的旧名也会这样提示',
        'rows/site-code-division',
      ));
    }
  }
  return out ?? NONE;
}

function codeProblem(file: string, code: Cell, severity: 'error' | 'warning', reason: string, hint: string, rule: string): Message {
  return { severity, ...cellPlace(file, code), reason, hint, rule };
}
