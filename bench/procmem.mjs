// Peak resident memory of the largest process in a process tree (Linux /proc): VmHWM of
// every descendant, polled, so a Chromium renderer that ends before the root still counts; and
// `measured`, a process run to its end with its wall time and that peak.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function tree(pid) {
  const out = [pid];
  for (const c of children(pid)) out.push(...tree(c));
  return out;
}

function peak(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Start watching; the returned function stops and gives the largest peak, in bytes. */
export function watchTree(pid, everyMs = 100) {
  const peaks = new Map();
  const tick = () => {
    for (const p of tree(pid)) peaks.set(p, Math.max(peaks.get(p) ?? 0, peak(p)));
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return () => {
    clearInterval(timer);
    tick();
    return Math.max(0, ...peaks.values());
  };
}

/** Run a process to its end: wall time, the peak memory of its largest process, its stdout. */
export function measured(cmd, args, options) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const stop = watchTree(child.pid);
    let [out, err] = ['', ''];
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const peak = stop();
      if (code !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(0, 2000)}`));
      else resolve({ ms, peak, out });
    });
  });
}
