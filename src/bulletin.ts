// Where a bulletin's files are. A workspace holds data/<period>/, content/<period>/,
// templates/, fonts/ and out/<period>/; nothing the build opens may lead outside it: every
// file of the workspace is opened through openWorkspaceFile (its real path inside the root, a
// regular file, under a size limit for its kind), its text through load/workspace-file.ts.
import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
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

export type FileKind = 'bulletin' | 'table' | 'seal' | 'circular' | 'template' | 'font';

const MB = 1024 * 1024;

/** Larger files are refused before they are read: a 200 MB bulletin.yaml took 1.3 GB to parse. */
export const SIZE_LIMITS: Record<FileKind, number> = {
  bulletin: 16 * MB,
  table: 256 * MB,
  seal: 8 * MB,
  circular: 8 * MB,
  template: 2 * MB,
  font: 128 * MB,
};

export const KIND_NAMES: Record<FileKind, string> = {
  bulletin: '数据文件',
  table: '表格文件',
  seal: '印章图片',
  circular: '通报正文',
  template: '模板文件',
  font: '字体文件',
};

/** Why a file may not be opened: reason, hint and rule, for a message at the file or at the key naming it. */
export interface Refusal {
  reason: string;
  hint: string;
  rule: string;
}

export type Opened = { ok: true; real: string; size: number } | { ok: false; refusal: Refusal };

const mb = (n: number) => `${Math.round((n / MB) * 10) / 10} MB`;

/** The real path of the workspace root (where links inside it may lead). */
function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return path.resolve(root);
  }
}

/** Whether `real` (a real path) lies inside the workspace `root`. */
export function insideWorkspace(root: string, real: string): boolean {
  const r = realRoot(root);
  return real === r || real.startsWith(r.endsWith(path.sep) ? r : r + path.sep);
}

/** Whether something (a file, a folder, a dangling link) is at `file`. */
export function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** A folder of the workspace (content/<period>, templates, fonts): refused when its real path is outside the root. */
export function outsideFolder(root: string, dir: string): Refusal | undefined {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return undefined; // absent: the caller says what is missing
  }
  if (insideWorkspace(root, real)) return undefined;
  return {
    reason: `目录「${displayPath(dir)}」是指向工作目录之外的链接（指向 ${real}），其中的文件不会读取`,
    hint: `把目录移到或复制到工作目录 ${displayPath(realRoot(root))} 之中，不要用链接指向别处`,
    rule: 'file/outside-workspace',
  };
}

/** Check `file` as a file of kind `kind` of the workspace at `root`, without reading it. */
export function openWorkspaceFile(root: string, file: string, kind: FileKind): Opened {
  const shown = displayPath(file);
  const what = KIND_NAMES[kind];
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const link = present(file);
    return {
      ok: false,
      refusal: {
        reason: code === 'ELOOP' ? `「${shown}」是循环的链接，无法读取` : link ? `「${shown}」是指向不存在的文件的链接` : `找不到${what}「${shown}」`,
        hint: link ? '删去这个链接，换成文件本身' : '核对文件名和所在的目录',
        rule: 'file/missing',
      },
    };
  }
  if (!insideWorkspace(root, real)) {
    return {
      ok: false,
      refusal: {
        reason: `${what}「${shown}」指向工作目录之外（${real}），不会读取`,
        hint: `把文件复制到工作目录 ${displayPath(realRoot(root))} 之中，不要用链接指向别处`,
        rule: 'file/outside-workspace',
      },
    };
  }
  const stat = statSync(real);
  if (!stat.isFile()) {
    return { ok: false, refusal: { reason: `「${shown}」不是文件`, hint: stat.isDirectory() ? '这是一个目录；换成文件' : '换成普通文件', rule: 'file/not-a-file' } };
  }
  if (stat.size > SIZE_LIMITS[kind]) {
    return {
      ok: false,
      refusal: {
        reason: `${what}「${shown}」有 ${mb(stat.size)}，超过 ${mb(SIZE_LIMITS[kind])} 的上限，未读取`,
        hint: '请检查是否选错了文件',
        rule: 'file/too-large',
      },
    };
  }
  return { ok: true, real, size: stat.size };
}
