// Archiving, judged by the tools an archivist would use: pdfsig (poppler) for the signature,
// qpdf, pdffonts, pdfinfo and pdftotext for the PDF/A rules we can check without veraPDF, the
// JDK's XML parser for the XMP, openssl for the CMS, sha256sum for the checksums.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, edit, sampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { sharedBuildAsync } from './shared-build.js';
import { pdffonts, pdfinfo } from './pdf-measure.js';

const CN = '某某市人民政府办公室测试';
const PASSWORD = '测试口令 2026';
let certs: string;
let p12: string;
let root: string;
let out: string;
let pdf: string;
let plainText: string;

const run = (cmd: string, args: string[], opts: { input?: string | Buffer } = {}) =>
  spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });

/** A throwaway self-signed certificate with a Chinese subject, and its PKCS #12 file. */
function makeCertificate(dir: string, cn: string, password: string): string {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-utf8', '-subj', `/C=CN/O=某某市人民政府/CN=${cn}`], { stdio: 'pipe' });
  const file = path.join(dir, 'signer.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', file, '-passout', 'env:P12_PASSWORD'], { stdio: 'pipe', env: { ...process.env, P12_PASSWORD: password } });
  return file;
}

const signEnv = { TONGBAO_SIGN_PASSWORD: PASSWORD };

beforeAll(async () => {
  certs = mkdtempSync(path.join(tmpdir(), 'tongbao-certs-'));
  p12 = makeCertificate(certs, CN, PASSWORD);
  root = sampleWorkspace();
  out = path.join(root, 'out/2016Q4');
  pdf = path.join(out, 'bulletin.pdf');
  // The plain print, whose text the archived copy must still say, beside the signed build.
  const plainRoot = sampleWorkspace();
  const [plain, signed] = await Promise.all([sharedBuildAsync(plainRoot, ['build', '2016Q4', '--format', 'pdf']), tongbaoAsync(['build', '2016Q4', '--sign', '--p12', p12], root, signEnv)]);
  expect(plain.status, plain.stderr).toBe(0);
  plainText = execFileSync('pdftotext', [path.join(plainRoot, 'out/2016Q4/bulletin.pdf'), '-'], { encoding: 'utf8' });
  expect(signed.status, signed.stderr).toBe(0);
  expect(signed.stdout).toContain(`已签名（签名人：${CN}`);
}, 240_000);

describe('build --sign: a PAdES signature by a certificate with a Chinese name', () => {
  it('passes pdfsig, which shows the Chinese signer', () => {
    const r = run('pdfsig', [pdf]);
    expect(r.stdout).toContain('Signature Validation: Signature is Valid.');
    expect(r.stdout).toContain(`Signer Certificate Common Name: ${CN}`);
    expect(r.stdout).toContain(`Signer full Distinguished Name: CN=${CN},O=某某市人民政府,C=CN`);
    expect(r.stdout).toContain('Signature Type: ETSI.CAdES.detached');
    expect(r.stdout).toContain('Signing Hash Algorithm: SHA-256');
    expect(r.stdout).toContain('Total document signed');
  });

  it('carries a signing-certificate-v2 attribute and the issuer as issued (openssl reads the CMS)', () => {
    const bytes = readFileSync(pdf);
    const range = /\/ByteRange \[0 (\d+) (\d+) \d+\]/.exec(bytes.toString('latin1'))!;
    const cms = Buffer.from(bytes.toString('latin1', Number(range[1]) + 1, Number(range[2]) - 1), 'hex');
    const file = path.join(certs, 'sig.der');
    writeFileSync(file, cms);
    const printed = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file]).stdout;
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed).toContain('messageDigest');
    // The signer is identified by the issuer's name in UTF-8, as issued (openssl prints the
    // bytes escaped); node-forge wrote other bytes here, and the signature failed.
    const utf8 = [...Buffer.from(CN, 'utf8')].map((b) => `\\x${b.toString(16).toUpperCase()}`).join('');
    expect(printed).toMatch(new RegExp(`issuerAndSerialNumber:\\s+issuer: C=CN, O=[^\\n]*, CN=${utf8.replace(/\\/g, '\\\\')}\\n`));
    const certDer = execFileSync('openssl', ['x509', '-in', path.join(certs, 'cert.pem'), '-outform', 'DER']);
    expect(cms.includes(certDer)).toBe(true);
  });

  it('refuses a wrong password and leaves the last good output as it was', () => {
    const before = readFileSync(pdf);
    const r = tongbao(['build', '2016Q4', '--sign', '--p12', p12], root, { TONGBAO_SIGN_PASSWORD: 'wrong' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('证书口令不正确');
    expect(r.stderr).toContain('signer.p12');
    expect(readFileSync(pdf).equals(before)).toBe(true);
  });

  it('never takes the password from the command line', () => {
    const noPassword = tongbao(['build', '2016Q4', '--sign', '--p12', p12], root, { TONGBAO_SIGN_PASSWORD: undefined });
    expect(noPassword.status).toBe(2);
    expect(noPassword.stderr).toContain('TONGBAO_SIGN_PASSWORD');
    for (const args of [['--sign'], ['--p12', p12], ['--sign', '--p12', p12, '--password', 'x']]) {
      const r = tongbao(['build', '2016Q4', ...args], root, signEnv);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^tongbao: .*\n运行 tongbao --help 查看用法\n$/);
    }
  });
});

