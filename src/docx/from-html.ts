// The print HTML read as a Word document: the same elements in the same order, each given the
// style a 公文 set in Word gives it. The HTML is the one the PDF is printed from (with each
// figure marked), so the two say the same words; what print CSS hides is left out here too.
import { fromParse5 } from 'hast-util-from-parse5';
import { parse } from 'parse5';
import type { Element, ElementContent, Root } from 'hast';
import { FIGURE_MARKS } from '../values.js';
import type { Block, Cell, Colophon, DocxDocument, Face, Paragraph, Run, StyleId, Table } from './model.js';
import { PITCH_MM } from './grid.js';

/** What the print decided that the HTML does not say: wide tables turned, columns set, the 版记's page. */
export interface PrintLayout {
  tables: { anchor?: string; widths: number[]; landscape: boolean }[];
  colophon?: Colophon['place'];
}

/** Hidden by print.css: the portal's header line, hints, text for screen readers, charts not printed. */
const HIDDEN = new Set(['byline', 'downloads', 'number-line', 'scroll-hint', 'sr-only', 'font-warmup', 'chart-data', 'chart-source']);

const classes = (e: Element): string[] => (Array.isArray(e.properties?.['className']) ? (e.properties['className'] as string[]) : []);
const has = (e: Element, c: string) => classes(e).includes(c);
const elements = (e: Element | Root): Element[] => (e.children as { type: string }[]).filter((c): c is Element => c.type === 'element');
const find = (e: Element | Root, test: (x: Element) => boolean): Element | undefined => {
  for (const c of elements(e)) {
    if (test(c)) return c;
    const inner = find(c, test);
    if (inner) return inner;
  }
  return undefined;
};
const byClass = (e: Element | Root, c: string) => find(e, (x) => has(x, c));
const hidden = (e: Element) => classes(e).some((c) => HIDDEN.has(c)) || e.properties?.['dataFootnoteBackref'] !== undefined || e.tagName === 'style' || e.tagName === 'script' || e.tagName === 'caption' || e.tagName === 'colgroup' || e.tagName === 'svg';

/** The width of a text in characters of the grid: CJK and full-width forms one, others half. */
export function charsWide(text: string): number {
  let w = 0;
  for (const ch of text) w += /[\u2E80-\uFFEF\u{20000}-\u{3FFFF}]/u.test(ch) && !/[\uFF61-\uFF9F]/.test(ch) ? 1 : 0.5;
  return w;
}

/** Runs of an element's text: faces from the elements they are in, figures from their marks. */
class RunBuilder {
  readonly runs: Run[] = [];
  private figure = false;
  private pendingBreak = false;
  private pendingTab = false;

  add(text: string, face: Face | undefined) {
    const parts = text.split(/([\uFDD0\uFDD1])/);
    for (const part of parts) {
      if (part === FIGURE_MARKS.open) this.figure = true;
      else if (part === FIGURE_MARKS.close) this.figure = false;
      else if (part) this.push({ text: part, ...(face && { face }), ...(this.figure && { figure: true }) });
    }
  }

  lineBreak() {
    this.pendingBreak = true;
  }

  tab() {
    this.pendingTab = true;
  }

  private push(run: Run) {
    if (this.pendingBreak) run.breakBefore = true;
    if (this.pendingTab) run.tabBefore = true;
    this.pendingBreak = this.pendingTab = false;
    const last = this.runs.at(-1);
    if (last && !run.breakBefore && !run.tabBefore && last.face === run.face && !!last.figure === !!run.figure) last.text += run.text;
    else this.runs.push(run);
  }

  /** White space as a browser shows it: runs of it one space, none at the ends, none between two CJK characters. */
  finish(): Run[] {
    const cjk = /[\u2E80-\uFFEF]/;
    for (const r of this.runs) r.text = r.text.replace(/[ \t\r\n\f]+/g, ' ');
    const all = this.runs;
    for (let i = 0; i < all.length; i++) {
      const r = all[i]!;
      r.text = r.text.replace(/(.?) (?=(.?))/gu, (m, before: string, after: string) => (cjk.test(before) && cjk.test(after) ? before : m));
      if (i === 0 || r.breakBefore) r.text = r.text.replace(/^ /, '');
      if (i === all.length - 1 || all[i + 1]!.breakBefore) r.text = r.text.replace(/ $/, '');
    }
    return all.filter((r) => r.text !== '' || r.breakBefore);
  }
}

