// SHA256SUMS in the format of GNU coreutils, so `sha256sum -c SHA256SUMS` checks a folder
// anywhere, without tongbao.
import { createHash } from 'node:crypto';

export const SUMS_FILE = 'SHA256SUMS';
/** A signed build's detached CMS signature over SHA256SUMS (`openssl cms -verify -binary -content SHA256SUMS` reads it). */
export const SUMS_SIGNATURE = 'SHA256SUMS.p7s';

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** One line per file, by name: `<hex>  <name>` (two spaces: text mode, as sha256sum writes). */
export function sha256Sums(files: ReadonlyMap<string, string | Uint8Array>): string {
  return [...files]
    .filter(([name]) => name !== SUMS_FILE && name !== SUMS_SIGNATURE)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, content]) => `${sha256(content)}  ${name}\n`)
    .join('');
}

export interface SumEntry {
  name: string;
  hash: string;
  line: number;
}

/** Parse a SHA256SUMS file; lines that are not `<64 hex> <space or *><name>` come back as bad. */
export function parseSums(text: string): { entries: SumEntry[]; bad: number[] } {
  const entries: SumEntry[] = [];
  const bad: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(l.replace(/\r$/, ''));
    if (m) entries.push({ hash: m[1]!.toLowerCase(), name: m[2]!, line: i + 1 });
    else bad.push(i + 1);
  });
  return { entries, bad };
}
