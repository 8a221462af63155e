// Target: the PDF of a bulletin with a 20,000-row attachment in at most a quarter of the wall
// time and a quarter of the peak memory (largest process) that Chromium needs to print the
// same HTML in one piece, with the same text page for page.
//
// Ours: `tongbao build --format pdf` as a whole process (check, render and writing included),
// which prints the long table in slices on parallel tabs. The reference: one `page.pdf` of
// the bulletin's print HTML (what tongbao prints when it does not slice) with the same print
// options, browser launch included (bench/print-one.mjs).
//
// Page for page: the slices force every page break of the table where tongbao's pagination
// puts it; Chromium paginating on its own breaks elsewhere. So the text is compared page for
// page with one `page.pdf` of the same paginated document, at a size Chromium can print in one
// piece: at 20,000 rows it gives up ("Printing failed", about 14 GB, see BENCHMARKS.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatePeriod } from './generate.mjs';
import { measured } from './procmem.mjs';
import { result } from './stats.mjs';

const ROWS = Number(process.env.BENCH_PRINT_ROWS) || 20_000;
const SAME_TEXT_ROWS = Number(process.env.BENCH_SAME_TEXT_ROWS) || 4_000;

/** The bulletin's print HTML, and the same document with tongbao's page breaks forced. */
async function documents(dist, root, period, dir) {
  const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
  const { renderBulletin } = await load('build.js');
  const { renderPage } = await load('render/html.js');
  const { fontSetup } = await load('print/fonts.js');
  const { findLongTable } = await load('print/long-table.js');
  const { SLICING, tabsBeside, openTab } = await load('print/pdf.js');
  const { printSliced, paginatedDocument } = await load('print/slices.js');
  const { launchBrowser, closeBrowser } = await load('print/browser.js');
  const r = await renderBulletin(root, period);
  // The faces as a build sets them up: cut to the characters the print page holds.
  const draft = renderPage(r.loaded, r.figures, r.sources, { print: true, fontsCss: '' }).html;
  const fonts = await fontSetup(root, r.loaded.bulletin.fonts, draft.replace(/<(style|script)\b[\s\S]*?<\/\1>|<[^>]*>/gi, ''));
  const page = renderPage(r.loaded, r.figures, r.sources, { print: true, fontsCss: fonts.css });
  const print = path.join(dir, 'print.html');
  writeFileSync(print, page.html);
  const table = findLongTable(page.html, SLICING.fromRows);
  if (!table) throw new Error('no long table in the generated bulletin');
  const browser = await launchBrowser();
  try {
    const tab = await openTab(browser);
    // The pages tongbao chooses, from a sliced print of the same HTML.
    const sliced = await printSliced(tabsBeside(tab.page, { htmlFile: print, allow: fonts.dirs }, []), print, table, { ...SLICING, timeout: 0 });
    await tab.close();
    if ('reason' in sliced) throw new Error(sliced.reason);
    const paginated = path.join(dir, 'paginated.html');
    writeFileSync(paginated, paginatedDocument(sliced.table, sliced.starts));
    return { print, paginated, slices: sliced.count };
  } finally {
    await closeBrowser(browser);
  }
}

/** Each page's words (pdftotext), sorted: the same text whatever the reading order. */
function pageWords(pdf) {
  const xml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return [...xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].map((p) => [...p[1].matchAll(/<word[^>]*>([^<]*)<\/word>/g)].map((w) => w[1]).sort().join('\n'));
}

/** Attachment 1's first column (序号), page by page, top to bottom. */
function rowNumbers(pdf) {
  const xml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const out = [];
  for (const p of xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)) {
    if (!p[1].includes('>网站标识码<')) continue; // attachment 1's pages only
    const rows = [...p[1].matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(\d+)<\/word>/g)].filter((w) => Number(w[1]) < 110 && Number(w[2]) < 740);
    out.push(...rows.sort((a, b) => Number(a[2]) - Number(b[2])).map((w) => Number(w[3])));
  }
  return out;
}

async function bulletin(tmp, dist, rows) {
  const root = path.join(tmp, `b${rows}`);
  await generatePeriod(root, { period: '2024Q4', sites: 1000, problems: rows, quarters: 8, matrix: true });
  const dir = path.join(root, 'work');
  mkdirSync(dir, { recursive: true });
  return { root, dir, ...(await documents(dist, root, '2024Q4', dir)) };
}

