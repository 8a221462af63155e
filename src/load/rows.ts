// Rows as every reader gives them: cells typed and placed (line, column) so that any later
// rule can point at them; the column that names a row, the rows that hold a total (合计) rather
// than a member, and how a table is named to the user (附件2, or its file). Checking, figures
// and charts all read rows through these.
import type { Attachment, Column, TableSpec } from '../schema.js';
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
  return { file, ...(cell.line !== undefined && { line: cell.line }), ...(cell.column !== undefined && { column: cell.column }) };
}

export interface Row {
  line: number;
  cells: Record<string, Cell>;
}

/**
 * One row as a reader gives it, to whoever reads the table row by row. The same for a table
 * held in memory and for one streamed from disk, whose cells are reused from row to row: an
 * event is valid during its call only, and `keep` copies a row that must outlast it.
 */
export interface RowEvent {
  readonly row: Row;
  /** The row's cells by index in the spec's columns; undefined for a column the header lacks. */
  readonly cells: readonly (Cell | undefined)[];
  /** A total row (a cell reads 合计, …): checked against the other rows, never counted. */
  readonly total: boolean;
  keep(): Row;
}

export type RowHandler = (e: RowEvent) => void;

/** Each row of a table held in memory, as a row event. */
export function eachRow(rows: readonly Row[], spec: TableSpec, onRow: RowHandler): void {
  const columns = spec.columns;
  for (const row of rows) {
    onRow({ row, cells: columns.map((c) => row.cells[c.key]), total: isTotalRow(row), keep: () => row });
  }
}

/** Rows that hold a total rather than a member: they are checked, never counted. */
export const TOTAL_LABELS = ['合计', '总计', '总体', '全部'];

/** First characters of the labels: most two-character cells (河北) are told apart by one compare. */
const TOTAL_FIRST = TOTAL_LABELS.map((l) => l.charCodeAt(0));

/** A cell's text that makes its row a total row. */
export function isTotalText(t: string): boolean {
  return t.length === 2 && TOTAL_FIRST.includes(t.charCodeAt(0)) && TOTAL_LABELS.includes(t);
}

export function isTotalRow(row: Row): boolean {
  for (const k in row.cells) if (isTotalText(row.cells[k]!.text)) return true;
  return false;
}

/** The column that names a row: the first region column, else the first text column. */
export function labelColumn(columns: readonly Column[]): Column | undefined {
  return columns.find((c) => c.type === 'region') ?? columns.find((c) => c.type === 'text');
}

/** How a table is named in a derivation: `附件2` for attachments, the file name otherwise. */
export function tablePlace(table: { id: string; file: string }, attachments: readonly Attachment[]): string {
  const i = attachments.findIndex((a) => a.id === table.id);
  return i >= 0 ? `附件${i + 1}` : (table.file.split('/').at(-1) ?? table.file);
}
