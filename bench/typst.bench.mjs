// Issue 36, goal 1: the 20,000-row attachment of bench/print-large printed by tongbao against
// Typst, the fastest open typesetter, typesetting the same rows on the same page.
//
// Ours: `tongbao build <period> --format pdf` as a whole process (check, render, the sliced
// print, finishing). Typst: bench/typst-print.mjs in a child process of its own (compiler and
// fonts loaded, the table typeset, the PDF written): A4, the 156 × 225 mm type area, 12 pt,
// the same columns, borders and cell padding, the same free faces. Run alternately (ours,
// Typst, ours, …) so that the load of the machine falls on both alike; medians compared.
// Targets: time ≤ 1.0 of Typst's, peak memory (largest process) ≤ 0.5 of Typst's, and pages
// per 1,000 rows no more than Typst's (our rows no taller than the layout needs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generatePeriod } from './generate.mjs';
import { measured } from './procmem.mjs';
import { median, result } from './stats.mjs';
import { longTableRows } from './typst-rows.mjs';

const ROWS = Number(process.env.BENCH_PRINT_ROWS) || 20_000;
const RUNS = Number(process.env.BENCH_TYPST_RUNS) || 2;

/** Pages of our PDF that carry the long table (its head repeats on each). */
function tablePages(pdf, headWord) {
  const xml = execFileSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  return [...xml.matchAll(/<page[^>]*>([\s\S]*?)<\/page>/g)].filter((p) => p[1].includes(`>${headWord}<`)).length;
}

export default async function ({ repo, dist, tmp, log }) {
  const bin = path.join(repo, 'bin', 'tongbao.js');
  const typst = path.join(repo, 'bench', 'typst-print.mjs');
  const root = path.join(tmp, `b${ROWS}`);
  log(`generating a bulletin with a ${ROWS}-row attachment`);
  await generatePeriod(root, { period: '2024Q4', sites: 1000, problems: ROWS, quarters: 8, matrix: true });

  // The rows as tongbao prints them: the long table of the bulletin's print HTML.
  const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
  const { renderBulletin } = await load('build.js');
  const { renderPage } = await load('render/html.js');
  const { fontSetup } = await load('print/fonts.js');
  const r = await renderBulletin(root, '2024Q4');
  const page = renderPage(r.loaded, r.figures, r.sources, { print: true, fontsCss: (await fontSetup(root, r.loaded.bulletin.fonts)).css });
  const table = longTableRows(page.html, ROWS);
  if (!table) throw new Error(`no table of ${ROWS} rows in the generated bulletin`);
  const work = path.join(root, 'typst');
  mkdirSync(work, { recursive: true });
  const rowsFile = path.join(work, 'rows.json');
  writeFileSync(rowsFile, JSON.stringify(table));

  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    const a = await measured(process.execPath, [bin, 'build', '2024Q4', '--format', 'pdf', '--quiet'], { cwd: root });
    const b = await measured(process.execPath, [typst, rowsFile, path.join(work, 'typst.pdf')], { cwd: repo });
    ours.push(a);
    theirs.push({ ...b, ...JSON.parse(b.out.trim().split('\n').at(-1)) });
    log(`run ${i + 1}: tongbao ${(a.ms / 1000).toFixed(1)} s, ${(a.peak / 2 ** 20).toFixed(0)} MB; Typst ${(b.ms / 1000).toFixed(1)} s, ${(b.peak / 2 ** 20).toFixed(0)} MB`);
  }
  const oursPages = tablePages(path.join(root, 'out', '2024Q4', 'bulletin.pdf'), table.head.at(-1));
  const typstPages = theirs.at(-1).pages;
  const per = (pages) => (pages * 1000) / ROWS;
  log(`pages of the table: tongbao ${oursPages}, Typst ${typstPages} (${per(oursPages).toFixed(1)} vs ${per(typstPages).toFixed(1)} per 1,000 rows)`);
  const note = `${ROWS} rows, median of ${RUNS} alternate runs; whole build process vs Typst's process`;
  return [
    result(`typst ${ROWS} rows time vs Typst`, median(ours.map((x) => x.ms)), median(theirs.map((x) => x.ms)), { max: 1.0, note }),
    result(`typst ${ROWS} rows peak memory vs Typst`, median(ours.map((x) => x.peak)) / 2 ** 20, median(theirs.map((x) => x.peak)) / 2 ** 20, { max: 0.5, unit: 'MB', note: 'largest process of each tree (VmHWM)' }),
    result(`typst ${ROWS} rows pages per 1,000 rows vs Typst`, per(oursPages), per(typstPages), { max: 1.0, unit: 'pages', note: `${oursPages} pages of the table vs ${typstPages}; same type area, 12 pt, same padding and borders` }),
  ];
}
