// The pieces the Word document's embedded faces are made with (docx/embed.ts): HarfBuzz cuts
// from faces opened once a process (docx/subset.ts), the decoded woff2 kept between builds
// (font-cache.ts), and the TrueType tables read and written (sfnt.ts, shared with the OFD).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as Fontkit from 'fontkit';
import subsetFont from 'subset-font';
import { decodedFace } from '../src/font-cache.js';
import { subsetOf } from '../src/docx/subset.js';
import { sampleWorkspace, tongbao } from './helpers.js';
import { readCmap, readTables, writeCmap, writeSfnt } from '../src/sfnt.js';

const require = createRequire(import.meta.url);
const fontkit = require('fontkit') as typeof Fontkit;
const woff2 = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`@fontsource/${pkg}/package.json`)), 'files', file);
const SERIF = woff2('noto-serif-sc', 'noto-serif-sc-chinese-simplified-400-normal.woff2');
const SANS = woff2('noto-sans-sc', 'noto-sans-sc-chinese-simplified-400-normal.woff2');
const KAI = woff2('lxgw-wenkai', 'lxgw-wenkai-latin-500-normal.woff2');
/** A slice of the serif face (symbols: √, ―), as embed.ts appends them. */
const SLICE = woff2('noto-serif-sc', 'noto-serif-sc-100-400-normal.woff2');

describe('HarfBuzz cuts from faces opened once', () => {
  const texts = ['各地区、各部门：现将2016年第四季度', '附件1 全国政府网站抽查情况（Ａ）', '一', '0123456789―\u2002', '√×±'];

  it('are the bytes subset-font cuts, for several faces and texts, each cut again after others', async () => {
    for (const file of [SERIF, SANS, KAI, SLICE]) {
      const whole = await decodedFace(file);
      const firsts: Buffer[] = [];
      for (const text of texts) {
        const ours = await subsetOf(file, async () => whole, text);
        expect(ours.equals(await subsetFont(whole, text, { targetFormat: 'truetype' })), `${path.basename(file)} «${text}»`).toBe(true);
        firsts.push(ours);
      }
      // The face kept open is not changed by the cuts made from it.
      for (const [i, text] of texts.entries()) expect((await subsetOf(file, async () => whole, text)).equals(firsts[i]!)).toBe(true);
    }
  }, 120_000);

  it('hold every character of the text the face has, on the glyph the whole face gives it', async () => {
    const whole = await decodedFace(SERIF);
    const face = fontkit.create(whole) as Fontkit.Font;
    const text = '现将2016年第四季度全国政府网站抽查情况通报如下';
    const cut = fontkit.create(await subsetOf(SERIF, async () => whole, text)) as Fontkit.Font;
    for (const c of text) {
      expect(cut.hasGlyphForCodePoint(c.codePointAt(0)!), c).toBe(true);
      expect(cut.glyphForCodePoint(c.codePointAt(0)!).advanceWidth, c).toBe(face.glyphForCodePoint(c.codePointAt(0)!).advanceWidth);
    }
  }, 60_000);

  it('asks for the face once, and asks again after a failed load', async () => {
    const key = `${SANS}#test-${process.pid}`;
    let asked = 0;
    await expect(subsetOf(key, async () => (asked++, Promise.reject(new Error('unreadable'))), '一')).rejects.toThrow('unreadable');
    const whole = await decodedFace(SANS);
    await subsetOf(key, async () => (asked++, whole), '一');
    await subsetOf(key, async () => (asked++, whole), '二');
    expect(asked).toBe(2);
  }, 60_000);
});

