// build: check → render → print → write. Outputs go to a temporary folder inside out/ and
// replace the previous ones only when all of them succeeded: a failed build never costs the
// last good bulletin.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'puppeteer-core';
import { CHECK_REPORT_FILE, checkReportHtml } from './render/report.js';
import { displayPath } from './bulletin.js';
import { hasErrors } from './messages.js';
import type { LayoutReport } from './print/layout.js';
import { renderPage, withDownloads, type CircularSource } from './render/html.js';
// Check and render without printing: a module of its own, so that `check` loads none of this one's.
import { renderBulletin, type Rendered } from './render-bulletin.js';
import { browserProcess, closeBrowser, launchBrowser } from './print/browser.js';
import { takePrelaunched } from './print/early.js';
import { MissingFonts, fontSetup, type FontSetup } from './print/fonts.js';
import { openTab, printPdf, type Tab } from './print/pdf.js';
import { rasterize } from './print/raster.js';
import { countPages } from './pdf/update.js';
import type { PdfInfo } from './pdf/finish.js';
import { periodInfo } from './periods.js';
import { parseDate } from './values.js';
import { placeOf } from './load/yaml.js';
import { firstPlaces } from './load/where.js';
import { codePoint } from './load/chars.js';
import { IccProfileNotFound, XmpNotWellFormed, findIccProfile, pdfA } from './archive/pdfa.js';
// Signing (pkijs, asn1js) is loaded only when a build signs: 0.2 s off every other start.
import type { Signer } from './archive/p12.js';
import { SUMS_FILE, SUMS_SIGNATURE, sha256, sha256Sums } from './archive/checksums.js';
import { readManifest, toolVersion, writeManifest, type Manifest, type OutputRecord, type OutputState } from './archive/manifest.js';
import { PRINTED_OUTPUTS, decideSet, type SetDecision } from './outputs/keep.js';
import type { LoadedBulletin } from './load/bulletin.js';
import type { Figures } from './figures/figure.js';
import type { Message } from './messages.js';

export type Format = 'html' | 'pdf' | 'docx' | 'ofd' | 'all';
export const FORMATS: readonly Format[] = ['html', 'pdf', 'docx', 'ofd', 'all'];


export { renderBulletin, type Rendered };

export interface BuildOptions {
  format?: Format;
  /** The Word document's figures: plain, or marked with the character style 数据 for reviewers. */
  docxFigures?: 'plain' | 'highlight';
  /** A browser to print with; one is started (and stopped) when none is given. */
  browser?: Browser;
  /** Aborting (Ctrl-C) stops the build; out/ keeps what it had. */
  signal?: AbortSignal;
  /** Told each stage as it starts, with a detail (rows read, pages printed). */
  onProgress?: (stage: string, detail?: string) => void;
  /** Replace (or remove) a PDF holding more than this build makes: signed, PDF/A, a higher PAdES level. */
  unsigned?: boolean;
  /** PDF/A-2b (also `archive: true` in bulletin.yaml); implied by `sign`. */
  archive?: boolean;
  /** Sign the PDF with the certificate and key of a PKCS #12 file. */
  sign?: {
    /** A PKCS #12 file, or a PEM key and certificate file (`pem`). */
    p12?: string;
    pem?: { key: string; cert: string };
    password: string;
    /** An RFC 3161 time-stamping authority's URL (PAdES B-T). */
    tsa?: string;
    /** Add the chains' certificates and revocation data in a DSS (PAdES B-LT). */
    ltv?: boolean;
  };
}

/** Printing failed twice: Chromium would not start, hung, or crashed. */
export class PrintError extends Error {
  constructor(
    readonly step: string,
    readonly reason: unknown,
  ) {
    super(`Chromium ${step}两次都没有成功：${(reason as Error)?.message?.split('\n')[0] ?? String(reason)}`);
    this.name = 'PrintError';
  }
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Seconds Chromium may take to start, and to print; TONGBAO_CHROMIUM_TIMEOUT sets both. */
const timeoutMs = (fallback: number) => {
  const s = Number(process.env['TONGBAO_CHROMIUM_TIMEOUT']);
  return s > 0 ? s * 1000 : fallback;
};
const LAUNCH_TIMEOUT_MS = timeoutMs(30_000);
const PRINT_TIMEOUT_MS = timeoutMs(120_000);

/** Run a Chromium step with a time limit, once more if it fails, then give up with a PrintError. */
/**
 * Run a Chromium step with a time limit, once more if it fails, then give up with a PrintError.
 * An attempt given up (timed out, or the build interrupted) is told so by its own signal and
 * handed to `abandon`, so that whatever it still starts (a slow Chromium) is ended, not leaked
 * to keep the program alive.
 */
async function twice<T>(step: string, ms: number, signal: AbortSignal | undefined, fn: (attempt: AbortSignal) => Promise<T>, abandon?: (late: Promise<T>) => void): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    if (signal?.aborted) throw new Interrupted();
    let timer: NodeJS.Timeout | undefined;
    const own = new AbortController();
    const stop = () => own.abort();
    signal?.addEventListener('abort', stop);
    const running = fn(own.signal);
    try {
      return await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`超过 ${ms / 1000} 秒没有完成`)), ms);
        }),
      ]);
    } catch (e) {
      own.abort();
      running.catch(() => undefined);
      abandon?.(running);
      if (signal?.aborted) throw new Interrupted();
      last = e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
    }
  }
  throw new PrintError(step, last);
}

/**
 * A browser for several builds (build --all): the one started early, or a new one, with the
 * time limit and the second try a single build has.
 */
export async function startBrowser(signal?: AbortSignal): Promise<Browser> {
  const pre = takePrelaunched();
  // Each period opens its own tab: the one opened early is not needed.
  void pre?.tab.then((t) => t.close()).catch(() => undefined);
  return launch(pre, signal);
}

