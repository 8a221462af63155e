// Reading and appending to a PDF without rewriting it: the archive steps (PDF/A, signature)
// and the join of a long table's slices (join.ts)
// are incremental updates (PDF 1.7 §7.5.6), so Chromium's bytes, its tagged structure and the
// metadata update of finish.ts stay exactly as they were, and a later signature covers them.
// Only what those steps need is read: classic xref tables (Chromium writes no xref streams),
// uncompressed objects, and dictionaries as key → raw value text.
import { createHash } from 'node:crypto';

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

export interface Trailer {
  size: number;
  root: string;
  info?: string;
  /** The raw `[<…><…>]` of /ID, when present. */
  id?: string;
  startxref: number;
}

export class PdfDocument {
  readonly text: string;
  readonly trailer: Trailer;
  /** Object number → byte offset, the latest revision winning. */
  readonly offsets = new Map<number, number>();

  constructor(readonly bytes: Buffer) {
    this.text = latin1(bytes);
    const tail = this.text.slice(-1024);
    const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail);
    if (!m) throw new Error('not a PDF with a classic trailer: no startxref at its end');
    let at: number | undefined = Number(m[1]);
    let first: Trailer | undefined;
    const seen = new Set<number>();
    while (at !== undefined && !seen.has(at)) {
      seen.add(at);
      const section = this.readXref(at);
      const dict = parseDict(section.trailer);
      if (!first) {
        const size = Number(dict.get('Size'));
        const root = dict.get('Root');
        if (!size || !root) throw new Error('PDF trailer without /Size or /Root');
        first = { size, root, startxref: at };
        if (dict.has('Info')) first.info = dict.get('Info')!;
        if (dict.has('ID')) first.id = dict.get('ID')!;
      }
      if (dict.has('Encrypt')) throw new Error('encrypted PDF');
      const prev = dict.get('Prev');
      at = prev === undefined ? undefined : Number(prev);
    }
    this.trailer = first!;
  }

  /** One xref section at `at`: its entries (only the newest of each object is kept) and trailer text. */
  private readXref(at: number): { trailer: string } {
    const t = this.text;
    if (t.slice(at, at + 4) !== 'xref') throw new Error(`no xref table at byte ${at} (xref streams are not supported)`);
    let pos = at + 4;
    const header = /\s*(\d+) (\d+)\s*?\r?\n|\s*trailer/y;
    for (;;) {
      header.lastIndex = pos;
      const h = header.exec(t);
      if (!h) throw new Error(`malformed xref table at byte ${pos}`);
      if (h[1] === undefined) break; // reached "trailer"
      const start = Number(h[1]);
      const count = Number(h[2]);
      pos = header.lastIndex;
      for (let i = 0; i < count; i++) {
        const entry = t.slice(pos + i * 20, pos + i * 20 + 18);
        const [offset, , kind] = entry.split(' ');
        if (kind === 'n' && !this.offsets.has(start + i)) this.offsets.set(start + i, Number(offset));
        if (kind === 'f' && !this.offsets.has(start + i)) this.offsets.set(start + i, -1);
      }
      pos += count * 20;
    }
    const trailerAt = t.indexOf('trailer', pos);
    const open = t.indexOf('<<', trailerAt);
    return { trailer: t.slice(open, matchingDictEnd(t, open)) };
  }

  /** Where the value of object `num` starts, just after `N G obj`. */
  private valueStart(num: number): number {
    const at = this.offsets.get(num);
    if (at === undefined || at < 0) throw new Error(`object ${num} is not in the PDF`);
    const head = /(\d+) (\d+) obj\s*/y;
    head.lastIndex = at;
    const h = head.exec(this.text);
    if (!h || Number(h[1]) !== num) throw new Error(`object ${num} not found at byte ${at}`);
    return head.lastIndex;
  }

  /** The text of object `num` between `obj` and `endobj` (dictionary objects; streams not decoded). */
  object(num: number): string {
    const start = this.valueStart(num);
    if (this.text.startsWith('<<', start)) return this.text.slice(start, matchingDictEnd(this.text, start));
    return this.text.slice(start, this.text.indexOf('endobj', start)).trim();
  }

  /**
   * Object `num` as its value's text and the bytes after it up to `endobj`: for a stream, the
   * stream with its keywords (found by /Length, so data that happens to hold "endobj" is safe).
   */
  parts(num: number): { value: string; rest: Buffer } {
    const { start, value, stream } = this.locate(num);
    const end = stream ? stream.end : start + value.length;
    return { value, rest: this.bytes.subarray(start + value.length, end) };
  }

  /** The data of stream object `num` as stored (still filtered), with its dictionary. */
  streamData(num: number): { dict: Map<string, string>; data: Buffer } {
    const { value, stream } = this.locate(num);
    if (!stream) throw new Error(`object ${num} is not a stream`);
    return { dict: parseDict(value), data: this.bytes.subarray(stream.data, stream.data + stream.length) };
  }

  /** Where object `num`'s value starts, its text, and for a stream where its data and keywords lie. */
  private locate(num: number): { start: number; value: string; stream?: { data: number; length: number; end: number } } {
    const start = this.valueStart(num);
    const value = this.object(num);
    let i = start + value.length;
    while (/\s/.test(this.text[i]!)) i++;
    if (!this.text.startsWith('stream', i)) return { start, value };
    const given = parseDict(value).get('Length') ?? '';
    const length = /R$/.test(given) ? Number(this.object(refNumber(given))) : Number(given);
    let data = i + 6;
    if (this.text[data] === '\r') data++;
    if (this.text[data] === '\n') data++;
    const stop = this.text.indexOf('endstream', data + length);
    if (!Number.isFinite(length) || stop < 0) throw new Error(`object ${num}: stream without a usable /Length`);
    return { start, value, stream: { data, length, end: stop + 9 } };
  }

  /** A dictionary object, as key → raw value. */
  dict(ref: string | number): Map<string, string> {
    return parseDict(this.object(typeof ref === 'number' ? ref : refNumber(ref)));
  }
}

