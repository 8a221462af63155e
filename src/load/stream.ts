// Data tables (under `tables:`, neither printed nor charted) read as a stream: each row is
// typed, checked and added to the figures as it arrives, then dropped, so a million-row file
// costs the aggregates and not a million rows of cells. The messages and figures are those
// the in-memory path gives (test/stream.test.ts compares the two).
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { Message } from '../messages.js';
import type { Column, TableSpec } from '../schema.js';
import { ExactSum, FirstSeen } from '../figures/grow.js';
import { FigureAccumulator, isTotalRow } from '../figures/accumulate.js';
import { boundOf, duplicateProblem, exceedsProblem, isUnique, siteCodeProblems } from '../validate.js';
import { printedRateProblem } from '../figures/consistency.js';
import { cellPlace, parseTable, type At, type Cell, type Row, type Table } from './table.js';
import { RowReader } from './stream-row.js';
import { CsvStream } from './csv-stream.js';
import { looksBinary } from './decode.js';

/** Below this size a file is read at once: streaming gains nothing. */
const STREAM_FROM_BYTES = 1 << 20;

type Loaded = { table?: Table; messages: Message[] };

/** A data table with a summary instead of rows. */
export async function loadDataTable(fileOnDisk: string, file: string, spec: TableSpec): Promise<Loaded> {
  if (statSync(fileOnDisk).size >= STREAM_FROM_BYTES) {
    const streamed = await streamTable(fileOnDisk, file, spec);
    if (streamed) return streamed;
  }
  // Small files, and files the stream cannot read as plain UTF-8 (GB18030, UTF-16, binary,
  // broken quoting): the in-memory reader, with its messages, then the same summary.
  const t = parseTable(readFileSync(fileOnDisk), file, spec);
  if (!t.table) return t;
  const sink = new SummarySink(file, spec, t.table.encoding);
  for (const row of t.table.rows) sink.row(row);
  return { table: sink.table(), messages: t.messages };
}

/** Stream a UTF-8 file; undefined when it must be read by the in-memory path instead. */
async function streamTable(fileOnDisk: string, file: string, spec: TableSpec): Promise<Loaded | undefined> {
  const messages: Message[] = [];
  const at: At = (where, reason, hint, rule, severity = 'error') =>
    messages.push({ severity, ...cellPlace(file, where), reason, ...(hint && { hint }), rule });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let encoding: 'utf-8' | 'utf-8-bom' | undefined;
  let sink: SummarySink | undefined;
  let reader: RowReader | undefined;
  const csv = new CsvStream({
    onFields(line, fields) {
      if (!reader) {
        const header = { line, fields: Array.from({ length: fields.count }, (_, k) => ({ text: fields.text[k]!, line: fields.line[k]!, column: fields.column[k]! })) };
        reader = new RowReader(header, spec, at);
        sink = new SummarySink(file, spec, encoding!);
        return;
      }
      if (reader.read(line, fields)) sink!.cells(reader.row, reader.byColumn, reader.total ? reader : undefined);
    },
  });
  const input = createReadStream(fileOnDisk, { highWaterMark: 1 << 16 });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (encoding === undefined) {
        if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) return undefined; // UTF-16
        encoding = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 'utf-8-bom' : 'utf-8';
        const text = decoder.decode(chunk, { stream: true });
        if (looksBinary(text) || !csv.push(text, false)) return undefined;
        continue;
      }
      // Not UTF-8 (GB18030) throws here; a NUL means binary: both go to the in-memory path.
      const text = decoder.decode(chunk, { stream: true });
      if (text.includes('\u0000') || !csv.push(text, false)) return undefined;
    }
    if (!csv.push(decoder.decode(), true)) return undefined;
  } catch {
    return undefined;
  } finally {
    input.destroy();
  }
  if (!sink) return undefined; // no header: the in-memory path says so
  return { table: sink.table(), messages };
}

/** A column's row rules, looked up once per table. */
interface ColumnRules {
  column: Column;
  at: number;
  seen: FirstSeen | undefined;
  bound: Column | undefined;
  boundAt: number;
  siteCode: boolean;
}

/**
 * What validateTables and checkTables say about a table, and its figures, row by row.
 * The rules are theirs (src/validate.ts, src/figures/consistency.ts), applied one row at a time.
 */
class SummarySink {
  private count = 0;
  private readonly validation: Message[] = [];
  private readonly figures: FigureAccumulator;
  /** Columns with a row rule (uniqueness, a bound, a site code), in the spec's order. */
  private readonly rules: ColumnRules[] = [];
  /** Percent columns with a `ratio`, checked on every row. */
  private readonly rates: Column[];
  private readonly totals: Row[] = [];
  private firstMember?: number;
  private lastMember?: number;
  /** Sums over member rows of every column a total or a rate needs. */
  private readonly sums = new Map<string, bigint>();
  private sumKeys: string[] = [];
  private sumAt: number[] = [];
  private sumValues: ExactSum[] = [];
  private readonly consistency: Message[] = [];

