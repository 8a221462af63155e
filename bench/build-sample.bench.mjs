// Target (b): the sample's whole PDF build (`node bin/tongbao.js build 2016Q4`, process start
// included) against Chromium's own --print-to-pdf and WeasyPrint on the finished HTML
// (out/2016Q4/index.html). Medians of several runs, interleaved so drift hits all alike.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTool } from './install.mjs';
import { median, result, timeProcess } from './stats.mjs';

const RUNS = 5;
/** WeasyPrint takes half a minute a run here: three runs give its median. */
const WEASY_RUNS = 3;
const CHROMIUM = process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium';

export default async function ({ repo, tmp, log }) {
  // A copy of the sample: the bench never touches the repository's out/.
  for (const d of ['data', 'content']) cpSync(path.join(repo, d), path.join(tmp, d), { recursive: true });
  const bin = path.join(repo, 'bin', 'tongbao.js');
  const build = () => timeProcess(process.execPath, [bin, 'build', '2016Q4', '--quiet'], { cwd: tmp });
  build(); // warm-up; also writes the finished HTML
  const html = path.join(tmp, 'out', '2016Q4', 'index.html');
  const chromium = () =>
    timeProcess(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-pdf-header-footer', `--print-to-pdf=${path.join(tmp, 'chromium.pdf')}`, pathToFileURL(html).href], { cwd: tmp });
  const weasy = ensureTool('weasyprint');
  const weasyprint = () => timeProcess('weasyprint', [html, path.join(tmp, 'weasyprint.pdf')], { cwd: tmp });
  chromium();
  const ours = [];
  const chrome = [];
  const wp = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(build());
    chrome.push(chromium());
    if (weasy.ok && i < WEASY_RUNS) wp.push(weasyprint());
    log(`run ${i + 1}: build ${ours.at(-1).toFixed(0)} ms, chromium ${chrome.at(-1).toFixed(0)} ms${weasy.ok && i < WEASY_RUNS ? `, weasyprint ${wp.at(-1).toFixed(0)} ms` : ''}`);
  }
  const b = median(ours);
  const out = [result('build-2016Q4 vs chromium --print-to-pdf', b, median(chrome), { max: 1.3, note: `medians of ${RUNS} whole processes` })];
  if (weasy.ok) out.push(result('build-2016Q4 vs weasyprint', b, median(wp), { max: 0.2, note: `medians: build of ${RUNS}, weasyprint of ${WEASY_RUNS} whole processes` }));
  else out.push({ name: 'build-2016Q4 vs weasyprint', value: b, reference: null, ratio: null, target: '≤ 0.2', unit: 'ms', ok: true, note: `skipped: ${weasy.note}` });
  return out;
}
