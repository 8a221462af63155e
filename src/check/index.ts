// `check`: load, validate and compute, collecting every message; the build runs the same.
import { existsSync } from 'node:fs';
import { periodPaths } from '../bulletin.js';
import { loadBulletin, type LoadedBulletin } from '../load/bulletin.js';
import { hasErrors, sortMessages, type Message } from '../messages.js';
import { validateTables } from '../validate.js';
import { figuresOf, type Figures } from '../figures/index.js';

export interface CheckResult {
  period: string;
  loaded?: LoadedBulletin;
  figures?: Figures;
  messages: Message[];
  files: number;
  rows: number;
  ok: boolean;
}

export async function checkBulletin(root: string, period: string): Promise<CheckResult> {
  const { loaded, messages, files } = await loadBulletin(root, period);
  let figures: Figures | undefined;
  if (loaded) {
    messages.push(...validateTables(loaded.tables.values()));
    const previous = await loadPrevious(root, loaded, messages);
    const f = figuresOf(loaded, previous);
    figures = f.figures;
    messages.push(...f.messages);
  }
  const rows = loaded ? [...loaded.tables.values()].reduce((n, t) => n + (t.summary?.rowCount ?? t.rows.length), 0) : 0;
  const sorted = sortMessages(messages);
  return { period, ...(loaded && { loaded }), ...(figures && { figures }), messages: sorted, files: files.length, rows, ok: !hasErrors(sorted) };
}

/** The period named by `previous:`, when its data exist; its own problems are its own check's. */
async function loadPrevious(root: string, loaded: LoadedBulletin, messages: Message[]): Promise<LoadedBulletin | undefined> {
  const name = loaded.bulletin.previous;
  if (!name || !existsSync(periodPaths(root, name).yaml)) return undefined;
  const prev = await loadBulletin(root, name);
  if (!prev.loaded || hasErrors(prev.messages)) {
    messages.push({
      severity: 'warning',
      file: loaded.source.file,
      reason: `上一期 ${name} 的数据有错误，未计算与上期的比较`,
      hint: `运行 tongbao check ${name} 查看`,
      rule: 'figures/previous',
    });
    return undefined;
  }
  return prev.loaded;
}
