// The Word document written with `docx`: A4 on the GB/T 9704 grid (22 lines × 28 characters),
// the styles of styles.ts, page numbers — N — at the outside edge, attachments on new pages,
// table header rows repeated and rows kept whole, the 版记 at the foot of its page.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HorizontalPositionRelativeFrom,
  ImageRun,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph as DocxParagraph,
  SectionType,
  Table as DocxTable,
  TableCell,
  TableLayoutType,
  TableRow,
  TabStopType,
  TextRun,
  TextWrappingType,
  VerticalPositionRelativeFrom,
  VerticalAlignTable,
  WidthType,
  type ISectionOptions,
} from 'docx';
import type { Block, Cell, Colophon, DocxDocument, Paragraph, Run, Table } from './model.js';
import { CHAR, CHAR_SPACE, LANDSCAPE_MARGIN, LINE_PITCH, MARGIN, PAGE, TYPE_WIDTH, mmToTwips, ptToTwips } from './grid.js';
import { PNG } from 'pngjs';
import { FACES, FIGURE_STYLE, fontTableXml, stylesXml } from './styles.js';
import { normalizePackage, partsOfZip, type PackageInfo, type Parts } from './package.js';
import { embeddedFonts } from './embed.js';

export interface DocxOptions {
  /** Mark each figure from data with the character style 数据 (shaded), for reviewers. */
  highlightFigures?: boolean;
  info: PackageInfo;
}

const BLACK = '000000';
const chars = (n: number) => Math.round(n * CHAR);

function runOf(r: Run, highlight: boolean, look: { size?: number }): TextRun {
  const face = r.face && FACES[r.face].name;
  return new TextRun({
    ...(r.tabBefore ? { children: ['\t', r.text] } : { text: r.text }),
    ...(r.breakBefore && { break: 1 }),
    ...(face && { font: { ascii: face, eastAsia: face, hAnsi: face, cs: face } }),
    ...(r.figure && highlight && { style: FIGURE_STYLE.id }),
    ...(look.size !== undefined && { size: look.size }),
  });
}

function paragraphOf(p: Paragraph, highlight: boolean, width: number): DocxParagraph {
  const align = { left: AlignmentType.LEFT, center: AlignmentType.CENTER, right: AlignmentType.RIGHT, both: AlignmentType.BOTH } as const;
  const ind = p.indent;
  // A paragraph's own size (the issuing mark's) goes on its runs and on its mark.
  const look = p.sizePt !== undefined ? { size: Math.round(p.sizePt * 2) } : {};
  return new DocxParagraph({
    style: p.style,
    children: p.runs.map((r) => runOf(r, highlight, look)),
    ...(p.align && { alignment: align[p.align] }),
    ...(p.ruleBelow?.overhangMm && { indent: { left: -mmToTwips(p.ruleBelow.overhangMm.left), right: -mmToTwips(p.ruleBelow.overhangMm.right) } }),
    ...(ind && {
      indent: {
        ...(ind.left !== undefined && { left: chars(ind.left) }),
        ...(ind.right !== undefined && { right: chars(ind.right) }),
        ...(ind.hanging !== undefined && { hanging: chars(ind.hanging) }),
        // In characters too: Word takes firstLineChars (the style 正文's) before firstLine.
        ...(ind.firstLine !== undefined && { firstLine: chars(ind.firstLine), firstLineChars: Math.round(ind.firstLine * 100) }),
      },
    }),
    ...((p.spaceBeforeMm !== undefined || p.lineMm !== undefined) && {
      spacing: { ...(p.spaceBeforeMm !== undefined && { before: mmToTwips(p.spaceBeforeMm) }), ...(p.lineMm !== undefined && { line: mmToTwips(p.lineMm), lineRule: 'exact' as const }) },
    }),
    ...(p.pageBreakBefore && { pageBreakBefore: true }),
    ...(p.keepNext && { keepNext: true }),
    ...(p.widowControl && { widowControl: true }),
    ...(p.ruleBelow && { border: { bottom: ruleOf(p.ruleBelow, 'heavy-first') } }),
    ...(p.rightTab !== undefined && { tabStops: [{ type: TabStopType.RIGHT, position: width - chars(p.rightTab) }] }),
    ...(look.size !== undefined && { run: look }),
    // Word's style separator: the mark hidden, the next paragraph goes on on this line.
    ...(p.runIn && { run: { vanish: true, specVanish: true } }),
  });
}

