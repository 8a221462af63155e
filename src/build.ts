// build: check → render → print → write. Outputs go to a temporary folder inside out/ and
// replace the previous ones only when all of them succeeded: a failed build never costs the
// last good bulletin.
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'puppeteer-core';
import { checkBulletin, type CheckResult } from './check/index.js';
import { Acceptance } from './check/accept.js';
import { CHECK_REPORT_FILE, checkReportHtml } from './render/report.js';
import { displayPath } from './bulletin.js';
import { BulletinError, hasErrors, sortMessages } from './messages.js';
import type { LayoutReport } from './print/layout.js';
import { lintCircular, readCircular, renderPage, withDownloads, type CircularSource } from './render/html.js';
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
import type { Message } from './messages.js';

export type Format = 'html' | 'pdf' | 'docx' | 'ofd' | 'all';
export const FORMATS: readonly Format[] = ['html', 'pdf', 'docx', 'ofd', 'all'];

/** Outputs kept from an earlier build when they were made from the same print HTML. */
const PRINTED_OUTPUTS = ['bulletin.pdf', 'bulletin.docx', 'bulletin.ofd'] as const;
/** Where a printed output's source is recorded: beside out/<period>/, so the swap leaves it. */
const sourceRecord = (outDir: string, period: string, file: string) => path.join(path.dirname(outDir), `.${period}.${path.extname(file).slice(1)}-source`);

export interface Rendered extends CheckResult {
  html?: string;
  sources?: CircularSource[];
}

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

