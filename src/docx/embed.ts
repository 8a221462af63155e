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
import { readCmap, readTables, writeCmap, writeSfnt } from '../sfnt.js';
import { decodedFace } from '../font-cache.js';
import { subsetOf } from './subset.js';

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
const tables = (font: Buffer): Map<string, Buffer> => readTables(font).tables;

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

/** An @fontsource package's folder (resolved once: 0.6 ms a document). */
const packageDirs = new Map<string, string>();
function packageDir(pkg: string): string {
  let dir = packageDirs.get(pkg);
  if (!dir) packageDirs.set(pkg, (dir = path.dirname(require.resolve(`@fontsource/${pkg}/package.json`))));
  return dir;
}

/** A file of a face cut to `text`: opened when first cut, decoded from woff2 by the cache the print's cuts share. */
function cutFrom(pkg: string, file: string, text: string): Promise<Buffer> {
  const at = path.join(packageDir(pkg), 'files', file);
  return subsetOf(at, () => decodedFace(at), text);
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

/** A TrueType face named `family` (Regular). */
function named(face: Buffer, family: string, postscript: string): Buffer {
  const all = tables(face);
  all.set('name', nameTable(all.get('name')!, family, postscript));
  return writeSfnt(all);
}

/** Every face the document prints, cut to its characters and named as the office font. */
export async function embeddedFonts(doc: DocxDocument): Promise<EmbeddedFont[]> {
  const out: EmbeddedFont[] = [];
  const byFace = charactersByFace(doc);
  for (const face of Object.keys(FACES) as Face[]) {
    const chars = byFace.get(face);
    if (!chars?.size) continue;
    const [pkg, file] = FREE[face];
    const text = [...chars].sort().join('');
    const weight = /-(\d00)-normal/.exec(file)![1]!;
    const font = named(await withSymbols(await cutFrom(pkg, file, text), text, pkg, weight), FACES[face].name, POSTSCRIPT[face]);
    const key = keyOf(font, FACES[face].name);
    out.push({ name: FACES[face].name, key, data: obfuscate(font, key) });
  }
  return out;
}

// ---- Symbols the one-file face lacks -------------------------------------------------------
// The serif and sans faces come as one file of their Chinese (and Latin) characters and a
// hundred slices of the rest; the PDF takes √ or the page number's ― from a slice. Here such
// glyphs are appended to the subset (outlines, widths and the character map; no hinting, no
// layout tables), so that the one embedded font holds every character the PDF prints.

/** A slice file of a face's weight, and the code points its unicode-range names. */
type Slice = { file: string; covers: (c: number) => boolean };
/** The slice files of each face's weight, read from the package's CSS once a process (3 ms a face). */
const sliceLists = new Map<string, Slice[]>();
function slices(pkg: string, weight: string): Slice[] {
  const key = `${pkg}/${weight}`;
  let list = sliceLists.get(key);
  if (list) return list;
  const css = readFileSync(path.join(packageDir(pkg), `${weight}.css`), 'utf8');
  list = [...css.matchAll(/url\(\.\/files\/([^)]+\.woff2)\)[^}]*unicode-range:\s*([^;]+);/g)].map((m) => {
    const spans = m[2]!.split(',').map((r) => r.trim().replace(/^U\+/i, '').split('-').map((h) => parseInt(h, 16)));
    return { file: m[1]!, covers: (c: number) => spans.some(([a, b]) => c >= a! && c <= (b ?? a!)) };
  });
  sliceLists.set(key, list);
  return list;
}

/** Glyph i's bytes of a TrueType face. */
function glyphs(t: Map<string, Buffer>): Buffer[] {
  const n = t.get('maxp')!.readUInt16BE(4);
  const long = t.get('head')!.readInt16BE(50) === 1;
  const loca = t.get('loca')!;
  const at = (i: number) => (long ? loca.readUInt32BE(i * 4) : loca.readUInt16BE(i * 2) * 2);
  return Array.from({ length: n }, (_, i) => t.get('glyf')!.subarray(at(i), at(i + 1)));
}

/** A glyph without its instructions (the other face's hinting functions are not carried), components renumbered by `shift`. */
function movedGlyph(g: Buffer, shift: number): Buffer {
  if (g.length === 0) return g;
  const contours = g.readInt16BE(0);
  if (contours >= 0) {
    const at = 10 + contours * 2;
    const length = g.readUInt16BE(at);
    return Buffer.concat([g.subarray(0, at), Buffer.alloc(2), g.subarray(at + 2 + length)]);
  }
  const out = Buffer.from(g);
  let p = 10;
  let flags: number;
  do {
    flags = out.readUInt16BE(p);
    out.writeUInt16BE(flags & ~0x100, p); // WE_HAVE_INSTRUCTIONS cleared
    out.writeUInt16BE(out.readUInt16BE(p + 2) + shift, p + 2);
    p += 4 + (flags & 1 ? 4 : 2) + (flags & 8 ? 2 : flags & 0x40 ? 4 : flags & 0x80 ? 8 : 0);
  } while (flags & 0x20);
  return flags & 0x100 ? out.subarray(0, p) : out;
}

