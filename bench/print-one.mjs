// The reference of print-large: Chromium printing one HTML file in one `page.pdf`, with the
// options and the sandboxing of tongbao's own prints (scripts off, print media, tagged,
// outline). Usage: node bench/print-one.mjs <file.html> <out.pdf>
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const { launchBrowser, closeBrowser } = await import(pathToFileURL(path.join(dist, 'print', 'browser.js')).href);
const { PDF_OPTIONS } = await import(pathToFileURL(path.join(dist, 'print', 'slices.js')).href);
const [html, out] = process.argv.slice(2);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.emulateMediaType('print');
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load', timeout: 0 });
  writeFileSync(out, await page.pdf({ ...PDF_OPTIONS, timeout: 0 }));
} finally {
  await closeBrowser(browser);
}
