// The portal page: the circular and its attachments in one self-contained HTML file,
// laid out by Handlebars templates that a workspace may override (templates/ in its root).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import Handlebars from 'handlebars';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { heldTable, type LoadedBulletin } from '../load/bulletin.js';
import type { Table } from '../load/table.js';
import type { Figures } from '../figures/figure.js';
import { labelColumn } from '../load/rows.js';
import { displayPath, outsideFolder, present } from '../bulletin.js';
import { BulletinError, type Message } from '../messages.js';
import { readWorkspaceText } from '../load/workspace-file.js';
import { FIGURE_MARKS, isoDate, parseDate, unmarked } from '../values.js';
import { NO_LINK, escapeHtml, escapeMarkdown, sharedHandlebars, tableMark } from './helpers.js';
import { placeInScalar, placeOf } from '../load/yaml.js';
import { numberedAttachments } from '../schema.js';
import { renderContext } from './context.js';
import { compiled, expandTemplate, inlineMarkdownToHtml, markdownToHtml, withoutLinkMarks } from './markdown.js';
import { lintNumbers, markdownLimits } from './lint.js';
import { chartData, type ChartData } from './chart-data.js';
import { breakTitle, headerWords, lineWords } from './title.js';
import { letterCss } from './letter.js';
import { renderChartSvg } from './chart.js';
import { pageSafety } from './safety.js';

export const PACKAGE_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

/** No script may run, nothing may load from elsewhere: styles inline, images and fonts local. */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";
/** The copy printed to PDF may also read its font files. */
export const PRINT_CSP = CSP.replace('font-src data:', 'font-src data: file:');

export interface PageOptions {
  /** The copy that is printed: shows every official element declared. */
  print?: boolean;
  /** @font-face rules for the PDF's faces. */
  fontsCss?: string;
  /**
   * The copy signed with the seal as the signature's face: the seal's box is left empty and
   * marked by a link to this address, whose annotation the signature's widget takes over.
   */
  sealSlot?: string;
  /** Each figure's text between FIGURE_MARKS: the copy the Word document is made from. */
  markFigures?: boolean;
  /**
   * Render for the messages alone (`check`): the charts are not drawn and the titles and
   * headers are not cut into lines and words, work for the eye that makes no message.
   */
  messagesOnly?: boolean;
}

/** Escapes that also mark what they print as a figure (helpers and figures print through them). */
const markedMarkdown = (s: string) => FIGURE_MARKS.open + escapeMarkdown(unmarked(s)) + FIGURE_MARKS.close;
const markedHtml = (s: string) => FIGURE_MARKS.open + escapeHtml(unmarked(s)) + FIGURE_MARKS.close;

/**
 * The official elements as templates see them. The head (份号, 密级, 紧急程度, the red issuing
 * mark, 发文字号), the seal and the 版记 are for the printed document; a web article shows them
 * only when the bulletin asks (`document.portal`). 主送 and 附注 are text and always shown.
 */
function officialView(loaded: LoadedBulletin, print: boolean) {
  const d = loaded.bulletin.document;
  if (!d) return undefined;
  const full = print || d.portal;
  const flags = [
    d.copy_number?.padStart(6, '0'),
    d.classification && (d.classification_period ? `${d.classification}★${d.classification_period}` : d.classification),
    d.urgency,
  ].filter((x): x is string => Boolean(x));
  const printedOn = d.printed_on ? parseDate(d.printed_on) : undefined;
  // The mark is at most 15 mm a character, and never wider than the type area.
  const letter = d.format === 'letter';
  const markSize = d.issuer_mark ? Math.min(15, Math.floor((150 / [...d.issuer_mark].length) * 10) / 10) : 0;
  return {
    head: full && (flags.length || d.issuer_mark || d.number) ? { flags, mark: d.issuer_mark, markSize: `${markSize}mm`, number: d.number, signer: d.signer, letter } : undefined,
    /** The print CSS of 信函格式: the first page's margin and rules. */
    letterCss: print && letter ? letterCss(markSize) : '',
    /** 发文字号 under the portal page's title, when the head is not shown there. */
    number: !full ? d.number : undefined,
    addressee: d.addressee && (/[：:]$/.test(d.addressee) ? d.addressee : `${d.addressee}：`),
    annotation: d.annotation && (/^（.*）$/.test(d.annotation) ? d.annotation : `（${d.annotation}）`),
    seal: full ? loaded.seal : undefined,
    colophon:
      full && (d.cc || (d.printed_by && !letter))
        ? { cc: d.cc, letter, printedBy: letter ? undefined : d.printed_by, printedOn: printedOn && `${printedOn.year}年${printedOn.month}月${printedOn.day}日` }
        : undefined,
  };
}

