// Peak resident memory of the largest process in a process tree (Linux /proc): VmHWM of
// every descendant, polled, so a Chromium renderer that ends before the root still counts.
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
