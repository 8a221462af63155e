// The OFD package (GB/T 33190-2016): OFD.xml → Doc_0/Document.xml → its pages, public
// resources (the fonts) and document resources (images); text as TextObject with TextCode
// and per-glyph DeltaX, rules and borders as PathObject, images as ImageObject, the PDF's
// bookmarks as Outlines. Numbers in mm with at most 3 decimals; ids in order; the ZIP dated
// the document's date: the same PDF gives the same bytes.
import { strToU8 } from 'fflate';
import { escapeXml as esc, zipDated } from '../zip.js';
import { createHash } from 'node:crypto';
import type { Color, OfdDocument, OutlineEntry, PathItem, TextItem } from './model.js';
import { withCharacters } from './fonts.js';

export interface OfdInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  /** The creation date: the signing date. */
  date: Date;
}

const NS = 'xmlns:ofd="http://www.ofdspec.org/2016"';
const XML = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** A length in mm: three decimals (1 µm), no trailing zeros, never "-0". */
const num = (x: number) => {
  const r = Math.round(x * 1000) / 1000;
  return String(Object.is(r, -0) ? 0 : r);
};
const color = (tag: string, c: Color) => `<ofd:${tag} Value="${c.rgb.join(' ')}"${c.alpha !== undefined ? ` Alpha="${c.alpha}"` : ''}/>`;

/** Characters XML can hold: control characters never reach a page (load/chars.ts refuses them in the data). */
const XML_CHAR = /^[\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]+$/u;

function textObject(id: number, t: TextItem, fontId: number): string {
  const [ax, ay] = t.along;
  const [dx, dy] = t.down;
  const [ox, oy] = t.origins[0]!;
  // Positions along the baseline from the first glyph; the boundary holds the run with an em above and below.
  const along = t.origins.map(([x, y]) => (x - ox) * ax + (y - oy) * ay);
  const deltas = along.slice(1).map((a, i) => num(a - along[i]!));
  const length = (along.at(-1) ?? 0) + t.size;
  const upright = Math.abs(ax - 1) < 1e-9 && Math.abs(ay) < 1e-9 && Math.abs(dx) < 1e-9 && Math.abs(dy - 1) < 1e-9;
  const text = t.chars.join('');
  if (!XML_CHAR.test(text)) throw new Error(`text with characters XML cannot hold: ${JSON.stringify(text)}`);
  const code = (x: number, y: number) => `<ofd:TextCode X="${num(x)}" Y="${num(y)}"${deltas.length ? ` DeltaX="${deltas.join(' ')}"` : ''}>${esc(text)}</ofd:TextCode>`;
  if (upright) {
    const left = ox;
    const top = oy - t.size;
    return `<ofd:TextObject ID="${id}" Boundary="${num(left)} ${num(top)} ${num(length)} ${num(t.size * 2)}" Font="${fontId}" Size="${num(t.size)}">${color('FillColor', t.fill)}${code(0, t.size)}</ofd:TextObject>`;
  }
  // Turned text (a landscape page's numbers): drawn upright in its own space, turned by the CTM.
  const corners = [
    [0, -t.size],
    [length, -t.size],
    [0, t.size],
    [length, t.size],
  ].map(([a, d]) => [ox + a! * ax + d! * dx, oy + a! * ay + d! * dy] as const);
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const [bx, by] = [Math.min(...xs), Math.min(...ys)];
  const ctm = [ax, ay, dx, dy, ox - bx, oy - by].map(num).join(' ');
  return `<ofd:TextObject ID="${id}" Boundary="${num(bx)} ${num(by)} ${num(Math.max(...xs) - bx)} ${num(Math.max(...ys) - by)}" Font="${fontId}" Size="${num(t.size)}" CTM="${ctm}">${color('FillColor', t.fill)}${code(0, 0)}</ofd:TextObject>`;
}

function pathObject(id: number, p: PathItem): string {
  const pts: number[][] = p.ops.filter((o) => o[0] !== 'C').map((o) => o.slice(1) as number[]);
  const xs = pts.flatMap((o) => o.filter((_, i) => i % 2 === 0));
  const ys = pts.flatMap((o) => o.filter((_, i) => i % 2 === 1));
  const pad = p.stroke ? p.lineWidth / 2 : 0;
  const [bx, by] = [Math.min(...xs) - pad, Math.min(...ys) - pad];
  const w = Math.max(...xs) + pad - bx;
  const h = Math.max(...ys) + pad - by;
  const data = p.ops
    .map((o) => {
      if (o[0] === 'C') return 'C';
      const coords = (o.slice(1) as number[]).map((v, i) => num(i % 2 === 0 ? v - bx : v - by));
      return `${o[0]} ${coords.join(' ')}`;
    })
    .join(' ');
  const attrs = [`ID="${id}"`, `Boundary="${num(bx)} ${num(by)} ${num(w)} ${num(h)}"`, `LineWidth="${num(p.lineWidth)}"`, `Stroke="${p.stroke ? 'true' : 'false'}"`, `Fill="${p.fill ? 'true' : 'false'}"`, ...(p.evenOdd ? ['Rule="Even-Odd"'] : [])];
  return `<ofd:PathObject ${attrs.join(' ')}>${p.stroke ? color('StrokeColor', p.stroke) : ''}${p.fill ? color('FillColor', p.fill) : ''}<ofd:AbbreviatedData>${data}</ofd:AbbreviatedData></ofd:PathObject>`;
}