/**
 * A template file: the workspace's own when it has one, else the one shipped with tongbao. The
 * workspace's own is read as every workspace file is (inside the root, under its size limit,
 * decoded, no control or bidirectional characters): a BulletinError says why it cannot be used.
 */
export function templatePath(root: string, name: string): string {
  const own = path.join(root, 'templates', name);
  if (!present(own)) return path.join(PACKAGE_TEMPLATES, name);
  const folder = outsideFolder(root, path.join(root, 'templates'));
  if (folder) throw new BulletinError([{ severity: 'error', file: displayPath(path.join(root, 'templates')), ...folder }]);
  const read = readWorkspaceText(root, own, 'template', { chars: true });
  if (read.messages.length) throw new BulletinError(read.messages);
  return own;
}

export interface CircularSource {
  file: string;
  text: string;
}

/**
 * The circular's Markdown files, in name order, each read as every workspace file is: inside
 * the workspace root (a linked file or folder from elsewhere is refused), under its size limit,
 * decoded as the tables are (UTF-8, BOM, GB18030), and without control, bidirectional or
 * unpaired surrogate characters, each told at its line and column.
 */
export function readCircular(loaded: LoadedBulletin): { sources: CircularSource[]; messages: Message[] } {
  const dir = loaded.paths.contentDir;
  const folder = outsideFolder(loaded.paths.root, dir);
  if (folder) return { sources: [], messages: [{ severity: 'error', file: displayPath(dir), ...folder }] };
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.md')).sort() : [];
  if (files.length === 0) {
    return {
      sources: [],
      messages: [{ severity: 'error', file: displayPath(dir), reason: '没有通报正文：目录中没有 .md 文件', hint: `在 ${displayPath(dir)}/ 中写 circular.md`, rule: 'content/missing' }],
    };
  }
  const sources: CircularSource[] = [];
  const messages: Message[] = [];
  for (const f of files) {
    const read = readWorkspaceText(loaded.paths.root, path.join(dir, f), 'circular', { chars: true });
    messages.push(...read.messages);
    if (read.text !== undefined && read.messages.length === 0) sources.push({ file: displayPath(path.join(dir, f)), text: read.text });
  }
  return { sources, messages };
}

/** Lint the circular: structure past the parser's bounds, and numbers typed into the prose that are not bound to figures. */
export function lintCircular(sources: CircularSource[]): Message[] {
  return sources.flatMap((s) => {
    const limits = markdownLimits(s.text, s.file);
    return limits.length ? limits : lintNumbers(s.text, s.file);
  });
}

interface CellView {
  text: { toHTML(): string; toString(): string };
  align: string;
  header: boolean;
  check: boolean;
  checked: boolean;
}

/**
 * A cell's text, escaped, with each long run of Latin letters, digits and signs (a web address,
 * an e-mail address) allowed to break: after / ? & = and the like first, anywhere if need be.
 * Unbroken, such a run sets its column's narrowest width, and the table runs off the page.
 * Runs of up to 24 characters (a site code, a date) are kept whole.
 */
/** Escaped as Handlebars escapes every other value of the templates. */
const escapeCell = (s: string) => Handlebars.Utils.escapeExpression(s);

function cellText(text: string): CellView['text'] {
  const html = () =>
    text
      .split(/([!-~]{25,})/)
      .map((part, i) => (i % 2 === 0 ? escapeCell(part) : `<span class="long-word">${part.split(/(?<=[/?&=._\-@#:;,])/).map(escapeCell).join('<wbr>')}</span>`))
      .join('');
  // `{{{text}}}` in a workspace's own template prints toString(): escaped all the same.
  return { toString: html, toHTML: html };
}

/** Names the bulletin's tables list (regions and the like): words a title is not broken inside. */
function titleWords(b: LoadedBulletin['bulletin']): string[] {
  return [...b.tables, ...b.attachments].flatMap((t) => t.columns.flatMap((c) => c.values ?? []));
}

/**
 * How titles and headers are shown: on screen each word a span that does not wrap, <wbr>
 * between them (screen.css); in the print a title's lines as breakTitle chose them and a
 * header as it was, one piece each, so that the PDF is drawn and tagged as before; for the
 * messages alone (check), as written: the cutting is for the eye.
 */
