// Where a bulletin's files are. A workspace holds data/<period>/, content/<period>/,
// templates/ and out/<period>/; nothing named in the data may lead outside it.
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { PERIOD_PATTERN } from './schema.js';

export interface PeriodPaths {
  root: string;
  period: string;
  dataDir: string;
  contentDir: string;
  outDir: string;
  yaml: string;
}

export function periodPaths(root: string, period: string): PeriodPaths {
  const r = path.resolve(root);
  return {
    root: r,
    period,
    dataDir: path.join(r, 'data', period),
    contentDir: path.join(r, 'content', period),
    outDir: path.join(r, 'out', period),
    yaml: path.join(r, 'data', period, 'bulletin.yaml'),
  };
}

/** Periods that have a bulletin.yaml, oldest first (period names sort as time does). */
export function listPeriods(root: string): string[] {
  const dir = path.join(path.resolve(root), 'data');
  if (!existsSync(dir)) return [];
  // A period folder may be a symbolic link to one kept elsewhere (an archive drive): followed.
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && PERIOD_PATTERN.test(d.name) && existsSync(path.join(dir, d.name, 'bulletin.yaml')))
    .map((d) => d.name)
    .sort();
}

export function isPeriod(name: string): boolean {
  return PERIOD_PATTERN.test(name);
}

/** A path as the user would type it: relative to the working directory. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export type Resolved = { ok: true; file: string } | { ok: false; reason: string; hint: string };

/**
 * Resolve a file named in the data against its folder, refusing absolute paths, `..` and
 * symbolic links that lead out of the folder: the data never chooses what gets read.
 */
export function resolveInside(dir: string, name: string): Resolved {
  const hint = '表格文件应放在 bulletin.yaml 所在的目录中，用文件名引用';
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) {
    return { ok: false, reason: `文件路径「${name}」指向数据目录之外`, hint };
  }
  const file = path.resolve(dir, name);
  if (!existsSync(file)) {
    return { ok: false, reason: `找不到文件「${name}」`, hint: `把文件放到 ${displayPath(dir)}/ 中，或改正文件名` };
  }
  const real = realpathSync(file);
  const realDir = realpathSync(dir);
  if (real !== realDir && !real.startsWith(realDir + path.sep)) {
    return { ok: false, reason: `文件「${name}」是指向数据目录之外的链接`, hint };
  }
  if (!statSync(real).isFile()) return { ok: false, reason: `「${name}」不是文件`, hint };
  return { ok: true, file: real };
}