/** Advance and side bearing of every glyph from an hmtx/vmtx table. */
function metrics(table: Buffer | undefined, longCount: number, n: number, fallback: number): [number, number][] {
  return Array.from({ length: n }, (_, i) => {
    if (!table) return [fallback, 0];
    const adv = table.readUInt16BE(Math.min(i, longCount - 1) * 4);
    const side = i < longCount ? table.readInt16BE(i * 4 + 2) : table.readInt16BE(longCount * 4 + (i - longCount) * 2);
    return [adv, side];
  });
}

/** The character → glyph map of a face (HarfBuzz's cuts and appendGlyphs' write formats 4 and 12). */
const characterMap = (font: Buffer): Map<number, number> => readCmap(tables(font).get('cmap'));

/** `base` with the glyphs of `extra` (another cut of the same design) appended and mapped. */
function appendGlyphs(base: Buffer, extra: Buffer): Buffer {
  const a = tables(base);
  const b = tables(extra);
  if (a.get('head')!.readUInt16BE(18) !== b.get('head')!.readUInt16BE(18) || !a.has('glyf') || !b.has('glyf')) return base;
  const ga = glyphs(a);
  const gb = glyphs(b).slice(1).map((g) => movedGlyph(g, ga.length - 1)); // .notdef of one face is enough
  const all = [...ga, ...gb];
  const glyf = Buffer.concat(all.map((g) => Buffer.concat([g, Buffer.alloc((4 - (g.length % 4)) % 4)])));
  const loca = Buffer.alloc((all.length + 1) * 4);
  all.reduce((at, g, i) => (loca.writeUInt32BE(at, i * 4), at + g.length + ((4 - (g.length % 4)) % 4)), 0);
  loca.writeUInt32BE(glyf.length, all.length * 4);
  const em = a.get('head')!.readUInt16BE(18);
  const out = new Map(a);
  for (const [metric, header] of [['hmtx', 'hhea'], ['vmtx', 'vhea']] as const) {
    if (!a.has(metric)) continue;
    const rows = [
      ...metrics(a.get(metric), a.get(header)!.readUInt16BE(34), ga.length, em),
      ...metrics(b.get(metric), b.get(header)?.readUInt16BE(34) ?? 0, gb.length + 1, em).slice(1),
    ];
    const table = Buffer.alloc(rows.length * 4);
    rows.forEach(([adv, side], i) => (table.writeUInt16BE(adv, i * 4), table.writeInt16BE(side, i * 4 + 2)));
    const h = Buffer.from(a.get(header)!);
    h.writeUInt16BE(rows.length, 34);
    h.writeUInt16BE(Math.max(...rows.map((r) => r[0])), 10);
    out.set(metric, table).set(header, h);
  }
  const maxp = Buffer.from(a.get('maxp')!);
  maxp.writeUInt16BE(all.length, 4);
  for (let o = 6; o + 2 <= Math.min(maxp.length, b.get('maxp')!.length); o += 2) maxp.writeUInt16BE(Math.max(maxp.readUInt16BE(o), b.get('maxp')!.readUInt16BE(o)), o);
  const head = Buffer.from(a.get('head')!);
  head.writeInt16BE(1, 50);
  const post = Buffer.from(a.get('post')!.subarray(0, 32));
  post.writeUInt32BE(0x00030000, 0); // no glyph names
  const map = characterMap(base);
  for (const [c, g] of characterMap(extra)) if (!map.has(c) && g) map.set(c, g + ga.length - 1);
  out.set('glyf', glyf).set('loca', loca).set('maxp', maxp).set('head', head).set('post', post).set('cmap', writeCmap(map));
  return writeSfnt(out);
}

/** `font` (a subset of a one-file face) with the characters of `text` it lacks, from the face's slices. */
async function withSymbols(font: Buffer, text: string, pkg: string, weight: string): Promise<Buffer> {
  const have = characterMap(font);
  const lacking = [...new Set(text)].map((c) => c.codePointAt(0)!).filter((c) => c > 0x20 && !have.has(c));
  let out = font;
  for (const s of slices(pkg, weight)) {
    const mine = lacking.filter((c) => s.covers(c) && !have.has(c));
    if (!mine.length) continue;
    out = appendGlyphs(out, await cutFrom(pkg, s.file, String.fromCodePoint(...mine)));
    for (const c of characterMap(out).keys()) have.set(c, 0);
  }
  return out;
}
