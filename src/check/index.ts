// The check stage: one period loaded, each table read once through every row rule and into
// its figures (pass.ts), the reported figures against the computed ones, the previous period's
// figures and the changes against them. Every message is collected; the build runs the same.
import { existsSync } from 'node:fs';
import { periodPaths } from '../bulletin.js';
import { loadBulletin, type LoadedBulletin } from '../load/bulletin.js';
import { tablePlace } from '../load/rows.js';
import { hasErrors, sortMessages, type Message } from '../messages.js';
import { againstPrevious } from '../figures/change.js';
import type { Figure } from '../figures/figure.js';
import { checkTable, type CheckedTable } from './pass.js';
import { checkReported, reportedFigures, unfilledFigures, type CheckOutcome } from './reported.js';

export type Figures = ReadonlyMap<string, Figure>;

export interface CheckResult {
  period: string;
  loaded?: LoadedBulletin;
  figures?: Figures;
  /** Each reported figure's `check:`, worked out. */
  checks?: CheckOutcome[];
  messages: Message[];
  files: number;
  rows: number;
  ok: boolean;
}

export async function checkBulletin(root: string, period: string): Promise<CheckResult> {
  const { loaded, messages, files } = await loadBulletin(root, period);
  let figures: Figures | undefined;
  let checks: CheckOutcome[] | undefined;
  let rows = 0;
  if (loaded) {
    const tables = await checkTables(loaded);
    for (const t of tables) {
      rows += t.rows;
      for (const m of t.read) messages.push(m);
      for (const m of t.problems) messages.push(m);
    }
    const own = [...reportedFigures(loaded), ...tables.flatMap((t) => t.figures ?? [])];
    const all = new Map(own.map((f) => [f.name, f]));
    const previous = await previousFigures(root, loaded, messages);
    if (previous) {
      for (const f of againstPrevious(own, previous, { previous: loaded.bulletin.previous!, current: loaded.paths.period })) all.set(f.name, f);
    }
    const checked = checkReported(loaded.bulletin.figures, all, loaded.source);
    messages.push(...unfilledFigures(loaded), ...checked.messages);
    figures = all;
    checks = checked.outcomes;
  }
  const sorted = sortMessages(messages);
  return { period, ...(loaded && { loaded }), ...(figures && { figures }), ...(checks && { checks }), messages: sorted, files: files.length, rows, ok: !hasErrors(sorted) };
}

/** Every table of a period, in the order declared, each read once. */
async function checkTables(loaded: LoadedBulletin): Promise<CheckedTable[]> {
  const out: CheckedTable[] = [];
  for (const table of loaded.tables.values()) out.push(await checkTable(table, tablePlace(table, loaded.bulletin.attachments)));
  return out;
}

/**
 * The figures of the period named by `previous:`, when its data exist and read without
 * error; its other problems are its own check's.
 */
async function previousFigures(root: string, loaded: LoadedBulletin, messages: Message[]): Promise<Map<string, Figure> | undefined> {
  const name = loaded.bulletin.previous;
  if (!name || !existsSync(periodPaths(root, name).yaml)) return undefined;
  const prev = await loadBulletin(root, name);
  const tables = prev.loaded && !hasErrors(prev.messages) ? await checkTables(prev.loaded) : undefined;
  if (!prev.loaded || !tables || tables.some((t) => hasErrors(t.read))) {
    messages.push({
      severity: 'warning',
      file: loaded.source.file,
      reason: `上一期 ${name} 的数据有错误，未计算与上期的比较`,
      hint: `运行 tongbao check ${name} 查看`,
      rule: 'figures/previous',
    });
    return undefined;
  }
  return new Map([...reportedFigures(prev.loaded), ...tables.flatMap((t) => t.figures ?? [])].map((f) => [f.name, f]));
}
