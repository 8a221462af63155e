// The register (issue 21): `tongbao sites` over a workspace of 40 quarters, each listing
// 44,000 problem sites (1.76 million listings; consecutive quarters share about half their
// sites). Reference, in the same run: csv-parse alone reading the same 40 files. Target: the
// register is built at ≥ 0.5 of that throughput (it types every cell and files every row), in
// under 500 MB peak RSS. Each side runs in a child process of its own.
import { statSync } from 'node:fs';
import path from 'node:path';
import { generatePeriod } from './generate.mjs';
import { median, pairedRuns } from './stats.mjs';

const PERIODS = 40;
const ROWS = 44_000;
const RUNS = 3;

const REFERENCE = `
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
const t0 = performance.now();
let n = 0;
for (const file of process.argv.slice(2)) for await (const _ of createReadStream(file).pipe(parse())) n++;
console.log(JSON.stringify({ ms: performance.now() - t0, rows: n, maxRssKB: process.resourceUsage().maxRSS }));
`;

const OURS = (dist) => `
import { readRegister } from ${JSON.stringify(path.join(dist, 'register', 'read.js'))};
const t0 = performance.now();
const r = await readRegister(process.argv[2]);
const built = performance.now() - t0;
let sites = 0;
let repeats = 0;
for (const s of r.summaries()) {
  sites++;
  if (s.periods.length > 1) repeats++;
}
console.log(JSON.stringify({ ms: performance.now() - t0, built, listings: r.listings, sites, repeats, periods: r.periods.length, unread: r.unread.length, maxRssKB: process.resourceUsage().maxRSS }));
`;

export default async function ({ repo, tmp, log }) {
  log(`generating ${PERIODS} quarters × ${ROWS} problem sites`);
  const periods = [];
  for (let i = 0; i < PERIODS; i++) {
    const period = `${2015 + Math.floor(i / 4)}Q${(i % 4) + 1}`;
    periods.push(period);
    // ~1,375 sites a province a quarter; starting 700 further on each quarter shares about half.
    await generatePeriod(tmp, { period, sites: 10, problems: ROWS, quarters: 4, matrix: false, seed: i + 1, problemStart: i * 700 });
  }
  const files = periods.map((p) => path.join(tmp, 'data', p, 'problem-sites.csv'));
  const mb = files.reduce((s, f) => s + statSync(f).size, 0) / 2 ** 20;
  const { ref, ours } = pairedRuns({
    repo,
    tmp,
    name: 'register-csv-parse',
    runs: RUNS,
    reference: { source: REFERENCE, args: files },
    ours: { source: OURS(path.join(repo, 'dist')), args: [tmp] },
    onRun: (i, r, o) => log(`run ${i + 1}: csv-parse ${r.ms.toFixed(0)} ms, register ${o.ms.toFixed(0)} ms (built in ${o.built.toFixed(0)}), ${Math.round(o.maxRssKB / 1024)} MB`),
  });
  const last = ours.at(-1);
  if (last.periods !== PERIODS || last.unread || last.listings !== PERIODS * ROWS) throw new Error(`register incomplete: ${JSON.stringify(last)}`);
  const refMs = median(ref.map((r) => r.ms));
  const oursMs = median(ours.map((r) => r.ms));
  const rss = Math.max(...ours.map((r) => r.maxRssKB)) / 1024;
  const ratio = refMs / oursMs;
  const note = `${PERIODS} × ${ROWS} rows, ${mb.toFixed(0)} MB, ${last.sites} sites (${last.repeats} listed more than once); medians of ${RUNS}: register ${(oursMs / 1000).toFixed(2)} s, csv-parse ${(refMs / 1000).toFixed(2)} s`;
  return [
    { name: 'register 40×44k throughput vs csv-parse', value: mb / (oursMs / 1000), reference: mb / (refMs / 1000), ratio, target: '≥ 0.5', unit: 'MB/s', ok: ratio >= 0.5, note },
    { name: 'register 40×44k peak RSS', value: rss, reference: 500, ratio: rss / 500, target: '≤ 1', unit: 'MB', ok: rss < 500, note: `max RSS of the register process; csv-parse alone ${Math.round(Math.max(...ref.map((r) => r.maxRssKB)) / 1024)} MB` },
  ];
}