function collect(node: ElementContent, face: Face | undefined, into: RunBuilder) {
  if (node.type === 'text') return into.add(node.value, face);
  if (node.type !== 'element' || hidden(node)) return;
  if (node.tagName === 'br') return into.lineBreak();
  let f = face;
  if (has(node, 'run-in')) f = 'kai';
  else if (node.tagName === 'strong' || node.tagName === 'b') f = 'hei';
  else if (has(node, 'signer-name')) f = 'kai';
  for (const c of node.children) collect(c, f, into);
}

function runsOf(e: Element, face?: Face): Run[] {
  const b = new RunBuilder();
  for (const c of e.children) collect(c, face, b);
  return b.finish();
}

const textOf = (e: Element) =>
  runsOf(e)
    .map((r) => r.text)
    .join('');

const para = (style: StyleId, runs: Run[], extra: Partial<Paragraph> = {}): Paragraph => ({ type: 'paragraph', style, runs, ...extra });
/** An empty line of the grid (空一行), as staff type it. */
const blank = (): Paragraph => para('Normal', []);

/** Lines of a title (its spans, chosen between words) as one paragraph with line breaks. */
function titleRuns(h: Element): Run[] {
  const lines = elements(h).filter((x) => has(x, 'title-line'));
  if (!lines.length) return runsOf(h);
  return lines.flatMap((l, i) => runsOf(l).map((r, k) => (i > 0 && k === 0 ? { ...r, breakBefore: true } : r)));
}

const mmOf = (style: unknown): number | undefined => {
  const m = /--mark:\s*([\d.]+)mm/.exec(String(style ?? ''));
  return m ? Number(m[1]) : undefined;
};

/** 版头: 份号 and the like, the red issuing mark 35 mm under the type area's top, 发文字号 and 签发人, the red rule (official.css). */
function documentHead(head: Element): Block[] {
  const blocks: Block[] = [];
  const markMm = mmOf(head.properties?.['style']) ?? 15;
  // 份号, 密级 and 紧急程度 are only the <p>s of .document-flags: without them (the usual 通报)
  // the head's own <p>s are the mark and the number, set below, not flags to print again.
  const flagBox = byClass(head, 'document-flags');
  const flags = flagBox ? elements(flagBox).filter((p) => p.tagName === 'p') : [];
  const mark = byClass(head, 'issuer-mark');
  const number = byClass(head, 'document-number');
  const signer = byClass(head, 'document-signer');
  const sixteenPtMm = (16 / 72) * 25.4;
  if (has(head, 'letter')) {
    // 信函格式: the mark at the top, a red double rule, 份号 and the like left, the number right.
    // The upper rule 4 mm under the mark (write.ts), 170 mm long from 20 mm off the sheet's left edge.
    const rule = { color: 'E60012', widthMm: 1.3, double: true, overhangMm: { left: 28 - 20, right: 20 + 170 - (28 + 156) } };
    blocks.push(para('Mark', mark ? runsOf(mark) : [], { sizePt: (markMm / 25.4) * 72, lineMm: markMm, ruleBelow: rule }));
    const meta: Run[] = flags.flatMap((p) => runsOf(p, 'hei'));
    if (number) meta.push(...runsOf(number).map((r, i) => (i === 0 ? { ...r, tabBefore: true } : r)));
    if (meta.length) blocks.push(para('Plain', meta, { rightTab: 0, spaceBeforeMm: 5 }));
    blocks.push(blank());
    return blocks;
  }
  for (const p of flags) blocks.push(para('Plain', runsOf(p, 'hei')));
  blocks.push(
    para('Mark', mark ? runsOf(mark) : [], {
      sizePt: Math.round((markMm / 25.4) * 72 * 10) / 10,
      lineMm: Math.max(markMm, 0.5),
      spaceBeforeMm: Math.max(0, 35 - flags.length * PITCH_MM),
    }),
  );
  // 空二行, then the number's line (16 pt high); with 签发人, both on it, each 空一字 from its side.
  const line: Run[] = number ? runsOf(number) : [];
  if (signer) line.push(...runsOf(signer).map((r, i) => (i === 0 ? { ...r, tabBefore: true } : r)));
  blocks.push(para('Plain', line, { lineMm: sixteenPtMm, spaceBeforeMm: 3 * PITCH_MM - sixteenPtMm, align: signer ? 'left' : 'center', ...(signer && { indent: { left: 1 }, rightTab: 1 }) }));
  // The red rule 4 mm under the number, then the title two lines under it.
  blocks.push(para('Plain', [], { lineMm: 4, ruleBelow: { color: 'E60012', widthMm: 0.35 } }));
  blocks.push(blank(), blank());
  return blocks;
}

