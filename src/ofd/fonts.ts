// The fonts of the OFD are the PDF's own: the TrueType subsets Chromium embedded (FontFile2),
// glyph ids unchanged. An OFD reader finds a glyph by its character through the font's cmap,
// so each file's cmap is made to hold every character the pages show in it: Chromium's subset
// keeps a cmap, but one glyph standing for two characters (― and —) is mapped from one only.
import { inflateSync } from 'node:zlib';
import { PdfDocument, arrayItems, parseDict, refNumber } from '../pdf/update.js';
import type { FontUse } from './model.js';
import { OfdError } from './model.js';
import { writeCmap, writeSfnt } from '../sfnt.js';

/** The decoded data of a stream object (Chromium compresses its fonts with Flate alone). */
function decodedStream(doc: PdfDocument, num: number): Buffer {
  const { dict, data: raw } = doc.streamData(num);
  const filter = dict.get('Filter');
  if (!filter) return raw;
  if (/^\/FlateDecode$|^\[\s*\/FlateDecode\s*\]$/.test(filter.trim())) return inflateSync(raw);
  throw new Error(`stream ${num}: filter ${filter} not supported`);
}

/** Each Type0 font's embedded TrueType file, by its BaseFont name. */
export function embeddedFonts(pdf: Uint8Array): Map<string, Buffer> {
  const doc = new PdfDocument(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
  const out = new Map<string, Buffer>();
  for (const [num, at] of doc.offsets) {
    if (at < 0) continue;
    const text = doc.object(num);
    if (!text.startsWith('<<') || !/\/Subtype\s*\/Type0\b/.test(text)) continue;
    const font = parseDict(text);
    const name = font.get('BaseFont')?.replace(/^\//, '');
    const descendant = arrayItems(font.get('DescendantFonts'))[0];
    if (!name || !descendant) continue;
    const cid = doc.dict(descendant);
    const descriptor = cid.get('FontDescriptor');
    const file = descriptor && doc.dict(descriptor).get('FontFile2');
    if (file) out.set(name, decodedStream(doc, refNumber(file)));
  }
  return out;
}

interface Table {
  tag: string;
  data: Buffer;
}

function readTables(font: Buffer): { version: number; tables: Table[] } {
  const count = font.readUInt16BE(4);
  const tables: Table[] = [];
  for (let i = 0; i < count; i++) {
    const rec = 12 + i * 16;
    const tag = font.toString('latin1', rec, rec + 4);
    const offset = font.readUInt32BE(rec + 8);
    const length = font.readUInt32BE(rec + 12);
    tables.push({ tag, data: font.subarray(offset, offset + length) });
  }
  return { version: font.readUInt32BE(0), tables };
}

/** The existing cmap's character → glyph pairs (formats 4 and 12, Unicode encodings). */
function readCmap(cmap: Buffer | undefined): Map<number, number> {
  const map = new Map<number, number>();
  if (!cmap) return map;
  const count = cmap.readUInt16BE(2);
  for (let i = 0; i < count; i++) {
    const platform = cmap.readUInt16BE(4 + i * 8);
    const encoding = cmap.readUInt16BE(6 + i * 8);
    const at = cmap.readUInt32BE(8 + i * 8);
    if (!(platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10)))) continue;
    const format = cmap.readUInt16BE(at);
    if (format === 4) {
      const segs = cmap.readUInt16BE(at + 6) / 2;
      const ends = at + 14;
      const starts = ends + segs * 2 + 2;
      const deltas = starts + segs * 2;
      const ranges = deltas + segs * 2;
      for (let s = 0; s < segs; s++) {
        const end = cmap.readUInt16BE(ends + s * 2);
        const start = cmap.readUInt16BE(starts + s * 2);
        const delta = cmap.readInt16BE(deltas + s * 2);
        const range = cmap.readUInt16BE(ranges + s * 2);
        for (let c = start; c <= end && c !== 0xffff; c++) {
          let g: number;
          if (range === 0) g = (c + delta) & 0xffff;
          else {
            const raw = cmap.readUInt16BE(ranges + s * 2 + range + (c - start) * 2);
            g = raw === 0 ? 0 : (raw + delta) & 0xffff;
          }
          if (g && !map.has(c)) map.set(c, g);
        }
      }
    } else if (format === 12) {
      const groups = cmap.readUInt32BE(at + 12);
      for (let k = 0; k < groups; k++) {
        const start = cmap.readUInt32BE(at + 16 + k * 12);
        const end = cmap.readUInt32BE(at + 20 + k * 12);
        const glyph = cmap.readUInt32BE(at + 24 + k * 12);
        for (let c = start; c <= end; c++) if (!map.has(c)) map.set(c, glyph + (c - start));
      }
    }
  }
  return map;
}


/** The font file with a cmap holding every character of `use` on its glyph, the rest kept. */
export function withCharacters(font: Buffer, use: FontUse): Buffer {
  const { version, tables } = readTables(font);
  const cmap = readCmap(tables.find((t) => t.tag === 'cmap')?.data);
  let changed = false;
  for (const [ch, glyph] of use.chars) {
    const code = ch.codePointAt(0)!;
    if (cmap.get(code) === glyph) continue;
    if (cmap.has(code) && !/\s/.test(ch)) throw new OfdError(`字体 ${use.name} 的字符表中「${ch}」对应另一个字形，无法在 OFD 中还原`, 0);
    cmap.set(code, glyph);
    changed = true;
  }
  if (!changed) return font;
  return writeSfnt(new Map([...tables.filter((t) => t.tag !== 'cmap').map((t) => [t.tag, t.data] as const), ['cmap', writeCmap(cmap)]]), version);
}
