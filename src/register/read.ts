// The register read from a workspace: each period's bulletin.yaml for its declarations, then
// the rows of its site lists and rectification tables, streamed (a 44,000-row list is never
// held). A period that cannot be read is named as unread, never half counted.
import { listPeriods } from '../bulletin.js';
import { loadBulletin, type LoadResult } from '../load/bulletin.js';
import { eachRow, type RowEvent, type RowHandler } from '../load/rows.js';
import { readRows } from '../load/stream.js';
import { hasErrors } from '../messages.js';
import type { RectificationStatus } from '../schema.js';
import { isoDate } from '../values.js';
import { Register, unfilledKey } from './register.js';
import { REPEAT_CLAIM, accountKey, rectificationColumns, siteColumns } from './sites.js';

export interface RegisterOptions {
  /** Read the periods up to and including this one only (a check reads what came before). */
  upTo?: string;
  /** Read the site lists of these periods only; rectification tables are read in every period. */
  lists?: readonly string[];
  /** Periods the caller has loaded already (a check, its own period): not loaded again. */
  loaded?: ReadonlyMap<string, LoadResult>;
}

export async function readRegister(root: string, options: RegisterOptions = {}): Promise<Register> {
  const register = new Register();
  for (const period of listPeriods(root)) {
    if (options.upTo !== undefined && period > options.upTo) break;
    await readPeriod(root, period, register, !options.lists || options.lists.includes(period), options.loaded?.get(period));
  }
  return register;
}

async function readPeriod(root: string, period: string, register: Register, lists: boolean, known?: LoadResult): Promise<void> {
  const { loaded, messages } = known ?? (await loadBulletin(root, period, { streamAll: true }));
  if (!loaded || hasErrors(messages)) {
    register.unread.push({ period, reason: `bulletin.yaml 或表格有错误（运行 tongbao check ${period} 查看）` });
    return;
  }
  const start = register.mark();
  for (const table of loaded.tables.values()) {
    const handler = rowsOf(register, period, table, lists);
    if (!handler) continue;
    let mark = register.mark();
    const begin = (): RowHandler => {
      register.rollback(mark);
      mark = register.mark();
      return handler;
    };
    let failed: boolean;
    if ('streamed' in table) {
      const r = await readRows(table, begin);
      failed = r.encoding === undefined;
    } else {
      eachRow(table.rows, table.spec, begin());
      failed = false;
    }
    if (failed) {
      register.rollback(start);
      register.unread.push({ period, reason: `表格 ${table.file} 无法读取（运行 tongbao check ${period} 查看）` });
      return;
    }
  }
  register.periods.push(period);
}

/** The row handler that files a table's rows into the register; undefined for other tables. */
function rowsOf(register: Register, period: string, table: { id: string; file: string; spec: Parameters<typeof siteColumns>[0] }, lists: boolean): RowHandler | undefined {
  const sites = lists ? siteColumns(table.spec) : undefined;
  if (sites) {
    const t = register.table(period, table.id, table.file);
    return (e: RowEvent) => {
      if (e.total) return;
      const c = e.cells;
      const code = sites.code >= 0 ? c[sites.code] : undefined;
      const platform = sites.platform >= 0 ? c[sites.platform] : undefined;
      const account = sites.account >= 0 ? c[sites.account] : undefined;
      // A row whose key cell is empty or malformed is the check's to report, not a site.
      let key: string;
      let at: typeof code;
      if (typeof code?.value === 'string') [key, at] = [code.value, code];
      else if (platform?.text && account?.text) [key, at] = [accountKey(platform.text, account.text), account];
      else return;
      let problem = '';
      let claimColumn: number | undefined;
      for (const i of sites.problems) {
        const p = c[i];
        if (!p?.text) continue;
        problem = problem ? `${problem}；${p.text}` : p.text;
        if (claimColumn === undefined && REPEAT_CLAIM.test(p.text)) claimColumn = p.column;
      }
      const region = sites.region >= 0 ? c[sites.region]?.text : undefined;
      register.add(t, {
        key,
        kind: typeof code?.value === 'string' ? 'site' : 'account',
        line: at!.line,
        column: at!.column,
        name: (sites.name >= 0 ? c[sites.name]?.text : undefined) || key,
        ...(region && { region }),
        problem,
        ...(claimColumn !== undefined && { claimColumn }),
      });
    };
  }
  const rect = rectificationColumns(table.spec);
  if (!rect) return undefined;
  return (e: RowEvent) => {
    if (e.total) return;
    const code = e.cells[rect.code];
    const status = e.cells[rect.status];
    if (typeof code?.value === 'string' && status !== undefined && status.text === '') register.unfilled.add(unfilledKey(period, table.id, code.value));
    if (typeof code?.value !== 'string' || typeof status?.value !== 'string') return;
    const date = rect.date >= 0 ? e.cells[rect.date]?.value : undefined;
    register.rectifications.push({
      key: code.value,
      period,
      table: table.id,
      file: table.file,
      line: code.line,
      column: code.column,
      status: status.value as RectificationStatus,
      ...(date && typeof date === 'object' && 'kind' in date && date.kind === 'date' && { date: isoDate(date) }),
    });
  };
}
