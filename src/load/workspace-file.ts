// The one way the build opens a file of the workspace (bulletin.yaml, the tables, the seal, the
// circular, templates, fonts): its real path inside the workspace root, so that no link, of
// a file or of a folder, brings in a file from elsewhere; a regular file; under a size limit
// for its kind; and, for text, decoded as the tables are (UTF-8, BOM, GB18030) with every
// character no printed text may hold refused at its line and column.
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { displayPath } from '../bulletin.js';
import type { Message } from '../messages.js';
import { badChars, charReason } from './chars.js';
import { decodeText, looksBinary, type Encoding } from './decode.js';

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

const KIND_NAMES: Record<FileKind, string> = {
  bulletin: '数据文件',
  table: '表格文件',
  seal: '印章图片',
  circular: '通报正文',
  template: '模板文件',
  font: '字体文件',
};

const SAVE_AS_UTF8 = '用编辑器另存为 UTF-8 编码：记事本中选“另存为”，编码选 UTF-8';

/** At most this many characters are told of in one file: the first ones show what to fix. */
const LISTED_CHARS = 20;

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

/** The bytes of a workspace file, or the message saying why it was not read. */
export function readWorkspaceBytes(root: string, file: string, kind: FileKind): { bytes?: Buffer; real?: string; refusal?: Refusal } {
  const opened = openWorkspaceFile(root, file, kind);
  if (!opened.ok) return { refusal: opened.refusal };
  return { bytes: readFileSync(opened.real), real: opened.real };
}

export interface TextRead {
  text?: string;
  encoding?: Encoding;
  /** Errors: the file was refused, cannot be decoded, or holds characters no printed text may hold. */
  messages: Message[];
}

/**
 * The text of a workspace file, decoded; with `chars`, every control, bidirectional and unpaired
 * surrogate character is an error at its line and column (bulletin.yaml checks its values instead,
 * where escapes such as "\u202e" are seen too).
 */
export function readWorkspaceText(root: string, file: string, kind: FileKind, options: { chars?: boolean } = {}): TextRead {
  const shown = displayPath(file);
  const error = (reason: string, hint: string, rule: string, place: { line?: number; column?: number } = {}): Message => ({ severity: 'error', file: shown, ...place, reason, hint, rule });
  const read = readWorkspaceBytes(root, file, kind);
  if (!read.bytes) return { messages: [error(read.refusal!.reason, read.refusal!.hint, read.refusal!.rule)] };
  let decoded: { text: string; encoding: Encoding };
  try {
    decoded = decodeText(read.bytes);
  } catch {
    return { messages: [error(`${KIND_NAMES[kind]}以 UTF-8 的 BOM 开头，内容却不是有效的 UTF-8`, SAVE_AS_UTF8, 'file/encoding')] };
  }
  const { text, encoding } = decoded;
  // UTF-16 without its BOM reads as UTF-8 with a NUL after every ASCII character.
  if (text.includes('\u0000')) {
    return { messages: [error(`${KIND_NAMES[kind]}含有 NUL 字节：不是文本文件，或是不带 BOM 的 UTF-16 编码`, SAVE_AS_UTF8, 'file/encoding')] };
  }
  if (looksBinary(text) || (encoding === 'gb18030' && text.includes('\ufffd'))) {
    const at = placeOf(text, Math.max(0, text.indexOf('\ufffd')));
    return {
      messages: [error(`${KIND_NAMES[kind]}既不是 UTF-8 也不是 GB18030 编码的文字，无法读取（可能是二进制文件，或编码有误）`, SAVE_AS_UTF8, 'file/encoding', text.includes('\ufffd') ? at : {})],
    };
  }
  const messages: Message[] = [];
  if (options.chars) {
    for (const bad of badChars(text, false, LISTED_CHARS)) {
      messages.push(error(charReason(bad), '删去这个字符，它常随复制粘贴带入', 'text/invisible-char', placeOf(text, bad.index)));
    }
  }
  return { text, encoding, messages };
}

/** Line and column (from 1, in UTF-16 units as editors count) of `index` in `text`. */
function placeOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: index - start + 1 };
}