type Shown = 'screen' | 'print' | 'none';
type Piece = { text: string; plain?: true };

/** A title's lines (`given`, else breakTitle's) as `shown`, each line its pieces. */
function titleShown(title: string, given: readonly string[] | undefined, words: string[], shown: Shown): Piece[][] {
  if (shown === 'none') return [[{ text: title, plain: true }]];
  const lines = given ?? breakTitle(title, words);
  return shown === 'print' ? lines.map((text) => [{ text, plain: true }]) : lineWords(lines, words).map((l) => l.map((text) => ({ text })));
}

function headerShown(text: string, words: string[], shown: Shown): Piece[] {
  return shown === 'screen' ? headerWords(text, words).map((text) => ({ text })) : [{ text, plain: true }];
}

function attachmentView(table: Table, number: number, note: unknown, words: string[], shown: Shown) {
  const attachment = table.spec as LoadedBulletin['bulletin']['attachments'][number];
  const label = labelColumn(table.spec.columns);
  const align = (c: (typeof table.spec.columns)[number]) => c.align ?? (c.type === 'check' ? 'center' : 'left');
  return {
    number,
    id: table.id,
    kind: attachment.kind,
    title: attachment.title,
    title_lines: titleShown(attachment.title, undefined, words, shown),
    note,
    legend: attachment.kind === 'matrix' ? '表中 √ 表示已做到，空白表示未做到。' : undefined,
    /** More columns than a phone shows: the portal page scrolls it, and says so. */
    wide: table.spec.columns.length > 4,
    /** The PDF's orientation: print/layout.ts decides `auto` from the columns' content. */
    orientation: attachment.orientation,
    landscape: attachment.orientation === 'landscape',
    // On screen a header breaks between its words only (screen.css keeps a word's characters
    // together); the print sets its headers as the columns' widths let it (print/layout.ts).
    columns: table.spec.columns.map((c) => ({ name: c.name, name_words: headerShown(c.name, words, shown), width: c.width, align: align(c) })),
    rows: table.rows.map((r) =>
      table.spec.columns.map(
        (c): CellView => ({
          text: cellText(r.cells[c.key]?.text ?? ''),
          align: align(c),
          header: c === label,
          check: c.type === 'check',
          checked: r.cells[c.key]?.value === true,
        }),
      ),
    ),
  };
}

function chartView(data: ChartData, svg: unknown, shown: Shown) {
  return {
    ...data,
    svg,
    header_words: data.headers.map((h) => headerShown(h, [], shown)),
    rows: data.points.map((p) => ({ label: p.label, value: p.value ? (p.value.detail ? `${p.value.detail}（${p.value.text}）` : p.value.text) : '无数据' })),
  };
}

/** A file built beside the portal page in the same run, linked from it. */
export interface Download {
  file: string;
  label: string;
  bytes: number;
}

const DOWNLOADS_MARK = '<!--downloads-->';

/**
 * The portal page with links to the files built beside it. They are known only once the
 * build has printed (or kept) them: the page is rendered first with a mark in their place.
 */
export function withDownloads(html: string, downloads: readonly Download[]): string {
  const size = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);
  const links = downloads.map((d) => `<a href="${escapeHtml(encodeURI(d.file))}" download>${escapeHtml(d.label)}<span class="download-size">（${size(d.bytes)}）</span></a>`);
  const nav = links.length ? `<p class="downloads">下载：${links.join('、')}</p>` : '';
  return html.replace(DOWNLOADS_MARK, nav);
}

/**
 * The circular's HTML with each {{table id}} mark (a paragraph of its own) replaced by its
 * table. A table declared `print: inline` must be placed once; a mark inside a sentence, a
 * list or a quote cannot hold a table. Undefined when one of these went wrong.
 */
