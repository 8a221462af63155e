// The finished PDF's pages read back as OFD objects: one layout, two files. PDF.js (the
// reference reader) decodes each page's content into operators with the glyphs' characters
// and widths resolved; here they are followed as a PDF viewer does (graphics state, text
// state, form XObjects) and every glyph, path and image is placed on the page in millimetres.
import { OPS } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { openWithPdfJs, type PdfJsDocument } from '../pdf/pdfjs.js';
import { PNG } from 'pngjs';
import type { Color, FontUse, ImageItem, Matrix, OfdDocument, OfdPage, OutlineEntry, PageItem, PathItem, TextItem } from './model.js';
import { OfdError } from './model.js';

const MM = 25.4 / 72;

const multiply = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[1] * n[2],
  m[0] * n[1] + m[1] * n[3],
  m[2] * n[0] + m[3] * n[2],
  m[2] * n[1] + m[3] * n[3],
  m[4] * n[0] + m[5] * n[2] + n[4],
  m[4] * n[1] + m[5] * n[3] + n[5],
];
const apply = (m: Matrix, x: number, y: number): [number, number] => [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];

/** A PDF.js glyph of a showText operator. */
interface Glyph {
  originalCharCode: number;
  /** A Type 3 glyph's drawing, in its font's charProcOperatorList. */
  operatorListId?: string;
  unicode: string;
  width: number;
  isSpace: boolean;
  vmetric?: unknown;
}

/** A Type 3 font as PDF.js gives it: glyph space to text space, and each glyph's drawing. */
interface Type3 {
  matrix: Matrix;
  procs: Record<string, { fnArray: number[]; argsArray: unknown[] }>;
}

type Box = [x0: number, y0: number, x1: number, y1: number];

interface GState {
  ctm: Matrix;
  fill: Color;
  stroke: Color;
  lineWidth: number;
  /** The clip, as the box around the clipping paths met so far, on the page. */
  clip?: Box;
}

const meet = (a: Box | undefined, b: Box): Box => (a ? [Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])] : b);
const empty = (b: Box) => b[2] - b[0] <= 1e-6 || b[3] - b[1] <= 1e-6;

function boxOf(ops: PathItem['ops']): Box {
  const pts = ops.flatMap((o) => (o[0] === 'C' ? [] : (o.slice(1) as number[])));
  const xs = pts.filter((_, i) => i % 2 === 0);
  const ys = pts.filter((_, i) => i % 2 === 1);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Subpaths that are each an upright rectangle (M L L L [L] C), as boxes; undefined for any other path. */
function rectangles(ops: PathItem['ops']): Box[] | undefined {
  const boxes: Box[] = [];
  let sub: PathItem['ops'] = [];
  const close = () => {
    if (!sub.length) return true;
    const pts = sub.filter((o) => o[0] !== 'C').map((o) => [o[1], o[2]] as [number, number]);
    if (sub.some((o) => o[0] === 'B') || pts.length < 4 || pts.length > 5) return false;
    const box = boxOf(sub);
    const onEdges = pts.every(([x, y]) => (Math.abs(x - box[0]) < 1e-6 || Math.abs(x - box[2]) < 1e-6) && (Math.abs(y - box[1]) < 1e-6 || Math.abs(y - box[3]) < 1e-6));
    if (!onEdges) return false;
    boxes.push(box);
    sub = [];
    return true;
  };
  for (const o of ops) {
    if (o[0] === 'M' && !close()) return undefined;
    sub.push(o);
  }
  return close() ? boxes : undefined;
}

/**
 * A path within the clip. Chromium clips a page to its fragment of the document: a table row
 * that goes on on the next page is drawn here too, and cut off. Fills of upright rectangles
 * (borders, rules, backgrounds) are cut to the clip; anything else wholly outside it is left
 * out, and kept whole when it only crosses it.
 */
function clipped(path: PathItem, clip: Box | undefined): PathItem | undefined {
  if (!clip) return path;
  const box = boxOf(path.ops);
  if (box[2] < clip[0] || box[0] > clip[2] || box[3] < clip[1] || box[1] > clip[3]) return undefined;
  const rects = !path.stroke ? rectangles(path.ops) : undefined;
  if (!rects) return path;
  const kept = rects.map((b) => meet(clip, b)).filter((b) => !empty(b));
  if (!kept.length) return undefined;
  return { ...path, ops: kept.flatMap(([x0, y0, x1, y1]): PathItem['ops'] => [['M', x0, y0], ['L', x1, y0], ['L', x1, y1], ['L', x0, y1], ['C']]) };
}

const BLACK: Color = { rgb: [0, 0, 0] };
const hexColor = (hex: unknown): [number, number, number] => {
  const m = /^#([\da-f]{2})([\da-f]{2})([\da-f]{2})$/i.exec(String(hex));
  return m ? [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)] : [0, 0, 0];
};

