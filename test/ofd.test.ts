// OFD beside the PDF (issue 24): bulletin.ofd read back as an OFD reader reads it. The package
// is checked against the structure of GB/T 33190-2016 as written below; every page's text
// objects against pdftotext's reading of the PDF page, character for character; glyph
// positions against the PDF's; every character against its font's cmap.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8, zipSync } from 'fflate';
import { SaxesParser } from 'saxes';
import * as fontkit from 'fontkit';
import { PNG } from 'pngjs';
import { exampleWorkspace, sampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { generatePeriod } from '../bench/generate.mjs';
import { differingShare, pdfPictures, readAllWithOfdJs } from './ofd-reader.js';
import { sharedBuildAsync } from './shared-build.js';

const NS = 'http://www.ofdspec.org/2016';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** A part parsed by a conforming XML parser (saxes, with namespaces): throws on a part that is not well-formed. */
function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('opentag', (t) => {
    if (t.uri !== NS) throw new Error(`element ${t.name} is not in the OFD namespace (${t.uri})`);
    const el: XmlElement = { name: t.local, attrs: Object.fromEntries(Object.values(t.attributes).map((a) => [a.local, a.value])), children: [], text: '' };
    stack.at(-1)?.children.push(el);
    stack.push(el);
    root ??= el;
  });
  parser.on('text', (t) => {
    if (stack.length) stack.at(-1)!.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return root!;
}

const child = (e: XmlElement, name: string) => e.children.find((c) => c.name === name);
const all = (e: XmlElement, name: string): XmlElement[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];
const numbers = (s: string | undefined) => (s ?? '').trim().split(/\s+/).map(Number);
const strip = (s: string) => s.replace(/\s+/g, '');

interface Ofd {
  parts: Record<string, Uint8Array>;
  xml: (name: string) => XmlElement;
  /** Each page's Content.xml, in the order of Document.xml. */
  pages: XmlElement[];
  document: XmlElement;
  fonts: Map<string, fontkit.Font>;
}

/** Packages read already, by their bytes: several tests read the same two. */
const read = new Map<string, { bytes: Buffer; ofd: Ofd }>();

function readOfd(file: string): Ofd {
  const bytes = readFileSync(file);
  const known = read.get(file);
  if (known?.bytes.equals(bytes)) return known.ofd;
  const ofd = parseOfd(bytes);
  read.set(file, { bytes, ofd });
  return ofd;
}

function parseOfd(bytes: Buffer): Ofd {
  const parts = unzipSync(bytes);
  const xml = (name: string) => {
    const p = parts[name];
    if (!p) throw new Error(`${name} is not in the package`);
    return parseXml(strFromU8(p));
  };
  const ofd = xml('OFD.xml');
  const docRoot = child(child(ofd, 'DocBody')!, 'DocRoot')!.text;
  const dir = path.posix.dirname(docRoot);
  const document = xml(docRoot);
  const pages = all(document, 'Page').map((p) => xml(path.posix.join(dir, p.attrs['BaseLoc']!)));
  const publicRes = xml(path.posix.join(dir, child(child(document, 'CommonData')!, 'PublicRes')!.text));
  const base = path.posix.join(dir, publicRes.attrs['BaseLoc'] ?? '');
  const fonts = new Map<string, fontkit.Font>();
  for (const f of all(publicRes, 'Font')) {
    const bytes = parts[path.posix.join(base, child(f, 'FontFile')!.text)]!;
    fonts.set(f.attrs['ID']!, fontkit.create(Buffer.from(bytes)) as fontkit.Font);
  }
  return { parts, xml, pages, document, fonts };
}

/** The characters of a page's text objects, in their order. */
const pageText = (page: XmlElement) => all(page, 'TextCode').map((t) => t.text).join('');

function pdfPages(pdf: string): string[] {
  return execFileSync('pdftotext', ['-raw', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\f').slice(0, -1);
}

/** `build <period> --format ofd` in a workspace just made (a build of the same inputs earlier in the run is copied). */
async function build(root: string, period: string, env: NodeJS.ProcessEnv = {}): Promise<{ ofd: string; pdf: string; root: string }> {
  const r = await sharedBuildAsync(root, ['build', period, '--format', 'ofd'], env);
  expect(r.status, r.stderr).toBe(0);
  return { root, ofd: path.join(root, 'out', period, 'bulletin.ofd'), pdf: path.join(root, 'out', period, 'bulletin.pdf') };
}

describe('bulletin.ofd', () => {
  let sample: Awaited<ReturnType<typeof build>>;
  let city: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    [sample, city] = await Promise.all([build(sampleWorkspace(), '2016Q4'), build(exampleWorkspace('city'), '2017Q2')]);
  }, 240_000);

  it('is a ZIP of well-formed parts in the structure of GB/T 33190: OFD.xml → Document.xml → pages, resources, fonts', () => {
    for (const b of [sample, city]) {
      const o = readOfd(b.ofd);
      const ofd = o.xml('OFD.xml');
      // §7.4 the entry: ofd:OFD, Version, DocType OFD, a DocBody with DocInfo and DocRoot.
      expect(ofd.name).toBe('OFD');
      expect(ofd.attrs['DocType']).toBe('OFD');
      expect(ofd.attrs['Version']).toBe('1.0');
      const info = child(child(ofd, 'DocBody')!, 'DocInfo')!;
      expect(child(info, 'DocID')!.text).toMatch(/^[0-9a-f]{32}$/);
      // Title, author (the office) and creation date (the signing date) from the data.
      expect(child(info, 'CreationDate')!.text).toBe(b === sample ? '2017-01-20' : '2017-07-10');
      expect(child(info, 'Author')!.text).toBe(b === sample ? '国务院办公厅政府信息与政务公开办公室' : '某某市人民政府办公室（示例）');
      expect(child(info, 'Title')!.text).toBe(b === sample ? '关于2016年第四次全国政府网站抽查情况的通报' : '关于2017年第二季度全市政府网站抽查情况的通报（示例）');
      // §7.5 the document: CommonData with MaxUnitID, PageArea and resources; Pages.
      const common = child(o.document, 'CommonData')!;
      const box = numbers(child(child(common, 'PageArea')!, 'PhysicalBox')!.text);
      expect(box.slice(0, 2)).toEqual([0, 0]);
      expect(box[2]).toBeCloseTo(210, 2); // A4 as Chromium writes it: 595.28 pt
      expect(box[3]).toBeCloseTo(297, 2);
      // Every object id is unique and no greater than MaxUnitID (§7.5: ST_ID).
      const ids: number[] = [];
      const collect = (e: XmlElement) => {
        if (e.attrs['ID'] !== undefined) ids.push(Number(e.attrs['ID']));
        e.children.forEach(collect);
      };
      collect(o.document);
      o.pages.forEach(collect);
      for (const r of ['PublicRes.xml', 'DocumentRes.xml']) collect(o.xml(`Doc_0/${r}`));
      expect(new Set(ids).size).toBe(ids.length);
      expect(Math.max(...ids)).toBeLessThanOrEqual(Number(child(common, 'MaxUnitID')!.text));
      // §11 text: each TextObject names a font of the resources, a Size, a Boundary, and
      // TextCodes whose DeltaX gives one advance between each two characters.
      const fonts = new Set(o.fonts.keys());
      for (const page of o.pages) {
        expect(child(page, 'Content')).toBeDefined();
        for (const t of all(page, 'TextObject')) {
          expect(fonts.has(t.attrs['Font']!), t.attrs['Font']).toBe(true);
          expect(Number(t.attrs['Size'])).toBeGreaterThan(0);
          expect(numbers(t.attrs['Boundary'])).toHaveLength(4);
          expect(numbers(t.attrs['Boundary']).every(Number.isFinite), t.attrs['Boundary']).toBe(true);
          if (t.attrs['CTM']) expect(numbers(t.attrs['CTM']).filter(Number.isFinite)).toHaveLength(6);
          for (const code of all(t, 'TextCode')) {
            expect(Number.isFinite(Number(code.attrs['X'])) && Number.isFinite(Number(code.attrs['Y']))).toBe(true);
            const n = [...code.text].length;
            if (n > 1) expect(numbers(code.attrs['DeltaX'])).toHaveLength(n - 1);
          }
        }
        for (const p of all(page, 'PathObject')) expect(child(p, 'AbbreviatedData')!.text).toMatch(/^M [\d.-]+ [\d.-]+( (M|L) [\d.-]+ [\d.-]+| B( [\d.-]+){6}| C)*$/);
        for (const img of all(page, 'ImageObject')) expect(ids).toContain(Number(img.attrs['ResourceID']));
      }
      // Outlines from the PDF's bookmarks, each to a page of the document.
      const pageIds = new Set(all(child(o.document, 'Pages')!, 'Page').map((p) => p.attrs['ID']));
      const dests = all(o.document, 'Dest');
      expect(dests.length).toBeGreaterThan(1);
      for (const d of dests) expect(pageIds.has(d.attrs['PageID'])).toBe(true);
    }
  });

  it('holds the PDF’s text as text, page for page, character for character', () => {
    for (const b of [sample, city]) {
      const o = readOfd(b.ofd);
      const pdf = pdfPages(b.pdf);
      expect(o.pages.length).toBe(pdf.length);
      o.pages.forEach((page, i) => expect(strip(pageText(page)), `${b.root} page ${i + 1}`).toBe(strip(pdf[i]!)));
    }
  });

  it('has a glyph for every character in the font the text object names', () => {
    for (const b of [sample, city]) {
      const o = readOfd(b.ofd);
      for (const page of o.pages) {
        for (const t of all(page, 'TextObject')) {
          const font = o.fonts.get(t.attrs['Font']!)!;
          for (const ch of all(t, 'TextCode').map((c) => c.text).join('')) {
            if (/\s/.test(ch)) continue;
            expect(font.glyphForCodePoint(ch.codePointAt(0)!).id, `「${ch}」 in ${font.postscriptName}`).not.toBe(0);
          }
        }
      }
    }
  });

  it('places each glyph where the PDF has it, within 0.5 mm', () => {
    let checked = 0;
    for (const b of [sample, city]) {
      const o = readOfd(b.ofd);
      // pdftotext's words: their first character's left edge, and the baseline's neighbourhood.
      const xml = execFileSync('pdftotext', ['-bbox', b.pdf, '-'], { encoding: 'utf8' });
      const pages = xml.split('<page ').slice(1);
      o.pages.forEach((page, i) => {
        const glyphs: { ch: string; x: number; y: number }[] = [];
        for (const t of all(page, 'TextObject')) {
          if (t.attrs['CTM']) continue;
          const [bx, by] = numbers(t.attrs['Boundary']);
          for (const code of all(t, 'TextCode')) {
            let x = bx! + Number(code.attrs['X']);
            const y = by! + Number(code.attrs['Y']);
            const deltas = numbers(code.attrs['DeltaX']);
            [...code.text].forEach((ch, k) => {
              glyphs.push({ ch, x, y });
              x += deltas[k] ?? 0;
            });
          }
        }
        for (const m of pages[i]!.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<\/word>/g)) {
          const x = (Number(m[1]) * 25.4) / 72;
          const [y0, y1] = [(Number(m[2]) * 25.4) / 72, (Number(m[3]) * 25.4) / 72];
          const ch = [...m[4]!.replace(/&amp;/g, '&')][0]!;
          const near = glyphs.filter((g) => g.ch === ch && g.y > y0 && g.y <= y1 + 0.5);
          expect(near.length, `page ${i + 1} 「${m[4]}」`).toBeGreaterThan(0);
          expect(Math.min(...near.map((g) => Math.abs(g.x - x))), `page ${i + 1} 「${m[4]}」 at ${x.toFixed(2)} mm`).toBeLessThan(0.5);
          checked++;
        }
      });
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('is drawn by an independent reader (ofd.js in Chromium) with every glyph within 0.5 mm of the PDF’s, page for page', async () => {
    const drawn = await readAllWithOfdJs([sample.ofd, city.ofd]);
    for (const [n, b] of [sample, city].entries()) {
      const pages = drawn[n]!;
      const texts = readOfd(b.ofd).pages.map(pageText);
      const words = execFileSync('pdftotext', ['-bbox', b.pdf, '-'], { encoding: 'utf8' }).split('<page ').slice(1);
      expect(pages.length).toBe(words.length);
      const pictures = pdfPictures(b.pdf, pages.map((p) => ({ width: p.png.width, height: p.png.height })));
      const shares: string[] = [];
      pages.forEach((page, i) => {
        // The reader drew each character of the page's text objects.
        expect(strip(page.glyphs.map((g) => g.ch).join('')), `page ${i + 1}`).toBe(strip(texts[i]!));
        for (const m of words[i]!.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]+)<\/word>/g)) {
          const x = (Number(m[1]) * 25.4) / 72;
          const [y0, y1] = [(Number(m[2]) * 25.4) / 72, (Number(m[3]) * 25.4) / 72];
          const ch = [...m[4]!.replace(/&amp;/g, '&')][0]!;
          const near = page.glyphs.filter((g) => g.ch === ch && g.y > y0 && g.y <= y1 + 0.5);
          expect(near.length, `page ${i + 1} 「${m[4]}」`).toBeGreaterThan(0);
          expect(Math.min(...near.map((g) => Math.abs(g.x - x))), `page ${i + 1} 「${m[4]}」`).toBeLessThan(0.5);
        }
        // Pixels: the reader sets text in a system face (it does not load embedded fonts), so
        // glyphs differ in shape, never in place; rules and borders coincide.
        const share = differingShare(page.png, pictures[i]!);
        shares.push(`${i + 1}: ${(share * 100).toFixed(2)}%`);
        expect(share, `page ${i + 1}`).toBeLessThan(0.1);
      });
      console.log(`ofd.js against pdftoppm, differing pixels at 5 px/mm, ${path.basename(path.dirname(path.dirname(path.dirname(b.ofd))))}: ${shares.join(', ')}`);
    }
  }, 240_000);

  it('makes the same bytes from the same PDF, listed in SHA256SUMS and checked by verify', async () => {
    const before = readFileSync(sample.ofd);
    const again = await tongbaoAsync(['build', '2016Q4', '--format', 'ofd'], sample.root);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(sample.ofd).equals(before)).toBe(true);
    expect(readFileSync(path.join(sample.root, 'out/2016Q4/SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}bulletin\.ofd$/m);
    expect(tongbao(['verify', 'out/2016Q4'], sample.root).status).toBe(0);
    // Smaller than the PDF it mirrors.
    expect(before.length).toBeLessThan(readFileSync(sample.pdf).length);
    // A package whose page is broken fails verify even when SHA256SUMS is made to match it.
    const parts = unzipSync(before);
    parts['Doc_0/Pages/Page_2/Content.xml'] = new TextEncoder().encode('<ofd:Page xmlns:ofd="http://www.ofdspec.org/2016"><ofd:Content>');
    const broken = path.join(sample.root, 'broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'bulletin.ofd'), zipSync(parts));
    const sum = execFileSync('sha256sum', ['bulletin.ofd'], { cwd: broken, encoding: 'utf8' });
    writeFileSync(path.join(broken, 'SHA256SUMS'), sum);
    const r = tongbao(['verify', broken], sample.root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('OFD 文件打不开：Doc_0/Pages/Page_2/Content.xml 不是合格的 XML');
  });
});

describe('bulletin.ofd with a raster seal', () => {
  it('carries the seal as an image object where the PDF has it', async () => {
    const root = exampleWorkspace('city');
    // A 200 × 200 px red ring on a transparent ground, in place of the city's SVG seal.
    const png = new PNG({ width: 200, height: 200 });
    for (let y = 0; y < 200; y++) {
      for (let x = 0; x < 200; x++) {
        const r = Math.hypot(x - 99.5, y - 99.5);
        const i = (y * 200 + x) * 4;
        png.data[i] = 230;
        png.data[i + 1] = 0;
        png.data[i + 2] = 18;
        png.data[i + 3] = r > 80 && r < 96 ? 255 : 0;
      }
    }
    writeFileSync(path.join(root, 'data/2017Q2/seal.png'), PNG.sync.write(png));
    const yaml = path.join(root, 'data/2017Q2/bulletin.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/seal: seal\.svg/, 'seal: seal.png'));
    const b = await build(root, '2017Q2');
    const o = readOfd(b.ofd);
    const images = o.pages.flatMap((p, i) => all(p, 'ImageObject').map((img) => ({ page: i, box: numbers(img.attrs['Boundary']), res: img.attrs['ResourceID'] })));
    expect(images).toHaveLength(1);
    // 42 mm square (official.css), as the PDF's image is.
    expect(images[0]!.box[2]).toBeCloseTo(42, 0);
    expect(images[0]!.box[3]).toBeCloseTo(42, 0);
    const res = o.xml('Doc_0/DocumentRes.xml');
    const media = all(res, 'MultiMedia').find((m) => m.attrs['ID'] === images[0]!.res)!;
    const file = PNG.sync.read(Buffer.from(o.parts[`Doc_0/Res/${child(media, 'MediaFile')!.text}`]!));
    expect(file.width).toBeGreaterThan(100);
    // Where the PDF has it: pdfimages lists the image on the same page.
    const list = execFileSync('pdfimages', ['-list', b.pdf], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(list.some((l) => Number(l.trim().split(/\s+/)[0]) === images[0]!.page + 1)).toBe(true);
  }, 120_000);
});

describe('bulletin.ofd of a long attachment', () => {
  it('holds the text of a 4,000-row attachment printed in slices, page for page', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'tongbao-ofd-long-'));
    await generatePeriod(root, { period: '2024Q4', sites: 200, problems: 4000, quarters: 4, matrix: true });
    const b = await build(root, '2024Q4', { TONGBAO_SLICE_FROM: '3000', TONGBAO_SLICE_ROWS: '1000' });
    const o = readOfd(b.ofd);
    const pdf = pdfPages(b.pdf);
    expect(pdf.length).toBeGreaterThan(80);
    expect(o.pages.length).toBe(pdf.length);
    o.pages.forEach((page, i) => expect(strip(pageText(page)), `page ${i + 1}`).toBe(strip(pdf[i]!)));
  }, 600_000);
});

describe('build --format ofd: what cannot be carried over', () => {
  it('names the page and what it cannot write, and leaves out/ as it was', async () => {
    const root = sampleWorkspace();
    expect((await sharedBuildAsync(root, ['build', '2016Q4', '--format', 'pdf'])).status).toBe(0);
    const before = readFileSync(path.join(root, 'out/2016Q4/bulletin.pdf'));
    // A workspace template that paints a gradient (a shading, which OFD's paths cannot hold).
    mkdirSync(path.join(root, 'templates'), { recursive: true });
    const css = readFileSync(path.join(__dirname, '..', 'templates', 'print.css'), 'utf8');
    writeFileSync(path.join(root, 'templates', 'print.css'), `${css}\n.title { background: linear-gradient(to right, #fcc, #ccf); }\n`);
    const r = await tongbaoAsync(['build', '2016Q4', '--format', 'ofd'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/第 1 页：PDF 操作 \w+ 暂不能写入 OFD，未生成/);
    expect(readFileSync(path.join(root, 'out/2016Q4/bulletin.pdf')).equals(before)).toBe(true);
  }, 120_000);
});
