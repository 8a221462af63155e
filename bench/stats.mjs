// Small helpers shared by bench files.
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Wall time of a whole process, in ms; throws when it fails. */
export function timeProcess(cmd, args, options = {}) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 2000)}`);
  return ms;
}

/** Whether a program is on the PATH. */
export function has(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A result line: ratio = value / reference, ok when it is within the bound. */
export function result(name, value, reference, { max, min, unit = 'ms', note = '' }) {
  const ratio = value / reference;
  const ok = max !== undefined ? ratio <= max : ratio >= min;
  return { name, value, reference, ratio, target: max !== undefined ? `≤ ${max}` : `≥ ${min}`, unit, ok, note };
}

/**
 * A reference script and ours, each in a child process of its own, run alternately `runs`
 * times; each prints one JSON line last ({ ms, maxRssKB, ... }). The reference is written
 * inside bench/ so that it resolves packages (csv-parse) from the repository's node_modules.
 * `onRun(i, ref, ours)` is told each pair.
 */
export function pairedRuns({ repo, tmp, name, runs, reference, ours, onRun }) {
  const refFile = path.join(repo, 'bench', `.ref-${name}.mjs`);
  const oursFile = path.join(tmp, 'ours.mjs');
  writeFileSync(refFile, reference.source);
  writeFileSync(oursFile, ours.source);
  const run = (file, args) => JSON.parse(execFileSync(process.execPath, [file, ...args], { cwd: tmp, maxBuffer: 1 << 26 }).toString().trim().split('\n').at(-1));
  const out = { ref: [], ours: [] };
  try {
    for (let i = 0; i < runs; i++) {
      out.ref.push(run(refFile, reference.args));
      out.ours.push(run(oursFile, ours.args));
      onRun(i, out.ref.at(-1), out.ours.at(-1));
    }
  } finally {
    rmSync(refFile, { force: true });
  }
  return out;
}