/** A matrix argument: six numbers, or one array (or typed array) of six, as PDF.js versions give it. */
function matrixArg(args: unknown[]): Matrix {
  const first = args[0];
  const m = Array.from((Array.isArray(first) || ArrayBuffer.isView(first) ? first : args) as ArrayLike<number>);
  if (m.length !== 6 || m.some((v) => !Number.isFinite(v))) throw new Error(`not a matrix: ${JSON.stringify(args)}`);
  return m as Matrix;
}

/** PDF.js's operator names by number, for messages. */
const OP_NAMES = new Map(Object.entries(OPS).map(([k, v]) => [v as number, k]));

/** Operators that change nothing the OFD shows (marked content, dependencies, groups' compositing). */
const IGNORED = new Set<number>([OPS.dependency, OPS.beginMarkedContent, OPS.beginMarkedContentProps, OPS.endMarkedContent, OPS.markPoint, OPS.markPointProps, OPS.beginGroup, OPS.endGroup, OPS.setLineCap, OPS.setLineJoin, OPS.setMiterLimit, OPS.setDash, OPS.setRenderingIntent, OPS.setFlatness, OPS.beginAnnotation, OPS.endAnnotation, OPS.setTextRenderingMode]);

export async function documentFromPdf(pdf: Uint8Array): Promise<OfdDocument> {
  const doc = await openWithPdfJs(pdf);
  try {
    const fonts = new Map<string, FontUse>();
    const pages: OfdPage[] = [];
    for (let n = 1; n <= doc.numPages; n++) pages.push(await readPage(await doc.getPage(n), n, fonts));
    const outline = await readOutline(doc);
    return { pages, fonts, outline };
  } finally {
    await doc.destroy();
  }
}

type PdfDoc = PdfJsDocument;
type PdfPage = Awaited<ReturnType<PdfDoc['getPage']>>;