function cellOf(c: Element, header: boolean): Cell {
  const align = classes(c).find((x) => x.startsWith('align-'))?.slice(6);
  return { runs: runsOf(c, header ? 'hei' : undefined), align: align === 'center' || align === 'right' ? align : header ? 'center' : 'left', ...(!header && c.tagName === 'th' && { rowHeader: true }) };
}

function tableOf(t: Element, anchor: string | undefined, layout: PrintLayout | undefined): Table {
  const rowsIn = (e: Element | undefined) => (e ? elements(e).filter((r) => r.tagName === 'tr') : []);
  const thead = find(t, (x) => x.tagName === 'thead');
  const tbody = find(t, (x) => x.tagName === 'tbody');
  const headRow = rowsIn(thead)[0];
  const head = headRow ? elements(headRow).filter((c) => !hidden(c)).map((c) => cellOf(c, true)) : [];
  const rows = rowsIn(tbody).map((r) => elements(r).filter((c) => c.tagName === 'td' || c.tagName === 'th').map((c) => cellOf(c, false)));
  const set = anchor ? layout?.tables.find((x) => x.anchor === anchor) : undefined;
  const sum = set?.widths.reduce((a, b) => a + b, 0) ?? 0;
  return { type: 'table', ...(anchor && { anchor }), ...(set && sum > 0 && set.widths.length === head.length && { widths: set.widths.map((w) => w / sum) }), head, rows };
}

/** A table in the text: its title a line of 黑体, the table, its note. */
function inlineTable(figure: Element, layout: PrintLayout | undefined): Block[] {
  const out: Block[] = [];
  const title = byClass(figure, 'inline-table-title');
  if (title) out.push(para('Caption', runsOf(title)));
  const t = find(figure, (x) => x.tagName === 'table');
  if (t) out.push(tableOf(t, String(figure.properties?.['id'] ?? ''), layout));
  const note = byClass(figure, 'note');
  if (note) out.push(para('Note', runsOf(note)));
  return out;
}

/**
 * A paragraph of the body. One opening with a run-in heading (render/markdown.ts) is two: the
 * heading in 标题 2, which the navigation pane lists, joined by Word to the paragraph after it
 * on one line, as the print sets it (write.ts).
 */
function paragraph(e: Element): Paragraph[] {
  const first = elements(e)[0];
  const lead = first && e.children.find((c) => c.type === 'element' || (c.type === 'text' && c.value.trim())) === first && has(first, 'run-in') ? first : undefined;
  if (!lead) return [para('Normal', runsOf(e))];
  const rest = runsOf({ ...e, children: e.children.filter((c) => c !== lead) });
  const heading = para('Heading2', runsOf(lead), { runIn: true });
  return rest.length ? [heading, para('Normal', rest, { indent: { firstLine: 0 } })] : [{ ...heading, runIn: false }];
}

/** The circular's body: paragraphs, headings by level, lists, tables in the text. */
function body(div: Element, layout: PrintLayout | undefined): Block[] {
  const out: Block[] = [];
  for (const e of elements(div)) {
    if (hidden(e)) continue;
    if (e.tagName === 'p') out.push(...paragraph(e));
    else if (e.tagName === 'h1' || e.tagName === 'h2') out.push(para('Heading1', runsOf(e)));
    else if (e.tagName === 'h3') out.push(para('Heading2', runsOf(e)));
    else if (/^h[4-6]$/.test(e.tagName)) out.push(para('Heading3', runsOf(e)));
    else if (e.tagName === 'ol' || e.tagName === 'ul') out.push(...listItems(e, layout));
    else if (e.tagName === 'blockquote' || e.tagName === 'div' || e.tagName === 'section') out.push(...body(e, layout));
    else if (e.tagName === 'figure' && has(e, 'inline-table')) out.push(...inlineTable(e, layout));
    else if (e.tagName === 'table') out.push(tableOf(e, undefined, layout));
    else if (e.tagName === 'pre') out.push(para('Plain', runsOf(e)));
  }
  return out;
}

