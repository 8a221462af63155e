// The Word document (issue 23): making bulletin.docx from the sample's print HTML in process
// (the page rendered with its figures marked, read into blocks, written by `docx`, made
// deterministic) against LibreOffice converting the same print HTML to .docx, the usual way
// to get a Word file from a web page. Medians, interleaved.
import { cpSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { has, median, result, timeProcess } from './stats.mjs';

const RUNS = 9;
const LO_RUNS = 3;

export default async function ({ repo, dist, tmp, log }) {
  for (const d of ['data', 'content']) cpSync(path.join(repo, d), path.join(tmp, d), { recursive: true });
  const { renderBulletin } = await import(pathToFileURL(path.join(dist, 'build.js')).href);
  const { renderPage } = await import(pathToFileURL(path.join(dist, 'render', 'html.js')).href);
  const { documentFromHtml } = await import(pathToFileURL(path.join(dist, 'docx', 'from-html.js')).href);
  const { writeDocx } = await import(pathToFileURL(path.join(dist, 'docx', 'write.js')).href);
  const rendered = await renderBulletin(tmp, '2016Q4');
  const info = { title: 'bench', subject: 'bench', author: 'bench', keywords: 'bench', date: new Date(Date.UTC(2017, 1, 7)) };
  const make = async () => {
    const t = performance.now();
    const page = renderPage(rendered.loaded, rendered.figures, rendered.sources, { print: true, fontsCss: '', markFigures: true });
    const bytes = await writeDocx(documentFromHtml(page.html), { info });
    return { ms: performance.now() - t, bytes };
  };
  for (let i = 0; i < 3; i++) await make(); // warm-up: modules, Handlebars' compiled templates
  // LibreOffice reads the print HTML as it is (the figures unmarked).
  const html = path.join(tmp, 'print.html');
  writeFileSync(html, renderPage(rendered.loaded, rendered.figures, rendered.sources, { print: true, fontsCss: '' }).html);
  const lo = has('soffice');
  const profile = pathToFileURL(path.join(tmp, 'lo-profile')).href;
  const convert = () => timeProcess('soffice', [`-env:UserInstallation=${profile}`, '--headless', '--convert-to', 'docx:MS Word 2007 XML', '--outdir', tmp, html], { cwd: tmp });
  if (lo) convert(); // first start: LibreOffice makes its profile
  const ours = [];
  const theirs = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    const m = await make();
    ours.push(m.ms);
    size = m.bytes.length;
    if (lo && i < LO_RUNS) theirs.push(convert());
    log(`run ${i + 1}: tongbao ${m.ms.toFixed(1)} ms${lo && i < LO_RUNS ? `, soffice --convert-to docx ${theirs.at(-1).toFixed(0)} ms` : ''}`);
  }
  const loSize = lo ? statSync(path.join(tmp, 'print.docx')).size : 0;
  log(`bulletin.docx ${size} bytes; LibreOffice's ${loSize} bytes`);
  if (!lo) return [{ name: 'docx-2016Q4 vs soffice --convert-to docx', value: median(ours), reference: null, ratio: null, target: '≤ 0.1', unit: 'ms', ok: true, note: 'skipped: no soffice (apt-get install libreoffice-writer-nogui)' }];
  return [result('docx-2016Q4 vs soffice --convert-to docx', median(ours), median(theirs), { max: 0.1, note: `medians: ours of ${RUNS} in process, LibreOffice of ${LO_RUNS} whole processes; ${size} bytes against ${loSize}` })];
}