export default async function ({ repo, dist, tmp, log }) {
  const bin = path.join(repo, 'bin', 'tongbao.js');
  const printOne = path.join(repo, 'bench', 'print-one.mjs');
  const out = [];

  log(`generating a bulletin with a ${ROWS}-row attachment`);
  const big = await bulletin(tmp, dist, ROWS);
  const ours = await measured(process.execPath, [bin, 'build', '2024Q4', '--format', 'pdf', '--quiet'], { cwd: big.root });
  log(`tongbao build (${big.slices} slices): ${(ours.ms / 1000).toFixed(1)} s, largest process ${(ours.peak / 2 ** 20).toFixed(0)} MB`);
  const refPdf = path.join(big.dir, 'one-piece.pdf');
  const ref = await measured(process.execPath, [printOne, big.print, refPdf], { cwd: big.root });
  log(`one page.pdf of the print HTML: ${(ref.ms / 1000).toFixed(1)} s, largest process ${(ref.peak / 2 ** 20).toFixed(0)} MB`);
  const oursPdf = path.join(big.root, 'out', '2024Q4', 'bulletin.pdf');
  const a = rowNumbers(oursPdf);
  const b = rowNumbers(refPdf);
  const inOrder = a.length === ROWS && a.every((n, i) => n === i + 1) && b.length === ROWS && b.every((n, i) => n === i + 1);
  const pages = [pageWords(oursPdf).length, pageWords(refPdf).length];
  log(`rows in order: ours ${a.length}, one piece ${b.length}${inOrder ? ' (1 … ' + ROWS + ', each once, in both)' : ' MISMATCH'}; pages: ${pages[0]} vs ${pages[1]}`);
  const note = `${ROWS} rows, ${big.slices} slices; ${pages[0]} pages vs ${pages[1]}`;
  out.push(
    result(`print-large ${ROWS} rows time vs one page.pdf`, ours.ms, ref.ms, { max: 0.25, note: `${note}; whole build process vs one print process` }),
    result(`print-large ${ROWS} rows peak memory vs one page.pdf`, ours.peak / 2 ** 20, ref.peak / 2 ** 20, { max: 0.25, unit: 'MB', note: 'largest process of each tree (VmHWM)' }),
    { name: `print-large ${ROWS} rows every row once, in order`, value: a.length, reference: b.length, ratio: inOrder ? 1 : 0, target: '= 1', unit: 'rows', ok: inOrder, note: '序号 column read by pdftotext in both PDFs' },
  );

  log(`generating a bulletin with a ${SAME_TEXT_ROWS}-row attachment`);
  const mid = await bulletin(tmp, dist, SAME_TEXT_ROWS);
  const mine = await measured(process.execPath, [bin, 'build', '2024Q4', '--format', 'pdf', '--quiet'], { cwd: mid.root });
  const onePdf = path.join(mid.dir, 'paginated.pdf');
  const one = await measured(process.execPath, [printOne, mid.paginated, onePdf], { cwd: mid.root });
  log(`${SAME_TEXT_ROWS} rows: tongbao build ${(mine.ms / 1000).toFixed(1)} s, one page.pdf of the paginated document ${(one.ms / 1000).toFixed(1)} s`);
  const x = pageWords(path.join(mid.root, 'out', '2024Q4', 'bulletin.pdf'));
  const y = pageWords(onePdf);
  const differing = x.map((p, i) => (p === y[i] ? 0 : i + 1)).filter(Boolean);
  const same = x.length === y.length && differing.length === 0;
  log(`text: ${x.length} vs ${y.length} pages, ${differing.length} differ${differing.length ? ` (first: ${differing.slice(0, 5).join(', ')})` : ''}`);
  out.push(
    { name: `print-large ${SAME_TEXT_ROWS} rows same text page for page`, value: x.length - differing.length, reference: y.length, ratio: same ? 1 : 0, target: '= 1', unit: 'pages', ok: same, note: same ? `pdftotext words of all ${x.length} pages equal, ${mid.slices} slices` : `differing pages: ${differing.slice(0, 10).join(', ')}` },
    // For information only (no target): below ~5,000 rows slicing gains little.
    { name: `print-large ${SAME_TEXT_ROWS} rows time vs one page.pdf of the paginated document`, value: mine.ms, reference: one.ms, ratio: mine.ms / one.ms, target: 'info', unit: 'ms', ok: true, note: 'information: the quarter is asked at 20,000 rows' },
  );
  return out;
}
