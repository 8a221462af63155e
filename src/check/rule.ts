// A row rule, shaped after ESLint's: `create` is told of one table and returns handlers for its
// rows and its end (or nothing, when the table has nothing the rule checks); the check pass
// (pass.ts) reads each table once and calls every rule's handlers, for tables held in memory
// and streamed ones alike, so a rule is written once and serves both readers.
import type { Severity, Subject } from '../messages.js';
import type { TableSpec } from '../schema.js';
import type { RowEvent } from '../load/rows.js';

/** What a rule is told of the table it checks, and how it reports. */
export interface TableScope {
  /** Display path of the table's file, as messages show it. */
  readonly file: string;
  readonly spec: TableSpec;
  /** The code prefix of the bulletin's own area (33, 3305, 330523), when bulletin.yaml gives its region. */
  readonly region?: string | undefined;
  /** A problem at a cell (or a line, or a spreadsheet reference). */
  report(where: { line?: number; column?: number; ref?: string }, problem: Problem): void;
  /** The sum of an integer column over the member rows (totals left out), read at the end. */
  memberSum(key: string): () => bigint;
}

export interface Problem {
  reason: string;
  hint?: string | undefined;
  /** The message's stable id, e.g. `rows/duplicate`. */
  rule: string;
  severity?: Severity;
  /** A printed number the data disagree with: what `accept:` may name. */
  subject?: Subject;
}

/** What the end of a table tells a rule. */
export interface TableEnd {
  /** Rows read, total rows included. */
  rows: number;
  /** Lines of the first and last member rows. */
  firstMember?: number;
  lastMember?: number;
}

export interface RuleHandlers {
  /** Every row, member or total; the event is valid during the call only. */
  row?(e: RowEvent): void;
  end?(t: TableEnd): void;
}

export interface RowRule {
  /** The rule's name, as the rule list and the tests call it. */
  readonly name: string;
  readonly description: string;
  create(scope: TableScope): RuleHandlers | undefined;
}