async function readPage(page: PdfPage, n: number, fonts: Map<string, FontUse>): Promise<OfdPage> {
  const viewport = page.getViewport({ scale: 1 });
  // User space → the page's own, y down, in points; then millimetres.
  const base = viewport.transform.map((v: number) => v * MM) as Matrix;
  const ops = await page.getOperatorList();
  const items: PageItem[] = [];
  let gs: GState = { ctm: base, fill: BLACK, stroke: BLACK, lineWidth: 1 };
  const stack: GState[] = [];
  // Text state (PDF 32000 §9.3).
  let tm: Matrix = [1, 0, 0, 1, 0, 0];
  let tlm: Matrix = [1, 0, 0, 1, 0, 0];
  let font: { name: string; vertical: boolean; type3?: Type3 } | undefined;
  let fontSize = 0;
  let charSpacing = 0;
  let wordSpacing = 0;
  let hScale = 1;
  let leading = 0;
  let rise = 0;
  let clipNext = false;
  const moveText = (tx: number, ty: number) => {
    tlm = multiply([1, 0, 0, 1, tx, ty], tlm);
    tm = tlm;
  };
  const show = (glyphs: (Glyph | number)[]) => {
    if (!font) throw new OfdError(`第 ${n} 页：文字没有指定字体`, n);
    if (font.type3) return showType3(glyphs, font.type3);
    const chars: string[] = [];
    const origins: [number, number][] = [];
    let start: Matrix | undefined;
    for (const g of glyphs) {
      if (typeof g === 'number') {
        tm = multiply([1, 0, 0, 1, (-g / 1000) * fontSize * hScale, 0], tm);
        continue;
      }
      const trm = multiply(multiply([fontSize * hScale, 0, 0, fontSize, 0, rise], tm), gs.ctm);
      start ??= trm;
      const ch = g.unicode;
      if (!ch) throw new OfdError(`第 ${n} 页：字体 ${font.name} 的字形 ${g.originalCharCode} 没有对应的字符，无法作为文字写入 OFD`, n);
      // A ligature (fi) is one glyph for several characters: OFD finds glyphs by character.
      if ([...ch].length > 1) throw new OfdError(`第 ${n} 页：「${ch}」是一个连字字形（字体 ${font.name}），OFD 按字符取字形，无法还原`, n);
      chars.push(ch);
      origins.push(apply(trm, 0, 0));
      const use = fonts.get(font.name) ?? fonts.set(font.name, { name: font.name, chars: new Map() }).get(font.name)!;
      const known = use.chars.get(ch);
      if (known === undefined) use.chars.set(ch, g.originalCharCode);
      else if (known !== g.originalCharCode && !/\s/.test(ch)) {
        throw new OfdError(`第 ${n} 页：字体 ${font.name} 中「${ch}」有两个字形（${known} 和 ${g.originalCharCode}），OFD 按字符取字形，无法区分`, n);
      }
      const advance = ((g.width / 1000) * fontSize + charSpacing + (g.isSpace ? wordSpacing : 0)) * hScale;
      tm = multiply([1, 0, 0, 1, advance, 0], tm);
    }
    if (!start || !chars.length) return;
    const sx = Math.hypot(start[0], start[1]);
    const sy = Math.hypot(start[2], start[3]);
    // The baseline's direction, and "down" for the glyphs (text space's −y, y being up there).
    const along: [number, number] = [start[0] / sx, start[1] / sx];
    const down: [number, number] = [-start[2] / sy, -start[3] / sy];
    const item: TextItem = { type: 'text', font: font.name, size: sy, fill: gs.fill, chars, origins, along, down };
    if (Math.abs(sx - sy) > 1e-6 * sy) throw new OfdError(`第 ${n} 页：文字「${chars.join('').slice(0, 10)}」横向缩放，OFD 中暂不支持`, n);
    items.push(item);
  };

  // A Type 3 font (what Chromium embeds for a character only a system font has): each glyph
  // is a drawing, drawn here as paths in the current fill. The OFD keeps its look; as a
  // drawing it is not text there (the build has warned of such characters).
  const showType3 = (glyphs: (Glyph | number)[], t3: Type3) => {
    for (const g of glyphs) {
      if (typeof g === 'number') {
        tm = multiply([1, 0, 0, 1, (-g / 1000) * fontSize * hScale, 0], tm);
        continue;
      }
      const trm = multiply(multiply([fontSize * hScale, 0, 0, fontSize, 0, rise], tm), gs.ctm);
      const proc = g.operatorListId !== undefined ? t3.procs[g.operatorListId] : undefined;
      const glyphState: GState = { ...gs, ctm: multiply(t3.matrix, trm) };
      for (let k = 0; k < (proc?.fnArray.length ?? 0); k++) {
        const op = proc!.fnArray[k]!;
        if (op === OPS.setCharWidth || op === OPS.setCharWidthAndBounds) continue;
        if (op !== OPS.constructPath) throw new OfdError(`第 ${n} 页：Type 3 字形「${g.unicode}」中的 PDF 操作 ${OP_NAMES.get(op) ?? op} 暂不能写入 OFD`, n);
        const path = pathItem(proc!.argsArray[k] as unknown[], glyphState, n);
        if (path.paint === OPS.endPath || !path.item.ops.length) continue;
        const kept = clipped(path.item, gs.clip);
        if (kept) items.push(kept);
      }
      const advance = (g.width * t3.matrix[0] * fontSize + charSpacing + (g.isSpace ? wordSpacing : 0)) * hScale;
      tm = multiply([1, 0, 0, 1, advance, 0], tm);
    }
  };

  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i]!;
    const args = ops.argsArray[i] as unknown[];
    switch (fn) {
      case OPS.save:
        stack.push(gs);
        gs = { ...gs };
        break;
      case OPS.restore:
        gs = stack.pop() ?? gs;
        break;
      case OPS.transform:
        gs.ctm = multiply(matrixArg(args), gs.ctm);
        break;
      case OPS.paintFormXObjectBegin: {
        // A form XObject draws in a state of its own, under its matrix.
        stack.push(gs);
        gs = { ...gs };
        if (args[0]) gs.ctm = multiply(matrixArg([args[0]]), gs.ctm);
        break;
      }
      case OPS.paintFormXObjectEnd:
        gs = stack.pop() ?? gs;
        break;
      case OPS.setFillRGBColor:
        gs.fill = { ...gs.fill, rgb: hexColor(args[0]) };
        break;
      case OPS.setStrokeRGBColor:
        gs.stroke = { ...gs.stroke, rgb: hexColor(args[0]) };
        break;
      case OPS.setLineWidth:
        gs.lineWidth = args[0] as number;
        break;
      case OPS.setGState:
        for (const [key, value] of args[0] as [string, unknown][]) {
          if (key === 'ca') gs.fill = { ...gs.fill, ...(Number(value) < 1 ? { alpha: Math.round(Number(value) * 255) } : { alpha: undefined }) };
          else if (key === 'CA') gs.stroke = { ...gs.stroke, ...(Number(value) < 1 ? { alpha: Math.round(Number(value) * 255) } : { alpha: undefined }) };
          else if (key === 'LW') gs.lineWidth = Number(value);
        }
        break;
      case OPS.beginText:
        tm = tlm = [1, 0, 0, 1, 0, 0];
        break;
      case OPS.endText:
        break;
      case OPS.setFont: {
        const f = page.commonObjs.get(args[0] as string) as { name: string; vertical?: boolean; isType3Font?: boolean; fontMatrix?: number[]; charProcOperatorList?: Type3['procs'] };
        font = { name: f.name, vertical: !!f.vertical, ...(f.isType3Font && { type3: { matrix: matrixArg([f.fontMatrix]), procs: f.charProcOperatorList ?? {} } }) };
        fontSize = args[1] as number;
        if (font.vertical) throw new OfdError(`第 ${n} 页：竖排文字（字体 ${f.name}）暂不能写入 OFD`, n);
        break;
      }
      case OPS.setTextMatrix:
        tm = tlm = matrixArg(args);
        break;
      case OPS.moveText:
        moveText(args[0] as number, args[1] as number);
        break;
      case OPS.setLeadingMoveText:
        leading = -(args[1] as number);
        moveText(args[0] as number, args[1] as number);
        break;
      case OPS.nextLine:
        moveText(0, -leading);
        break;
      case OPS.setCharSpacing:
        charSpacing = args[0] as number;
        break;
      case OPS.setWordSpacing:
        wordSpacing = args[0] as number;
        break;
      case OPS.setHScale:
        hScale = (args[0] as number) / 100;
        break;
      case OPS.setLeading:
        leading = args[0] as number;
        break;
      case OPS.setTextRise:
        rise = args[0] as number;
        break;
      case OPS.showText:
      case OPS.showSpacedText:
        show(args[0] as (Glyph | number)[]);
        break;
      case OPS.nextLineShowText:
        moveText(0, -leading);
        show(args[0] as (Glyph | number)[]);
        break;
      case OPS.nextLineSetSpacingShowText:
        wordSpacing = args[0] as number;
        charSpacing = args[1] as number;
        moveText(0, -leading);
        show(args[2] as (Glyph | number)[]);
        break;
      case OPS.constructPath: {
        const path = pathItem(args, gs, n);
        if (clipNext && path.item.ops.length) {
          // W n: the path just built becomes (the box of) the clip.
          gs.clip = meet(gs.clip, boxOf(path.item.ops));
        }
        clipNext = false;
        if (path.paint === OPS.endPath || !path.item.ops.length) break;
        const kept = clipped(path.item, gs.clip);
        if (kept) items.push(kept);
        break;
      }
      case OPS.paintImageXObject: {
        const image = await imageItem(page, args[0] as string, gs.ctm, n);
        const m = image.ctm;
        const box: Box = [Math.min(m[4], m[0] + m[2] + m[4]), Math.min(m[5], m[1] + m[3] + m[5]), Math.max(m[4], m[0] + m[2] + m[4]), Math.max(m[5], m[1] + m[3] + m[5])];
        if (!gs.clip || !empty(meet(gs.clip, box))) items.push(image);
        break;
      }
      case OPS.clip:
      case OPS.eoClip:
        clipNext = true;
        break;
      default:
        if (IGNORED.has(fn)) break;
        throw new OfdError(`第 ${n} 页：PDF 操作 ${OP_NAMES.get(fn) ?? fn} 暂不能写入 OFD`, n);
    }
  }
  return { size: [viewport.width * MM, viewport.height * MM], items };
}

