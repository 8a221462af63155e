// The reference of bench/typst: Typst (@myriaddreamin/typst-ts-node-compiler) typesetting the
// rows of a long attachment on tongbao's page: A4, the GB/T 9704 type area (156 × 225 mm), the
// table in 12 pt 仿宋 with its head in 黑体, the same columns, borders and cell padding as
// templates/print.css, the page number in 宋体 under the type area. The faces are tongbao's
// free ones (@fontsource: see faces() below); Typst reads no WOFF, so each file is
// unwrapped to the TrueType it holds (WOFF 1: zlib per table), which costs Typst nothing it
// would pay with the fonts installed.
// Usage: node bench/typst-print.mjs <rows.json> <out.pdf>
//   rows.json: { head: string[], widths: number[] (percent), align: string[], rows: string[][] }
// Prints one JSON line: { ms, pages }.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';

const t0 = performance.now();
const require = createRequire(import.meta.url);
const dist = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist');
const { ROLES } = await import(pathToFileURL(path.join(dist, 'print', 'fonts.js')).href);
const { writeSfnt } = await import(pathToFileURL(path.join(dist, 'sfnt.js')).href);
const { NodeCompiler } = require('@myriaddreamin/typst-ts-node-compiler');

/**
 * A name table naming the face `family` (Regular): Typst takes one file per family name, and
 * reaches a subset of the same name only by its last-resort fallback, which may choose its own
 * bundled faces first. Each subset is named for itself and the text lists them all, in order.
 */
function nameTable(family) {
  const names = [[1, family], [2, 'Regular'], [4, family], [6, family.replace(/\W/g, '')], [16, family], [17, 'Regular']];
  const strings = names.map(([, v]) => Buffer.from(v, 'utf16le').swap16());
  const head = Buffer.alloc(6 + names.length * 12);
  head.writeUInt16BE(0, 0);
  head.writeUInt16BE(names.length, 2);
  head.writeUInt16BE(head.length, 4);
  let at = 0;
  names.forEach(([id], i) => {
    const r = 6 + i * 12;
    head.writeUInt16BE(3, r); // Windows
    head.writeUInt16BE(1, r + 2); // Unicode BMP
    head.writeUInt16BE(0x409, r + 4);
    head.writeUInt16BE(id, r + 6);
    head.writeUInt16BE(strings[i].length, r + 8);
    head.writeUInt16BE(at, r + 10);
    at += strings[i].length;
  });
  return Buffer.concat([head, ...strings]);
}

/** The TrueType/OpenType file inside a WOFF 1 file, its family renamed. */
function unwoff(woff, family) {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF file');
  const flavor = woff.readUInt32BE(4);
  const tables = new Map();
  for (let i = 0, n = woff.readUInt16BE(12); i < n; i++) {
    const e = 44 + i * 20;
    const tag = woff.toString('latin1', e, e + 4);
    const [offset, comp, orig] = [woff.readUInt32BE(e + 4), woff.readUInt32BE(e + 8), woff.readUInt32BE(e + 12)];
    const data = woff.subarray(offset, offset + comp);
    tables.set(tag, comp < orig ? inflateSync(data) : Buffer.from(data));
  }
  tables.set('name', nameTable(family));
  return writeSfnt(tables, flavor);
}

/**
 * The role's free face as TrueType, each file a family of its own: first the package's
 * chinese-simplified file of the same weight (the same face in one file of 8,000 glyphs, which
 * holds every character of the rows), then every file the role's @font-face rules name (their
 * WOFF twins) for the rest (the page number's dashes). Split in a hundred subsets only, the
 * face costs Typst a font switch at every other character: 5 GB and minutes at 20,000 rows.
 */
function faces(role, prefix) {
  const [pkg, css] = role.free;
  const dir = path.dirname(require.resolve(`@fontsource/${pkg}/package.json`));
  const weight = path.basename(css, '.css');
  const files = [
    path.join(dir, 'files', `${pkg}-chinese-simplified-${weight}-normal.woff`),
    ...[...readFileSync(path.join(dir, css), 'utf8').matchAll(/url\(\.\/files\/([^)]+)\.woff2\)/g)].map((m) => path.join(dir, 'files', `${m[1]}.woff`)),
  ];
  return files.map((f, i) => ({ family: `${prefix} ${i}`, blob: unwoff(readFileSync(f), `${prefix} ${i}`) }));
}

const [rowsFile, out] = process.argv.slice(2);
const serif = faces(ROLES.fangsong, 'TB Serif');
const sans = faces(ROLES.hei, 'TB Sans');
const fontBlobs = [...serif, ...sans].map((f) => f.blob);
const str = (s) => JSON.stringify(s); // a JSON string is a Typst string literal
const list = (fs) => `(${fs.map((f) => str(f.family.toLowerCase())).join(', ')})`;
const family = { serif: list(serif), sans: list(sans) };
const { head, widths, align } = JSON.parse(readFileSync(rowsFile, 'utf8'));
const source = `
#set page(width: 210mm, height: 297mm, margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer-descent: 7mm, footer: context {
    let n = counter(page).get().first()
    set text(font: ${family.serif}, size: 14pt)
    align(if calc.odd(n) { right } else { left }, h(14pt) + [\\u{2015}\\u{2002}#n\\u{2002}\\u{2015}] + h(14pt))
  })
#set text(font: ${family.serif}, size: 12pt, lang: "zh", region: "cn", fallback: false)
#let data = json(${str(path.basename(rowsFile))})
#table(
  columns: (${widths.map((w) => `${w}%`).join(', ')}),
  stroke: 0.75pt, inset: (x: 1.5mm, y: 1mm),
  align: (${align.map((a) => `${a} + horizon`).join(', ')}),
  table.header(..data.head.map(h => align(center, text(font: ${family.sans}, h)))),
  ..data.rows.flatten(),
)
`;
const compiler = NodeCompiler.create({ workspace: path.dirname(path.resolve(rowsFile)), fontArgs: [{ fontBlobs }] });
const doc = compiler.compile({ mainFileContent: source });
if (doc.hasError() || !doc.result) {
  doc.printErrors();
  throw new Error('typst failed to compile the table');
}
const pdf = compiler.pdf(doc.result);
writeFileSync(out, pdf);
const pages = doc.result.numOfPages ?? null;
console.log(JSON.stringify({ ms: performance.now() - t0, pages, fonts: fontBlobs.length, head: head.length }));
