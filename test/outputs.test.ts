// out/<period>/ as one recorded set (issue 32): builds of different formats at different times
// keep each other's outputs only when their bytes are the recorded bytes and their sources are
// unchanged; a signed PDF is never replaced by an unsigned one unasked; verify opens every kind.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { edit, sampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { startTsa } from './tsa.js';
import { sharedBuild } from './shared-build.js';

const CN = '某某市人民政府办公室测试';
let key: string;
let cert: string;

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-certs-'));
  key = path.join(dir, 'key.pem');
  cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-utf8', '-subj', `/C=CN/O=某某市人民政府/CN=${CN}`], { stdio: 'pipe' });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Every entry of the folder with its bytes' hash (a link shown as a link). */
function snapshot(dir: string): Record<string, string> {
  const s: Record<string, string> = {};
  for (const n of readdirSync(dir).sort()) s[n] = lstatSync(path.join(dir, n)).isSymbolicLink() ? 'link' : sha(readFileSync(path.join(dir, n)));
  return s;
}
const listed = (out: string) => readFileSync(path.join(out, 'SHA256SUMS'), 'utf8').trim().split('\n').map((l) => l.slice(66)).sort();
const signArgs = () => ['--sign', '--key', key, '--cert', cert];
/** Several builds in a row, each printing: minutes on a busy machine. */
const LONG = { timeout: 600_000 };

