// The fonts of the OFD are the PDF's own: the TrueType subsets Chromium embedded (FontFile2),
// glyph ids unchanged. An OFD reader finds a glyph by its character through the font's cmap,
// so each file's cmap is made to hold every character the pages show in it: Chromium's subset
// keeps a cmap, but one glyph standing for two characters (― and —) is mapped from one only.
import { inflateSync } from 'node:zlib';
import { PdfDocument, arrayItems, parseDict, refNumber } from '../pdf/update.js';
import type { FontUse } from './model.js';
import { OfdError } from './model.js';
import { readCmap, readTables, writeCmap, writeSfnt } from '../sfnt.js';

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

/** The font file with a cmap holding every character of `use` on its glyph, the rest kept. */
export function withCharacters(font: Buffer, use: FontUse): Buffer {
  const { version, tables } = readTables(font);
  const cmap = readCmap(tables.get('cmap'));
  let changed = false;
  for (const [ch, glyph] of use.chars) {
    const code = ch.codePointAt(0)!;
    if (cmap.get(code) === glyph) continue;
    if (cmap.has(code) && !/\s/.test(ch)) throw new OfdError(`字体 ${use.name} 的字符表中「${ch}」对应另一个字形，无法在 OFD 中还原`, 0);
    cmap.set(code, glyph);
    changed = true;
  }
  if (!changed) return font;
  return writeSfnt(new Map(tables).set('cmap', writeCmap(cmap)), version);
}
