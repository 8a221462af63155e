// The faces the PDF prints with, embedded in the Word document as subsets to its characters
// and named as the office fonts the styles ask for (仿宋_GB2312, 黑体, ...). Word and LibreOffice
// match a font by its name only (LibreOffice ignores the font table's altName and family), so
// on a machine without the office fonts an unknown name fell to a sans face; an embedded font
// of that very name is found instead, and the body prints in the PDF's serif. Each file is
// obfuscated as ECMA-376 Part 1 §17.8.1 says, with a key derived from its bytes, so that the
// same document makes the same package.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Block, DocxDocument, Face, Run } from './model.js';
import { FACES, STYLES } from './styles.js';

const require = createRequire(import.meta.url);

/** The free face of each role, as the PDF's (print/fonts.ts): @fontsource package and file. */
const FREE: Record<Face, [pkg: string, file: string]> = {
  fangsong: ['noto-serif-sc', 'noto-serif-sc-chinese-simplified-400-normal.woff2'],
  song: ['noto-serif-sc', 'noto-serif-sc-chinese-simplified-400-normal.woff2'],
  xiaobiaosong: ['noto-serif-sc', 'noto-serif-sc-chinese-simplified-700-normal.woff2'],
  hei: ['noto-sans-sc', 'noto-sans-sc-chinese-simplified-400-normal.woff2'],
  kai: ['lxgw-wenkai', 'lxgw-wenkai-latin-500-normal.woff2'],
};

/** PostScript names (ASCII, as name ID 6 must be) for the office names. */
const POSTSCRIPT: Record<Face, string> = {
  fangsong: 'FangSong_GB2312',
  song: 'SimSun',
  xiaobiaosong: 'FZXiaoBiaoSong-B05S',
  hei: 'SimHei',
  kai: 'KaiTi_GB2312',
};

export interface EmbeddedFont {
  /** The office font's name, as the styles and the font table use it. */
  name: string;
  /** `{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}`: the obfuscation key (w:fontKey). */
  key: string;
  /** The obfuscated TrueType subset (word/fonts/*.odttf). */
  data: Buffer;
}

/** The characters printed in each face: a run's own face, else its paragraph style's, else 正文's. */
export function charactersByFace(doc: DocxDocument): Map<Face, Set<string>> {
  const out = new Map<Face, Set<string>>();
  const add = (face: Face, text: string) => {
    const set = out.get(face) ?? out.set(face, new Set()).get(face)!;
    // Spaces too (the 全角 and en spaces): their widths are the face's.
    for (const c of text) if (c >= ' ') set.add(c);
  };
  const runs = (runs: Run[], styleFace: Face | undefined) => runs.forEach((r) => add(r.face ?? styleFace ?? 'fangsong', r.text));
  const block = (b: Block) => {
    if (b.type === 'paragraph') runs(b.runs, STYLES[b.style].face);
    else if (b.type === 'table') {
      // The header row's runs print in the style 表头's face (write.ts drops their own).
      b.head.forEach((c) => add(STYLES.TableHead.face!, c.runs.map((r) => r.text).join('')));
      b.rows.forEach((row) => row.forEach((c) => runs(c.runs, undefined)));
    } else if (b.type === 'colophon') {
      runs(b.cc ?? [], undefined);
      add('fangsong', `${b.printedBy ?? ''}${b.printedOn ?? ''}`);
    }
  };
  doc.blocks.forEach(block);
  // The page numbers (the footer's 宋体): — N — with any number of pages.
  add('song', '0123456789\u2015\u2002');
  return out;
}

/** A font file's tables by tag. */
function tables(font: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < font.readUInt16BE(4); i++) {
    const rec = 12 + i * 16;
    out.set(font.toString('latin1', rec, rec + 4), font.subarray(font.readUInt32BE(rec + 8), font.readUInt32BE(rec + 8) + font.readUInt32BE(rec + 12)));
  }
  return out;
}

const checksum = (b: Buffer) => {
  let sum = 0;
  const padded = Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  for (let i = 0; i < padded.length; i += 4) sum = (sum + padded.readUInt32BE(i)) >>> 0;
  return sum;
};

