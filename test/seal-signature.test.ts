// The seal as the signature's face (issue 22): signing a bulletin that declares a seal makes the
// signature's widget show the seal where the print put it, and the print leaves the seal out,
// so it appears once. Judged by pdfsig, qpdf and the pages as pdftoppm draws them.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { sharedBuildAsync } from './shared-build.js';
import { PdfDocument, appendUpdate, arrayItems, streamBody, writeDict } from '../src/pdf/update.js';

const CN = '某某市人民政府办公室测试';
const PASSWORD = '测试口令';
let signedRoot: string;
let plainRoot: string;
const signedPdf = () => path.join(signedRoot, 'out/2017Q1/bulletin.pdf');


/** Red pixels of a page at 4 px/mm: their count and the centre of their box, in mm. */
function red(pdf: string, page: number, band?: { y0: number; y1: number }): { count: number; x: number; y: number } {
  const ppm = execFileSync('pdftoppm', ['-r', String(25.4 * 4), '-f', String(page), '-l', String(page), pdf], { maxBuffer: 1 << 27 });
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
  const [width, height] = [Number(header[1]), Number(header[2])];
  const data = ppm.subarray(header[0].length);
  let count = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = band ? band.y0 * 4 : 0; y < (band ? band.y1 * 4 : height); y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      if (data[i]! > 180 && data[i + 1]! < 90 && data[i + 2]! < 90) {
        count++;
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    }
  }
  return { count, x: (x0 + x1) / 8, y: (y0 + y1) / 8 };
}

/** The signature widget of a PDF: its object, dictionary and page. */
function widget(pdf: Buffer): { num: number; dict: Map<string, string>; doc: PdfDocument } {
  const doc = new PdfDocument(pdf);
  const acro = doc.dict(doc.trailer.root).get('AcroForm')!;
  const ref = /\/Fields\s*\[\s*(\d+) 0 R/.exec(acro)![1]!;
  return { num: Number(ref), dict: doc.dict(Number(ref)), doc };
}

beforeAll(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-signer-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '30', '-utf8', '-subj', `/C=CN/O=某某市人民政府/CN=${CN}`], { cwd: dir, stdio: 'pipe' });
  const p12 = path.join(dir, 'signer.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', p12, '-passout', `pass:${PASSWORD}`], { cwd: dir, stdio: 'pipe' });
  signedRoot = exampleWorkspace('city');
  plainRoot = exampleWorkspace('city');
  // The signed print and the plain one (as other tests build it too), side by side.
  const [s, p] = await Promise.all([tongbaoAsync(['build', '2017Q1', '--format', 'pdf', '--sign', '--p12', p12], signedRoot, { TONGBAO_SIGN_PASSWORD: PASSWORD }), sharedBuildAsync(plainRoot, ['build', '2017Q1', '--format', 'pdf'])]);
  expect(s.status, s.stderr).toBe(0);
  expect(p.status, p.stderr).toBe(0);
}, 240_000);

describe('a bulletin with a seal, signed', () => {
  it('passes pdfsig over the whole document, and qpdf --check', () => {
    const r = spawnSync('pdfsig', [signedPdf()], { encoding: 'utf8' }).stdout;
    expect(r).toContain('Signature Validation: Signature is Valid.');
    expect(r).toContain('Total document signed');
    expect(spawnSync('qpdf', ['--check', signedPdf()]).status).toBe(0);
  });

  it('has a signature widget with the seal as its appearance: an image with a soft mask, multiplied', () => {
    const { dict, doc } = widget(readFileSync(signedPdf()));
    const rect = arrayItems(dict.get('Rect')).map(Number);
    // 42 mm square, give or take a rounding.
    expect(Math.abs(rect[2]! - rect[0]! - 42 * (72 / 25.4))).toBeLessThan(1);
    expect(Math.abs(rect[3]! - rect[1]! - 42 * (72 / 25.4))).toBeLessThan(1);
    const form = Number(/\/N (\d+) 0 R/.exec(dict.get('AP')!)![1]);
    const resources = doc.dict(form).get('Resources')!;
    expect(resources).toContain('/BM /Multiply');
    const image = doc.dict(Number(/\/Seal (\d+) 0 R/.exec(resources)![1]));
    expect(image.get('Subtype')).toBe('/Image');
    expect(image.get('SMask')).toMatch(/^\d+ 0 R$/);
  });

  it('shows the seal once, where the unsigned print has it', () => {
    // Page 2 holds the 落款 and the date; it has no other red.
    const signed = red(signedPdf(), 2);
    const plain = red(path.join(plainRoot, 'out/2017Q1/bulletin.pdf'), 2);
    expect(plain.count).toBeGreaterThan(1000);
    expect(Math.abs(signed.x - plain.x)).toBeLessThan(1);
    expect(Math.abs(signed.y - plain.y)).toBeLessThan(1);
    // Once: twice the seal would be about twice the red.
    expect(signed.count / plain.count).toBeGreaterThan(0.85);
    expect(signed.count / plain.count).toBeLessThan(1.15);
  });

  it('leaves no link to the seal’s marker in the document as it now reads', () => {
    const latest = execFileSync('qpdf', ['--qdf', '--object-streams=disable', signedPdf(), '-'], { maxBuffer: 1 << 28 }).toString('latin1');
    expect(latest).not.toContain('seal.tongbao.invalid');
  });

  it('fails verify when an update after signing replaces the seal widget’s appearance', () => {
    const pdf = readFileSync(signedPdf());
    const { num, dict, doc } = widget(pdf);
    const blank = doc.trailer.size;
    dict.set('AP', `<</N ${blank} 0 R>>`);
    const form = new Map([['Type', '/XObject'], ['Subtype', '/Form'], ['BBox', '[0 0 10 10]']]);
    const changed = appendUpdate(doc, [
      { num: blank, body: streamBody(form, Buffer.from('', 'latin1')) },
      { num, body: writeDict(dict) },
    ]);
    const copy = mkdtempSync(path.join(tmpdir(), 'tongbao-seal-changed-'));
    cpSync(path.join(signedRoot, 'out/2017Q1'), copy, { recursive: true });
    writeFileSync(path.join(copy, 'bulletin.pdf'), changed);
    const r = tongbao(['verify', copy], signedRoot);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`之后又有更新改写了对象 ${num}（Annot）`);
  });
});