  constructor(
    private readonly file: string,
    private readonly spec: TableSpec,
    private readonly encoding: Table['encoding'],
  ) {
    this.figures = new FigureAccumulator(spec.id, file, spec);
    for (const c of spec.columns) {
      if (c.type === 'count') this.sums.set(c.key, 0n);
      if (c.type === 'percent' && c.ratio) for (const k of c.ratio) this.sums.set(k, 0n);
    }
    // Count columns are summed over member rows by the figures already.
    this.sumKeys = [...this.sums.keys()].filter((k) => spec.columns.find((c) => c.key === k)?.type !== 'count');
    this.sumAt = this.sumKeys.map((k) => spec.columns.findIndex((c) => c.key === k));
    this.sumValues = this.sumKeys.map(() => new ExactSum());
    spec.columns.forEach((column, at) => {
      const bound = boundOf(spec, column);
      const siteCode = column.type === 'site-code';
      if (!isUnique(column) && !bound && !siteCode) return;
      this.rules.push({ column, at, seen: isUnique(column) ? new FirstSeen() : undefined, bound, boundAt: bound ? spec.columns.indexOf(bound) : -1, siteCode });
    });
    this.rates = spec.columns.filter((c) => c.type === 'percent' && c.ratio);
  }

  /** A row of the in-memory reader. */
  row(row: Row): void {
    this.cells(
      row,
      this.spec.columns.map((c) => row.cells[c.key]),
      isTotalRow(row) ? { keep: () => row } : undefined,
    );
  }

  /**
   * A row and its cells by index in the spec's columns, valid for this call only; `total`, for
   * a total row, keeps a copy of it for the checks at the end.
   */
  cells(row: Row, cells: readonly (Cell | undefined)[], total: { keep(): Row } | undefined): void {
    this.count++;
    const line = row.line;
    for (const r of this.rules) {
      const cell = cells[r.at];
      if (r.seen) {
        const m = duplicateProblem(this.file, r.column, cell, line, r.seen);
        if (m) this.validation.push(m);
      }
      if (r.bound) {
        const m = exceedsProblem(this.file, r.column, r.bound, cell, cells[r.boundAt]);
        if (m) this.validation.push(m);
      }
      if (r.siteCode) for (const m of siteCodeProblems(this.file, this.spec, r.column, row)) this.validation.push(m);
    }
    if (total) {
      this.totals.push(total.keep());
      return;
    }
    this.firstMember ??= line;
    this.lastMember = line;
    for (let i = 0; i < this.sumAt.length; i++) {
      const v = cells[this.sumAt[i]!]?.value;
      if (typeof v === 'bigint') this.sumValues[i]!.add(v);
    }
    for (const column of this.rates) this.checkRate(column, row, false);
    this.figures.addCells(line, cells);
  }

  private at(cell: Cell, reason: string, hint: string | undefined, rule: string, into = this.validation) {
    into.push({ severity: 'error', ...cellPlace(this.file, cell), reason, ...(hint && { hint }), rule });
  }

  /** A printed percent against its counts (checkTables' rule); a total against the sums. */
  private checkRate(column: Column, row: Row, total: boolean): void {
    const sums = total ? ([this.sums.get(column.ratio![0])!, this.sums.get(column.ratio![1])!] as [bigint, bigint]) : undefined;
    const problem = printedRateProblem(this.file, this.spec, column, row, total, sums);
    if (problem) this.consistency.push(problem);
  }

  table(): Table {
    for (const k of this.sums.keys()) this.sums.set(k, this.figures.sumOf(k) ?? 0n);
    this.sumKeys.forEach((k, i) => this.sums.set(k, this.sumValues[i]!.value));
    if (this.count === 0) {
      this.validation.push({ severity: 'error', ...cellPlace(this.file, { line: 1 }), reason: `表格「${this.spec.id}」还没有数据：文件只有表头`, hint: '在表头下面逐行填写数据', rule: 'rows/empty-table' });
    }
    for (const column of this.spec.columns) {
      if (column.type !== 'count') continue;
      const sum = this.sums.get(column.key)!;
      for (const t of this.totals) {
        const v = t.cells[column.key]?.value;
        if (typeof v === 'bigint' && v !== sum) {
          this.at(t.cells[column.key]!, `合计行的「${column.name}」为 ${v}，各行之和为 ${sum}`, `核对合计或各行的数字（第 ${this.firstMember ?? ''}–${this.lastMember ?? ''} 行）`, 'figures/total', this.consistency);
        }
      }
    }
    for (const t of this.totals) for (const column of this.rates) this.checkRate(column, t, true);
    return {
      id: this.spec.id,
      file: this.file,
      spec: this.spec,
      encoding: this.encoding,
      rows: [],
      summary: { rowCount: this.count, validation: this.validation, consistency: this.consistency, figures: this.figures },
    };
  }
}