describe('a signed bulletin, then builds without --sign', LONG, () => {
  let root: string;
  let out: string;
  let signed: Record<string, string>;
  beforeAll(() => {
    root = sampleWorkspace();
    out = path.join(root, 'out/2016Q4');
    const r = tongbao(['build', '2016Q4', ...signArgs()], root);
    expect(r.status, r.stderr).toBe(0);
    signed = snapshot(out);
    expect(Object.keys(signed)).toEqual(['SHA256SUMS', 'SHA256SUMS.p7s', 'bulletin.pdf', 'index.html']);
  }, 600_000);

  it('--format docx keeps the signed PDF and SHA256SUMS.p7s, adds the Word document, and verify --signed passes', () => {
    const r = tongbao(['build', '2016Q4', '--format', 'docx'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`bulletin.pdf 是签名的（PAdES B-B，签名人 ${CN}），这次生成的是普通的，数据未变：保留了原来的 bulletin.pdf 和 SHA256SUMS.p7s`);
    const now = snapshot(out);
    expect(now['bulletin.pdf']).toBe(signed['bulletin.pdf']);
    expect(now['SHA256SUMS.p7s']).toBe(signed['SHA256SUMS.p7s']);
    expect(listed(out)).toEqual(['bulletin.docx', 'bulletin.pdf', 'index.html']);
    const v = tongbao(['verify', out, '--signed'], root);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain(`SHA256SUMS 有签名（签名人 ${CN}）`);
    expect(v.stderr).toContain('签名之后的生成加入了 bulletin.docx');
  });

  it('--format ofd after --format docx keeps the Word document (and the signed PDF)', () => {
    const docx = snapshot(out)['bulletin.docx'];
    const r = tongbao(['build', '2016Q4', '--format', 'ofd'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/保留了上次生成的 .*bulletin\.docx/);
    const now = snapshot(out);
    expect(now['bulletin.docx']).toBe(docx);
    expect(now['bulletin.pdf']).toBe(signed['bulletin.pdf']);
    expect(listed(out)).toEqual(['bulletin.docx', 'bulletin.ofd', 'bulletin.pdf', 'index.html']);
    expect(tongbao(['verify', out, '--signed'], root).status).toBe(0);
  });

  it('after a change of the data, refuses (exit 1, nothing replaced) with each format, naming --sign and --unsigned', () => {
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^title: (.*)$/m, 'title: $1（修订）'));
    const before = snapshot(out);
    for (const format of ['html', 'pdf', 'docx']) {
      const r = tongbao(['build', '2016Q4', '--format', format], root);
      expect(r.status, format).toBe(1);
      expect(r.stderr, format).toContain('上次生成的 bulletin.pdf 是签名的（PAdES B-B');
      expect(r.stderr, format).toContain('重新签名（--sign）；或加 --unsigned');
      expect(snapshot(out), format).toEqual(before);
    }
  });

  it('--unsigned replaces it knowingly, and says so', () => {
    const r = tongbao(['build', '2016Q4', '--format', 'html', '--unsigned'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('已按 --unsigned 删去签名的（PAdES B-B');
    expect(Object.keys(snapshot(out))).toEqual(['SHA256SUMS', 'index.html']);
    expect(tongbao(['verify', out], root).status).toBe(0);
  });
});

describe('a signing build of another format', LONG, () => {
  it('--sign --format ofd keeps the Word document made before (with its figures marked), and signs the list with it', () => {
    const root = sampleWorkspace();
    const out = path.join(root, 'out/2016Q4');
    expect(sharedBuild(root, ['build', '2016Q4', '--format', 'docx', '--docx-figures', 'highlight']).status).toBe(0);
    const docx = snapshot(out)['bulletin.docx'];
    const r = tongbao(['build', '2016Q4', '--format', 'ofd', ...signArgs()], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('已删除');
    expect(snapshot(out)['bulletin.docx']).toBe(docx);
    expect(listed(out)).toEqual(['bulletin.docx', 'bulletin.ofd', 'bulletin.pdf']);
    const v = tongbao(['verify', out, '--signed'], root);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).not.toContain('签名之后的生成加入了');
    // Its record lost (or made by an older tongbao): the signed PDF is still not thrown away unasked.
    rmSync(path.join(root, 'out/.2016Q4.json'));
    const before = snapshot(out);
    const lost = tongbao(['build', '2016Q4', '--format', 'html'], root);
    expect(lost.status).toBe(1);
    expect(lost.stderr).toContain('bulletin.pdf 是签名的，但没有生成记录，无法确认它与现在的数据一致：这次不签名，会删去它，未生成');
    expect(snapshot(out)).toEqual(before);
    const asked = tongbao(['build', '2016Q4', '--format', 'html', '--unsigned'], root);
    expect(asked.status, asked.stderr).toBe(0);
    expect(listed(out)).toEqual(['index.html']);
  });
});

describe('the time-stamp level is not lowered either', LONG, () => {
  it('--sign without --tsa keeps a B-T signature when the data are unchanged, and refuses when they changed', async () => {
    const tsa = await startTsa();
    try {
      const root = sampleWorkspace();
      const out = path.join(root, 'out/2016Q4');
      const stamped = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf', ...signArgs(), '--tsa', tsa.url], root);
      expect(stamped.status, stamped.stderr).toBe(0);
      const pdf = snapshot(out)['bulletin.pdf'];
      const r = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf', ...signArgs()], root);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`bulletin.pdf 是签名的（PAdES B-T，签名人 ${CN}），这次生成的是签名的（PAdES B-B`);
      expect(snapshot(out)['bulletin.pdf']).toBe(pdf);
      expect((await tongbaoAsync(['verify', out, '--signed'], root)).status).toBe(0);
      edit(root, 'content/2016Q4/circular.md', (t) => `${t}\n改过的一段。\n`);
      const before = snapshot(out);
      const changed = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf', ...signArgs()], root);
      expect(changed.status).toBe(1);
      expect(changed.stderr).toContain('重新签名（--sign --tsa …）；或加 --unsigned');
      expect(snapshot(out)).toEqual(before);
    } finally {
      await tsa.close();
    }
  });
});

describe('PDF/A is not lowered either', LONG, () => {
  it('--format pdf without --archive keeps the PDF/A when the data are unchanged, and refuses when they changed', () => {
    const root = sampleWorkspace();
    const out = path.join(root, 'out/2016Q4');
    expect(sharedBuild(root, ['build', '2016Q4', '--format', 'pdf', '--archive']).status).toBe(0);
    const pdfa = snapshot(out)['bulletin.pdf'];
    const r = tongbao(['build', '2016Q4', '--format', 'pdf'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('bulletin.pdf 是 PDF/A-2b 的，这次生成的是普通的，数据未变：保留了原来的 bulletin.pdf');
    expect(snapshot(out)['bulletin.pdf']).toBe(pdfa);
    edit(root, 'content/2016Q4/circular.md', (t) => `${t}\n改过的一段。\n`);
    const changed = tongbao(['build', '2016Q4', '--format', 'pdf'], root);
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain('重新生成 PDF/A（--archive）；或加 --unsigned');
    expect(snapshot(out)['bulletin.pdf']).toBe(pdfa);
  });
});

describe('a kept output is the recorded bytes, as a plain file', LONG, () => {
  let root: string;
  let out: string;
  const outside = () => {
    const f = path.join(mkdtempSync(path.join(tmpdir(), 'tongbao-outside-')), 'secret.bin');
    writeFileSync(f, 'not of this workspace\n');
    return f;
  };
  /** out/ as the builds of docx, then ofd left it: made once, put back before each test. */
  let made: string;
  /** pdf, docx and ofd, as two builds of different formats leave them (and the page, asked). */
  const full = (page = false) => {
    rmSync(path.join(root, 'out'), { recursive: true, force: true });
    cpSync(made, path.join(root, 'out'), { recursive: true });
    if (page) expect(tongbao(['build', '2016Q4', '--format', 'html', '-q'], root).status).toBe(0);
    expect(listed(out)).toEqual(['bulletin.docx', 'bulletin.ofd', 'bulletin.pdf', ...(page ? ['index.html'] : [])]);
  };
  beforeAll(() => {
    root = sampleWorkspace();
    out = path.join(root, 'out/2016Q4');
    // The first build may be another test's, copied (test/shared-build.ts); the second adds to it.
    expect(sharedBuild(root, ['build', '2016Q4', '--format', 'docx']).status).toBe(0);
    expect(tongbao(['build', '2016Q4', '--format', 'ofd', '-q'], root).status).toBe(0);
    made = path.join(mkdtempSync(path.join(tmpdir(), 'tongbao-made-')), 'out');
    cpSync(path.join(root, 'out'), made, { recursive: true });
  }, 600_000);

  it('a changed byte in a pdf, docx or ofd: another format removes it, says why, and does not list it again', () => {
    full();
    for (const [file, format] of [
      ['bulletin.pdf', 'html'],
      ['bulletin.docx', 'ofd'],
      ['bulletin.ofd', 'docx'],
    ] as const) {
      const p = path.join(out, file);
      const bytes = readFileSync(p);
      bytes.write('XXXX', bytes.length >> 1, 'latin1');
      writeFileSync(p, bytes);
      const r = tongbao(['build', '2016Q4', '--format', format], root);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr, file).toContain(`${file} 与上次生成时不同（被改动过），已删除`);
      expect(existsSync(p), file).toBe(false);
      expect(listed(out), file).not.toContain(file);
      expect(tongbao(['verify', out], root).status, file).toBe(0);
    }
  });

  it('an output replaced by a link to a file outside: never followed, never copied', () => {
    full(true);
    const target = outside();
    const files = ['bulletin.pdf', 'bulletin.docx', 'bulletin.ofd', 'index.html'];
    for (const file of files) {
      rmSync(path.join(out, file));
      symlinkSync(target, path.join(out, file));
    }
    const r = tongbao(['build', '2016Q4', '--format', 'html'], root);
    expect(r.status, r.stderr).toBe(0);
    for (const file of files.slice(0, 3)) {
      expect(r.stderr, file).toContain(`${file} 不是普通文件（符号链接或目录），没有跟随，已删除`);
      expect(existsSync(path.join(out, file)), file).toBe(false);
    }
    expect(lstatSync(path.join(out, 'index.html')).isFile()).toBe(true); // made again from the data
    for (const n of readdirSync(out)) expect(readFileSync(path.join(out, n)).includes('not of this workspace'), n).toBe(false);
    expect(readFileSync(target, 'utf8')).toBe('not of this workspace\n');
    expect(listed(out)).toEqual(['index.html']);
    expect(tongbao(['verify', out], root).status).toBe(0);
  });

  it('a PDF of unknown origin (no record) is not kept', () => {
    full();
    rmSync(path.join(root, 'out/.2016Q4.json'));
    const r = tongbao(['build', '2016Q4', '--format', 'html'], root);
    expect(r.stderr).toContain('无法确认上次生成的 bulletin.pdf 与现在的数据一致，已删除');
    expect(listed(out)).toEqual(['index.html']);
  });
});

describe('verify opens every kind it lists', LONG, () => {
  let root: string;
  let out: string;
  beforeAll(() => {
    root = sampleWorkspace();
    out = path.join(root, 'out/2016Q4');
    expect(sharedBuild(root, ['build', '2016Q4', '--format', 'docx']).status).toBe(0);
  }, 600_000);
  /** The folder with bulletin.docx as `bytes`, SHA256SUMS and the record recomputed to match. */
  const withDocx = (bytes: Uint8Array) => {
    writeFileSync(path.join(out, 'bulletin.docx'), bytes);
    const hash = sha(Buffer.from(bytes));
    edit(root, 'out/2016Q4/SHA256SUMS', (t) => t.replace(/^[0-9a-f]{64}(  bulletin\.docx)$/m, `${hash}$1`));
    edit(root, 'out/.2016Q4.json', (t) => {
      const m = JSON.parse(t);
      m.outputs['bulletin.docx'].sha256 = hash;
      return JSON.stringify(m);
    });
    return tongbao(['verify', out], root);
  };

  it('a bulletin.docx that is not a ZIP, has a broken XML part, or lacks its main document fails', () => {
    const good = readFileSync(path.join(out, 'bulletin.docx'));
    expect(tongbao(['verify', out], root).status).toBe(0);
    const cases: [Uint8Array, string][] = [
      [strToU8('这不是 Word 文档'), 'Word 文档打不开：不是 ZIP 文件'],
      [zipSync({ '[Content_Types].xml': strToU8('<Types/>'), '_rels/.rels': strToU8('<Relationships><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'), 'word/document.xml': strToU8('<w:document><w:body>') }), 'Word 文档打不开：word/document.xml 不是合格的 XML'],
      [zipSync({ '[Content_Types].xml': strToU8('<Types/>'), '_rels/.rels': strToU8('<Relationships><Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>') }), 'Word 文档打不开：缺少正文 word/document.xml'],
    ];
    for (const [bytes, said] of cases) {
      const v = withDocx(bytes);
      expect(v.status, said).toBe(1);
      expect(v.stderr).toContain(said);
    }
    expect(withDocx(good).status).toBe(0);
  });

  it('names a file listed in SHA256SUMS that the record does not know, and a record that disagrees', () => {
    writeFileSync(path.join(out, 'extra.txt'), 'added\n');
    const sums = path.join(out, 'SHA256SUMS');
    const before = readFileSync(sums, 'utf8');
    writeFileSync(sums, `${before}${sha(Buffer.from('added\n'))}  extra.txt\n`);
    const v = tongbao(['verify', out], root);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain('extra.txt: 错误: 生成记录（.2016Q4.json）中没有这个文件：它不是 tongbao 生成的');
    rmSync(path.join(out, 'extra.txt'));
    writeFileSync(sums, before);
    edit(root, 'out/.2016Q4.json', (t) => t.replace(/("bulletin\.pdf":\s*\{[^}]*"sha256":\s*")[0-9a-f]{4}/, '$1ffff'));
    const w = tongbao(['verify', out], root);
    expect(w.status).toBe(1);
    expect(w.stderr).toContain('生成记录中 bulletin.pdf 的 SHA-256 与 SHA256SUMS 不同');
  });
});