describe('the signed PDF is PDF/A-2b as far as poppler, qpdf and an XML parser can tell', () => {
  const info = () => pdfinfo(pdf);
  const qpdfJson = () => JSON.parse(execFileSync('qpdf', ['--json', '--json-key=qpdf', pdf], { encoding: 'utf8', maxBuffer: 1 << 28 })).qpdf[1] as Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } }>;
  const xmp = () => {
    const objects = qpdfJson();
    const catalog = objects[`obj:${objects['trailer']!.value!['/Root']}`]!.value!;
    const metadata = String(catalog['/Metadata']).split(' ')[0]!;
    const packet = execFileSync('qpdf', [`--show-object=${metadata}`, '--filtered-stream-data', pdf]);
    // A well-formedness failure makes java exit non-zero, and execFileSync throw.
    const props = execFileSync('java', [path.join(REPO, 'test/judges/XmpRead.java')], { input: packet, encoding: 'utf8' });
    return Object.fromEntries(props.trim().split('\n').map((l) => l.split('\t') as [string, string]));
  };

  it('holds XMP that parses, with pdfaid:part 2 and conformance B', () => {
    const x = xmp();
    expect(x['part']).toBe('2');
    expect(x['conformance']).toBe('B');
  });

  it('says in XMP what the Info dictionary says: title, office, dates, tools', () => {
    const x = xmp();
    const i = info();
    expect(x['title']).toBe('关于2016年第四次全国政府网站抽查情况的通报');
    expect(x['title']).toBe(i['Title']);
    expect(x['creator']).toBe('国务院办公厅政府信息与政务公开办公室');
    expect(x['creator']).toBe(i['Author']);
    expect(x['description']).toBe(i['Subject']);
    expect(x['Keywords']).toBe(i['Keywords']);
    expect(x['Producer']).toBe(i['Producer']);
    expect(x['CreatorTool']).toBe(i['Creator']);
    const iso = Object.fromEntries(
      execFileSync('pdfinfo', ['-isodates', pdf], { encoding: 'utf8' }).split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
    );
    // pdfinfo writes +08 for +08:00.
    expect(`${x['CreateDate']}`).toBe(`${iso['CreationDate']}:00`);
    expect(`${x['ModifyDate']}`).toBe(`${iso['ModDate']}:00`);
  });

  it('has an sRGB output intent GTS_PDFA1 with an embedded ICC profile', () => {
    const objects = qpdfJson();
    const catalog = objects[`obj:${objects['trailer']!.value!['/Root']}`]!.value!;
    const intents = catalog['/OutputIntents'] as string[];
    expect(intents).toHaveLength(1);
    const intent = objects[`obj:${intents[0]}`]!.value!;
    expect(intent['/S']).toBe('/GTS_PDFA1');
    expect(intent['/OutputConditionIdentifier']).toBe('u:sRGB IEC61966-2.1');
    const profile = objects[`obj:${intent['/DestOutputProfile']}`]!.stream!.dict;
    expect(profile['/N']).toBe(3);
    const icc = execFileSync('qpdf', [`--show-object=${String(intent['/DestOutputProfile']).split(' ')[0]}`, '--filtered-stream-data', pdf]);
    expect(icc.toString('latin1', 36, 40)).toBe('acsp'); // the ICC signature
    expect(icc.toString('latin1', 16, 20)).toBe('RGB ');
  });

  it('embeds every font, none of them Type 3', () => {
    const fonts = pdffonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.filter((f) => !f.emb)).toEqual([]);
    expect(fonts.filter((f) => f.type.includes('Type 3'))).toEqual([]);
  });

  it('has no encryption and no JavaScript, and an /ID in its trailer', () => {
    expect(info()['Encrypted']).toBe('no');
    expect(info()['JavaScript']).toBe('no');
    expect(run('qpdf', ['--show-encryption', pdf]).stdout).toContain('File is not encrypted');
    const raw = readFileSync(pdf, 'latin1');
    expect(raw).not.toMatch(/\/(JavaScript|JS|Encrypt)\b/);
    const trailer = qpdfJson()['trailer']!.value!;
    expect(trailer['/ID']).toHaveLength(2);
  });

  it('passes qpdf --check', () => {
    const r = run('qpdf', ['--check', pdf]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('No syntax or stream encoding errors found');
    expect(r.stderr).toBe('');
  });

  it('keeps the tagged structure, the language and the Chinese text exactly', () => {
    expect(info()['Tagged']).toBe('yes');
    expect(readFileSync(pdf, 'latin1')).toContain('/Lang (zh-CN)');
    expect(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })).toBe(plainText);
    expect(plainText.replace(/\n/g, '')).toContain('关于2016年第四次全国政府网站抽查情况的通报');
  });
});

