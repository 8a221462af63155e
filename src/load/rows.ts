// Rows as every reader gives them: cells typed and placed (line, column) so that any later
// rule can point at them; the column that names a row, the rows that hold a total (合计) rather
// than a member, and how a table is named to the user (附件2, or its file). Checking, figures
// and charts all read rows through these.
import { numberedAttachments, type Attachment, type Column, type TableSpec } from '../schema.js';
import type { Value } from '../values.js';

export interface Cell {
  /** The text as written, trimmed. */
  text: string;
  value: Value;
  line: number;
  column: number;
  /** In a spreadsheet: `Sheet1!B7`, shown in messages instead of line and column. */
  ref?: string;
}

/** Where a message about a cell points: `file:line:col`, or `file!sheet!B7` in a spreadsheet. */
export function cellPlace(file: string, cell: { line?: number; column?: number; ref?: string }): { file: string; line?: number; column?: number } {
  if (cell.ref) return { file: `${file}!${cell.ref}` };
  // A sheet's row (file!sheet): its first cell, as Excel names it.
  if (/\.xlsx!/i.test(file) && cell.line !== undefined) return { file: `${file}!A${cell.line}` };
  return { file, ...(cell.line !== undefined && { line: cell.line }), ...(cell.column !== undefined && { column: cell.column }) };
}

export interface Row {
  line: number;
  cells: Record<string, Cell>;
}

/** A member row is counted; a total row (合计) is checked against the members; a subtotal (小计) is neither. */
export type RowKind = 'member' | 'total' | 'subtotal';

/**
 * One row as a reader gives it, to whoever reads the table row by row. The same for a table
 * held in memory and for one streamed from disk, whose cells are reused from row to row: an
 * event is valid during its call only, and `keep` copies a row that must outlast it.
 */
export interface RowEvent {
  readonly row: Row;
  /** The row's cells by index in the spec's columns; undefined for a column the header lacks. */
  readonly cells: readonly (Cell | undefined)[];
  /** Not a member: a total row (a cell reads 合计, …) or a subtotal; never counted. */
  readonly total: boolean;
  /** A subtotal (小计): not counted, and not checked against the members either. */
  readonly subtotal: boolean;
  keep(): Row;
}

export type RowHandler = (e: RowEvent) => void;

/** Each row of a table held in memory, as a row event. */
export function eachRow(rows: readonly Row[], spec: TableSpec, onRow: RowHandler): void {
  const columns = spec.columns;
  const naming = namingColumns(columns);
  for (const row of rows) {
    const kind = rowKind(row, naming);
    onRow({ row, cells: columns.map((c) => row.cells[c.key]), total: kind !== 'member', subtotal: kind === 'subtotal', keep: () => row });
  }
}

/** Labels of a total row, compared without white space and without a closing colon (合 计, 合计：). */
export const TOTAL_LABELS = ['合计', '总计', '总体', '全部'];

const JI = 0x8ba1; // 计, the last character of 合计, 总计, 小计
const TI = 0x4f53; // 体 (总体)
const BU = 0x90e8; // 部 (全部)
const isColon = (c: number) => c === 0xff1a || c === 0x3a;
const isBlank = (c: number) => c === 32 || c === 0x3000 || c === 0xa0 || (c >= 9 && c <= 13);

/**
 * What a cell's text makes its row. Any cell reading a total label makes a total row; a
 * naming cell (the first column or the label column) ending in 合计 or 总计 (全市合计) does too,
 * and one ending in 小计 makes a subtotal. Runs per cell of a streamed table: most texts are
 * told apart by their last character.
 */
export function totalKind(t: string, naming: boolean): RowKind {
  let end = t.length;
  while (end > 0 && (isColon(t.charCodeAt(end - 1)) || isBlank(t.charCodeAt(end - 1)))) end--;
  if (end < 2) return 'member';
  const last = t.charCodeAt(end - 1);
  if (last !== JI && last !== TI && last !== BU) return 'member';
  const s = t.slice(0, end).replace(/[\s\u00a0\u3000]+/g, '');
  if (TOTAL_LABELS.includes(s)) return 'total';
  if (s === '小计') return 'subtotal';
  if (!naming) return 'member';
  if (s.endsWith('合计') || s.endsWith('总计')) return 'total';
  if (s.endsWith('小计')) return 'subtotal';
  return 'member';
}

/** The columns whose text names a row, where a total may be written 全市合计: the first one and the label column. */
export function namingColumns(columns: readonly Column[]): Set<string> {
  const out = new Set<string>();
  if (columns[0]) out.add(columns[0].key);
  const label = labelColumn(columns);
  if (label) out.add(label.key);
  return out;
}

/** What a row held in memory is; `naming` from namingColumns. */
export function rowKind(row: Row, naming: ReadonlySet<string>): RowKind {
  let kind: RowKind = 'member';
  for (const k in row.cells) {
    const c = totalKind(row.cells[k]!.text, naming.has(k));
    if (c === 'total') return c;
    if (c === 'subtotal') kind = c;
  }
  return kind;
}

/** The column that names a row: the first region column, else the first text column. */
export function labelColumn(columns: readonly Column[]): Column | undefined {
  return columns.find((c) => c.type === 'region') ?? columns.find((c) => c.type === 'text');
}

/** How a table is named in a derivation: `附件2` for attachments, the file name otherwise. */
export function tablePlace(table: { id: string; file: string }, attachments: readonly Attachment[]): string {
  const inline = attachments.find((a) => a.id === table.id && a.print === 'inline');
  if (inline) return `正文表格「${inline.title}」`;
  const i = numberedAttachments(attachments).findIndex((a) => a.id === table.id);
  return i >= 0 ? `附件${i + 1}` : (table.file.split('/').at(-1) ?? table.file);
}