/** A PDF.js path: [paint operator, [drawing ops], bounds], its points in user space. */
function pathItem(args: unknown[], gs: GState, n: number): { paint: number; item: PathItem } {
  const paint = args[0] as number;
  const data = (args[1] as ArrayLike<number>[])[0] ?? [];
  const ops: PathItem['ops'] = [];
  const at = (x: number, y: number) => apply(gs.ctm, x, y);
  for (let i = 0; i < data.length; ) {
    const code = data[i++]!;
    if (code === 0 || code === 1) {
      const [x, y] = at(data[i]!, data[i + 1]!);
      ops.push([code === 0 ? 'M' : 'L', x, y]);
      i += 2;
    } else if (code === 2) {
      const [x1, y1] = at(data[i]!, data[i + 1]!);
      const [x2, y2] = at(data[i + 2]!, data[i + 3]!);
      const [x3, y3] = at(data[i + 4]!, data[i + 5]!);
      ops.push(['B', x1, y1, x2, y2, x3, y3]);
      i += 6;
    } else if (code === 3) ops.push(['C']);
    else throw new OfdError(`第 ${n} 页：路径中有不认识的绘制操作 ${code}`, n);
  }
  const fills = [OPS.fill, OPS.eoFill, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke];
  const strokes = [OPS.stroke, OPS.closeStroke, OPS.fillStroke, OPS.eoFillStroke, OPS.closeFillStroke, OPS.closeEOFillStroke];
  if (!fills.includes(paint) && !strokes.includes(paint) && paint !== OPS.endPath) throw new OfdError(`第 ${n} 页：路径的画法 ${OP_NAMES.get(paint) ?? paint} 暂不能写入 OFD`, n);
  if ([OPS.closeStroke, OPS.closeFillStroke, OPS.closeEOFillStroke].includes(paint)) ops.push(['C']);
  // The line width in user space, on the page: scaled as the CTM scales lengths.
  const scale = Math.sqrt(Math.abs(gs.ctm[0] * gs.ctm[3] - gs.ctm[1] * gs.ctm[2]));
  const item: PathItem = {
    type: 'path',
    ops,
    ...(fills.includes(paint) && { fill: gs.fill }),
    ...(strokes.includes(paint) && { stroke: gs.stroke }),
    lineWidth: gs.lineWidth * scale,
    evenOdd: [OPS.eoFill, OPS.eoFillStroke, OPS.closeEOFillStroke].includes(paint),
  };
  return { paint, item };
}

