// Figures computed from the tables: pure functions from loaded tables to named figures.
// Names are `<table>.<column>.<statistic>`, so a bulletin with other tables gets its own
// figures without code: counts, sums, shares, coverage of check columns, rates, rankings.
// The arithmetic is in accumulate.ts, row by row, shared with tables read as a stream.
import type { Attachment } from '../schema.js';
import type { Table } from '../load/table.js';
import type { Figure } from './figure.js';
import { FigureAccumulator, isTotalRow } from './accumulate.js';

export { TOTAL_LABELS, isTotalRow, labelColumn } from './accumulate.js';

/** How a table is named in a derivation: `附件2` for attachments, the file name otherwise. */
export function tablePlace(table: Table, attachments: readonly Attachment[]): string {
  const i = attachments.findIndex((a) => a.id === table.id);
  return i >= 0 ? `附件${i + 1}` : (table.file.split('/').at(-1) ?? table.file);
}

export function computeFigures(tables: Iterable<Table>, attachments: readonly Attachment[]): Figure[] {
  const figures: Figure[] = [];
  for (const table of tables) figures.push(...tableFigures(table, tablePlace(table, attachments)));
  return figures;
}

function tableFigures(table: Table, place: string): Figure[] {
  if (table.summary) return table.summary.figures.figures(place);
  const acc = new FigureAccumulator(table.id, table.file, table.spec);
  for (const row of table.rows) if (!isTotalRow(row)) acc.add(row);
  return acc.figures(place);
}