/** Chromium started within the time limit, tried twice: a launch begun early is the first try. */
function launch(first: { browser: Promise<Browser>; cancel: () => void } | undefined, signal: AbortSignal | undefined): Promise<Browser> {
  let tries = 0;
  return twice(
    '启动',
    LAUNCH_TIMEOUT_MS,
    signal,
    (attempt) => (tries++ === 0 && first ? first.browser : launchBrowser(attempt)),
    // The early launch, given up, is ended at once (later tries end with their attempt).
    (late) => {
      if (late === first?.browser) first.cancel();
    },
  );
}

export interface ArchiveReport {
  pdfa: boolean;
  /** Milliseconds spent on the PDF/A update and on signing. */
  pdfaMs?: number;
  signMs?: number;
  signer?: string;
  signedAt?: Date;
  /** The time-stamp token's time and its authority, when the signature has one. */
  timestamp?: { time: Date; tsa: string };
  /** What the DSS holds (B-LT). */
  ltv?: { certs: number; crls: number; ocsps: number };
}

export interface BuildResult extends Rendered {
  /** Files written, in out/<period>/. */
  written: string[];
  /** Files of an earlier build kept as they were (a PDF still true to the data). */
  kept?: string[];
  outDir?: string;
  /** The printer's requests, allowed and refused. */
  requests?: { url: string; allowed: boolean }[];
  /** The PDF's pages, and how a long table was printed (in slices, or in one piece and why). */
  pdf?: { pages: number; slices?: { count: number; reason?: string }; layout?: LayoutReport };
  archive?: ArchiveReport;
}

/** The PDF's metadata, all from the data (SOURCE_DATE_EPOCH may fix the date instead). */
export function pdfInfo(r: Rendered): PdfInfo {
  const b = r.loaded!.bulletin;
  const p = periodInfo(b.period);
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  const d = parseDate(b.signed)!;
  return {
    title: b.title,
    author: b.office,
    subject: `${b.office}${p.text}通报`,
    keywords: (b.keywords ?? ['通报', '政府网站抽查', p.text]).join(', '),
    date: epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date(Date.UTC(d.year, d.month - 1, d.day) - 8 * 3600_000),
  };
}

/** An HTML entity of the escaped text as its character (&amp; → &, &#39; → '). */
function decodeEntity(e: string): string {
  const named: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&nbsp;': '\u00a0' };
  if (named[e]) return named[e]!;
  const m = /^&#(x?)([\da-f]+);$/i.exec(e);
  return m ? String.fromCodePoint(parseInt(m[2]!, m[1] ? 16 : 10)) : '';
}

export async function buildBulletin(root: string, period: string, options: BuildOptions = {}): Promise<BuildResult> {
  const format = options.format ?? 'all';
  const progress = options.onProgress ?? (() => undefined);
  // Chromium takes longer to start than the bulletin takes to check and render: start it
  // now, alongside. Its launch counts as the first of the two tries; a build that stops
  // before printing closes it.
  // A signing build reads its certificate (and the ICC profile) before starting Chromium: one
  // that cannot sign (a wrong password, an empty or truncated file) stops with no browser.
  const preparing = options.sign ? await prepareArchive(options, true) : undefined;
  const printing = format !== 'html' && !options.browser && !(preparing && 'messages' in preparing);
  const pre = printing ? takePrelaunched() : undefined;
  const earlyStop = new AbortController();
  let early = printing ? (pre?.browser ?? launchBrowser(earlyStop.signal)) : undefined;
  // Ends the early browser whatever its state: one that never comes up must not hold the build.
  const cancelEarly = pre?.cancel ?? (() => earlyStop.abort());
  early?.catch(() => undefined); // a failed launch is handled where it is awaited
  // The tab to print in is opened as soon as the browser is up (the prelaunched one already
  // has it), so that opening it overlaps rendering.
  const browserFor = options.browser ? Promise.resolve(options.browser) : early;
  let tab = format !== 'html' ? (pre?.tab ?? browserFor?.then(openTab)) : undefined;
  tab?.catch(() => undefined);
  const dropEarly = () => {
    const e = early;
    early = undefined;
    if (e) cancelEarly();
    return e?.then(closeBrowser).catch(() => undefined);
  };
  try {
    return await buildWith(
      root,
      period,
      format,
      progress,
      { ...options, ...(preparing && { preparing }) },
      () => {
        const e = early;
        early = undefined;
        return e && { browser: e, cancel: cancelEarly };
      },
      () => {
        const t = tab;
        tab = undefined;
        return t;
      },
    );
  } finally {
    // A tab nobody printed in (the build stopped before printing): close it, the browser
    // may be the caller's.
    await tab?.then((t) => t.close()).catch(() => undefined);
    await dropEarly();
  }
}

/** The options within one build: a signing build's certificate, read before anything else. */
type Within = BuildOptions & { preparing?: Awaited<ReturnType<typeof prepareArchive>> };

