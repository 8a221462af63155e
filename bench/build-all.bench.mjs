// Target (d): `build --all` over 32 provincial bulletins reuses one browser and costs under
// 1.3× the sum of their single print times. A single print time: one period built (check,
// render, print, write) with the browser already running, in this process, in the same run.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateWorkspace } from './generate.mjs';
import { result, timeProcess } from './stats.mjs';

const PERIODS = Array.from({ length: 32 }, (_, i) => `${2022 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);

export default async function ({ repo, dist, tmp, log }) {
  await generateWorkspace(
    tmp,
    PERIODS.map((period, i) => ({ period, sites: 2000, problems: 30, quarters: 8, matrix: true, seed: 100 + i, office: '某省人民政府办公厅' })),
  );
  const { buildBulletin } = await import(pathToFileURL(path.join(dist, 'build.js')).href);
  const { launchBrowser } = await import(pathToFileURL(path.join(dist, 'print', 'browser.js')).href);
  const browser = await launchBrowser();
  let sum = 0;
  try {
    await buildBulletin(tmp, PERIODS[0], { browser }); // warm-up: the first print loads the fonts
    for (const p of PERIODS) {
      const t0 = performance.now();
      const r = await buildBulletin(tmp, p, { browser });
      sum += performance.now() - t0;
      if (!r.ok) throw new Error(`${p} did not build: ${r.messages.map((m) => m.reason).join('; ')}`);
    }
  } finally {
    await browser.close();
  }
  log(`sum of 32 single builds (browser running): ${sum.toFixed(0)} ms`);
  const all = timeProcess(process.execPath, [path.join(repo, 'bin', 'tongbao.js'), 'build', '--all', '--quiet'], { cwd: tmp });
  log(`build --all (one process, one browser): ${all.toFixed(0)} ms`);
  return [result('build-all 32 vs sum of single prints', all, sum, { max: 1.3, note: 'build --all as a process (start and browser launch included) vs the sum of 32 in-process builds with a running browser' })];
}