function outlineXml(entries: OutlineEntry[], pageIds: number[]): string {
  return entries
    .map(
      (e) =>
        `<ofd:OutlineElem Title="${esc(e.title)}"><ofd:Actions><ofd:Action Event="CLICK"><ofd:Goto><ofd:Dest Type="XYZ" PageID="${pageIds[e.page] ?? pageIds[0]}" Left="0" Top="${num(e.top ?? 0)}"/></ofd:Goto></ofd:Action></ofd:Actions>${outlineXml(e.children, pageIds)}</ofd:OutlineElem>`,
    )
    .join('');
}

/** The OFD package's bytes. `fontFiles`: each PDF font's TrueType file, by name. */
export function writeOfd(doc: OfdDocument, fontFiles: ReadonlyMap<string, Buffer>, info: OfdInfo, docId: string): Buffer {
  let next = 1;
  const files = new Map<string, Uint8Array>();
  const put = (name: string, data: string | Uint8Array) => files.set(name, typeof data === 'string' ? strToU8(data) : data);
  // Fonts: each PDF font the pages use, its file with a cmap for every character shown.
  const fontIds = new Map<string, number>();
  const fontXml: string[] = [];
  for (const use of [...doc.fonts.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const file = fontFiles.get(use.name);
    if (!file) throw new Error(`the PDF does not embed the font ${use.name}`);
    const id = next++;
    fontIds.set(use.name, id);
    const family = use.name.replace(/^[A-Z]{6}\+/, '');
    put(`Doc_0/Res/font_${id}.ttf`, withCharacters(file, use));
    fontXml.push(`<ofd:Font ID="${id}" FontName="${esc(family)}" FamilyName="${esc(family.replace(/-.*$/, ''))}"><ofd:FontFile>font_${id}.ttf</ofd:FontFile></ofd:Font>`);
  }
  const media: string[] = [];
  const pageIds: number[] = [];
  const pageXml: string[] = [];
  doc.pages.forEach((page, i) => {
    const pageId = next++;
    pageIds.push(pageId);
    const layer = next++;
    const objects = page.items.map((item) => {
      const id = next++;
      if (item.type === 'text') return textObject(id, item, fontIds.get(item.font)!);
      if (item.type === 'path') return pathObject(id, item);
      const res = next++;
      put(`Doc_0/Res/image_${res}.png`, item.png);
      media.push(`<ofd:MultiMedia ID="${res}" Type="Image" Format="PNG"><ofd:MediaFile>image_${res}.png</ofd:MediaFile></ofd:MultiMedia>`);
      const m = item.ctm;
      const xs = [m[4], m[0] + m[4], m[2] + m[4], m[0] + m[2] + m[4]];
      const ys = [m[5], m[1] + m[5], m[3] + m[5], m[1] + m[3] + m[5]];
      const [bx, by] = [Math.min(...xs), Math.min(...ys)];
      const ctm = [m[0], m[1], m[2], m[3], m[4] - bx, m[5] - by].map(num).join(' ');
      return `<ofd:ImageObject ID="${id}" Boundary="${num(bx)} ${num(by)} ${num(Math.max(...xs) - bx)} ${num(Math.max(...ys) - by)}" CTM="${ctm}" ResourceID="${res}"/>`;
    });
    put(
      `Doc_0/Pages/Page_${i}/Content.xml`,
      `${XML}<ofd:Page ${NS}><ofd:Area><ofd:PhysicalBox>0 0 ${num(page.size[0])} ${num(page.size[1])}</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer ID="${layer}">${objects.join('')}</ofd:Layer></ofd:Content></ofd:Page>`,
    );
    pageXml.push(`<ofd:Page ID="${pageId}" BaseLoc="Pages/Page_${i}/Content.xml"/>`);
  });
  const first = doc.pages[0]?.size ?? [210, 297];
  put(`Doc_0/PublicRes.xml`, `${XML}<ofd:Res ${NS} BaseLoc="Res"><ofd:Fonts>${fontXml.join('')}</ofd:Fonts></ofd:Res>`);
  put(`Doc_0/DocumentRes.xml`, `${XML}<ofd:Res ${NS} BaseLoc="Res">${media.length ? `<ofd:MultiMedias>${media.join('')}</ofd:MultiMedias>` : ''}</ofd:Res>`);
  put(
    'Doc_0/Document.xml',
    `${XML}<ofd:Document ${NS}><ofd:CommonData><ofd:MaxUnitID>${next - 1}</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 ${num(first[0])} ${num(first[1])}</ofd:PhysicalBox></ofd:PageArea><ofd:PublicRes>PublicRes.xml</ofd:PublicRes><ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes></ofd:CommonData><ofd:Pages>${pageXml.join('')}</ofd:Pages>${doc.outline.length ? `<ofd:Outlines>${outlineXml(doc.outline, pageIds)}</ofd:Outlines>` : ''}</ofd:Document>`,
  );
  // The signing date as the office dates it, in China time (the PDF's date is its midnight there).
  const date = new Date(info.date.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  put(
    'OFD.xml',
    `${XML}<ofd:OFD ${NS} Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>${docId}</ofd:DocID><ofd:Title>${esc(info.title)}</ofd:Title><ofd:Author>${esc(info.author)}</ofd:Author><ofd:Subject>${esc(info.subject)}</ofd:Subject><ofd:Keywords>${info.keywords.map((k) => `<ofd:Keyword>${esc(k)}</ofd:Keyword>`).join('')}</ofd:Keywords><ofd:Creator>tongbao</ofd:Creator><ofd:CreationDate>${date}</ofd:CreationDate></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
  );
  const names = ['OFD.xml', ...[...files.keys()].filter((n) => n !== 'OFD.xml').sort()];
  return zipDated(names.map((n) => [n, files.get(n)!, 6] as const), info.date);
}

/** A document id from the PDF's bytes: the same PDF, the same id. */
export const ofdDocId = (pdf: Uint8Array) => createHash('sha256').update(pdf).digest('hex').slice(0, 32);