/** What every step of one build shares: the rendered bulletin, the options, and the set being made. */
interface Build {
  root: string;
  period: string;
  format: Format;
  options: Within;
  progress: (stage: string, detail?: string) => void;
  rendered: Rendered;
  loaded: LoadedBulletin;
  figures: Figures;
  sources: CircularSource[];
  html: string;
  prepared: { icc: string; signer?: Signer; time?: Date };
  /** PDF/A: asked for, implied by signing, or said in bulletin.yaml. */
  archive: boolean;
  outDir: string;
  manifest: Manifest | undefined;
  fonts?: FontSetup;
  /** The print page, with the seal's box left to the signature when signing with a seal. */
  page?: string;
  sealed: boolean;
  /** The digest of the print page as an unsigned build prints it: what the printed outputs say. */
  printSource?: string;
  decision?: SetDecision;
  /** The set being written, and each made file's source and state for the manifest. */
  files: Map<string, string | Uint8Array>;
  records: Map<string, Pick<OutputRecord, 'source' | 'state'>>;
  /** Warnings and notes of the steps, told after the check's. */
  notes: Message[];
  printed?: { pdf: Uint8Array; layout?: LayoutReport };
  requests?: BuildResult['requests'];
  printReport?: BuildResult['pdf'];
  report?: ArchiveReport;
  sealPng?: Buffer;
  /** Characters a system font printed (Type 3): the OFD draws them, as paths. */
  drawn: string[];
  takeEarly: () => { browser: Promise<Browser>; cancel: () => void } | undefined;
  takeTab: () => Promise<Tab> | undefined;
}

/**
 * One output of the set: the file it makes (the print, PDF/A and the signature work on one
 * file in turn), whether this build makes it, the digest of its source (what a later build
 * compares with the manifest to keep it), and how it makes its bytes: into `b.files`, or the
 * problems that stop the build.
 */
interface Step {
  file: string;
  wanted: (b: Build) => boolean;
  source?: (b: Build) => string | undefined;
  make: (b: Build) => Promise<Message[] | undefined>;
}

// The Word document is laid out from the print (its wide tables, column widths, the 版记's
// page), the OFD is the PDF's pages read back: each asked for alone, or with everything when
// bulletin.yaml says so (docx: true, ofd: true).
const wantsDocx = (b: Build) => b.format === 'docx' || (b.format === 'all' && !!b.loaded.bulletin.docx);
const wantsOfd = (b: Build) => b.format === 'ofd' || (b.format === 'all' && !!b.loaded.bulletin.ofd);
/** The portal page: made when asked for, and kept true to the data once it is there. */
const wantsPage = (format: Format, outDir: string) => format === 'html' || format === 'all' || existsSync(path.join(outDir, 'index.html'));

const STEPS: readonly Step[] = [
  { file: 'bulletin.pdf', wanted: (b) => b.format !== 'html', source: (b) => b.printSource, make: printStep },
  { file: 'bulletin.docx', wanted: wantsDocx, source: (b) => b.printSource, make: docxStep },
  { file: 'bulletin.ofd', wanted: wantsOfd, source: (b) => b.printSource, make: ofdStep },
  { file: 'bulletin.pdf', wanted: (b) => b.archive && b.files.has('bulletin.pdf'), make: archiveStep },
  // The outputs of earlier builds still true to the data and to their recorded bytes join the set.
  { file: '*', wanted: () => true, make: keepStep },
  { file: 'index.html', wanted: (b) => wantsPage(b.format, b.outDir), make: pageStep },
  // A bulletin reproduced as printed carries the list of what it keeps, and why.
  { file: CHECK_REPORT_FILE, wanted: (b) => b.loaded.bulletin.accept.length > 0, make: async (b) => void b.files.set(CHECK_REPORT_FILE, checkReportHtml(b.loaded, b.rendered.messages, b.rendered.checks, b.rendered.claims)) },
  { file: SUMS_FILE, wanted: () => true, make: async (b) => void b.files.set(SUMS_FILE, sha256Sums(b.files)) },
  // A signed build signs its file list too, so that taking a PDF out or swapping it shows.
  { file: SUMS_SIGNATURE, wanted: (b) => !!(b.prepared.signer && b.records.get('bulletin.pdf')?.state?.signer), make: sumsSignatureStep },
];

async function buildWith(
  root: string,
  period: string,
  format: Format,
  progress: (stage: string, detail?: string) => void,
  options: Within,
  takeEarly: Build['takeEarly'],
  takeTab: Build['takeTab'],
): Promise<BuildResult> {
  const interrupted = () => {
    if (options.signal?.aborted) throw new Interrupted();
  };
  const b = await begin({ root, period, format, progress, options, takeEarly, takeTab }, interrupted);
  if (!('takeTab' in b)) return b;
  // An interrupt is honoured at every step before the swap: the check is cheap, a lost output is not.
  for (const step of STEPS) {
    if (!step.wanted(b)) continue;
    interrupted();
    const problems = await step.make(b);
    if (problems) return failed(b.rendered, problems);
  }
  interrupted();
  return finish(b);
}

const failed = (rendered: Rendered, problems: Message[]): BuildResult => ({ ...rendered, ok: false, messages: [...rendered.messages, ...problems], written: [] });

