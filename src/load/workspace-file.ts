// Text of the workspace read one way: the file opened by openWorkspaceFile (src/bulletin.ts:
// inside the workspace root, a regular file, under its kind's size limit), decoded as the
// tables are (UTF-8, BOM, UTF-16 with its BOM, GB18030), with every character no printed text
// may hold refused at its line and column.
import { readFileSync } from 'node:fs';
import { displayPath, openWorkspaceFile, KIND_NAMES, type FileKind, type Refusal } from '../bulletin.js';
import type { Message } from '../messages.js';
import { badChars, charReason } from './chars.js';
import { decodeText, looksBinary, type Encoding } from './decode.js';

const SAVE_AS_UTF8 = '用编辑器另存为 UTF-8 编码：记事本中选“另存为”，编码选 UTF-8';

/** At most this many characters are told of in one file: the first ones show what to fix. */
const LISTED_CHARS = 20;

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
