// One pass over a table's rows: every row rule's handlers and the figure accumulator are fed
// each row once, whether the table is held in memory or streamed from disk. Rules report
// through their scope; what the pass gives is plain: rows read, messages, figures.
import { MessageList, type Message } from '../messages.js';
import type { TableSpec } from '../schema.js';
import type { Figure } from '../figures/figure.js';
import { cellPlace, eachRow, type RowEvent } from '../load/rows.js';
import type { Table } from '../load/table.js';
import { readRows, type StreamedTable } from '../load/stream.js';
import { FigureAccumulator } from './accumulate.js';
import { ExactSum } from './grow.js';
import type { RowRule, TableScope } from './rule.js';
import type { RowSelector } from './select.js';
import { nameKey } from '../load/identity.js';
import { ROW_RULES } from './rules/index.js';

export interface CheckedTable {
  id: string;
  /** Rows read, total rows included; 0 when the file could not be read. */
  rows: number;
  /** What the reader said of a streamed table (a held table's were said when it was loaded). */
  read: Message[];
  /** What the rules said. */
  problems: Message[];
  /** The table's figures, `<table>.<column>.<statistic>`; none when its rows could not be read. */
  figures?: Figure[];
}

/** Check one table: its rows read once, through every rule and into its figures. */
export async function checkTable(table: Table | StreamedTable, place: string, rules: readonly RowRule[] = ROW_RULES, region?: string, selectors: readonly RowSelector[] = []): Promise<CheckedTable> {
  let pass: TablePass | undefined;
  // A stream that must be read again from the start gets a fresh pass.
  const start = () => {
    for (const s of selectors) s.reset();
    pass = new TablePass(table.file, table.spec, rules, region, selectors);
    return pass.row;
  };
  let read: Message[] = [];
  if ('streamed' in table) {
    const r = await readRows(table, start);
    read = r.messages;
    if (r.encoding === undefined) pass = undefined; // unreadable after all: rows given are void
  } else eachRow(table.rows, table.spec, start());
  if (!pass) return { id: table.id, rows: 0, read, problems: [] };
  pass.end();
  return { id: table.id, rows: pass.rows, read, problems: pass.problems.messages(), figures: pass.figures.figures(place) };
}

class TablePass {
  rows = 0;
  readonly problems = new MessageList();
  readonly figures: FigureAccumulator;
  private readonly onRow: ((e: RowEvent) => void)[] = [];
  private readonly onEnd: NonNullable<ReturnType<RowRule['create']>>[] = [];
  private firstMember?: number;
  private lastMember?: number;
  /** Member-row sums the rules asked for: the column's index, and its sum. */
  private readonly sums: { at: number; sum: ExactSum }[] = [];

  /** Rows picked by name (`regions[东江市]`), and the distinct columns they compare. */
  private readonly selectors: readonly RowSelector[];
  private readonly selectedAt: number[];

  constructor(file: string, spec: TableSpec, rules: readonly RowRule[], region?: string, selectors: readonly RowSelector[] = []) {
    this.selectors = selectors;
    this.selectedAt = [...new Set(selectors.map((s) => s.at))];
    this.figures = new FigureAccumulator(spec.id, file, spec);
    const byKey = new Map<string, ExactSum>();
    const scope: TableScope = {
      file,
      spec,
      region,
      report: (where, p) => this.problems.push({ severity: p.severity ?? 'error', ...cellPlace(file, where), reason: p.reason, ...(p.hint && { hint: p.hint }), rule: p.rule, ...(p.subject && { subject: p.subject }) }),
      memberSum: (key) => {
        let sum = byKey.get(key);
        if (!sum) {
          byKey.set(key, (sum = new ExactSum()));
          this.sums.push({ at: spec.columns.findIndex((c) => c.key === key), sum });
        }
        const s = sum;
        return () => s.value;
      },
    };
    for (const rule of rules) {
      const handlers = rule.create(scope);
      if (handlers?.row) this.onRow.push(handlers.row.bind(handlers));
      if (handlers?.end) this.onEnd.push(handlers);
    }
  }

  readonly row = (e: RowEvent): void => {
    this.rows++;
    const onRow = this.onRow;
    for (let i = 0; i < onRow.length; i++) onRow[i]!(e);
    if (e.total) return;
    const line = e.row.line;
    this.firstMember ??= line;
    this.lastMember = line;
    const cells = e.cells;
    for (let i = 0; i < this.sums.length; i++) {
      const s = this.sums[i]!;
      const v = cells[s.at]?.value;
      if (typeof v === 'bigint') s.sum.add(v);
    }
    this.figures.addCells(line, cells);
    if (this.selectors.length) {
      const keys = new Map(this.selectedAt.map((at) => [at, nameKey(cells[at]?.text ?? '')]));
      for (const s of this.selectors) s.add(line, cells, keys.get(s.at)!);
    }
  };

  end(): void {
    const t = { rows: this.rows, ...(this.firstMember !== undefined && { firstMember: this.firstMember, lastMember: this.lastMember! }) };
    for (const h of this.onEnd) h.end!(t);
    // The rules' state (a first-seen table of a million codes) is let go before the figures
    // build their lists: the two are never held at once.
    this.onRow.length = 0;
    this.onEnd.length = 0;
  }
}