describe('SHA256SUMS and tongbao verify', () => {
  it('writes SHA256SUMS that sha256sum -c accepts', () => {
    const sums = readFileSync(path.join(out, 'SHA256SUMS'), 'utf8');
    expect(sums.split('\n').filter(Boolean).map((l) => l.slice(66))).toEqual(['bulletin.pdf', 'index.html']);
    const check = spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain('bulletin.pdf: OK');
  });

  it('passes an intact folder, naming the signer', () => {
    const r = tongbao(['verify', 'out/2016Q4'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('核对通过：2 个文件与 SHA256SUMS 一致');
    expect(r.stdout).toContain(`签名有效，签名人 ${CN}`);
    expect(r.stdout).toContain('签名时间');
  });

  it('fails with exit 1, naming the file, after one byte of the PDF changed', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'tongbao-tampered-'));
    for (const f of ['bulletin.pdf', 'index.html', 'SHA256SUMS']) copyFileSync(path.join(out, f), path.join(copy, f));
    const bytes = readFileSync(path.join(copy, 'bulletin.pdf'));
    bytes[2000] = bytes[2000]! ^ 0x01; // inside the first page's content
    writeFileSync(path.join(copy, 'bulletin.pdf'), bytes);
    const r = tongbao(['verify', copy], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bulletin\.pdf: 错误: 文件内容与 SHA256SUMS 记录的不符/);
    expect(r.stderr).toMatch(/bulletin\.pdf: 错误: 文件内容与签名不符/);
    expect(r.stderr).toContain('核对未通过');
    // pdfsig agrees the signature no longer holds.
    expect(run('pdfsig', [path.join(copy, 'bulletin.pdf')]).stdout).not.toContain('Signature is Valid.');
  });

  it('still fails when the checksums were recomputed after the change: the signature catches it', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'tongbao-resummed-'));
    for (const f of ['bulletin.pdf', 'index.html']) copyFileSync(path.join(out, f), path.join(copy, f));
    const bytes = readFileSync(path.join(copy, 'bulletin.pdf'));
    const at = bytes.indexOf('/Title <FEFF') + 12;
    bytes[at] = bytes[at] === 0x35 ? 0x36 : 0x35; // one hex digit of the title
    writeFileSync(path.join(copy, 'bulletin.pdf'), bytes);
    writeFileSync(path.join(copy, 'SHA256SUMS'), execFileSync('sha256sum', ['bulletin.pdf', 'index.html'], { cwd: copy }));
    const r = tongbao(['verify', copy], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('文件内容与签名不符');
    expect(r.stderr).not.toContain('SHA256SUMS 记录的不符');
  });

  it('reports a changed, a missing and an added file', () => {
    const copy = mkdtempSync(path.join(tmpdir(), 'tongbao-changed-'));
    for (const f of ['bulletin.pdf', 'SHA256SUMS']) copyFileSync(path.join(out, f), path.join(copy, f));
    writeFileSync(path.join(copy, 'extra.txt'), 'x');
    const r = tongbao(['verify', copy], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/index\.html: 错误: 文件缺失/);
    expect(r.stderr).toMatch(/extra\.txt: 错误: 文件未列入 SHA256SUMS/);
  });

  it('exits 2 on usage errors', () => {
    expect(tongbao(['verify'], root).status).toBe(2);
    expect(tongbao(['verify', 'no/such/folder'], root).status).toBe(2);
  });
});

describe('archive: true in bulletin.yaml', () => {
  it('makes a PDF/A without signing it; verify accepts the unsigned folder', () => {
    const ws = sampleWorkspace();
    edit(ws, 'data/2016Q4/bulletin.yaml', (t) => `${t.trimEnd()}\narchive: true\n`);
    const r = tongbao(['build', '2016Q4', '--format', 'pdf', '--json'], ws);
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.archive.pdfa).toBe(true);
    const file = path.join(ws, 'out/2016Q4/bulletin.pdf');
    expect(pdfinfo(file)['Metadata Stream']).toBe('yes');
    expect(run('pdfsig', [file]).stdout).toContain('does not contain any signatures');
    const v = tongbao(['verify', '2016Q4'], ws);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toContain('没有签名的 PDF');
  });
});
