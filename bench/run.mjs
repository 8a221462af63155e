// `npm run bench`: compile, then run every bench/*.bench.mjs in name order (or those whose
// name contains an argument: `npm run bench -- load`). Each file exports
// `default async function (ctx)` with ctx = { repo, dist, tmp, log } and returns results
// { name, value, reference, ratio, target, unit, ok, note }; all go to out/bench.json.
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(repo, 'dist');
const filters = process.argv.slice(2);

// Compiled and bundled as `npm run build:ts` does: the benches time what a user runs.
execSync('npx tsc -p tsconfig.json && node .ci/bundle.mjs', { cwd: repo, stdio: 'inherit' });

const files = readdirSync(path.join(repo, 'bench'))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !filters.length || filters.some((x) => f.includes(x)))
  .sort();

const fmt = (x) => (typeof x === 'number' ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x ?? ''));
const all = [];
const started = new Date();
for (const file of files) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `tongbao-bench-${file.replace(/\.bench\.mjs$/, '')}-`));
  const log = (line) => process.stdout.write(`  [${file}] ${line}\n`);
  console.log(`# ${file}`);
  const t0 = performance.now();
  let results;
  try {
    const mod = await import(pathToFileURL(path.join(repo, 'bench', file)).href);
    results = await mod.default({ repo, dist, tmp, log });
  } catch (e) {
    // A bench that fails is a result too: reported as missed, the others still run.
    results = [{ name: file, value: null, reference: null, ratio: null, target: '', unit: '', ok: false, note: `failed: ${e?.stack ?? e}` }];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const r of results) {
    console.log(`ratio ${r.name}: ${fmt(r.ratio)} (target ${r.target}) ${r.ok ? 'ok' : 'MISSED'}`);
    all.push({ file, ...r });
  }
  console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

// The final table, also pasted into BENCHMARKS.md.
const rows = [['name', 'value', 'reference', 'unit', 'ratio', 'target', 'result', 'note']].concat(
  all.map((r) => [r.name, fmt(r.value), fmt(r.reference), r.unit ?? '', fmt(r.ratio), r.target ?? '', r.ok ? 'ok' : 'MISSED', (r.note ?? '').split('\n')[0]]),
);
console.log('\n| ' + rows[0].join(' | ') + ' |\n|' + rows[0].map(() => '---').join('|') + '|');
for (const r of rows.slice(1)) console.log('| ' + r.join(' | ') + ' |');

mkdirSync(path.join(repo, 'out'), { recursive: true });
const machine = { nproc: os.availableParallelism?.() ?? os.cpus().length, memoryGB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform} ${os.release()}` };
writeFileSync(path.join(repo, 'out', 'bench.json'), JSON.stringify({ started: started.toISOString(), machine, results: all }, null, 2) + '\n');
console.log(`\nwritten out/bench.json (${all.length} results)`);
process.exitCode = all.every((r) => r.ok) ? 0 : 1;