export const refNumber = (ref: string): number => {
  const m = /^(\d+) \d+ R$/.exec(ref.trim());
  if (!m) throw new Error(`not an indirect reference: ${ref}`);
  return Number(m[1]);
};

/** Index just past the `>>` closing the dictionary opening at `open`. */
function matchingDictEnd(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    const c = t[i];
    if (c === '(') i = skipLiteral(t, i) - 1;
    else if (c === '%') i = t.indexOf('\n', i);
    else if (c === '<' && t[i + 1] === '<') (depth++, i++);
    else if (c === '>' && t[i + 1] === '>') {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error('unterminated dictionary');
}

/** Index just past the literal string opening at `open` (nesting and escapes as in §7.3.4.2). */
function skipLiteral(t: string, open: number): number {
  let depth = 0;
  for (let i = open; i < t.length; i++) {
    const c = t[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new Error('unterminated string');
}

/** End of the value starting at `i` (a name, number, reference, string, array or dictionary). */
export function valueEnd(t: string, i: number): number {
  const c = t[i];
  if (c === '(') return skipLiteral(t, i);
  if (c === '<' && t[i + 1] === '<') return matchingDictEnd(t, i);
  if (c === '<') return t.indexOf('>', i) + 1;
  if (c === '[') {
    let j = i + 1;
    for (;;) {
      while (/\s/.test(t[j]!)) j++;
      if (t[j] === ']') return j + 1;
      j = valueEnd(t, j);
    }
  }
  if (c === '/') {
    const m = /\/[^\s/<>[\]()]*/y;
    m.lastIndex = i;
    return i + m.exec(t)![0].length;
  }
  const ref = /\d+ \d+ R|[^\s/<>[\]()]+/y;
  ref.lastIndex = i;
  const m = ref.exec(t);
  if (!m) throw new Error(`unexpected '${c}' in a PDF dictionary`);
  return i + m[0].length;
}

/** `<< /Key value … >>` → Map(Key → raw value text), in order. */
export function parseDict(src: string): Map<string, string> {
  const t = src.trim();
  if (!t.startsWith('<<')) throw new Error('not a dictionary');
  const out = new Map<string, string>();
  let i = 2;
  for (;;) {
    while (/\s/.test(t[i]!)) i++;
    if (t.startsWith('>>', i)) return out;
    const key = /\/([^\s/<>[\]()]+)/y;
    key.lastIndex = i;
    const k = key.exec(t);
    if (!k) throw new Error(`expected a name in a PDF dictionary at "${t.slice(i, i + 20)}"`);
    i = key.lastIndex;
    while (/\s/.test(t[i]!)) i++;
    const end = valueEnd(t, i);
    out.set(k[1]!, t.slice(i, end));
    i = end;
  }
}

/** The items of an array (or the value itself when it is not one), as raw value text. */
export function arrayItems(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  const t = raw.trim();
  if (!t.startsWith('[')) return [t];
  const out: string[] = [];
  let i = 1;
  for (;;) {
    while (/\s/.test(t[i]!)) i++;
    if (t[i] === ']' || i >= t.length) return out;
    const end = valueEnd(t, i);
    out.push(t.slice(i, end));
    i = end;
  }
}

/**
 * Rewrite every reference `N 0 R` in a value (not inside strings) with `ref`, and, given `id`,
 * every structure id string `(nodeNNNNNNNN)` that Chromium writes.
 */
export function rewriteRefs(raw: string, ref: (n: number) => string, id?: (s: string) => string): string {
  return raw.replace(/\((?:\\[\s\S]|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(\d+) 0 R\b/g, (m, n: string | undefined) => {
    if (n !== undefined) return ref(Number(n));
    if (id && /^\(node\d{8}\)$/.test(m)) return id(m);
    return m;
  });
}

export function writeDict(d: ReadonlyMap<string, string>): string {
  return `<<${[...d].map(([k, v]) => `/${k} ${v}`).join('\n')}>>`;
}

/** A PDF string value (literal or hex; UTF-16BE with BOM or PDFDocEncoding taken as Latin-1). */
export function decodeString(raw: string): string {
  let bytes: Buffer;
  if (raw.startsWith('<')) bytes = Buffer.from(raw.slice(1, -1).replace(/\s/g, ''), 'hex');
  else {
    const s = raw.slice(1, -1);
    const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
    const chars = s.replace(/\\([0-7]{1,3}|[nrtbf()\\]|\r?\n)/g, (_, e: string) =>
      /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : /^\r?\n$/.test(e) ? '' : esc[e]!,
    );
    bytes = Buffer.from(chars, 'latin1');
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

export interface NewObject {
  num: number;
  /** The object's body: a dictionary, or a dictionary followed by its stream. */
  body: string | Buffer;
}

/** A stream object's body; /Length is filled in. */
export function streamBody(dict: ReadonlyMap<string, string>, data: Buffer): Buffer {
  const d = new Map(dict);
  d.set('Length', String(data.length));
  return Buffer.concat([Buffer.from(`${writeDict(d)}\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
}

/** A file identifier: a digest of the bytes so far, so the same input gives the same id. */
export function fileId(bytes: Uint8Array): string {
  return `<${createHash('md5').update(bytes).digest('hex').toUpperCase()}>`;
}

/**
 * Append objects, an xref section and a trailer pointing back with /Prev. The trailer keeps
 * /Root and /Info and carries /ID (PDF/A needs it in the last trailer): the first id kept
 * when there is one, the second new for this revision. `id: false` leaves it out, for an
 * update made before the file's own dates are fixed (a digest would then change each build).
 */
export function appendUpdate(doc: PdfDocument, objects: NewObject[], options: { id?: boolean } = {}): Buffer {
  const parts: Buffer[] = [doc.bytes];
  let length = doc.bytes.length;
  // Text is gathered and turned into bytes in long runs: a joined long table appends a
  // quarter million objects, and a Buffer for each piece cost a second.
  let text = '';
  const flush = () => {
    if (text) parts.push(Buffer.from(text, 'latin1'));
    text = '';
  };
  const push = (b: Buffer | string) => {
    if (typeof b === 'string') text += b;
    else {
      flush();
      parts.push(b);
    }
    length += b.length;
  };
  if (doc.bytes[doc.bytes.length - 1] !== 0x0a) push('\n');
  const offsets = new Map<number, number>();
  for (const o of [...objects].sort((a, b) => a.num - b.num)) {
    offsets.set(o.num, length);
    push(`${o.num} 0 obj\n`);
    push(o.body);
    push('\nendobj\n');
  }
  const xrefAt = length;
  let xref = 'xref\n';
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    xref += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) xref += `${String(offsets.get(nums[k]!)).padStart(10, '0')} 00000 n \n`;
    i = j + 1;
  }
  // A loop, not Math.max(...nums): a joined long table appends a quarter million objects.
  let size = doc.trailer.size;
  for (const n of nums) if (n + 1 > size) size = n + 1;
  const trailer = new Map<string, string>([
    ['Size', String(size)],
    ['Root', doc.trailer.root],
    ...(doc.trailer.info ? ([['Info', doc.trailer.info]] as [string, string][]) : []),
    ['Prev', String(doc.trailer.startxref)],
  ]);
  flush();
  if (options.id !== false) {
    const newId = fileId(Buffer.concat(parts));
    const firstId = doc.trailer.id ? (/<[0-9A-Fa-f]*>/.exec(doc.trailer.id)?.[0] ?? newId) : newId;
    trailer.set('ID', `[${firstId}${newId}]`);
  }
  push(`${xref}trailer\n${writeDict(trailer)}\nstartxref\n${xrefAt}\n%%EOF\n`);
  flush();
  return Buffer.concat(parts);
}

/** Pages of a PDF as Chromium writes it: one `/Type /Page` dictionary each. */
export const countPages = (pdf: Uint8Array) => (Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