/** Points of the gap between the 信函格式 mark and its rule: 4 mm (§10.1). */
const LETTER_GAP_PT = Math.round((4 / 25.4) * 72);

/**
 * A paragraph's rule: single, or double as 信函格式 draws it (heavy over light under the mark,
 * light over heavy at the foot). Word sizes a double rule by its heavy line (eighths of a point).
 */
function ruleOf(r: NonNullable<Paragraph['ruleBelow']>, order: 'heavy-first' | 'light-first') {
  if (!r.double) return { style: BorderStyle.SINGLE, color: r.color, size: Math.round((r.widthMm / 25.4) * 72 * 8), space: 0 };
  return { style: order === 'heavy-first' ? BorderStyle.THICK_THIN_SMALL_GAP : BorderStyle.THIN_THICK_SMALL_GAP, color: r.color, size: Math.round((0.6 / 25.4) * 72 * 8), space: order === 'heavy-first' ? LETTER_GAP_PT : 0 };
}

/**
 * The lower rule of 信函格式 as a picture: light over heavy (0.3, 0.4 gap, 0.6 mm, as the PDF's,
 * print/letter.ts), 20 rows to a millimetre, two pixels wide (stretched to 170 mm).
 */
function letterRulePng(): Buffer {
  const rows = [...Array(6).fill(true), ...Array(8).fill(false), ...Array(12).fill(true)];
  const png = new PNG({ width: 2, height: rows.length });
  rows.forEach((red, y) => {
    for (let x = 0; x < 2; x++) png.data.set(red ? [0xe6, 0x00, 0x12, 0xff] : [0, 0, 0, 0], (y * 2 + x) * 4);
  });
  return PNG.sync.write(png);
}

/**
 * 信函格式's first page (§10.1): no page number, and the lower red double rule, light over
 * heavy, 170 mm long and centred, its lower edge 20 mm above the sheet's foot. The footer's
 * own place is the page number's, higher up (a frame is put back in it by LibreOffice), so the
 * rule is a picture placed on the page.
 */
function letterFirstFooter(): Footer {
  const px = (mm: number) => (mm / 25.4) * 96; // docx sizes pictures in pixels of 96 to the inch
  const emu = (mm: number) => Math.round(mm * 36000);
  const height = 1.3;
  return new Footer({
    children: [
      new DocxParagraph({
        style: 'Plain',
        children: [
          new ImageRun({
            type: 'png',
            data: letterRulePng(),
            transformation: { width: px(170), height: px(height) },
            altText: { name: '红色双线', description: '信函格式首页下方的红色双线', title: '红色双线' },
            floating: {
              horizontalPosition: { relative: HorizontalPositionRelativeFrom.PAGE, offset: emu(20) },
              verticalPosition: { relative: VerticalPositionRelativeFrom.PAGE, offset: emu(297 - 20 - height) },
              allowOverlap: true,
              behindDocument: true,
              wrap: { type: TextWrappingType.NONE },
            },
          }),
        ],
      }),
    ],
  });
}

const border = (size: number) => ({ style: BorderStyle.SINGLE, size, color: BLACK });

function cellOf(c: Cell, head: boolean, highlight: boolean, width?: number): TableCell {
  return new TableCell({
    children: [paragraphOf({ type: 'paragraph', style: head ? 'TableHead' : 'TableText', runs: c.runs.map((r) => (head ? { ...r, face: undefined } : r)), align: c.align }, highlight, 0)],
    verticalAlign: VerticalAlignTable.CENTER,
    margins: { top: mmToTwips(1), bottom: mmToTwips(1), left: mmToTwips(1.5), right: mmToTwips(1.5) },
    ...(width !== undefined && { width: { size: width, type: WidthType.DXA } }),
  });
}

/** Width of a half-width character of a table's 小四 in the widest face a reader may put in its place (DejaVu Sans's digits: 0.64 em), in twips. */
const HALF_WIDTH = 12 * 0.64 * 20;
/** A cell's margins, left and right (cellOf), and a point to spare. */
const CELL_SIDES = mmToTwips(3) + 20;

/**
 * Columns widened where a word that cannot break (a 10-digit 网站标识码, an account's Latin
 * name) would not fit: Word and LibreOffice break such a word inside when it is longer than
 * its cell (「13073200/07」), and the faces a reader has may be wider than the print's. The
 * width comes from the widest column, which wraps its text between characters anyway.
 */