/**
 * A list's items as paragraphs of the body. A numbered item's number is already its text
 * (render/markdown.ts); an item of a list without numbers opens with a bullet. What an item
 * holds besides its text (a list within it, more paragraphs) follows as paragraphs of its own.
 */
function listItems(list: Element, layout: PrintLayout | undefined): Block[] {
  const out: Block[] = [];
  const numbered = has(list, 'numbered');
  for (const li of elements(list).filter((x) => x.tagName === 'li')) {
    const marker: Run[] = numbered ? [] : [{ text: '• ' }];
    const inline = li.children.filter((c) => !(c.type === 'element' && BLOCKS.has(c.tagName)));
    const blocks = elements(li).filter((c) => BLOCKS.has(c.tagName));
    const text = runsOf({ ...li, children: inline });
    if (text.length || !blocks.length) out.push(para('Normal', [...marker, ...text]));
    blocks.forEach((b, i) => {
      const inner = body({ type: 'element', tagName: 'div', properties: {}, children: [b] }, layout);
      // Loose items hold paragraphs: the first takes the bullet that a tight item's text takes.
      if (i === 0 && !text.length && inner[0]?.type === 'paragraph') inner[0] = { ...inner[0], runs: [...marker, ...inner[0].runs] };
      out.push(...inner);
    });
  }
  return out;
}

const BLOCKS = new Set(['p', 'ol', 'ul', 'blockquote', 'pre', 'table', 'div', 'section', 'h2', 'h3', 'h4', 'h5', 'h6']);

/** 附件说明: 附件： then each attachment on its own line, numbers aligned under the first. */
function attachmentList(div: Element): Block[] {
  const items = elements(find(div, (x) => x.tagName === 'ol') ?? div).filter((li) => li.tagName === 'li');
  const label = textOf(byClass(div, 'attachment-list-label') ?? div);
  const labelWidth = charsWide(label);
  return [
    blank(),
    ...items.map((li, i) =>
      para('Plain', i === 0 ? [{ text: label }, ...runsOf(li)] : runsOf(li), { indent: { left: 2 + labelWidth, ...(i === 0 && { hanging: labelWidth }) } }),
    ),
  ];
}

/**
 * 落款 (§7.3.5). Sealed: the date 右空四字, the signatory centred over it. Unsealed: the
 * signatory 右空二字, the date a line below two characters further right (or 右空二字 when
 * longer). Right indents in characters, from the widths of the two texts (official.css).
 */
function signature(div: Element): Block[] {
  const issuer = byClass(div, 'issuer');
  const date = byClass(div, 'date');
  const wi = issuer ? charsWide(textOf(issuer)) : 0;
  const wd = date ? charsWide(textOf(date)) : 0;
  // Kept on one page with the line before it, and with the 附注 after it (official.css).
  const keep = { keepNext: true };
  const out: Block[] = [];
  if (has(div, 'sealed')) {
    out.push({ ...blank(), ...keep }, { ...blank(), ...keep });
    if (issuer) out.push(para('Plain', runsOf(issuer), { align: 'right', indent: { right: 4 + (wd - wi) / 2 }, ...keep }));
    if (date) out.push(para('Plain', runsOf(date), { align: 'right', indent: { right: 4 }, ...keep }));
  } else {
    out.push({ ...blank(), ...keep });
    const block = Math.max(wi, wd + 2);
    if (issuer) out.push(para('Plain', runsOf(issuer), { align: 'right', indent: { right: 2 + (block - wi) }, ...keep }));
    if (date) out.push(para('Plain', runsOf(date), { align: 'right', indent: { right: 2 + (block - 2 - wd) }, ...keep }));
  }
  return out;
}