/** Check and render, ready the signer, make the print page, and decide what becomes of out/<period>/. */
async function begin(given: Pick<Build, 'root' | 'period' | 'format' | 'progress' | 'options' | 'takeEarly' | 'takeTab'>, interrupted: () => void): Promise<Build | BuildResult> {
  const { root, period, options, progress } = given;
  interrupted();
  progress('读取、核对数据并渲染网页');
  // A build that makes no portal page renders it for its messages alone (no chart drawn).
  const rendered = await renderBulletin(root, period, { messagesOnly: (loaded) => !wantsPage(given.format, loaded.paths.outDir) });
  interrupted();
  progress('已渲染网页', `${rendered.files} 个文件，${rendered.rows} 行数据`);
  if (!rendered.ok || rendered.html === undefined || !rendered.loaded || !rendered.figures) return { ...rendered, written: [] };
  const archive = !!(options.archive || options.sign || rendered.loaded.bulletin.archive);
  // Everything that can fail for want of a file or a password fails before printing.
  const prepared = options.preparing ?? (await prepareArchive(options, archive));
  interrupted();
  if ('messages' in prepared) return failed(rendered, prepared.messages);
  // Said before signing, as the signer's other problems are.
  if (prepared.warnings?.length) rendered.messages.push(...prepared.warnings);
  const outDir = rendered.loaded.paths.outDir;
  const b: Build = {
    ...given,
    rendered,
    loaded: rendered.loaded,
    figures: rendered.figures,
    sources: rendered.sources!,
    html: rendered.html,
    prepared,
    archive,
    outDir,
    manifest: readManifest(outDir),
    // Signed with a seal: the seal becomes the signature's face, drawn by its widget, so the
    // print leaves its box empty (and marked) rather than printing it a second time.
    sealed: !!options.sign && rendered.loaded.seal !== undefined && given.format !== 'html',
    files: new Map(),
    records: new Map(),
    notes: [],
    drawn: [],
  };
  const problem = await printPage(b);
  if (problem) return failed(rendered, [problem]);
  b.decision = decideSet({
    outDir,
    period,
    manifest: b.manifest,
    made: new Set(STEPS.filter((s) => s.source && s.wanted(b)).map((s) => s.file)),
    sources: Object.fromEntries(STEPS.filter((s) => s.source).map((s) => [s.file, s.source!(b)])),
    pdfState: await pdfState(b),
    unsigned: !!options.unsigned,
    signing: !!prepared.signer,
  });
  if (b.decision.refused) return failed(rendered, [b.decision.refused]);
  return b;
}

/** The state of the PDF this build makes, before it is made. */
async function pdfState(b: Build): Promise<OutputState> {
  const sign = b.options.sign;
  if (!sign || !b.prepared.signer) return b.archive ? { pdfa: true } : {};
  const { subjectName } = await import('./archive/sign.js');
  return { pdfa: true, signer: subjectName(b.prepared.signer.certificate), level: sign.ltv ? 'B-LT' : sign.tsa ? 'B-T' : 'B-B' };
}

/**
 * The fonts and the print page. The print HTML says everything the PDF and the Word document
 * show: a build that makes neither compares it with the one they were made from. With neither
 * beside it, it needs none.
 */