/** Check and render in memory: everything `build` does except printing and writing. */
export async function renderBulletin(root: string, period: string): Promise<Rendered> {
  const result = await checkBulletin(root, period);
  if (!result.loaded || !result.figures) return result;
  const { sources, messages: read } = readCircular(result.loaded);
  // Problems kept on purpose (`accept:`) are warnings from here on, rendering included.
  const accept = new Acceptance(result.loaded);
  const messages = accept.apply([...result.messages, ...read, ...lintCircular(sources)]);
  let html: string | undefined;
  if (!hasErrors(messages)) {
    try {
      const page = renderPage(result.loaded, result.figures, sources);
      messages.push(...accept.apply(page.messages));
      html = page.html;
    } catch (e) {
      // A template of the workspace that may not be read (templates/ linked from elsewhere, a
      // bidirectional control in it): its messages, never a stack.
      if (!(e instanceof BulletinError)) throw e;
      messages.push(...e.messages);
    }
  }
  messages.push(...accept.unmatched());
  const sorted = sortMessages(messages);
  return { ...result, sources, messages: sorted, ok: !hasErrors(sorted), ...(html !== undefined && { html }) };
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
  const pre = format !== 'html' && !options.browser ? takePrelaunched() : undefined;
  const earlyStop = new AbortController();
  let early = format !== 'html' && !options.browser ? (pre?.browser ?? launchBrowser(earlyStop.signal)) : undefined;
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
      options,
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

async function buildWith(
  root: string,
  period: string,
  format: Format,
  progress: (stage: string, detail?: string) => void,
  options: BuildOptions,
  takeEarly: () => { browser: Promise<Browser>; cancel: () => void } | undefined,
  takeTab: () => Promise<Tab> | undefined,
): Promise<BuildResult> {
  // An interrupt is honoured at every step before the swap: the check is cheap, a lost output is not.
  const interrupted = () => {
    if (options.signal?.aborted) throw new Interrupted();
  };
  interrupted();
  progress('读取、核对数据并渲染网页');
  const rendered = await renderBulletin(root, period);
  interrupted();
  progress('已渲染网页', `${rendered.files} 个文件，${rendered.rows} 行数据`);
  if (!rendered.ok || rendered.html === undefined || !rendered.loaded || !rendered.figures) return { ...rendered, written: [] };
  const archive = !!(options.archive || options.sign || rendered.loaded.bulletin.archive);
  // Everything that can fail for want of a file or a password fails before printing.
  const prepared = await prepareArchive(options, archive);
  interrupted();
  if ('messages' in prepared) return { ...rendered, ok: false, messages: [...rendered.messages, ...prepared.messages], written: [] };
  const files = new Map<string, string | Uint8Array>();
  if (format === 'html' || format === 'all') files.set('index.html', rendered.html);
  // The Word document is laid out from the print (its wide tables, column widths, the 版记's
  // page): asked for alone, or with everything when the bulletin says so (docx: true).
  const wantsDocx = format === 'docx' || (format === 'all' && !!rendered.loaded.bulletin.docx);
  // The OFD is the PDF's pages read back: asked for alone, or with everything (ofd: true).
  const wantsOfd = format === 'ofd' || (format === 'all' && !!rendered.loaded.bulletin.ofd);

  // The print HTML says everything the PDF and the Word document show: a build that makes
  // neither compares it with the one they were made from. With neither beside it, it needs none.
  const wantsPrint = format !== 'html' || PRINTED_OUTPUTS.some((f) => existsSync(path.join(rendered.loaded!.paths.outDir, f)));
  let fonts: FontSetup | undefined;
  let fontsMissing: MissingFonts | undefined;
  if (wantsPrint) {
    try {
      // The characters the document prints (its text, tags and styles left out), for the check
      // of office fonts and the cut of the 楷 face: from the print page, which alone holds the
      // official elements (签发人, 版记) a portal page may leave out.
      const draft = renderPage(rendered.loaded, rendered.figures, rendered.sources!, { print: true, fontsCss: '' }).html ?? rendered.html;
      const text = draft.replace(/<(style|script)\b[\s\S]*?<\/\1>|<[^>]*>/gi, '').replace(/&(?:[a-z]+|#\d+|#x[\da-f]+);/gi, (e) => decodeEntity(e));
      fonts = await fontSetup(root, rendered.loaded.bulletin.fonts, text);
    } catch (e) {
      if (!(e instanceof MissingFonts)) throw e;
      fontsMissing = e;
    }
  }
  // Signed with a seal: the seal becomes the signature's face, drawn by its widget, so the
  // print leaves its box empty (and marked) rather than printing it a second time.
  const sealed = !!options.sign && rendered.loaded.seal !== undefined && format !== 'html';
  const page = fonts && renderPage(rendered.loaded, rendered.figures, rendered.sources!, { print: true, fontsCss: fonts.css, ...(sealed && { sealSlot: SEAL_MARKER }) });
  const printSource = page?.html !== undefined ? sha256(page.html) : undefined;

  let requests: BuildResult['requests'];
  let printReport: BuildResult['pdf'];
  let sealPng: Buffer | undefined;
  const docxNotes: string[] = [];
  const ofdNotes: string[] = [];
  const glyphMessages: Message[] = [];
  /** Characters a system font printed (Type 3): the OFD draws them, as paths. */
  const drawn: string[] = [];
  if (format !== 'html') {
    if (!fonts || !page) {
      const e = fontsMissing!;
      const problem: Message = {
        severity: 'error',
        file: rendered.loaded.source.file,
        ...placeOf(rendered.loaded.source, ['fonts']),
        reason: `要求使用正式字体（fonts: official），但 ${path.relative(process.cwd(), path.join(root, 'fonts')) || 'fonts'}/ 中没有可用的${e.names.join('、')}`,
        hint: '把字体文件放进工作目录下的 fonts/，文件名用字体名（如 fonts/仿宋_GB2312.ttf）；或删去 fonts: official，用随程序安装的免费字体',
        rule: 'fonts/missing',
      };
      return { ...rendered, ok: false, messages: [...rendered.messages, problem], written: [] };
    }
    const outParent = path.dirname(rendered.loaded.paths.outDir);
    mkdirSync(outParent, { recursive: true });
    const printDir = mkdtempSync(path.join(outParent, `.${period}.print-${process.pid}-`));
    const signal = options.signal;
    let browser = options.browser;
    // An interrupt closes our browser, which makes the pending print fail at once.
    const stop = () => void (browser && browserProcess(browser)?.kill('SIGKILL'));
    if (!options.browser) signal?.addEventListener('abort', stop);
    if (signal?.aborted) stop();
    let opened: Promise<Tab> | undefined;
    try {
      const htmlFile = path.join(printDir, 'print.html');
      writeFileSync(htmlFile, page.html!);
      if (!browser) progress('启动 Chromium');
      browser ??= await launch(takeEarly(), signal);
      progress('打印 PDF');
      const printer = browser;
      // The tab opened early serves the first try if it is on this browser (the early launch
      // may have failed or been given up); a second try opens its own.
      opened = takeTab();
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
      const rows = page.html!.match(/<tr\b/g)?.length ?? 0;
      const printed = await twice('打印', PRINT_TIMEOUT_MS * Math.max(1, Math.ceil(rows / 5000)), signal, () =>
        printPdf(printer, {
          htmlFile,
          allow: fonts.dirs,
          info: pdfInfo(rendered),
          timeoutMs: PRINT_TIMEOUT_MS,
          onSlice: (done, total) => progress('打印 PDF', `长表格分段打印：第 ${done}/${total} 段`),
        }, tab()),
      );
      files.set('bulletin.pdf', printed.pdf);
      // Characters the document's faces lack: the PDF tells whether a system font printed them
      // (a warning) or nothing did (an empty box: an error, and nothing is written).
      if (fonts.uncovered.length) {
        progress('核对字形');
        const checked = await glyphCheck(printed.pdf, fonts.uncovered, rendered);
        glyphMessages.push(...checked.messages);
        drawn.push(...checked.system);
        if (hasErrors(glyphMessages)) return { ...rendered, ok: false, messages: [...rendered.messages, ...glyphMessages], written: [] };
      }
      requests = printed.requests;
      if (sealed) sealPng = await rasterize(printer, rendered.loaded.seal!, SEAL_MM, SEAL_MM);
      printReport = { pages: countPages(printed.pdf), ...(printed.slices && { slices: printed.slices }), ...(printed.layout && { layout: printed.layout }) };
      progress('已打印 PDF', `${printReport.pages} 页`);
      if (wantsDocx) {
        progress('生成 Word 文档');
        const docx = await makeDocx(rendered, fonts.css, printed.layout, options.docxFigures ?? 'plain');
        files.set('bulletin.docx', docx.bytes);
        docxNotes.push(...docx.omitted);
      }
      if (wantsOfd) {
        progress('生成 OFD');
        const made = await makeOfd(printed.pdf, pdfInfo(rendered), rendered);
        if ('problem' in made) return { ...rendered, ok: false, messages: [...rendered.messages, made.problem], written: [] };
        files.set('bulletin.ofd', made.bytes);
        if (drawn.length) {
          glyphMessages.push({
            severity: 'warning',
            file: rendered.loaded.source.file,
            ...(rendered.loaded.bulletin.ofd && placeOf(rendered.loaded.source, ['ofd'])),
            reason: `bulletin.ofd 中的${drawn.map((c) => `「${c}」`).join('')}是图形，不是文字：PDF 中它们是系统字体的 Type 3 字形，OFD 照样画出，看起来相同，但不能检索、复制`,
            hint: '要让这些字在 OFD 中也是文字，把含有它们的正式字体放进 fonts/',
            rule: 'ofd/drawn-glyphs',
          });
        }
        // Signed with a seal, the print leaves the seal to the signature's widget: the OFD, unsigned, has none.
        if (sealed) ofdNotes.push('印章');
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      await opened?.then((t) => t.close()).catch(() => undefined);
      if (!options.browser && browser) await closeBrowser(browser).catch(() => undefined);
      rmSync(printDir, { recursive: true, force: true });
    }
    if (signal?.aborted) throw new Interrupted();
  }
  const outDir = rendered.loaded.paths.outDir;
  progress('写入 out/');
  let report: ArchiveReport | undefined;
  const printed = files.get('bulletin.pdf');
  if (printed && archive) {
    // PDF/A first, then the signature over it (a later change would break the signature).
    report = { pdfa: true };
    let t = performance.now();
    let pdf: Buffer;
    try {
      pdf = pdfA(Buffer.from(printed), prepared.icc);
    } catch (e) {
      if (!(e instanceof XmpNotWellFormed)) throw e;
      const problem: Message = { severity: 'error', file: rendered.loaded.source.file, reason: `PDF/A 的 XMP 元数据不是合格的 XML（${e.message}），未生成`, hint: '检查标题、发文机关等字段中是否有特殊字符', rule: 'archive/xmp' };
      return { ...rendered, ok: false, messages: [...rendered.messages, problem], written: [] };
    }
    report.pdfaMs = performance.now() - t;
    if (prepared.signer) {
      const { signPdf, subjectName } = await import('./archive/sign.js');
      t = performance.now();
      const time = prepared.time ?? signingTime();
      const tsa = options.sign?.tsa;
      let tsaCerts: Buffer[] = [];
      try {
        pdf = await signPdf(pdf, prepared.signer, {
          time,
          ...(sealPng && { appearance: { png: sealPng, marker: SEAL_MARKER } }),
          // PAdES B-T: the TSA's token over the signature value, checked before it is kept.
          ...(tsa && {
            timestamp: async (signature: Buffer) => {
              const { requestTimestamp } = await import('./archive/timestamp.js');
              const stamp = await requestTimestamp(tsa, signature, options.signal);
              report!.timestamp = { time: stamp.time, tsa: stamp.tsa };
              tsaCerts = stamp.certificates;
              return stamp.token;
            },
          }),
        });
        if (options.sign?.ltv) {
          // PAdES B-LT: the chains and their revocation data, in an update after the signature.
          const { collectValidation } = await import('./archive/revocation.js');
          const { addDss } = await import('./archive/ltv.js');
          const data = await collectValidation([prepared.signer.certificate, ...prepared.signer.chain, ...tsaCerts], options.signal);
          pdf = addDss(pdf, data);
          report.ltv = { certs: data.certs.length, crls: data.crls.length, ocsps: data.ocsps.length };
        }
      } catch (e) {
        const { TimestampError } = await import('./archive/timestamp.js');
        const { RevocationError } = await import('./archive/revocation.js');
        const { SealSlotMissing } = await import('./archive/sign.js');
        if (e instanceof SealSlotMissing) {
          const problem: Message = { severity: 'error', file: rendered.loaded.source.file, ...placeOf(rendered.loaded.source, ['document', 'seal']), reason: `${e.message}，签名时无法把印章作为签名的外观，未生成`, hint: '请把这个问题报告给维护者；不签名时印章照常印出', rule: 'sign/seal-slot' };
          return { ...rendered, ok: false, messages: [...rendered.messages, problem], written: [] };
        }
        if (!(e instanceof TimestampError) && !(e instanceof RevocationError)) throw e;
        const problem: Message = { severity: 'error', file: e instanceof TimestampError ? tsa! : displayPath(options.sign!.p12 ?? options.sign!.pem!.cert), reason: `${e.message}，未生成`, hint: e.hint, rule: e.rule };
        return { ...rendered, ok: false, messages: [...rendered.messages, problem], written: [] };
      }
      report.signMs = performance.now() - t;
      report.signer = subjectName(prepared.signer.certificate);
      report.signedAt = time;
    }
    files.set('bulletin.pdf', pdf);
  }
  // An output of the other format, from an earlier build, is never left stale: the page is
  // remade (it costs nothing); the PDF is kept only when it was printed from the same print
  // HTML, else removed, and the user is told either way.
  const kept: string[] = [];
  const messages = [...rendered.messages];
  if (format !== 'html') for (const n of fonts?.notes ?? []) messages.push({ severity: n.severity, file: displayPath(n.file), reason: n.reason, hint: '换用完整的字体文件，或删去它以使用免费字体', rule: 'fonts/unusable' });
  messages.push(...glyphMessages);
  // What the Word document leaves out, told at the declaration that puts it in the PDF.
  const printedChart = rendered.loaded.bulletin.charts.findIndex((c) => c.print);
  for (const what of docxNotes) {
    messages.push({
      severity: 'warning',
      file: rendered.loaded.source.file,
      ...(printedChart >= 0 && placeOf(rendered.loaded.source, ['charts', printedChart, 'print'])),
      reason: `bulletin.docx 中没有${what}：Word 文档只含文字和表格`,
      hint: '需要时把 PDF 中的图表另行插入 Word 文档',
      rule: 'docx/omitted',
    });
  }
  for (const what of ofdNotes) messages.push({ severity: 'warning', file: rendered.loaded.source.file, ...placeOf(rendered.loaded.source, ['document', 'seal']), reason: `bulletin.ofd 中没有${what}：签名的 PDF 中印章是签名的外观，OFD 的签章（GB/T 38540）尚未支持`, hint: '需要带印章的 OFD 时，不加 --sign 生成', rule: 'ofd/omitted' });
  if (format !== 'html' && format !== 'all' && existsSync(path.join(outDir, 'index.html'))) files.set('index.html', rendered.html);
  for (const file of PRINTED_OUTPUTS) {
    const old = path.join(outDir, file);
    if (files.has(file) || !existsSync(old)) continue;
    const record = sourceRecord(outDir, period, file);
    // Only a file an earlier build wrote is kept: never what a link put in its place.
    const recorded = lstatSync(old).isFile() && existsSync(record) ? readFileSync(record, 'utf8').trim() : undefined;
    if (recorded !== undefined && recorded === printSource) {
      files.set(file, readFileSync(old));
      kept.push(file);
    } else {
      messages.push({
        severity: 'warning',
        file: displayPath(old),
        reason: recorded === undefined ? `无法确认上次生成的 ${file} 与现在的数据一致，已删除` : `上次生成的 ${file} 与现在的数据不一致（数据、正文或模板改过），已删除`,
        hint: `运行 tongbao build ${period}${file === 'bulletin.pdf' ? '' : ` --format ${path.extname(file).slice(1)}`} 重新生成`,
        rule: `build/stale-${path.extname(file).slice(1)}`,
      });
    }
  }
  const html = files.get('index.html');
  if (typeof html === 'string') {
    const pdf = files.get('bulletin.pdf');
    files.set('index.html', withDownloads(html, pdf ? [{ file: 'bulletin.pdf', label: 'PDF 版', bytes: pdf.length }] : []));
  }
  // A bulletin reproduced as printed carries the list of what it keeps, and why.
  if (rendered.loaded.bulletin.accept.length) files.set(CHECK_REPORT_FILE, checkReportHtml(rendered.loaded, rendered.messages, rendered.checks));
  files.set(SUMS_FILE, sha256Sums(files));
  // A signed build signs its file list too, so that taking a PDF out or swapping it shows.
  if (prepared.signer && files.has('bulletin.pdf') && report?.signer) {
    const { cmsSignature } = await import('./archive/sign.js');
    files.set(SUMS_SIGNATURE, cmsSignature(prepared.signer, Buffer.from(sha256(files.get(SUMS_FILE)!), 'hex')));
  }
  interrupted();
  writeAtomically(outDir, files);
  // What the PDF and the Word document in out/ were made from; written after the swap, so that
  // a build stopped in between leaves a record that does not match (the file is then removed,
  // never kept stale).
  for (const file of PRINTED_OUTPUTS) {
    const record = sourceRecord(outDir, period, file);
    if (files.has(file) && !kept.includes(file) && printSource) writeFileSync(record, `${printSource}\n`);
    else if (!files.has(file)) rmSync(record, { force: true });
  }
  const written = [...files.keys()].filter((f) => f !== SUMS_FILE && f !== SUMS_SIGNATURE && !kept.includes(f));
  return { ...rendered, messages, written: [...written, SUMS_FILE, ...(files.has(SUMS_SIGNATURE) ? [SUMS_SIGNATURE] : [])], kept, outDir, ...(requests && { requests }), ...(printReport && { pdf: printReport }), ...(report && { archive: report }) };
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

async function prepareArchive(options: BuildOptions, archive: boolean): Promise<{ icc: string; signer?: Signer; time?: Date } | { messages: Message[] }> {
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
    return { icc, signer, time };
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