function placeTables(body: string, inline: ReadonlyMap<string, object | undefined>, render: (view: object) => string, loaded: LoadedBulletin, messages: Message[]): string | undefined {
  const placed = new Set<string>();
  const error = (reason: string, hint: string, file = displayPath(loaded.paths.contentDir)) => messages.push({ severity: 'error', file, reason, hint, rule: 'content/table' });
  const mark = tableMark('(\\w+)');
  const out = body.replace(new RegExp(`<p>${mark}</p>`, 'g'), (_, id: string) => {
    const view = inline.get(id);
    if (!view) return '';
    if (placed.has(id)) {
      error(`正文中 {{table ${id}}} 出现了不止一次`, '每个表格只在正文中印一次；删去多余的 {{table}}');
      return '';
    }
    placed.add(id);
    return render(view).trimEnd();
  });
  // (A value that reads as a mark is no mark: its ⟦ is preceded by NO_LINK.)
  if (new RegExp(`(?<!${NO_LINK})${mark}`).test(out)) error('{{table}} 写在了一句话、列表或引用之中', '{{table 表格id}} 要单独成段：前后各空一行');
  loaded.bulletin.attachments.forEach((a, i) => {
    if (a.print === 'inline' && !placed.has(a.id)) {
      messages.push({ severity: 'error', file: loaded.source.file, ...placeOf(loaded.source, ['attachments', i, 'print']), reason: `表格「${a.id}」写了 print: inline，但正文中没有 {{table ${a.id}}}`, hint: `在正文要印出它的地方单独写一段 {{table ${a.id}}}，或删去 print: inline 作为附件印出`, rule: 'content/table' });
    }
  });
  return messages.some((m) => m.rule === 'content/table') ? undefined : withoutLinkMarks(out);
}

export interface RenderedPage {
  html?: string;
  messages: Message[];
}

export function renderPage(loaded: LoadedBulletin, figures: Figures, sources: CircularSource[], options: PageOptions = {}): RenderedPage {
  const messages: Message[] = [];
  const root = loaded.paths.root;
  const b = loaded.bulletin;

  // The circular: each file expanded with its own line numbers, then one Markdown pass.
  const mdEscape = options.markFigures ? markedMarkdown : escapeMarkdown;
  const mdContext = renderContext(loaded, figures, mdEscape, escapeMarkdown);
  const mdEngine = sharedHandlebars(mdEscape);
  const parts: string[] = [];
  for (const s of sources) {
    const r = expandTemplate(mdEngine, s.text, mdContext, s.file);
    messages.push(...r.messages);
    if (r.text !== undefined) parts.push(r.text);
  }

  const htmlEscape = options.markFigures ? markedHtml : escapeHtml;
  const htmlEngine = sharedHandlebars(htmlEscape);
  const htmlContext = renderContext(loaded, figures, htmlEscape, escapeHtml);
  const words = titleWords(b);
  const printing = options.fontsCss !== undefined;
  const shown: Shown = options.messagesOnly ? 'none' : printing ? 'print' : 'screen';
  const tableView = (a: LoadedBulletin['bulletin']['attachments'][number], number: number, name: string, anchor: string, caption: string) => {
    let note: unknown;
    if (a.note !== undefined) {
      const r = renderNote(loaded, b.attachments.indexOf(a), name, mdEngine, mdContext);
      messages.push(...r.messages);
      note = r.html === undefined ? undefined : new htmlEngine.SafeString(r.html);
    }
    const table = heldTable(loaded, a.id);
    return table ? { ...attachmentView(table, number, note, words, shown), anchor, caption } : undefined;
  };
  const views = numberedAttachments(b.attachments).map((a, i) => tableView(a, i + 1, `附件${i + 1}`, `attachment-${i + 1}`, `附件${i + 1} ${a.title}`));
  // Tables printed in the text, where the circular says {{table id}}.
  const inline = new Map(b.attachments.filter((a) => a.print === 'inline').map((a) => [a.id, tableView(a, 0, `正文表格「${a.title}」`, `table-${a.id}`, a.title)] as const));
  if (messages.some((m) => m.severity === 'error') || views.includes(undefined) || [...inline.values()].includes(undefined)) return { messages };

  // Charts: drawn here as SVG. The copy printed to PDF holds only those declared `print: true`
  // (hidden ones would still leave link targets in the PDF); print CSS hides the rest when a
  // reader prints the portal page.
  const charts = b.charts.filter((c) => !printing || c.print).map((c) => {
    const data = chartData(loaded, figures, c);
    return chartView(data, new htmlEngine.SafeString(options.messagesOnly ? '' : renderChartSvg(data, `chart-${c.id}`)), shown);
  });

  const read = (name: string) => readFileSync(templatePath(root, name), 'utf8');
  const page = compiled(htmlEngine, read('bulletin.hbs'), { strict: false });
  for (const name of ['attachment', 'table', 'inline-table', 'document-head', 'colophon', 'chart']) {
    const source = read(`partials/${name}.hbs`);
    if (htmlEngine.partials[name] !== source) htmlEngine.registerPartial(name, source);
  }
  const body = placeTables(markdownToHtml(parts.join('\n\n')), inline, compiled(htmlEngine, read('partials/inline-table.hbs'), { strict: false }), loaded, messages);
  if (body === undefined) return { messages };
  const official = officialView(loaded, options.print ?? false);
  const csp = options.fontsCss ? PRINT_CSP : CSP;
  const html = page({
    ...htmlContext,
    title_lines: titleShown(b.title, b.title_lines, words, shown),
    csp,
    official,
    seal_slot: options.sealSlot,
    fonts_css: options.fontsCss,
    published_iso: isoDate(parseDate(b.published)!),
    css: { screen: read('screen.css'), print: read('print.css') + read('official.css') + (options.print ? read('landscape.css') : '') + (official?.letterCss ?? '') },
    body,
    attachment_views: views,
    chart_views: charts,
    charts_print: charts.some((c) => c.print),
  });
  // Every value above is escaped; only a workspace's own template could still write markup
  // that navigates or embeds a page (which the CSP cannot stop): the page is refused then.
  const unsafe = pageSafety(html, csp, displayPath(path.join(root, 'templates')), ownTemplates(root));
  if (unsafe.length) return { messages: [...messages, ...unsafe] };
  return { html, messages };
}

