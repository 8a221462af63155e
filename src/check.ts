// `check`: load, validate and compute, collecting every message; the build runs the same.
import { loadBulletin, type LoadedBulletin } from './load/bulletin.js';
import { hasErrors, sortMessages, type Message } from './messages.js';
import { validateTables } from './validate.js';

export interface CheckResult {
  period: string;
  loaded?: LoadedBulletin;
  messages: Message[];
  files: number;
  rows: number;
  ok: boolean;
}

export function checkBulletin(root: string, period: string): CheckResult {
  const { loaded, messages, files } = loadBulletin(root, period);
  if (loaded) messages.push(...validateTables(loaded.tables.values()));
  const rows = loaded ? [...loaded.tables.values()].reduce((n, t) => n + t.rows.length, 0) : 0;
  const sorted = sortMessages(messages);
  return { period, ...(loaded && { loaded }), messages: sorted, files: files.length, rows, ok: !hasErrors(sorted) };
}