function keepWordsWhole(t: Table, widths: number[]): number[] {
  const out = [...widths];
  const need = out.map((_, i) =>
    Math.max(0, ...[t.head[i], ...t.rows.map((r) => r[i])].map((c) => {
      const words = (c?.runs.map((r) => r.text).join('') ?? '').match(/[\x21-\x7E]+/g) ?? [];
      return Math.max(0, ...words.map((w) => w.length * HALF_WIDTH + CELL_SIDES));
    })),
  );
  for (let i = 0; i < out.length; i++) {
    const short = Math.ceil(need[i]! - out[i]!);
    if (short <= 0) continue;
    const from = out.reduce((best, w, k) => (k !== i && w - need[k]! > out[best]! - need[best]! ? k : best), i === 0 ? 1 : 0);
    if (from === i || from >= out.length || out[from]! - short < need[from]!) continue;
    out[from]! -= short;
    out[i]! += short;
  }
  return out;
}

/** A table across the type area: 0.75 pt rules, the header row repeated on each page, no row split. */
function tableOf(t: Table, highlight: boolean, width: number): DocxTable {
  const n = Math.max(t.head.length, ...t.rows.map((r) => r.length), 1);
  const widths = keepWordsWhole(t, t.widths ? t.widths.map((w) => Math.round(w * width)) : Array.from({ length: n }, () => Math.round(width / n)));
  const rule = border(6);
  const rows = [
    ...(t.head.length ? [new TableRow({ tableHeader: true, cantSplit: true, children: t.head.map((c, i) => cellOf(c, true, highlight, widths[i])) })] : []),
    ...t.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c, i) => cellOf(c, false, highlight, widths[i])) })),
  ];
  return new DocxTable({
    rows,
    width: { size: width, type: WidthType.DXA },
    columnWidths: widths,
    layout: t.widths ? TableLayoutType.FIXED : TableLayoutType.AUTOFIT,
    borders: { top: rule, bottom: rule, left: rule, right: rule, insideHorizontal: rule, insideVertical: rule },
  });
}

/**
 * The 版记 as offices set it in Word: a table of one column whose rules are its borders (the
 * first and last 0.35 mm, those between 0.25 mm), floating at the foot of the type area so
 * that its last rule lies on the type area's bottom edge (§7.4).
 */
function colophonOf(c: Colophon, highlight: boolean): (DocxParagraph | DocxTable)[] {
  const thick = border(8);
  const thin = border(6);
  const none = { style: BorderStyle.NONE, size: 0, color: 'auto' };
  const row = (children: DocxParagraph[]) => new TableRow({ cantSplit: true, children: [new TableCell({ children, margins: { top: 0, bottom: 0, left: 0, right: 0 }, width: { size: TYPE_WIDTH, type: WidthType.DXA } })] });
  const rows: TableRow[] = [];
  if (c.cc) rows.push(row([paragraphOf({ type: 'paragraph', style: 'Colophon', runs: c.cc, indent: { left: 1 + 3, hanging: 3 } }, highlight, 0)]));
  if (c.printedBy || c.printedOn) {
    rows.push(row([paragraphOf({ type: 'paragraph', style: 'Colophon', runs: [{ text: c.printedBy ?? '' }, { text: c.printedOn ?? '', tabBefore: true }], rightTab: 1 }, highlight, TYPE_WIDTH)]));
  }
  const breaks = c.place === 'foot' ? 0 : c.place === 'own-page' ? 1 : 2;
  const before = Array.from({ length: breaks }, () => new DocxParagraph({ style: 'Plain', pageBreakBefore: true, children: [] }));
  return [
    ...before,
    new DocxTable({
      rows,
      width: { size: TYPE_WIDTH, type: WidthType.DXA },
      columnWidths: [TYPE_WIDTH],
      layout: TableLayoutType.FIXED,
      borders: { top: thick, bottom: thick, left: none, right: none, insideHorizontal: thin, insideVertical: none },
      float: { horizontalAnchor: 'margin', verticalAnchor: 'margin', relativeVerticalPosition: 'bottom', relativeHorizontalPosition: 'center', overlap: 'never' },
    }),
    spacer(),
  ];
}

/** An empty paragraph one point high, where Word needs a paragraph and the page none. */
const spacer = () => new DocxParagraph({ style: 'Plain', children: [], spacing: { line: 20, lineRule: 'exact' } });

/**
 * How far the 一字线's stroke lies under the top of the page number's line, in mm: Noto Serif
 * SC's ―, embedded as 宋体 (embed.ts), in a 14 pt line of exact height, as LibreOffice prints it.
 */
