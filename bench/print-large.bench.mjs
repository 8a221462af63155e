// Target: the PDF of a bulletin with a 20,000-row attachment in at most a quarter of the wall
// time and a quarter of the peak memory (largest process) that Chromium needs to print the
// same HTML in one piece, with the same text page for page. Ours: `tongbao build --format pdf`
// as a whole process (check, render and writing included), which prints the long table in
// slices. The reference: one `page.pdf` of the same document with the same page breaks and
// print options (bench/print-one.mjs), launch included.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatePeriod } from './generate.mjs';
import { watchTree } from './procmem.mjs';
import { result } from './stats.mjs';

const ROWS = Number(process.env.BENCH_PRINT_ROWS) || 20_000;

/** Run a process to its end: wall time and the peak memory of its largest process. */
function measured(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
    const stop = watchTree(child.pid);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const peak = stop();
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(0, 2000)}`));
      else resolve({ ms, peak });
    });
  });
}

/** The document the slices are cut from, with its page breaks, written as one file. */
async function oneDocument(dist, root, period, dir) {
  const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
  const { renderBulletin } = await load('build.js');
  const { renderPage } = await load('render/html.js');
  const { fontSetup } = await load('render/fonts.js');
  const { findLongTable } = await load('render/long-table.js');
  const { SLICING, opener, openTab } = await load('render/pdf.js');
  const { planPages, paginatedDocument } = await load('render/pdf-slices.js');
  const { launchBrowser, closeBrowser } = await load('render/browser.js');
  const r = await renderBulletin(root, period);
  const fonts = fontSetup(root, r.loaded.bulletin.fonts);
  const page = renderPage(r.loaded, r.figures, r.sources, { print: true, fontsCss: fonts.css });
  const table = findLongTable(page.html, SLICING.fromRows);
  if (!table) throw new Error('no long table in the generated bulletin');
  const browser = await launchBrowser();
  try {
    const tab = await openTab(browser);
    const htmlFile = path.join(dir, 'print.html');
    writeFileSync(htmlFile, page.html);
    const plan = await planPages(opener(tab.page, { htmlFile, allow: fonts.dirs }, []), dir, table, { ...SLICING, timeout: 0 });
    if (typeof plan === 'string') throw new Error(plan);
    const file = path.join(dir, 'one-piece.html');
    writeFileSync(file, paginatedDocument(table, plan));
    return { file, slices: plan.slices.length, pages: plan.starts.length };
  } finally {
    await closeBrowser(browser);
  }
}

/** Each page's words (pdftotext), sorted: the same text page for page, whatever the reading order. */
function pageWords(pdf) {
  const xml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return [...xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].map((p) => [...p[1].matchAll(/<word[^>]*>([^<]*)<\/word>/g)].map((w) => w[1]).sort().join('\n'));
}

export default async function ({ repo, dist, tmp, log }) {
  log(`generating a bulletin with a ${ROWS}-row attachment`);
  await generatePeriod(tmp, { period: '2024Q4', sites: 1000, problems: ROWS, quarters: 8, matrix: true });
  const work = path.join(tmp, 'one');
  mkdirSync(work, { recursive: true });
  const doc = await oneDocument(dist, tmp, '2024Q4', work);
  log(`${doc.pages} pages of table, ${doc.slices} slices`);

  const ours = await measured(process.execPath, [path.join(repo, 'bin', 'tongbao.js'), 'build', '2024Q4', '--format', 'pdf', '--quiet'], { cwd: tmp });
  log(`tongbao build: ${(ours.ms / 1000).toFixed(1)} s, largest process ${(ours.peak / 2 ** 20).toFixed(0)} MB`);
  const refPdf = path.join(work, 'one-piece.pdf');
  const ref = await measured(process.execPath, [path.join(repo, 'bench', 'print-one.mjs'), doc.file, refPdf], { cwd: tmp });
  log(`one page.pdf: ${(ref.ms / 1000).toFixed(1)} s, largest process ${(ref.peak / 2 ** 20).toFixed(0)} MB`);

  const a = pageWords(path.join(tmp, 'out', '2024Q4', 'bulletin.pdf'));
  const b = pageWords(refPdf);
  const differing = a.map((p, i) => (p === b[i] ? 0 : i + 1)).filter(Boolean);
  const same = a.length === b.length && differing.length === 0;
  log(`text: ${a.length} vs ${b.length} pages, ${differing.length} differ${differing.length ? ` (first: ${differing.slice(0, 5).join(', ')})` : ''}`);
  const note = `${ROWS} rows, ${a.length} pages, ${doc.slices} slices`;
  return [
    result(`print-large ${ROWS} rows time vs one page.pdf`, ours.ms, ref.ms, { max: 0.25, note: `${note}; whole build process vs one print process` }),
    result(`print-large ${ROWS} rows peak memory vs one page.pdf`, ours.peak / 2 ** 20, ref.peak / 2 ** 20, { max: 0.25, unit: 'MB', note: 'largest process of each tree (VmHWM)' }),
    { name: 'print-large same text page for page', value: a.length - differing.length, reference: b.length, ratio: same ? 1 : 0, target: '= 1', unit: 'pages', ok: same, note: same ? 'pdftotext words of every page equal' : `differing pages: ${differing.slice(0, 10).join(', ')}` },
  ];
}