async function printPage(b: Build): Promise<Message | undefined> {
  const wantsPrint = b.format !== 'html' || PRINTED_OUTPUTS.some((f) => existsSync(path.join(b.outDir, f)));
  if (!wantsPrint) return undefined;
  let missing: MissingFonts | undefined;
  try {
    // The characters the document prints (its text, tags and styles left out), for the check
    // of office fonts and the cut of the 楷 face: from the print page, which alone holds the
    // official elements (签发人, 版记) a portal page may leave out.
    const draft = renderPage(b.loaded, b.figures, b.sources, { print: true, fontsCss: '' }).html ?? b.html;
    const text = draft.replace(/<(style|script)\b[\s\S]*?<\/\1>|<[^>]*>/gi, '').replace(/&(?:[a-z]+|#\d+|#x[\da-f]+);/gi, (e) => decodeEntity(e));
    b.fonts = await fontSetup(b.root, b.loaded.bulletin.fonts, text);
  } catch (e) {
    if (!(e instanceof MissingFonts)) throw e;
    missing = e;
  }
  if (b.fonts) {
    const page = (sealSlot?: string) => renderPage(b.loaded, b.figures, b.sources, { print: true, fontsCss: b.fonts!.css, ...(sealSlot && { sealSlot }) }).html;
    const plain = page();
    b.page = b.sealed ? page(SEAL_MARKER) : plain;
    // The page names the office's faces by path: a face replaced under the same name prints
    // other glyphs, so their bytes count too (none: the page's hash alone, as before).
    if (plain !== undefined) b.printSource = sha256(b.fonts.faces.length ? `${plain}\0${b.fonts.faces.join('\n')}` : plain);
  }
  if (b.format === 'html' || b.page !== undefined) return undefined;
  return {
    severity: 'error',
    file: b.loaded.source.file,
    ...placeOf(b.loaded.source, ['fonts']),
    reason: `要求使用正式字体（fonts: official），但 ${path.relative(process.cwd(), path.join(b.root, 'fonts')) || 'fonts'}/ 中没有可用的${missing!.names.join('、')}`,
    hint: '把字体文件放进工作目录下的 fonts/，文件名用字体名（如 fonts/仿宋_GB2312.ttf）；或删去 fonts: official，用随程序安装的免费字体',
    rule: 'fonts/missing',
  };
}

/** The PDF printed by Chromium, its characters checked, and the seal rasterized for the signature's face. */
async function printStep(b: Build): Promise<Message[] | undefined> {
  const outParent = path.dirname(b.outDir);
  mkdirSync(outParent, { recursive: true });
  const printDir = mkdtempSync(path.join(outParent, `.${b.period}.print-${process.pid}-`));
  const signal = b.options.signal;
  let browser = b.options.browser;
  // An interrupt closes our browser, which makes the pending print fail at once.
  const stop = () => void (browser && browserProcess(browser)?.kill('SIGKILL'));
  if (!b.options.browser) signal?.addEventListener('abort', stop);
  if (signal?.aborted) stop();
  let opened: Promise<Tab> | undefined;
  try {
    const htmlFile = path.join(printDir, 'print.html');
    writeFileSync(htmlFile, b.page!);
    if (!browser) b.progress('启动 Chromium');
    browser ??= await launch(b.takeEarly(), signal);
    b.progress('打印 PDF');
    const printer = browser;
    // The tab opened early serves the first try if it is on this browser (the early launch
    // may have failed or been given up); a second try opens its own.
    opened = b.takeTab();
    const tab = () => {
      const t = opened;
      opened = undefined;
      return t?.then(
        (x) => (x.page.browser() === printer ? x : x.close().then(() => openTab(printer))),
        () => openTab(printer),
      );
    };
    // Each page load and print step has PRINT_TIMEOUT_MS; the whole print (a long table's
    // slices one after another) has it once per 5,000 table rows.
    const rows = b.page!.match(/<tr\b/g)?.length ?? 0;
    const printed = await twice('打印', PRINT_TIMEOUT_MS * Math.max(1, Math.ceil(rows / 5000)), signal, () =>
      printPdf(printer, { htmlFile, allow: b.fonts!.dirs, info: pdfInfo(b.rendered), timeoutMs: PRINT_TIMEOUT_MS, onSlice: (done, total) => b.progress('打印 PDF', `长表格分段打印：第 ${done}/${total} 段`) }, tab()),
    );
    b.files.set('bulletin.pdf', printed.pdf);
    b.records.set('bulletin.pdf', { ...(b.printSource && { source: b.printSource }) });
    b.printed = { pdf: printed.pdf, ...(printed.layout && { layout: printed.layout }) };
    // Characters the document's faces lack: the PDF tells whether a system font printed them
    // (a warning) or nothing did (an empty box: an error, and nothing is written).
    if (b.fonts!.uncovered.length) {
      b.progress('核对字形');
      const checked = await glyphCheck(printed.pdf, b.fonts!.uncovered, b.rendered);
      if (hasErrors(checked.messages)) return checked.messages;
      b.notes.push(...checked.messages);
      b.drawn.push(...checked.system);
    }
    b.requests = printed.requests;
    if (b.sealed) b.sealPng = await rasterize(printer, b.loaded.seal!, SEAL_MM, SEAL_MM);
    b.printReport = { pages: countPages(printed.pdf), ...(printed.slices && { slices: printed.slices }), ...(printed.layout && { layout: printed.layout }) };
    b.progress('已打印 PDF', `${b.printReport.pages} 页`);
  } finally {
    signal?.removeEventListener('abort', stop);
    await opened?.then((t) => t.close()).catch(() => undefined);
    if (!b.options.browser && browser) await closeBrowser(browser).catch(() => undefined);
    rmSync(printDir, { recursive: true, force: true });
  }
  if (signal?.aborted) throw new Interrupted();
  // The office fonts' notes concern the printed outputs only.
  b.notes.unshift(...(b.fonts?.notes ?? []).map((n): Message => ({ severity: n.severity, file: displayPath(n.file), reason: n.reason, hint: '换用完整的字体文件，或删去它以使用免费字体', rule: 'fonts/unusable' })));
  return undefined;
}

/** The Word document, and what it leaves out, told at the declaration that puts it in the PDF. */
async function docxStep(b: Build): Promise<Message[] | undefined> {
  b.progress('生成 Word 文档');
  const docx = await makeDocx(b.rendered, b.fonts!.css, b.printed!.layout, b.options.docxFigures ?? 'plain');
  b.files.set('bulletin.docx', docx.bytes);
  // How the figures are marked is the build's choice, not the data's: recorded, never a reason to remove it.
  b.records.set('bulletin.docx', { ...(b.printSource && { source: b.printSource }), state: { docxFigures: b.options.docxFigures ?? 'plain' } });
  const printedChart = b.loaded.bulletin.charts.findIndex((c) => c.print);
  for (const what of docx.omitted) {
    b.notes.push({
      severity: 'warning',
      file: b.loaded.source.file,
      ...(printedChart >= 0 && placeOf(b.loaded.source, ['charts', printedChart, 'print'])),
      reason: `bulletin.docx 中没有${what}：Word 文档只含文字和表格`,
      hint: '需要时把 PDF 中的图表另行插入 Word 文档',
      rule: 'docx/omitted',
    });
  }
  return undefined;
}

/** The OFD, from the printed PDF's pages. */
async function ofdStep(b: Build): Promise<Message[] | undefined> {
  b.progress('生成 OFD');
  const made = await makeOfd(b.printed!.pdf, pdfInfo(b.rendered), b.rendered);
  if ('problem' in made) return [made.problem];
  b.files.set('bulletin.ofd', made.bytes);
  b.records.set('bulletin.ofd', { ...(b.printSource && { source: b.printSource }), ...(b.sealed && { state: { sealOmitted: true } }) });
  if (b.drawn.length) {
    b.notes.push({
      severity: 'warning',
      file: b.loaded.source.file,
      ...(b.loaded.bulletin.ofd && placeOf(b.loaded.source, ['ofd'])),
      reason: `bulletin.ofd 中的${b.drawn.map((c) => `「${c}」`).join('')}是图形，不是文字：PDF 中它们是系统字体的 Type 3 字形，OFD 照样画出，看起来相同，但不能检索、复制`,
      hint: '要让这些字在 OFD 中也是文字，把含有它们的正式字体放进 fonts/',
      rule: 'ofd/drawn-glyphs',
    });
  }
  // Signed with a seal, the print leaves the seal to the signature's widget: the OFD, unsigned, has none.
  if (b.sealed) b.notes.push({ severity: 'warning', file: b.loaded.source.file, ...placeOf(b.loaded.source, ['document', 'seal']), reason: 'bulletin.ofd 中没有印章：签名的 PDF 中印章是签名的外观，OFD 的签章（GB/T 38540）尚未支持', hint: '需要带印章的 OFD 时，不加 --sign 生成', rule: 'ofd/omitted' });
  return undefined;
}

/** PDF/A first, then the signature over it (a later change would break the signature). */
async function archiveStep(b: Build): Promise<Message[] | undefined> {
  const report: ArchiveReport = { pdfa: true };
  b.report = report;
  const t = performance.now();
  let pdf: Buffer;
  try {
    pdf = pdfA(Buffer.from(b.files.get('bulletin.pdf')!), b.prepared.icc);
  } catch (e) {
    if (!(e instanceof XmpNotWellFormed)) throw e;
    return [{ severity: 'error', file: b.loaded.source.file, reason: `PDF/A 的 XMP 元数据不是合格的 XML（${e.message}），未生成`, hint: '检查标题、发文机关等字段中是否有特殊字符', rule: 'archive/xmp' }];
  }
  report.pdfaMs = performance.now() - t;
  const record = b.records.get('bulletin.pdf')!;
  record.state = { pdfa: true };
  if (b.prepared.signer) {
    const signed = await signStep(b, pdf, report);
    if ('problems' in signed) return signed.problems;
    pdf = signed.pdf;
    const level = report.timestamp ? (report.ltv && (report.ltv.crls || report.ltv.ocsps) ? 'B-LT' : 'B-T') : 'B-B';
    record.state = { pdfa: true, signer: report.signer!, level, signedAt: report.signedAt!.toISOString() };
  }
  b.files.set('bulletin.pdf', pdf);
  return undefined;
}

/** The signature (with its time-stamp token and validation data when asked), or the problem met. */
async function signStep(b: Build, unsigned: Buffer, report: ArchiveReport): Promise<{ pdf: Buffer } | { problems: Message[] }> {
  const { signPdf, subjectName } = await import('./archive/sign.js');
  const signer = b.prepared.signer!;
  const t = performance.now();
  const time = b.prepared.time ?? signingTime();
  const tsa = b.options.sign?.tsa;
  let tsaCerts: Buffer[] = [];
  let pdf: Buffer;
  try {
    pdf = await signPdf(unsigned, signer, {
      time,
      ...(b.sealPng && { appearance: { png: b.sealPng, marker: SEAL_MARKER } }),
      // PAdES B-T: the TSA's token over the signature value, checked before it is kept.
      ...(tsa && {
        timestamp: async (signature: Buffer) => {
          const { requestTimestamp } = await import('./archive/timestamp.js');
          const stamp = await requestTimestamp(tsa, signature, b.options.signal);
          report.timestamp = { time: stamp.time, tsa: stamp.tsa };
          tsaCerts = stamp.certificates;
          return stamp.token;
        },
      }),
    });
    if (b.options.sign?.ltv) {
      // PAdES B-LT: the chains and their revocation data, in an update after the signature.
      const { collectValidation } = await import('./archive/revocation.js');
      const { addDss } = await import('./archive/ltv.js');
      const data = await collectValidation([signer.certificate, ...signer.chain, ...tsaCerts], b.options.signal);
      pdf = addDss(pdf, data);
      report.ltv = { certs: data.certs.length, crls: data.crls.length, ocsps: data.ocsps.length };
    }
  } catch (e) {
    const { TimestampError } = await import('./archive/timestamp.js');
    const { RevocationError } = await import('./archive/revocation.js');
    const { SealSlotMissing } = await import('./archive/sign.js');
    if (e instanceof SealSlotMissing) {
      return { problems: [{ severity: 'error', file: b.loaded.source.file, ...placeOf(b.loaded.source, ['document', 'seal']), reason: `${e.message}，签名时无法把印章作为签名的外观，未生成`, hint: '请把这个问题报告给维护者；不签名时印章照常印出', rule: 'sign/seal-slot' }] };
    }
    if (!(e instanceof TimestampError) && !(e instanceof RevocationError)) throw e;
    return { problems: [{ severity: 'error', file: e instanceof TimestampError ? tsa! : displayPath(b.options.sign!.p12 ?? b.options.sign!.pem!.cert), reason: `${e.message}，未生成`, hint: e.hint, rule: e.rule }] };
  }
  report.signMs = performance.now() - t;
  report.signer = subjectName(signer.certificate);
  report.signedAt = time;
  return { pdf };
}

/** The held outputs decided kept join the set, with their records; a PDF kept over the new print takes its place. */
async function keepStep(b: Build): Promise<Message[] | undefined> {
  const d = b.decision!;
  b.notes.push(...d.messages);
  for (const [file, bytes] of d.kept) {
    b.files.set(file, bytes);
    b.records.set(file, { ...b.manifest!.outputs[file] });
  }
  // The kept PDF is not the one this build signed or made PDF/A: say nothing of them.
  if (d.keptInstead.includes('bulletin.pdf')) delete b.report;
  return undefined;
}

/** The portal page, remade whenever it is in the set (it costs nothing), with the PDF's download link. */
async function pageStep(b: Build): Promise<Message[] | undefined> {
  const pdf = b.files.get('bulletin.pdf');
  b.files.set('index.html', withDownloads(b.html, pdf ? [{ file: 'bulletin.pdf', label: 'PDF 版', bytes: pdf.length }] : []));
  return undefined;
}

async function sumsSignatureStep(b: Build): Promise<Message[] | undefined> {
  const { cmsSignature } = await import('./archive/sign.js');
  b.files.set(SUMS_SIGNATURE, cmsSignature(b.prepared.signer!, Buffer.from(sha256(b.files.get(SUMS_FILE)!), 'hex')));
  return undefined;
}

/** The set written atomically, then its manifest; what was written and kept, for the command to tell. */
function finish(b: Build): BuildResult {
  b.progress('写入 out/');
  writeAtomically(b.outDir, b.files);
  // Written after the swap: a build stopped in between leaves a record whose hashes do not
  // match the files, which are then never kept.
  const signedSums = b.files.has(SUMS_SIGNATURE) ? (b.decision!.kept.has(SUMS_SIGNATURE) ? b.manifest?.signedSums : String(b.files.get(SUMS_FILE))) : undefined;
  const outputs: Manifest['outputs'] = {};
  for (const [file, content] of [...b.files].sort(([x], [y]) => (x < y ? -1 : 1))) outputs[file] = { ...b.records.get(file), sha256: sha256(content), tool: b.decision!.kept.has(file) ? (b.manifest!.outputs[file]!.tool ?? toolVersion()) : toolVersion() };
  writeManifest(b.outDir, { manifest: 1, period: b.period, outputs, ...(signedSums !== undefined && { signedSums }) });
  // The records of an older tongbao, one per printed output, are replaced by the manifest.
  for (const f of PRINTED_OUTPUTS) rmSync(path.join(path.dirname(b.outDir), `.${b.period}.${path.extname(f).slice(1)}-source`), { force: true });
  const kept = [...b.decision!.kept.keys()];
  const order = ['index.html', ...PRINTED_OUTPUTS, CHECK_REPORT_FILE];
  const written = [...b.files.keys()].filter((f) => f !== SUMS_FILE && f !== SUMS_SIGNATURE && !kept.includes(f)).sort((x, y) => order.indexOf(x) - order.indexOf(y));
  return {
    ...b.rendered,
    messages: [...b.rendered.messages, ...b.notes],
    written: [...written, SUMS_FILE, ...(b.files.has(SUMS_SIGNATURE) && !kept.includes(SUMS_SIGNATURE) ? [SUMS_SIGNATURE] : [])],
    kept,
    outDir: b.outDir,
    ...(b.requests && { requests: b.requests }),
    ...(b.printReport && { pdf: b.printReport }),
    ...(b.report && { archive: b.report }),
  };
}

/** The link that marks the seal's box in a copy to be signed (never followed: nothing is fetched). */
const SEAL_MARKER = 'https://seal.tongbao.invalid/';
/** The seal's size on paper, as official.css prints it. */
const SEAL_MM = 42;

/** The Word document: the print HTML with its figures marked, laid out as the print decided. */
async function makeDocx(rendered: Rendered, fontsCss: string, layout: LayoutReport | undefined, figures: 'plain' | 'highlight'): Promise<{ bytes: Buffer; omitted: string[] }> {
  const { documentFromHtml } = await import('./docx/from-html.js');
  const { writeDocx } = await import('./docx/write.js');
  const page = renderPage(rendered.loaded!, rendered.figures!, rendered.sources!, { print: true, fontsCss, markFigures: true });
  const doc = documentFromHtml(page.html!, layout && { tables: layout.tables, ...(layout.colophon && { colophon: layout.colophon }) });
  const info = pdfInfo(rendered);
  const bytes = await writeDocx(doc, { highlightFigures: figures === 'highlight', info: { title: info.title, subject: info.subject, author: info.author, keywords: info.keywords, date: info.date } });
  return { bytes, omitted: doc.omitted };
}

/** The OFD: the printed PDF's pages, glyphs, rules and images, read back and written as GB/T 33190. */
async function makeOfd(pdf: Uint8Array, info: PdfInfo, rendered: Rendered): Promise<{ bytes: Buffer } | { problem: Message }> {
  const { documentFromPdf } = await import('./ofd/from-pdf.js');
  const { embeddedFonts } = await import('./ofd/fonts.js');
  const { writeOfd, ofdDocId } = await import('./ofd/write.js');
  const { OfdError } = await import('./ofd/model.js');
  try {
    const doc = await documentFromPdf(pdf);
    const keywords = info.keywords.split(/,\s*/).filter(Boolean);
    return { bytes: writeOfd(doc, embeddedFonts(pdf), { title: info.title, author: info.author, subject: info.subject, keywords, date: info.date }, ofdDocId(pdf)) };
  } catch (e) {
    if (!(e instanceof OfdError)) throw e;
    return { problem: { severity: 'error', file: rendered.loaded!.source.file, reason: `${e.message}，未生成`, hint: '请把这个问题报告给维护者；不生成 OFD（去掉 --format ofd 或 ofd: true）时照常生成', rule: 'ofd/unsupported' } };
  }
}

/**
 * What became of the characters the faces lack, from the printed PDF: each printed by a system
 * font is a warning, each printed by none (an empty box) an error; both at the character's
 * first place in the period's files.
 */
async function glyphCheck(pdf: Uint8Array, uncovered: readonly string[], rendered: Rendered): Promise<{ messages: Message[]; system: string[] }> {
  const { glyphSources } = await import('./pdf/glyphs.js');
  const found = await glyphSources(pdf);
  const boxed = found.boxes.size ? uncovered.filter((c) => !found.embedded.has(c) && !found.system.has(c)) : [];
  const system = uncovered.filter((c) => found.system.has(c));
  const places = firstPlaces(rendered.loaded!.paths, [...boxed, ...system]);
  // Told in the order they are met in the files, not in code point order.
  const order = (ch: string) => {
    const p = places.get(ch);
    return p ? [p.file, p.line, p.column] : ['\uffff', 0, 0];
  };
  const byPlace = (a: string, b: string) => {
    const [x, y] = [order(a), order(b)];
    return x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : (x[1] as number) - (y[1] as number) || (x[2] as number) - (y[2] as number);
  };
  boxed.sort(byPlace);
  system.sort(byPlace);
  const at = (ch: string) => {
    const p = places.get(ch);
    return p ? { file: displayPath(p.file), line: p.line, column: p.column } : { file: rendered.loaded!.source.file };
  };
  const boxPages = `第 ${[...found.boxes.keys()].join('、')} 页`;
  const messages: Message[] = boxed.map((ch) => ({
    severity: 'error',
    ...at(ch),
    reason: `「${ch}」（${codePoint(ch)}）没有字体能印出：PDF 中印成了空框（${boxPages}）`,
    hint: /[\u{E000}-\u{F8FF}\u{F0000}-\u{10FFFF}]/u.test(ch)
      ? '这是 Unicode 私用区的字符，多是旧编码（GBK 造字）转换留下的乱码：请改成要写的字'
      : /\p{Extended_Pictographic}/u.test(ch)
        ? '表情符号印不进公文：请删去，或改用文字'
        : '改用能印出的写法；确需这个字，把含有它的正式字体放进 fonts/（文件名用字体名，如 fonts/仿宋_GB2312.ttf）',
    rule: 'fonts/no-glyph',
  }));
  // Boxes whose characters cannot be told apart from the faces' coverage: still never silent.
  if (found.boxes.size && !boxed.length) {
    messages.push({ severity: 'error', file: rendered.loaded!.source.file, reason: `PDF 中有字没有字体能印出，印成了空框（${boxPages}）`, hint: '查看这些页上的空框，改用能印出的字', rule: 'fonts/no-glyph' });
  }
  for (const ch of system) {
    const { font, pages } = found.system.get(ch)!;
    messages.push({
      severity: 'warning',
      ...at(ch),
      reason: `「${ch}」（${codePoint(ch)}）不在公文所用的字体中，由系统字体 ${font} 补印（第 ${pages.join('、')} 页）：字形风格可能与正文不同，在 PDF 中是 Type 3 字形`,
      hint: '核对印出的样子；要用正式字形，把含有这个字的正式字体放进 fonts/',
      rule: 'fonts/system-glyph',
    });
  }
  return { messages, system };
}

/** The signing time: now, or SOURCE_DATE_EPOCH for reproducible builds. */
function signingTime(): Date {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

async function prepareArchive(options: BuildOptions, archive: boolean): Promise<{ icc: string; signer?: Signer; time?: Date; warnings?: Message[] } | { messages: Message[] }> {
  if (!archive) return { icc: '' };
  let icc: string;
  try {
    icc = findIccProfile();
  } catch (e) {
    if (!(e instanceof IccProfileNotFound)) throw e;
    return {
      messages: [{ severity: 'error', file: 'TONGBAO_ICC_PROFILE', reason: e.message, hint: 'PDF/A 需要 sRGB 色彩配置文件：在 Debian 上运行 apt-get install icc-profiles-free，或把环境变量 TONGBAO_ICC_PROFILE 设为一个 sRGB .icc 文件', rule: 'archive/icc-profile' }],
    };
  }
  if (!options.sign) return { icc };
  const sign = options.sign;
  const file = displayPath(sign.p12 ?? sign.pem!.key);
  const files: [string, string][] = sign.p12 ? [[sign.p12, '--p12']] : [[sign.pem!.key, '--key'], [sign.pem!.cert, '--cert']];
  const bytes: Buffer[] = [];
  for (const [f, option] of files) {
    try {
      bytes.push(readFileSync(f));
    } catch {
      return { messages: [{ severity: 'error', file: displayPath(f), reason: '读不到签名证书文件', hint: `请核对 ${option} 后面的路径`, rule: 'sign/no-file' }] };
    }
  }
  const { SignerError, checkSigner, loadPemSigner, loadSigner } = await import('./archive/p12.js');
  try {
    const signer = sign.p12 ? await loadSigner(bytes[0]!, sign.password) : loadPemSigner(bytes[0]!, bytes[1]!, sign.password);
    // The time the signature will carry: the certificate must be valid then.
    const time = signingTime();
    checkSigner(signer, time);
    const { signerWarnings } = await import('./archive/sign.js');
    // Named at the certificate's file: the .p12, or the --cert beside the key.
    const at = displayPath(sign.p12 ?? sign.pem!.cert);
    const warnings = signerWarnings(signer).map((w): Message => ({ severity: 'warning', file: at, ...w }));
    return { icc, signer, time, warnings };
  } catch (e) {
    if (!(e instanceof SignerError)) throw e;
    return { messages: [{ severity: 'error', file, reason: e.message, hint: e.hint, rule: e.rule }] };
  }
}

/**
 * Write every file into a fresh sibling folder, then swap it in with renames. Until the
 * last rename the old folder is untouched; after it, the new one is complete. The folder
 * holds exactly `files`: buildBulletin has already added the outputs it keeps.
 */
export function writeAtomically(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const parent = path.dirname(outDir);
  mkdirSync(parent, { recursive: true });
  recoverOut(outDir);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${path.basename(outDir)}.tmp-${tag}`);
  const old = path.join(parent, `.${path.basename(outDir)}.old-${tag}`);
  mkdirSync(tmp);
  try {
    for (const [name, content] of files) {
      const target = path.join(tmp, name);
      if (path.dirname(target) !== tmp) throw new Error(`output name escapes its folder: ${name}`);
      writeFileSync(target, content);
    }
    let hadOld = true;
    try {
      renameSync(outDir, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      hadOld = false;
    }
    try {
      renameSync(tmp, outDir);
    } catch (e) {
      if (hadOld) renameSync(old, outDir); // put the last good output back
      throw e;
    }
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Tidy what a build killed outright (SIGKILL, power loss) left behind: temporary folders go,
 * and an output caught between its two renames is put back.
 */
export function recoverOut(outDir: string): void {
  const parent = path.dirname(outDir);
  if (!existsSync(parent)) return;
  const prefix = `.${path.basename(outDir)}.`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const p = path.join(parent, name);
    if (name.startsWith(`${prefix}old-`) && !existsSync(outDir)) renameSync(p, outDir);
    else if (/^(tmp|old|print)-/.test(name.slice(prefix.length)) && !isLive(name)) rmSync(p, { recursive: true, force: true });
  }
}

/** A temporary folder of a build still running (its pid is alive), which is not ours to remove. */
function isLive(name: string): boolean {
  const pid = Number(/-(\d+)-[0-9A-Za-z]+$/.exec(name)?.[1]);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