const DASH_DROP = 2.04;

/** Page numbers, 4号 half-width digits between 一字线, one character in from the outside edge (§7.5). */
function pageNumber(side: 'left' | 'right'): Footer {
  return new Footer({
    children: [
      new DocxParagraph({
        style: 'Footer',
        alignment: side === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: side === 'right' ? { right: ptToTwips(14) } : { left: ptToTwips(14) },
        children: [new TextRun({ children: ['\u2015\u2002', PageNumber.CURRENT, '\u2002\u2015'] })],
      }),
    ],
  });
}

/** Each section's page: upright, or turned for a wide table. */
function sectionProperties(orientation: 'portrait' | 'landscape', first: boolean): ISectionOptions['properties'] {
  const landscape = orientation === 'landscape';
  const margin = landscape ? LANDSCAPE_MARGIN : MARGIN;
  // The page number's 一字线 7 mm under the type area (§7.5): the dash's stroke lies about 2.6 mm
  // under the top of its 14 pt line, whose box ends this far above the sheet's foot.
  const footer = mmToTwips(35 - 7 + DASH_DROP) - ptToTwips(14);
  return {
    ...(!first && { type: SectionType.NEXT_PAGE }),
    page: {
      // Given upright: `docx` swaps the sides of a landscape page itself.
      size: { width: PAGE.width, height: PAGE.height, orientation: landscape ? PageOrientation.LANDSCAPE : PageOrientation.PORTRAIT },
      margin: { ...margin, header: mmToTwips(15), footer: landscape ? mmToTwips(10) : footer, gutter: 0 },
    },
    grid: { type: 'linesAndChars', linePitch: LINE_PITCH, charSpace: CHAR_SPACE },
  };
}

/** The document's bytes: made by `docx`, then made the same for the same input (package.ts). */
export async function writeDocx(doc: DocxDocument, options: DocxOptions): Promise<Buffer> {
  const highlight = !!options.highlightFigures;
  const sections: { orientation: 'portrait' | 'landscape'; blocks: Block[] }[] = [{ orientation: 'portrait', blocks: [] }];
  for (const b of doc.blocks) {
    if (b.type === 'section') sections.push({ orientation: b.orientation, blocks: [] });
    else sections.at(-1)!.blocks.push(b);
  }
  const children = (blocks: Block[], width: number) =>
    blocks.flatMap((b, i): (DocxParagraph | DocxTable)[] => {
      if (b.type === 'paragraph') return [paragraphOf(b, highlight, width)];
      // Word runs two tables in a row into one, and ends a section with a paragraph.
      if (b.type === 'table') return [tableOf(b, highlight, width), ...(blocks[i + 1]?.type === 'paragraph' ? [] : [spacer()])];
      if (b.type === 'colophon') return colophonOf(b, highlight);
      return [];
    });
  const document = new Document({
    title: options.info.title,
    subject: options.info.subject,
    creator: options.info.author,
    lastModifiedBy: options.info.author,
    keywords: options.info.keywords,
    revision: 1,
    externalStyles: stylesXml(),
    evenAndOddHeaderAndFooters: true,
    sections: sections.map((s, i) => ({
      properties: { ...sectionProperties(s.orientation, i === 0), ...(i === 0 && doc.letter && { titlePage: true }) },
      ...(i === 0 && { footers: { default: pageNumber('right'), even: pageNumber('left'), ...(doc.letter && { first: letterFirstFooter() }) } }),
      children: children(s.blocks, s.orientation === 'landscape' ? PAGE.height - LANDSCAPE_MARGIN.left - LANDSCAPE_MARGIN.right : TYPE_WIDTH),
    })),
  });
  const fonts = await embeddedFonts(doc);
  return normalizePackage(await partsOf(document), { ...options.info, fontTable: fontTableXml(fonts), fonts });
}

/**
 * The parts `docx` makes of a document. Its packer zips them, and normalizePackage unzipped
 * them only to zip them again: 9 ms of a bulletin's 100. `docx`'s compiler gives them unzipped,
 * but is not public: should a later `docx` have none, its zip is read back.
 */
async function partsOf(document: Document): Promise<Parts> {
  const compiler = (Packer as unknown as { compiler?: { compile?: (file: Document) => Parts } }).compiler;
  if (typeof compiler?.compile === 'function') return compiler.compile(document);
  return partsOfZip(await Packer.toBuffer(document));
}
