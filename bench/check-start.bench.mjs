// Issue 36, goal 2: `node bin/tongbao.js check 2016Q4` from the command line, process start
// included, against the same command on the code before the change (commit REFERENCE, checked
// out from git, compiled in the bench's temporary folder), in paired runs that alternate which
// goes first. Targets: ≤ 0.3 of the reference, and ≤ 400 ms.
import { execFileSync, execSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { median } from './stats.mjs';

/** main before the check loaded only what it uses (issue 36): every module at start, charts drawn. */
const REFERENCE = 'dbd6676a54aacd1a0bda8f755b33ccb58c1b88da';
const PAIRS = 10;
const TARGET_MS = 400;

/** This process's waited-for children's CPU time (user + system), in ms, from /proc/self/stat. */
function childrenCpuMs() {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(f[13]) + Number(f[14])) * 10; // cutime, cstime (fields 16, 17) in 1/100 s
  } catch {
    return NaN;
  }
}

export default async function ({ repo, tmp, log }) {
  // The reference: the old sources, compiled as they were (tsc only, no bundle then).
  const ref = path.join(tmp, 'reference');
  mkdirSync(ref);
  execSync(`git -C ${JSON.stringify(repo)} archive ${REFERENCE} src bin templates tsconfig.json package.json | tar -x -C ${JSON.stringify(ref)}`);
  symlinkSync(path.join(repo, 'node_modules'), path.join(ref, 'node_modules'));
  log(`compiling the reference (${REFERENCE.slice(0, 7)})`);
  execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ref, stdio: 'inherit' });

  // A copy of the sample: what both check (the templates are the package's, found by each side).
  const work = path.join(tmp, 'work');
  for (const d of ['data', 'content']) cpSync(path.join(repo, d), path.join(work, d), { recursive: true });
  const bins = { ours: path.join(repo, 'bin', 'tongbao.js'), reference: path.join(ref, 'bin', 'tongbao.js') };
  const run = (which) => {
    const c0 = childrenCpuMs();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bins[which], 'check', '2016Q4', '--quiet'], { cwd: work, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${which}: check 2016Q4 exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
    return { ms, cpu: childrenCpuMs() - c0, out: r.stderr };
  };
  // Warm-up (the file cache), and the same messages on both sides.
  const [a, b] = [run('ours'), run('reference')];
  if (a.out !== b.out) throw new Error(`the messages differ:\n--- ours\n${a.out}\n--- reference\n${b.out}`);
  const got = { ours: [], reference: [] };
  for (let i = 0; i < PAIRS; i++) {
    for (const which of i % 2 ? ['reference', 'ours'] : ['ours', 'reference']) got[which].push(run(which));
    log(`pair ${i + 1}: ours ${got.ours.at(-1).ms.toFixed(0)} ms (cpu ${got.ours.at(-1).cpu}), reference ${got.reference.at(-1).ms.toFixed(0)} ms (cpu ${got.reference.at(-1).cpu})`);
  }
  const ours = median(got.ours.map((r) => r.ms));
  const before = median(got.reference.map((r) => r.ms));
  const cpu = { ours: median(got.ours.map((r) => r.cpu)), reference: median(got.reference.map((r) => r.cpu)) };
  const note = `medians of ${PAIRS} alternating pairs, whole processes; CPU ${cpu.ours} ms against ${cpu.reference} ms (${(cpu.ours / cpu.reference).toFixed(2)})`;
  return [
    { name: 'check-2016Q4 start vs before', value: ours, reference: before, ratio: ours / before, target: '≤ 0.3', unit: 'ms', ok: ours / before <= 0.3, note: `reference: commit ${REFERENCE.slice(0, 7)}; ${note}` },
    { name: 'check-2016Q4 start', value: ours, reference: TARGET_MS, ratio: ours / TARGET_MS, target: '≤ 1', unit: 'ms', ok: ours <= TARGET_MS, note: `against a fixed ${TARGET_MS} ms; ${note}` },
  ];
}
