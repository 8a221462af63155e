// build: check → render → print → write. Outputs go to a temporary folder inside out/ and
// replace the previous ones only when all of them succeeded: a failed build never costs the
// last good bulletin.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'puppeteer-core';
import { checkBulletin, type CheckResult } from './check.js';
import { hasErrors, sortMessages } from './messages.js';
import { lintCircular, readCircular, renderPage, type CircularSource } from './render/html.js';
import { launchBrowser } from './render/browser.js';
import { fontSetup } from './render/fonts.js';
import { printPdf } from './render/pdf.js';
import type { PdfInfo } from './render/pdf-finish.js';
import { periodInfo } from './render/period.js';
import { parseDate } from './values.js';
import { IccProfileNotFound, findIccProfile, pdfA } from './archive/pdfa.js';
import { SignerError, loadSigner, type Signer } from './archive/p12.js';
import { signPdf, subjectName } from './archive/sign.js';
import { SUMS_FILE, sha256Sums } from './archive/checksums.js';
import type { Message } from './messages.js';

export type Format = 'html' | 'pdf' | 'all';
export const FORMATS: readonly Format[] = ['html', 'pdf', 'all'];

export interface Rendered extends CheckResult {
  html?: string;
  sources?: CircularSource[];
}

export interface BuildOptions {
  format?: Format;
  /** A browser to print with; one is started (and stopped) when none is given. */
  browser?: Browser;
  /** PDF/A-2b (also `archive: true` in bulletin.yaml); implied by `sign`. */
  archive?: boolean;
  /** Sign the PDF with the certificate and key of a PKCS #12 file. */
  sign?: { p12: string; password: string };
}

export interface ArchiveReport {
  pdfa: boolean;
  /** Milliseconds spent on the PDF/A update and on signing. */
  pdfaMs?: number;
  signMs?: number;
  signer?: string;
  signedAt?: Date;
}

export interface BuildResult extends Rendered {
  /** Files written, in out/<period>/. */
  written: string[];
  outDir?: string;
  /** The printer's requests, allowed and refused. */
  requests?: { url: string; allowed: boolean }[];
  archive?: ArchiveReport;
}

/** Check and render in memory: everything `build` does except printing and writing. */
export function renderBulletin(root: string, period: string): Rendered {
  const result = checkBulletin(root, period);
  if (!result.loaded || !result.figures) return result;
  const { sources, messages: read } = readCircular(result.loaded);
  const messages = [...result.messages, ...read, ...lintCircular(sources)];
  let html: string | undefined;
  if (!hasErrors(messages)) {
    const page = renderPage(result.loaded, result.figures, sources);
    messages.push(...page.messages);
    html = page.html;
  }
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

export async function buildBulletin(root: string, period: string, options: BuildOptions = {}): Promise<BuildResult> {
  const format = options.format ?? 'all';
  const rendered = renderBulletin(root, period);
  if (!rendered.ok || rendered.html === undefined || !rendered.loaded || !rendered.figures) return { ...rendered, written: [] };
  const archive = !!(options.archive || options.sign || rendered.loaded.bulletin.archive);
  // Everything that can fail for want of a file or a password fails before printing.
  const prepared = await prepareArchive(options, archive);
  if ('messages' in prepared) return { ...rendered, ok: false, messages: [...rendered.messages, ...prepared.messages], written: [] };
  const files = new Map<string, string | Uint8Array>();
  if (format !== 'pdf') files.set('index.html', rendered.html);

  let requests: BuildResult['requests'];
  if (format !== 'html') {
    const fonts = fontSetup(root, rendered.loaded.bulletin.fonts);
    const page = renderPage(rendered.loaded, rendered.figures, rendered.sources!, { fontsCss: fonts.css });
    const outParent = path.dirname(rendered.loaded.paths.outDir);
    mkdirSync(outParent, { recursive: true });
    const printDir = mkdtempSync(path.join(outParent, `.${period}.print-`));
    const browser = options.browser ?? (await launchBrowser());
    try {
      const htmlFile = path.join(printDir, 'print.html');
      writeFileSync(htmlFile, page.html!);
      const printed = await printPdf(browser, { htmlFile, allow: fonts.dirs, info: pdfInfo(rendered) });
      files.set('bulletin.pdf', printed.pdf);
      requests = printed.requests;
    } finally {
      if (!options.browser) await browser.close();
      rmSync(printDir, { recursive: true, force: true });
    }
  }
  const outDir = rendered.loaded.paths.outDir;
  let report: ArchiveReport | undefined;
  const printed = files.get('bulletin.pdf');
  if (printed && archive) {
    // PDF/A first, then the signature over it (a later change would break the signature).
    report = { pdfa: true };
    let t = performance.now();
    let pdf = pdfA(Buffer.from(printed), prepared.icc);
    report.pdfaMs = performance.now() - t;
    if (prepared.signer) {
      t = performance.now();
      const time = signingTime();
      pdf = signPdf(pdf, prepared.signer, { time });
      report.signMs = performance.now() - t;
      report.signer = subjectName(prepared.signer.certificate);
      report.signedAt = time;
    }
    files.set('bulletin.pdf', pdf);
  }
  // Files this build does not remake are kept, and summed with the rest.
  for (const name of KEPT) {
    const old = path.join(outDir, name);
    if (!files.has(name) && existsSync(old)) files.set(name, readFileSync(old));
  }
  files.set(SUMS_FILE, sha256Sums(files));
  writeAtomically(outDir, files);
  const written = [...files.keys()].filter((f) => f !== SUMS_FILE);
  return { ...rendered, written: [...written, SUMS_FILE], outDir, ...(requests && { requests }), ...(report && { archive: report }) };
}

/** The signing time: now, or SOURCE_DATE_EPOCH for reproducible builds. */
function signingTime(): Date {
  const epoch = process.env['SOURCE_DATE_EPOCH'];
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

async function prepareArchive(options: BuildOptions, archive: boolean): Promise<{ icc: string; signer?: Signer } | { messages: Message[] }> {
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
  const file = path.relative(process.cwd(), options.sign.p12) || options.sign.p12;
  let p12: Buffer;
  try {
    p12 = readFileSync(options.sign.p12);
  } catch {
    return { messages: [{ severity: 'error', file, reason: '读不到签名证书文件', hint: '请核对 --p12 后面的路径', rule: 'sign/no-file' }] };
  }
  try {
    return { icc, signer: await loadSigner(p12, options.sign.password) };
  } catch (e) {
    if (!(e instanceof SignerError)) throw e;
    return { messages: [{ severity: 'error', file, reason: e.message, hint: e.hint, rule: e.rule }] };
  }
}

/**
 * Write every file into a fresh sibling folder, then swap it in with renames. Until the
 * last rename the old folder is untouched; after it, the new one is complete. Files of the
 * old folder that this build does not make (a PDF when only HTML is built) are kept.
 */
export function writeAtomically(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const parent = path.dirname(outDir);
  mkdirSync(parent, { recursive: true });
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
    if (hadOld) {
      keepOthers(old, outDir, files);
      rmSync(old, { recursive: true, force: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Outputs a build of one format leaves as they were. */
const KEPT = ['index.html', 'bulletin.pdf'];

/** Move the files of the previous output that this build did not remake into the new one. */
function keepOthers(old: string, outDir: string, files: ReadonlyMap<string, unknown>): void {
  for (const name of KEPT) {
    if (files.has(name)) continue;
    try {
      renameSync(path.join(old, name), path.join(outDir, name));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}
