// Target (c): the preview's rebuild of the sample's HTML after a save, in process
// (renderBulletin after a warm-up, as the dev server calls it), against pandoc converting
// the circular to HTML as a whole process.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTool } from './install.mjs';
import { median, result, timeProcess } from './stats.mjs';

const WARM = 5;
const RUNS = 30;

export default async function ({ repo, dist, tmp, log }) {
  for (const d of ['data', 'content']) cpSync(path.join(repo, d), path.join(tmp, d), { recursive: true });
  const { renderBulletin } = await import(pathToFileURL(path.join(dist, 'build.js')).href);
  const times = [];
  for (let i = 0; i < WARM + RUNS; i++) {
    const t0 = performance.now();
    const r = await renderBulletin(tmp, '2016Q4');
    const ms = performance.now() - t0;
    if (!r.ok || !r.html) throw new Error('the sample did not render');
    if (i >= WARM) times.push(ms);
  }
  const ours = median(times);
  log(`renderBulletin: median ${ours.toFixed(1)} ms of ${RUNS} (min ${Math.min(...times).toFixed(1)})`);
  const pandoc = ensureTool('pandoc');
  if (!pandoc.ok) return [{ name: 'preview-rebuild vs pandoc', value: ours, reference: null, ratio: null, target: '≤ 1', unit: 'ms', ok: true, note: `skipped: ${pandoc.note}` }];
  const md = path.join(tmp, 'content', '2016Q4', 'circular.md');
  const p = [];
  for (let i = 0; i < 10; i++) p.push(timeProcess('pandoc', ['-f', 'markdown', '-t', 'html', md, '-o', path.join(tmp, 'pandoc.html')]));
  log(`pandoc: median ${median(p).toFixed(1)} ms of ${p.length}`);
  return [result('preview-rebuild vs pandoc', ours, median(p), { max: 1, note: `renderBulletin median of ${RUNS} after ${WARM} warm-up; pandoc median of 10 processes` })];
}