/** An image XObject as PDF.js decoded it (soft mask applied), as a PNG on the unit square the CTM places. */
async function imageItem(page: PdfPage, id: string, ctm: Matrix, n: number): Promise<ImageItem> {
  const objs = page.objs as unknown as { get(id: string, cb?: (v: unknown) => void): unknown };
  const img = (await new Promise<unknown>((resolve) => objs.get(id, resolve))) as { width: number; height: number; kind: number; data?: Uint8ClampedArray } | null;
  if (!img?.data) throw new OfdError(`第 ${n} 页：图像 ${id} 无法解码`, n);
  const png = new PNG({ width: img.width, height: img.height });
  const px = img.width * img.height;
  for (let p = 0; p < px; p++) {
    if (img.kind === 3) for (let c = 0; c < 4; c++) png.data[p * 4 + c] = img.data[p * 4 + c]!;
    else if (img.kind === 2) {
      for (let c = 0; c < 3; c++) png.data[p * 4 + c] = img.data[p * 3 + c]!;
      png.data[p * 4 + 3] = 255;
    } else throw new OfdError(`第 ${n} 页：图像 ${id} 的像素格式（${img.kind}）暂不能写入 OFD`, n);
  }
  // PDF images fill the unit square with their first row at y = 1; OFD's first row is at y = 0.
  return { type: 'image', png: PNG.sync.write(png), ctm: multiply([1, 0, 0, -1, 0, 1], ctm) };
}

/** The PDF's bookmarks, as OFD outline entries: the headings of the circular and attachments. */
async function readOutline(doc: PdfDoc): Promise<OutlineEntry[]> {
  const items = (await doc.getOutline()) ?? [];
  const convert = async (list: typeof items): Promise<OutlineEntry[]> => {
    const out: OutlineEntry[] = [];
    for (const it of list) {
      let dest = it.dest;
      if (typeof dest === 'string') dest = await doc.getDestination(dest);
      let page = 0;
      let top: number | undefined;
      if (Array.isArray(dest) && dest[0]) {
        page = typeof dest[0] === 'number' ? dest[0] : await doc.getPageIndex(dest[0] as never);
        const p = await doc.getPage(page + 1);
        const y = (dest[1] as { name?: string })?.name === 'XYZ' ? (dest[3] as number | null) : null;
        if (typeof y === 'number') top = (p.getViewport({ scale: 1 }).convertToViewportPoint(0, y)[1] ?? 0) * MM;
      }
      out.push({ title: it.title, page, ...(top !== undefined && { top }), children: await convert(it.items ?? []) });
    }
    return out;
  };
  return convert(items);
}
