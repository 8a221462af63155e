// The byte-identical corpus: the sample, every example period and a generated period (a streamed
// per-site table beside held attachments) built in each format, as PDF/A and signed, with a fixed
// date; the SHA-256 of every output. Run before and after a change to the build and compare:
//   node bench/corpus.mjs <list.json>                 record
//   node bench/corpus.mjs <list.json> --compare <old>  record, then name every output that differs
// Runs the compiled CLI (compile first). The signing key is made once, in the list's folder, and
// reused, so that signed PDFs compare too.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateWorkspace } from './generate.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [listFile, flag, oldFile] = process.argv.slice(2);
if (!listFile || (flag && (flag !== '--compare' || !oldFile))) {
  console.error('usage: node bench/corpus.mjs <list.json> [--compare <old.json>]');
  process.exit(2);
}
// 2030-01-01: after the signing certificate's start, whenever it was made.
const ENV = { ...process.env, SOURCE_DATE_EPOCH: '1893456000' };
const keyDir = path.dirname(path.resolve(listFile));
mkdirSync(keyDir, { recursive: true });
const key = path.join(keyDir, 'corpus-key.pem');
const cert = path.join(keyDir, 'corpus-cert.pem');
if (!existsSync(key)) {
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '36500', '-subj', '/CN=某某市人民政府办公室/O=某某市人民政府/C=CN', '-utf8'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

const RUNS = [
  ['html', ['--format', 'html']],
  ['pdf', ['--format', 'pdf']],
  ['docx', ['--format', 'docx']],
  ['ofd', ['--format', 'ofd']],
  ['archive', ['--format', 'pdf', '--archive']],
  ['signed', ['--format', 'pdf', '--sign', '--key', key, '--cert', cert]],
];

const tmp = mkdtempSync(path.join(tmpdir(), 'tongbao-corpus-'));
// The CLI as compiled now, copied: compiling again while the corpus is built changes nothing.
const APP = path.join(tmp, 'app');
for (const d of ['bin', 'dist', 'templates', 'package.json']) cpSync(path.join(REPO, d), path.join(APP, d), { recursive: true });
symlinkSync(path.join(REPO, 'node_modules'), path.join(APP, 'node_modules'));
const workspaces = [];
const copy = (name, from, periods) => {
  const root = path.join(tmp, name);
  cpSync(from, root, { recursive: true, filter: (f) => !f.includes(`${path.sep}out`) && !f.includes('node_modules') });
  workspaces.push([name, root, periods]);
};
mkdirSync(path.join(tmp, 'sample'));
for (const d of ['data', 'content']) cpSync(path.join(REPO, d), path.join(tmp, 'sample', d), { recursive: true });
workspaces.push(['sample', path.join(tmp, 'sample'), ['2016Q4']]);
for (const ex of readdirSync(path.join(REPO, 'examples'))) copy(`examples/${ex}`, path.join(REPO, 'examples', ex), readdirSync(path.join(REPO, 'examples', ex, 'data')).filter((p) => existsSync(path.join(REPO, 'examples', ex, 'data', p, 'bulletin.yaml'))));
const generated = path.join(tmp, 'generated');
await generateWorkspace(generated, [{ period: '2024Q4', sites: 3000, problems: 400, quarters: 8, matrix: true, seed: 7, office: '某省人民政府办公厅' }]);
workspaces.push(['generated', generated, ['2024Q4']]);

const list = {};
const skipped = [];
for (const [name, root, periods] of workspaces) {
  for (const period of periods) {
    for (const [run, args] of RUNS) {
      rmSync(path.join(root, 'out'), { recursive: true, force: true });
      const r = spawnSync(process.execPath, [path.join(APP, 'bin', 'tongbao.js'), 'build', period, '--quiet', ...args], { cwd: root, env: ENV, encoding: 'utf8', timeout: 600_000 });
      const id = `${name} ${period} ${run}`;
      if (r.status !== 0) {
        skipped.push(`${id}: exit ${r.status} ${r.stderr.split('\n')[0]}`);
        continue;
      }
      const dir = path.join(root, 'out', period);
      for (const f of readdirSync(dir).sort()) list[`${id} ${f}`] = createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex');
      process.stderr.write(`${id}\n`);
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
writeFileSync(listFile, JSON.stringify({ outputs: list, skipped }, null, 1) + '\n');
console.log(`${Object.keys(list).length} outputs recorded, ${skipped.length} builds failed${skipped.map((s) => `\n  ${s}`).join('')}`);
if (flag) {
  const old = JSON.parse(readFileSync(oldFile, 'utf8'));
  const names = new Set([...Object.keys(old.outputs), ...Object.keys(list)]);
  const differ = [...names].sort().filter((n) => old.outputs[n] !== list[n]);
  for (const n of differ) console.log(`differs: ${n} (${old.outputs[n]?.slice(0, 12) ?? 'absent'} → ${list[n]?.slice(0, 12) ?? 'absent'})`);
  console.log(differ.length ? `${differ.length} outputs differ` : 'every output is byte-identical');
  process.exit(differ.length ? 1 : 0);
}
