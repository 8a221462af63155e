// The OFD (issue 24): making bulletin.ofd from the sample's printed PDF in process (PDF.js
// reading every page, the fonts' cmaps completed, the package written) against printing that
// PDF (`build 2016Q4 --format pdf`, whole process). The OFD should cost less than the print.
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, result, timeProcess } from './stats.mjs';

const RUNS = 7;
const PRINTS = 3;

export default async function ({ repo, dist, tmp, log }) {
  for (const d of ['data', 'content']) cpSync(path.join(repo, d), path.join(tmp, d), { recursive: true });
  const bin = path.join(repo, 'bin', 'tongbao.js');
  const print = () => timeProcess(process.execPath, [bin, 'build', '2016Q4', '--format', 'pdf', '--quiet'], { cwd: tmp });
  print(); // warm-up; writes the PDF read below
  const pdf = readFileSync(path.join(tmp, 'out', '2016Q4', 'bulletin.pdf'));
  const { documentFromPdf } = await import(pathToFileURL(path.join(dist, 'ofd', 'from-pdf.js')).href);
  const { embeddedFonts } = await import(pathToFileURL(path.join(dist, 'ofd', 'fonts.js')).href);
  const { writeOfd, ofdDocId } = await import(pathToFileURL(path.join(dist, 'ofd', 'write.js')).href);
  const info = { title: 'bench', author: 'bench', subject: 'bench', keywords: [], date: new Date(Date.UTC(2017, 1, 7)) };
  const make = async () => {
    const t = performance.now();
    const bytes = writeOfd(await documentFromPdf(pdf), embeddedFonts(pdf), info, ofdDocId(pdf));
    return { ms: performance.now() - t, size: bytes.length };
  };
  await make(); // warm-up: PDF.js loaded
  const ours = [];
  const prints = [];
  let size = 0;
  for (let i = 0; i < RUNS; i++) {
    const m = await make();
    ours.push(m.ms);
    size = m.size;
    if (i < PRINTS) prints.push(print());
    log(`run ${i + 1}: ofd ${m.ms.toFixed(0)} ms${i < PRINTS ? `, build --format pdf ${prints.at(-1).toFixed(0)} ms` : ''}`);
  }
  log(`bulletin.ofd ${size} bytes, bulletin.pdf ${pdf.length} bytes (${(size / pdf.length).toFixed(2)})`);
  return [result('ofd-2016Q4 vs build --format pdf', median(ours), median(prints), { max: 0.25, note: `medians: the OFD of ${RUNS} in process, the print of ${PRINTS} whole processes; ${size} bytes against the PDF's ${pdf.length}` })];
}