describe('decoded faces kept between builds', () => {
  /** decodedFace run in a process of its own, with TMPDIR as given: the face's length and sha256. */
  const decodeIn = (tmp: string, file: string) =>
    execFileSync(process.execPath, ['--input-type=module', '-e', `
      const { decodedFace } = await import(${JSON.stringify(new URL('../dist/font-cache.js', import.meta.url).href)});
      const face = await decodedFace(${JSON.stringify(file)});
      console.log(face.length, (await import('node:crypto')).createHash('sha256').update(face).digest('hex'));
    `], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' }).trim();

  it('are decoded once into the temporary folder, then read from it, the same bytes', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'tongbao-cache-test-'));
    const first = decodeIn(tmp, SANS);
    const folder = readdirSync(tmp).find((f) => f.startsWith('tongbao-fonts-'))!;
    const kept = readdirSync(path.join(tmp, folder)).filter((f) => f.endsWith('.ttf'));
    expect(kept).toEqual([expect.stringMatching(/^noto-sans-sc-chinese-simplified-400-normal-\d+-\d+\.ttf$/)]);
    expect(readFileSync(path.join(tmp, folder, kept[0]!)).length).toBe(Number(first.split(' ')[0]));
    expect(decodeIn(tmp, SANS)).toBe(first);
    // No half-written file is left beside it.
    expect(readdirSync(path.join(tmp, folder)).filter((f) => f.endsWith('.part'))).toEqual([]);
  }, 60_000);

  it('are made in a folder only this user may write, and neither read from nor kept in one others may', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'tongbao-cache-test-'));
    const genuine = decodeIn(tmp, KAI);
    decodeIn(tmp, SANS);
    const folder = readdirSync(tmp).find((f) => f.startsWith('tongbao-fonts-'))!;
    expect(statSync(path.join(tmp, folder)).mode & 0o777).toBe(0o700);
    const kept = (prefix: string) => readdirSync(path.join(tmp, folder)).find((f) => f.startsWith(prefix) && f.endsWith('.ttf'))!;
    // The same folder made first by someone else and open to all (a shared /tmp lets another
    // user do that), holding the sans face under the name the 楷 face is kept by.
    const shared = mkdtempSync(path.join(tmpdir(), 'tongbao-cache-test-'));
    mkdirSync(path.join(shared, folder));
    chmodSync(path.join(shared, folder), 0o777);
    writeFileSync(path.join(shared, folder, kept('lxgw-wenkai-latin-500-normal-')), readFileSync(path.join(tmp, folder, kept('noto-sans-sc-'))));
    const planted = readdirSync(path.join(shared, folder));
    expect(decodeIn(shared, KAI)).toBe(genuine);
    // The print's cut of the 楷 face is not made from it either: the PDF has the faces a fresh
    // cache gives, LXGW WenKai among them, and nothing was added to that folder.
    const faces = (t: string) => {
      const root = sampleWorkspace();
      const r = tongbao(['build', '2016Q4', '--format', 'pdf'], root, { TMPDIR: t });
      expect(r.status, r.stderr).toBe(0);
      const lines = execFileSync('pdffonts', [path.join(root, 'out/2016Q4/bulletin.pdf')], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
      return [...new Set(lines.map((l) => l.split(/\s+/)[0]!.replace(/^[A-Z]{6}\+/, '')))].sort();
    };
    const fresh = faces(mkdtempSync(path.join(tmpdir(), 'tongbao-cache-test-')));
    expect(fresh.some((f) => /WenKai/i.test(f)), fresh.join(' ')).toBe(true);
    expect(faces(shared)).toEqual(fresh);
    expect(readdirSync(path.join(shared, folder))).toEqual(planted);
  }, 180_000);

  it('are decoded all the same where the temporary folder cannot be written', () => {
    // A TMPDIR that is a file: the cache's folder cannot be made under it.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'tongbao-cache-test-')), 'a-file');
    writeFileSync(file, '');
    expect(decodeIn(file, SANS)).toBe(decodeIn(mkdtempSync(path.join(tmpdir(), 'tongbao-cache-test-')), SANS));
  }, 60_000);
});

describe('TrueType tables read and written (sfnt.ts)', () => {
  const map = new Map<number, number>([[0x20, 1], [0x31, 2], [0x4e00, 3], [0x4e01, 4], [0x2015, 5], [0xff08, 6], [0x20000, 7]]);

  it('reads back the character map it writes, the BMP and beyond', () => {
    expect(readCmap(writeCmap(map))).toEqual(map);
  });

  it('writes a file whose tables, checksums and checksum adjustment a reader accepts', async () => {
    const cut = await subsetOf(SERIF, () => decodedFace(SERIF), '一二三√');
    const { version, tables } = readTables(cut);
    const written = writeSfnt(new Map(tables).set('cmap', writeCmap(map)), version);
    // The whole file sums to 0xB1B0AFBA; each table to its directory entry's checksum.
    const sum = (b: Buffer) => {
      let s = 0;
      const padded = Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
      for (let i = 0; i < padded.length; i += 4) s = (s + padded.readUInt32BE(i)) >>> 0;
      return s;
    };
    expect(sum(written)).toBe(0xb1b0afba);
    const again = readTables(written);
    expect([...again.tables.keys()]).toEqual([...tables.keys()].sort());
    for (let i = 0; i < written.readUInt16BE(4); i++) {
      const tag = written.toString('latin1', 12 + i * 16, 16 + i * 16);
      const body = Buffer.from(again.tables.get(tag)!);
      if (tag === 'head') body.writeUInt32BE(0, 8);
      expect(sum(body), tag).toBe(written.readUInt32BE(16 + i * 16));
      if (tag !== 'head' && tag !== 'cmap') expect(body.equals(tables.get(tag)!), tag).toBe(true);
    }
    const face = fontkit.create(written) as Fontkit.Font;
    expect(face.glyphForCodePoint(0x4e00).id).toBe(3);
    expect(face.glyphForCodePoint(0x20000).id).toBe(7);
  }, 60_000);
});
