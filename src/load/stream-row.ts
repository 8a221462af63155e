// Records of a streamed table typed into one row of cells reused from record to record: the
// cells are those the in-memory reader makes (fillCell types both), without a million of them
// to allocate and collect. A row is valid until the next record; `keep` copies one that must last.
import type { Column, TableSpec } from '../schema.js';
import type { FieldBuffer } from './csv-stream.js';
import { fillCell, hasEdgeSpace, isSpaceCode, matchHeader, raggedRow, type At, type RawRecord } from './table.js';
import { namingColumns, totalKind, type Cell, type Row, type RowEvent } from './rows.js';

export class RowReader implements RowEvent {
  /** The row just read; its cells object has a key per column present in the header. */
  readonly row: Row = { line: 0, cells: {} };
  /** The same cells by index in `spec.columns`; undefined for a column the header lacks. */
  readonly cells: (Cell | undefined)[];
  /** Whether the row just read is a total row (a cell reads 合计, …) or a subtotal. */
  total = false;
  /** Whether it is a subtotal (小计). */
  subtotal = false;
  private readonly width: number;
  private readonly columns: Column[] = [];
  private readonly fieldAt: number[] = [];
  private readonly present: Cell[] = [];
  /** Whether each present cell may name a total by its end (全市合计). */
  private readonly naming: boolean[] = [];
  /** Each present naming cell's declared values, which are members whatever they read. */
  private readonly listed: (ReadonlySet<string> | undefined)[] = [];

  constructor(header: RawRecord, spec: TableSpec, private readonly at: At) {
    const { width, present } = matchHeader(header, spec, at);
    this.width = width;
    this.cells = spec.columns.map(() => undefined);
    const naming = namingColumns(spec.columns);
    for (const { column, i } of present) {
      this.naming.push(naming.has(column.key));
      this.listed.push(naming.get(column.key));
      const cell: Cell = { text: '', value: null, line: 0, column: 0 };
      this.columns.push(column);
      this.fieldAt.push(i);
      this.present.push(cell);
      this.row.cells[column.key] = cell;
      this.cells[spec.columns.indexOf(column)] = cell;
    }
  }

  /** Type one record; false for a row left empty or a ragged one (reported), as rowTyper does. */
  read(line: number, f: FieldBuffer): boolean {
    let empty = true;
    for (let k = 0; k < f.count; k++) {
      const t = f.text[k]!;
      if (t !== '' && (!isSpaceCode(t.charCodeAt(0)) || t.trim() !== '')) {
        empty = false;
        break;
      }
    }
    if (empty) return false; // a row of empty cells Excel left behind
    if (f.count !== this.width) {
      raggedRow(line, f.count, this.width, this.at);
      return false;
    }
    this.row.line = line;
    // What the row is, from its texts, before its cells are typed (a total's label is not data).
    let total = false;
    let subtotal = false;
    for (let p = 0; p < this.present.length && !total; p++) {
      const t = f.text[this.fieldAt[p]!]!;
      const kind = totalKind(hasEdgeSpace(t) ? t.trim() : t, this.naming[p]!, this.listed[p]); // trim() only where it changes the text
      if (kind === 'total') total = true;
      else if (kind === 'subtotal') subtotal = true;
    }
    for (let p = 0; p < this.present.length; p++) {
      const i = this.fieldAt[p]!;
      const cell = this.present[p]!;
      cell.line = f.line[i]!;
      cell.column = f.column[i]!;
      fillCell(cell, f.text[i]!, this.columns[p]!, this.at, total || subtotal);
    }
    this.total = total || subtotal;
    this.subtotal = !total && subtotal;
    return true;
  }

  /** A copy of the row just read, to keep beyond the next record. */
  keep(): Row {
    const cells: Record<string, Cell> = {};
    for (const k in this.row.cells) cells[k] = { ...this.row.cells[k]! };
    return { line: this.row.line, cells };
  }
}
