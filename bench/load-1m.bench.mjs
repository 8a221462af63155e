// Target (a): loading and computing the figures of a 1,000,000-row CSV streams at ≥ 80% of
// raw csv-parse throughput on the same file, in under 300 MB peak RSS. Each side runs in a
// child process of its own, so the peak RSS is that of one side only.
import { statSync } from 'node:fs';
import path from 'node:path';
import { generatePeriod } from './generate.mjs';
import { median, pairedRuns } from './stats.mjs';

const ROWS = 1_000_000;
const RUNS = 3;

const REFERENCE = `
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
const t0 = performance.now();
let n = 0;
for await (const _ of createReadStream(process.argv[2]).pipe(parse())) n++;
console.log(JSON.stringify({ ms: performance.now() - t0, rows: n, maxRssKB: process.resourceUsage().maxRSS }));
`;

const OURS = (dist) => `
import { checkBulletin } from ${JSON.stringify(path.join(dist, 'check', 'index.js'))};
const t0 = performance.now();
const r = await checkBulletin(process.argv[2], process.argv[3]);
const ms = performance.now() - t0;
const f = r.figures;
console.log(JSON.stringify({ ms, rows: r.rows, ok: r.ok, messages: r.messages.length, maxRssKB: process.resourceUsage().maxRSS,
  rate: f?.get('sites.passed.rate')?.derivation?.formula, count: String(f?.get('sites.count')?.value?.value) }));
`;

export default async function ({ repo, tmp, log }) {
  log(`generating ${ROWS} rows`);
  await generatePeriod(tmp, { period: '2024Q4', sites: ROWS, problems: 0, matrix: false, quarters: 40 });
  const csv = path.join(tmp, 'data', '2024Q4', 'sites.csv');
  const mb = statSync(csv).size / 2 ** 20;
  const { ref, ours } = pairedRuns({
    repo,
    tmp,
    name: 'csv-parse',
    runs: RUNS,
    reference: { source: REFERENCE, args: [csv] },
    ours: { source: OURS(path.join(repo, 'dist')), args: [tmp, '2024Q4'] },
    onRun: (i, r, o) => log(`run ${i + 1}: csv-parse ${r.ms.toFixed(0)} ms, tongbao check ${o.ms.toFixed(0)} ms, ${Math.round(o.maxRssKB / 1024)} MB`),
  });
  const last = ours.at(-1);
  if (!last.ok || last.count !== String(ROWS)) throw new Error(`check failed on the generated bulletin: ${JSON.stringify(last)}`);
  const refMs = median(ref.map((r) => r.ms));
  const oursMs = median(ours.map((r) => r.ms));
  const rss = Math.max(...ours.map((r) => r.maxRssKB)) / 1024;
  const ratio = refMs / oursMs; // our throughput over csv-parse's, same bytes
  return [
    {
      name: 'load-1m throughput vs csv-parse',
      value: mb / (oursMs / 1000),
      reference: mb / (refMs / 1000),
      ratio,
      target: '≥ 0.8',
      unit: 'MB/s',
      ok: ratio >= 0.8,
      note: `${ROWS} rows, ${mb.toFixed(1)} MB; medians of ${RUNS}: check ${oursMs.toFixed(0)} ms, csv-parse ${refMs.toFixed(0)} ms`,
    },
    { name: 'load-1m peak RSS', value: rss, reference: 300, ratio: rss / 300, target: '≤ 1', unit: 'MB', ok: rss < 300, note: `max RSS of the check process; csv-parse alone ${Math.round(Math.max(...ref.map((r) => r.maxRssKB)) / 1024)} MB` },
  ];
}