/** The workspace's own template files (read only when the page holds forbidden markup). */
function ownTemplates(root: string): { file: string; text: string }[] {
  const dir = path.join(root, 'templates');
  const names = ['bulletin.hbs', ...['attachment', 'table', 'inline-table', 'document-head', 'colophon', 'chart'].map((n) => `partials/${n}.hbs`)];
  return names.filter((n) => existsSync(path.join(dir, n))).map((n) => ({ file: displayPath(path.join(dir, n)), text: readFileSync(path.join(dir, n), 'utf8') }));
}

/**
 * An attachment's note: Markdown with figures, as the circular is (expanded with the
 * Markdown escaper, then the same pipeline and sanitizer), printed inline under its table.
 * Its problems are shown at their place in bulletin.yaml.
 */
function renderNote(loaded: LoadedBulletin, index: number, name: string, engine: typeof Handlebars, context: object): { html?: string; messages: Message[] } {
  const source = loaded.bulletin.attachments[index]!.note!;
  const notePath = ['attachments', index, 'note'];
  const at = (line?: number, column?: number) => {
    if (line === undefined) return placeOf(loaded.source, notePath);
    const lines = source.split('\n');
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, (column ?? 1) - 1);
    return placeInScalar(loaded.source, notePath, Math.min(offset, source.length));
  };
  const file = loaded.source.file;
  // A table cannot stand in a line under another table: said here, before its mark is printed.
  const table = tableCall(source);
  if (table) {
    return {
      messages: [{ severity: 'error', file, ...at(table.line, table.column), reason: `${name}的 note 中不能写 {{table ${table.id}}}：表格不能印在表下注中`, hint: `删去 note 中的 {{table}}；要在正文中印出表格，在正文中单独写一段 {{table ${table.id}}}，并在表格的声明中写 print: inline`, rule: 'content/table' }],
    };
  }
  const r = expandTemplate(engine, source, context, file);
  const messages = r.messages.map((m) => ({ ...m, ...at(m.line, m.column), reason: `${name}的 note：${m.reason}` }));
  if (r.text === undefined) return { messages };
  const html = inlineMarkdownToHtml(r.text);
  if (html === undefined) {
    messages.push({ severity: 'error', file, ...placeOf(loaded.source, notePath), reason: `${name}的 note 只能是表下的一段文字，不能有标题、列表、表格或引用`, hint: 'note 按 Markdown 排版（可用 **强调**、链接和换行）；标题、列表等写在正文中', rule: 'content/note' });
    return { messages };
  }
  return { html, messages };
}

/** The first `{{table …}}` of a template, with its place (1-based line and column). */
function tableCall(source: string): { id: string; line: number; column: number } | undefined {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch {
    return undefined; // the expansion reports it, with its place
  }
  let found: { id: string; line: number; column: number } | undefined;
  const visit = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; path?: { original?: unknown }; params?: unknown[]; loc?: hbs.AST.SourceLocation };
    if ((n.type === 'MustacheStatement' || n.type === 'BlockStatement' || n.type === 'SubExpression') && n.path?.original === 'table' && n.loc) {
      const arg = n.params?.[0] as { original?: unknown } | undefined;
      found = { id: typeof arg?.original === 'string' ? arg.original : '…', line: n.loc.start.line, column: n.loc.start.column + 1 };
      return;
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'loc' && k !== 'strip') visit(v);
  };
  visit(program);
  return found;
}
