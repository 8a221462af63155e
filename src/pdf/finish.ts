// Chromium's PDF made reproducible and described: fixed dates, stable structure ids, an exact
// A4 MediaBox, and the document's metadata appended as an incremental update (PDF 1.7 §7.5.6),
// which leaves Chromium's bytes (and the tagged structure) as they are.
import { nameFontsByInstance } from './font-names.js';

export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string;
  /** The document's own date: from the data, so the same input gives the same bytes. */
  date: Date;
}

const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');

/** A PDF text string: UTF-16BE with a byte order mark, as hex, so any Chinese text is exact. */
export function pdfText(s: string): string {
  const body = Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase();
  return `<FEFF${body}>`;
}

/** D:YYYYMMDDHHmmss+08'00' in China Standard Time, the offices' own clock. */
export function pdfDate(d: Date): string {
  const cst = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `D:${p(cst.getUTCFullYear(), 4)}${p(cst.getUTCMonth() + 1)}${p(cst.getUTCDate())}${p(cst.getUTCHours())}${p(cst.getUTCMinutes())}${p(cst.getUTCSeconds())}+08'00'`;
}

export function finishPdf(input: Uint8Array, info: PdfInfo): Buffer {
  const out = Buffer.from(input);
  const text = latin1(out);
  const write = (at: number, s: string) => out.write(s, at, 'latin1');

  // 1. Wall-clock dates in Chromium's Info dictionary, rewritten in place (same length).
  const stamp = pdfDate(info.date).slice(2, 16);
  for (const m of text.matchAll(/\/(?:CreationDate|ModDate) \(D:(\d{14})/g)) write(m.index + m[0].length - 14, stamp);

  // 2. Structure element ids follow the renderer's DOM node counter: renumber them in order.
  // One scan of the file for both: a 20,000-row table has 200,000 ids in 44 MB.
  const refs = [...text.matchAll(/\(node(\d{8})\)/g)];
  const ids = [...new Set(refs.map((m) => m[1]!))].sort();
  const renumber = new Map(ids.map((id, i) => [id, String(i + 1).padStart(8, '0')]));
  for (const m of refs) write(m.index + 5, renumber.get(m[1]!)!);

  // 3. Chromium rounds the page to 1/300 inch; A4 is 595.28 × 841.89 pt.
  for (const m of text.matchAll(/\/MediaBox \[0 0 594\.95996 841\.91998\]/g)) write(m.index, '/MediaBox [0 0 595.28000 841.89000]');

  // 4. The embedded fonts named for the instance used, not a variable font's default one (font-names.ts).
  nameFontsByInstance(out);

  // 5. Metadata as an incremental update: a new Info dictionary and a trailer pointing to it.
  const tail = text.slice(-2048);
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail)?.[1];
  const trailer = tail.slice(tail.lastIndexOf('trailer'));
  const size = /\/Size (\d+)/.exec(trailer)?.[1];
  const root = /\/Root (\d+ \d+ R)/.exec(trailer)?.[1];
  if (!startxref || !size || !root) throw new Error('unexpected PDF from Chromium: no classic trailer');
  const n = Number(size);
  const date = `(${pdfDate(info.date)})`;
  const offset = out.length + 1;
  const obj =
    `${n} 0 obj\n<</Title ${pdfText(info.title)}\n/Author ${pdfText(info.author)}\n/Subject ${pdfText(info.subject)}\n` +
    `/Keywords ${pdfText(info.keywords)}\n/Creator (tongbao)\n/Producer (tongbao; Skia/PDF)\n/CreationDate ${date}\n/ModDate ${date}>>\nendobj\n`;
  const xrefAt = offset + Buffer.byteLength(obj, 'latin1');
  const update =
    `\n${obj}xref\n${n} 1\n${String(offset).padStart(10, '0')} 00000 n \n` +
    `trailer\n<</Size ${n + 1}\n/Root ${root}\n/Info ${n} 0 R\n/Prev ${startxref}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([out, Buffer.from(update, 'latin1')]);
}
