// Just enough PDF syntax (ISO 32000-1 §7.3, §7.5) to take apart the files Chromium writes:
// a classic cross-reference table, objects as `N 0 obj … endobj`, streams with a direct
// /Length. Values are kept as their source text; only the structure joining needs is read.

export interface PdfFile {
  bytes: Buffer;
  /** The file as latin1 text: one character per byte, so indexes are byte offsets. */
  text: string;
  /** Byte offset of each object by number (0 where free). */
  offsets: number[];
  size: number;
  root: number;
  info?: number;
  startxref: number;
}

export class PdfSyntaxError extends Error {}

export function readPdf(bytes: Buffer): PdfFile {
  const text = bytes.toString('latin1');
  const tail = text.slice(-1024);
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail)?.[1]);
  if (!Number.isFinite(startxref) || text.slice(startxref, startxref + 4) !== 'xref') throw new PdfSyntaxError('no classic cross-reference table');
  const offsets: number[] = [];
  const sub = /(\d+) (\d+)\r?\n/y;
  let at = startxref + 4;
  while (isWs(text, at)) at++;
  for (;;) {
    sub.lastIndex = at;
    const m = sub.exec(text);
    if (!m) break;
    const first = Number(m[1]);
    const count = Number(m[2]);
    at = sub.lastIndex;
    for (let i = 0; i < count; i++, at += 20) {
      offsets[first + i] = text[at + 17] === 'n' ? Number(text.slice(at, at + 10)) : 0;
    }
  }
  const trailer = text.slice(text.indexOf('trailer', at));
  const entries = dictEntries(trailer.slice(trailer.indexOf('<<')));
  const root = refOf(entries.get('Root'));
  const info = refOf(entries.get('Info'));
  if (root === undefined) throw new PdfSyntaxError('no /Root');
  return { bytes, text, offsets, size: Number(entries.get('Size')), root, ...(info !== undefined && { info }), startxref };
}

export interface PdfObject {
  /** The value (a dictionary, array, …) before any stream. */
  value: string;
  /** The stream's data with its keywords, `stream\n…\nendstream`, as bytes of the file. */
  stream?: [start: number, end: number];
}

export function readObject(f: PdfFile, n: number): PdfObject {
  const at = f.offsets[n];
  if (!at) throw new PdfSyntaxError(`object ${n} is not in the file`);
  const head = /\d+ \d+ obj\s*/y;
  head.lastIndex = at;
  if (!head.exec(f.text)) throw new PdfSyntaxError(`object ${n}: no header`);
  const start = head.lastIndex;
  const end = scanValue(f.text, start);
  const value = f.text.slice(start, end);
  let i = end;
  while (isWs(f.text, i)) i++;
  if (f.text.startsWith('stream', i)) {
    const length = Number(dictEntries(value).get('Length'));
    let data = i + 6;
    if (f.text[data] === '\r') data++;
    if (f.text[data] === '\n') data++;
    const stop = f.text.indexOf('endstream', data + length);
    if (!Number.isFinite(length) || stop < 0) throw new PdfSyntaxError(`object ${n}: stream without a direct /Length`);
    return { value, stream: [i, stop + 9] };
  }
  return { value };
}

// Character classes by code (§7.2.2): white space, and delimiters (white space included).
const WS = new Uint8Array(256);
const DELIM = new Uint8Array(256);
for (const c of [0, 9, 10, 12, 13, 32]) WS[c] = DELIM[c] = 1;
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;
const isWs = (s: string, i: number) => WS[s.charCodeAt(i) & 255] === 1 && i < s.length;
const isDelim = (s: string, i: number) => DELIM[s.charCodeAt(i) & 255] === 1;

/** The index just past the value starting at `i` (white space before it skipped). */
export function scanValue(s: string, i: number): number {
  while (isWs(s, i)) i++;
  const c = s[i];
  if (c === '<' && s[i + 1] === '<') {
    i += 2;
    for (;;) {
      while (isWs(s, i)) i++;
      if (s[i] === '>' && s[i + 1] === '>') return i + 2;
      if (i >= s.length) throw new PdfSyntaxError('unterminated dictionary');
      i = scanValue(s, scanValue(s, i)); // key, value
    }
  }
  if (c === '[') {
    i++;
    for (;;) {
      while (isWs(s, i)) i++;
      if (s[i] === ']') return i + 1;
      if (i >= s.length) throw new PdfSyntaxError('unterminated array');
      i = scanValue(s, i);
    }
  }
  if (c === '(') {
    let depth = 0;
    for (; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 92) i++; // backslash
      else if (ch === 40) depth++;
      else if (ch === 41 && --depth === 0) return i + 1;
    }
    throw new PdfSyntaxError('unterminated string');
  }
  if (c === '<') return s.indexOf('>', i) + 1;
  if (c === '/') {
    i++;
    while (i < s.length && !isDelim(s, i)) i++;
    return i;
  }
  // A number, a reference `N G R`, true, false or null.
  let j = i;
  while (j < s.length && !isDelim(s, j)) j++;
  const digits = /^\d+$/.test(s.slice(i, j));
  if (digits) {
    // `N G R`: two integers and R, each a token of its own.
    let k = j;
    while (isWs(s, k)) k++;
    let g = k;
    while (g < s.length && s.charCodeAt(g) >= 48 && s.charCodeAt(g) <= 57) g++;
    if (g > k && isWs(s, g)) {
      let r = g;
      while (isWs(s, r)) r++;
      if (s[r] === 'R' && (r + 1 >= s.length || isDelim(s, r + 1))) return r + 1;
    }
  }
  return j;
}

/** The entries of a dictionary, values as source text. */
export function dictEntries(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let i = s.indexOf('<<') + 2;
  for (;;) {
    while (isWs(s, i)) i++;
    if (s[i] !== '/') return out;
    const keyEnd = scanValue(s, i);
    const valueEnd = scanValue(s, keyEnd);
    out.set(s.slice(i + 1, keyEnd), s.slice(keyEnd, valueEnd).trim());
    i = valueEnd;
  }
}

/** The items of an array (or the value itself when it is not an array), as source text. */
export function arrayItems(s: string | undefined): string[] {
  if (s === undefined) return [];
  s = s.trim();
  if (!s.startsWith('[')) return [s];
  const out: string[] = [];
  let i = 1;
  for (;;) {
    while (isWs(s, i)) i++;
    if (s[i] === ']' || i >= s.length) return out;
    const end = scanValue(s, i);
    out.push(s.slice(i, end));
    i = end;
  }
}

export function refOf(s: string | undefined): number | undefined {
  const m = s && /^(\d+) \d+ R$/.exec(s.trim());
  return m ? Number(m[1]) : undefined;
}

export function dict(entries: Map<string, string>): string {
  let s = '<<';
  for (const [k, v] of entries) s += `/${k} ${v}\n`;
  return s.replace(/\n$/, '') + '>>';
}

/**
 * Rewrite every reference in a value (not inside strings) and every structure id string:
 * `ref` gives the new text of `N 0 R` (a reference, or `null`).
 */
export function rewrite(s: string, ref: (n: number) => string, id?: (id: string) => string): string {
  return s.replace(/\((?:\\[\s\S]|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(\d+) 0 R\b/g, (m, n: string | undefined) => {
    if (n !== undefined) return ref(Number(n));
    if (id && /^\(node\d{8}\)$/.test(m)) return id(m);
    return m;
  });
}