function colophon(footer: Element, place: Colophon['place']): Colophon {
  const cc = byClass(footer, 'cc');
  const by = byClass(footer, 'printed-by');
  const on = byClass(footer, 'printed-on');
  return { type: 'colophon', ...(cc && { cc: runsOf(cc) }), ...(by && { printedBy: textOf(by) }), ...(on && { printedOn: textOf(on) }), place };
}

/** The print HTML as a Word document. */
export function documentFromHtml(html: string, layout?: PrintLayout): DocxDocument {
  // parse5 and its hast tree as hast-util-from-html makes them, less the source positions:
  // nothing here names a place in the print HTML, and they took half of the 7 ms of reading it.
  const tree = fromParse5(parse(html, { scriptingEnabled: false })) as Root;
  const main = find(tree, (e) => e.tagName === 'main') ?? find(tree, (e) => e.tagName === 'body');
  const blocks: Block[] = [];
  const omitted: string[] = [];
  if (!main) return { blocks, omitted };
  const letter = !!find(main, (e) => has(e, 'document-head') && has(e, 'letter'));
  let orientation: 'portrait' | 'landscape' = 'portrait';
  const turn = (to: 'portrait' | 'landscape') => {
    if (to === orientation) return false;
    blocks.push({ type: 'section', orientation: to });
    orientation = to;
    return true;
  };
  for (const part of elements(main)) {
    if (hidden(part)) continue;
    if (part.tagName === 'article') {
      for (const e of elements(part)) {
        if (hidden(e)) continue;
        if (has(e, 'document-head')) blocks.push(...documentHead(e));
        else if (has(e, 'masthead')) {
          const title = find(e, (x) => x.tagName === 'h1');
          if (title) blocks.push(para('Title', titleRuns(title)), blank());
        } else if (has(e, 'addressee')) blocks.push(para('Plain', runsOf(e)));
        else if (has(e, 'body')) {
          const own = body(e, layout);
          // The 落款's page carries two lines of 正文 (§7.3.5), as in the PDF (print/layout.ts):
          // the body's last paragraph keeps its last two lines together and with the 附件说明
          // and the 落款; a last paragraph of one line keeps the one before it with it too.
          const [before, last] = own.slice(-2);
          if (last?.type === 'paragraph') {
            Object.assign(last, { keepNext: true, widowControl: true });
            if (before?.type === 'paragraph' && charsWide(last.runs.map((r) => r.text).join('')) <= 28 - 2) before.keepNext = true;
          }
          blocks.push(...own);
        } else if (has(e, 'attachment-list')) blocks.push(...attachmentList(e).map((b) => (b.type === 'paragraph' ? { ...b, keepNext: true } : b)));
        else if (has(e, 'signature')) {
          // The 落款 shares its page with at least the last line before it (§7.3.5.5).
          const before = blocks.at(-1);
          if (before?.type === 'paragraph') before.keepNext = true;
          blocks.push(...signature(e));
        }
        else if (has(e, 'annotation')) blocks.push(para('Normal', runsOf(e)));
      }
    } else if (has(part, 'charts')) {
      if (has(part, 'charts-print')) omitted.push('图表');
    } else if (has(part, 'attachment')) {
      const id = String(part.properties?.['id'] ?? '');
      const landscape = has(part, 'landscape') || !!layout?.tables.find((t) => t.anchor === id)?.landscape;
      const turned = turn(landscape ? 'landscape' : 'portrait');
      const label = byClass(part, 'attachment-label');
      if (label) blocks.push(para('Plain', runsOf(label, 'hei'), { ...(!turned && { pageBreakBefore: true }), keepNext: true }), blank());
      const title = byClass(part, 'attachment-title');
      if (title) blocks.push(para('Title', titleRuns(title), { keepNext: true }), blank());
      const t = find(part, (x) => x.tagName === 'table');
      if (t) blocks.push(tableOf(t, id, layout));
      const note = byClass(part, 'note');
      if (note) blocks.push(para('Note', runsOf(note)));
    } else if (has(part, 'colophon')) {
      turn('portrait'); // the 版记 stands upright (§8)
      blocks.push(colophon(part, layout?.colophon ?? 'own-page'));
    }
  }
  return { blocks, omitted, ...(letter && { letter }) };
}