/** A TrueType file of these tables, in tag order, checksums and head.checkSumAdjustment set. */
function sfnt(all: Map<string, Buffer>): Buffer {
  const tags = [...all.keys()].sort();
  const header = Buffer.alloc(12 + tags.length * 16);
  header.writeUInt32BE(0x00010000, 0);
  header.writeUInt16BE(tags.length, 4);
  const pow = 2 ** Math.floor(Math.log2(tags.length));
  header.writeUInt16BE(pow * 16, 6);
  header.writeUInt16BE(Math.log2(pow), 8);
  header.writeUInt16BE(tags.length * 16 - pow * 16, 10);
  let offset = header.length;
  let headAt = 0;
  const bodies = tags.map((tag, i) => {
    const data = Buffer.from(all.get(tag)!);
    if (tag === 'head') {
      data.writeUInt32BE(0, 8);
      headAt = offset;
    }
    const rec = 12 + i * 16;
    header.write(tag, rec, 'latin1');
    header.writeUInt32BE(checksum(data), rec + 4);
    header.writeUInt32BE(offset, rec + 8);
    header.writeUInt32BE(data.length, rec + 12);
    const padded = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    offset += padded.length;
    return padded;
  });
  const out = Buffer.concat([header, ...bodies]);
  out.writeUInt32BE((0xb1b0afba - checksum(out)) >>> 0, headAt + 8);
  return out;
}

/**
 * A name table naming the face `family` (Regular), in English and Chinese (Windows Unicode
 * records), keeping the original's copyright, version and licence (the OFL's notice).
 */
function nameTable(original: Buffer, family: string, postscript: string): Buffer {
  const records: { lang: number; id: number; text: Buffer }[] = [];
  const count = original.readUInt16BE(2);
  const storage = original.readUInt16BE(4);
  for (let i = 0; i < count; i++) {
    const r = 6 + i * 12;
    const [platform, encoding, lang, id, length, at] = [0, 2, 4, 6, 8, 10].map((k) => original.readUInt16BE(r + k)) as [number, number, number, number, number, number];
    if (platform === 3 && encoding === 1 && lang === 0x0409 && [0, 5, 13, 14].includes(id)) records.push({ lang, id, text: original.subarray(storage + at, storage + at + length) });
  }
  const utf16 = (s: string) => Buffer.from(s, 'utf16le').swap16();
  for (const lang of [0x0409, 0x0804]) {
    records.push({ lang, id: 1, text: utf16(family) }, { lang, id: 2, text: utf16('Regular') }, { lang, id: 4, text: utf16(family) });
  }
  records.push({ lang: 0x0409, id: 6, text: utf16(postscript) });
  records.sort((a, b) => a.lang - b.lang || a.id - b.id);
  const head = Buffer.alloc(6 + records.length * 12);
  head.writeUInt16BE(records.length, 2);
  head.writeUInt16BE(head.length, 4);
  let at = 0;
  records.forEach((r, i) => {
    [3, 1, r.lang, r.id, r.text.length, at].forEach((v, k) => head.writeUInt16BE(v, 6 + i * 12 + k * 2));
    at += r.text.length;
  });
  return Buffer.concat([head, ...records.map((r) => r.text)]);
}

/** The whole face of a file, decoded once a process (the 楷 face's takes 0.8 s). */
const decoded = new Map<string, Promise<Buffer>>();
function wholeFace(pkg: string, file: string): Promise<Buffer> {
  const at = path.join(path.dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files', file);
  if (!decoded.has(at)) decoded.set(at, import('fontverter').then((m) => m.default.convert(readFileSync(at), 'truetype')));
  return decoded.get(at)!;
}

/** The GUID of a key from a hash: the same font, the same key. */
function keyOf(data: Buffer, name: string): string {
  const h = createHash('sha256').update(name).update(data).digest('hex').toUpperCase();
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}}`;
}

/** §17.8.1: the first 32 bytes XORed with the key's 16 bytes, taken from its last digits to its first. */
export function obfuscate(font: Buffer, key: string): Buffer {
  const bytes = Buffer.from(key.replace(/[^0-9A-Fa-f]/g, ''), 'hex').reverse();
  const out = Buffer.from(font);
  for (let i = 0; i < 32 && i < out.length; i++) out[i]! ^= bytes[i % 16]!;
  return out;
}

/** A TrueType face cut to `text` and named `family` (Regular). */
export async function namedSubset(face: Buffer, text: string, family: string, postscript: string): Promise<Buffer> {
  const subsetFont = (await import('subset-font')).default;
  const all = tables(await subsetFont(face, text, { targetFormat: 'truetype' }));
  all.set('name', nameTable(all.get('name')!, family, postscript));
  return sfnt(all);
}

/** Every face the document prints, cut to its characters and named as the office font. */
export async function embeddedFonts(doc: DocxDocument): Promise<EmbeddedFont[]> {
  const out: EmbeddedFont[] = [];
  const byFace = charactersByFace(doc);
  for (const face of Object.keys(FACES) as Face[]) {
    const chars = byFace.get(face);
    if (!chars?.size) continue;
    const [pkg, file] = FREE[face];
    const font = await namedSubset(await wholeFace(pkg, file), [...chars].sort().join(''), FACES[face].name, POSTSCRIPT[face]);
    const key = keyOf(font, FACES[face].name);
    out.push({ name: FACES[face].name, key, data: obfuscate(font, key) });
  }
  return out;
}
