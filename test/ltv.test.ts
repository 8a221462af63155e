// PAdES B-LT (issue 22): `build --sign --ltv` stores the chains' certificates and the CRLs and
// OCSP responses about them in a DSS after the signature; `verify --trust` reads revocation
// from it. The tests' CA publishes its CRL and answers OCSP on 127.0.0.1 (openssl ca, ocsp).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, sampleWorkspace, tongbaoAsync } from './helpers.js';
import { startCa, type TestCa } from './pki.js';
import { startTsa, type TestTsa } from './tsa.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';
import { addDss, signatureContents } from '../src/archive/ltv.js';
import { fetchRevocation } from '../src/archive/revocation.js';
import { PdfDocument, appendUpdate, writeDict } from '../src/pdf/update.js';
import { verifyPdf } from '../src/archive/verify.js';

const CN = '某某市人民政府办公室测试';
const PASSWORD = '测试口令';
let ca: TestCa;
let tsa: TestTsa;
let roots: string;

const tongbao = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => tongbaoAsync(args, cwd, { TONGBAO_SIGN_PASSWORD: PASSWORD, ...env });

async function build(p12: string, extra: string[]): Promise<{ root: string; r: Awaited<ReturnType<typeof tongbao>> }> {
  const root = sampleWorkspace();
  const r = await tongbao(['build', '2016Q4', '--format', 'pdf', '--sign', '--p12', p12, ...extra], root);
  return { root, r };
}

const der = (pemFile: string) => Buffer.from(readFileSync(pemFile, 'utf8').replace(/-----[^-]+-----|\s+/g, ''), 'base64');

/** Signed workspaces the tests read, each a test's own, built in beforeAll two at a time: the workspace, its .p12 file and what the build said. */
type Built = { root: string; p12: string; r: Awaited<ReturnType<typeof tongbao>> };
let built: Record<'stampedLtv' | 'revokedAfterStamp' | 'revokedUnstamped' | 'crl' | 'ocsp' | 'updated', Built>;

beforeAll(async () => {
  ca = await startCa();
  tsa = await startTsa();
  roots = path.join(ca.dir, 'roots.pem');
  writeFileSync(roots, readFileSync(ca.root, 'utf8') + readFileSync(tsa.caFile, 'utf8'));
  const jobs: [keyof typeof built, string[]][] = [
    ['stampedLtv', ['--tsa', tsa.url, '--ltv']],
    ['revokedAfterStamp', ['--tsa', tsa.url, '--ltv']],
    ['revokedUnstamped', ['--ltv']],
    ['crl', ['--ltv']],
    ['ocsp', ['--ltv']],
    ['updated', []],
  ];
  built = Object.fromEntries(
    await inPairs(jobs, async ([name, extra]) => {
      const p12 = ca.issue(CN, PASSWORD);
      return [name, { p12, ...(await build(p12, extra)) }];
    }),
  ) as typeof built;
}, 300_000);

describe('build --sign --tsa --ltv', () => {
  let root: string;
  let file: string;

  beforeAll(() => {
    const b = built.stampedLtv;
    expect(b.r.status, b.r.stderr).toBe(0);
    expect(b.r.stdout).toContain('已存入验证信息（4 个证书、1 个吊销列表、1 个 OCSP 应答）');
    root = b.root;
    file = path.join(root, 'out/2016Q4/bulletin.pdf');
  });

  it('keeps the signature valid for pdfsig and the file clean for qpdf', () => {
    expect(spawnSync('pdfsig', [file], { encoding: 'utf8' }).stdout).toContain('Signature Validation: Signature is Valid.');
    const q = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
    expect(q.status, q.stdout + q.stderr).toBe(0);
  });

  it('has a DSS in the catalog with a VRI entry keyed by the SHA-1 of the signature’s /Contents', () => {
    const pdf = readFileSync(file);
    const doc = new PdfDocument(pdf);
    const dss = doc.dict(doc.dict(doc.trailer.root).get('DSS')!);
    expect(dss.get('Certs')!.match(/\d+ 0 R/g)).toHaveLength(4);
    expect(dss.get('CRLs')!.match(/\d+ 0 R/g)).toHaveLength(1);
    expect(dss.get('OCSPs')!.match(/\d+ 0 R/g)).toHaveLength(1);
    const key = createHash('sha1').update(signatureContents(pdf)).digest('hex').toUpperCase();
    expect(dss.get('VRI')).toContain(`/${key} <</Type /VRI`);
  });

  it('is accepted by an independent validator (PDFBox and Bouncy Castle): signature, token, DSS', () => {
    const j = '/usr/share/java';
    const cp = ['pdfbox2', 'fontbox2', 'commons-logging', 'bcprov', 'bcpkix', 'bcutil'].map((n) => `${j}/${n}.jar`).join(':');
    const r = spawnSync('java', ['-cp', cp, path.join(REPO, 'test/judges/PadesCheck.java'), file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const key = createHash('sha1').update(signatureContents(readFileSync(file))).digest('hex').toUpperCase();
    expect(r.stdout).toContain(`signature: valid subfilter=ETSI.CAdES.detached vri=${key}`);
    expect(r.stdout).toMatch(/^timestamp: valid time=\d{4}-/m);
    expect(r.stdout).toContain(`dss: certs=4 crls=1 ocsps=1 vri=${key}`);
    expect(r.stdout).toContain('crl: valid issuer=CN=Test Root CA');
    expect(r.stdout).toContain('ocsp: valid status=good');
    expect(r.stdout).not.toMatch(/INVALID|WRONG/);
  }, 60_000);

  it('is B-LT for verify --trust, the signer not revoked by what the file holds', async () => {
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', roots], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('PAdES B-LT');
    expect(r.stdout).toContain('签名之后只加入了验证信息（4 个证书、1 个吊销列表、1 个 OCSP 应答）');
    // The test TSA's certificate names no CRL or OCSP responder: said, not hidden.
    expect(r.stdout).toContain('吊销状态：「Test TSA」未核对（文件中没有它的吊销信息');
  });

  it('still verifies when revoked after the time-stamp: the token proves the signature came first', async () => {
    const b = built.revokedAfterStamp;
    const p12 = b.p12;
    expect(b.r.status, b.r.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 1100)); // a revocation time after the token's, to the second
    ca.revoke(p12);
    const file = path.join(b.root, 'out/2016Q4/bulletin.pdf');
    await refresh(file, p12, 'crl');
    // The PDF judged alone: the refresh changed the file, so SHA256SUMS no longer matches it.
    const r = await verifyPdf(readFileSync(file), 'bulletin.pdf', [der(ca.root), der(tsa.caFile)]);
    expect(r.messages).toEqual([]);
    expect(r.signatures[0]).toMatchObject({ level: 'B-LT', trust: { revocation: { checked: 1 } } });
    // Without the token, the same revocation condemns it.
    const c = built.revokedUnstamped;
    const plain = c.p12;
    expect(c.r.status, c.r.stderr).toBe(0);
    ca.revoke(plain);
    const other = path.join(c.root, 'out/2016Q4/bulletin.pdf');
    await refresh(other, plain, 'crl');
    const v = await verifyPdf(readFileSync(other), 'bulletin.pdf', [der(ca.root)]);
    expect(v.messages.map((m) => m.rule)).toEqual(['verify/revoked']);
  }, 120_000);
});

describe('a revoked certificate', () => {
  it('cannot sign with --ltv: the build says so and writes nothing', async () => {
    const p12 = ca.issue(CN, PASSWORD);
    ca.revoke(p12);
    const { root, r } = await build(p12, ['--ltv']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`证书「${CN}」已被吊销（OCSP）`);
    expect(existsSync(path.join(root, 'out/2016Q4/bulletin.pdf'))).toBe(false);
  }, 120_000);

  for (const source of ['crl', 'ocsp'] as const) {
    it(`fails verify --trust once the file holds a ${source.toUpperCase()} that revokes it and no token came first`, async () => {
      const { root, r, p12 } = built[source];
      expect(r.status, r.stderr).toBe(0);
      ca.revoke(p12);
      await refresh(path.join(root, 'out/2016Q4/bulletin.pdf'), p12, source);
      const v = await tongbao(['verify', 'out/2016Q4', '--trust', ca.root], root);
      expect(v.status).toBe(1);
      expect(v.stderr).toMatch(new RegExp(`证书「${CN}」已被吊销（${source.toUpperCase()}，吊销时间 .*）；签名没有时间戳，无法证明签名早于吊销`));
    }, 120_000);
  }
});

describe('an update after the signature', () => {
  it('that changes a page fails verify, naming it', async () => {
    const { root, r } = built.updated;
    expect(r.status, r.stderr).toBe(0);
    const file = path.join(root, 'out/2016Q4/bulletin.pdf');
    const doc = new PdfDocument(readFileSync(file));
    const pages = doc.dict(doc.dict(doc.trailer.root).get('Pages')!);
    const first = Number(/(\d+) 0 R/.exec(pages.get('Kids')!)![1]);
    const page = doc.dict(first);
    page.set('Rotate', '90');
    writeFileSync(file, appendUpdate(doc, [{ num: first, body: writeDict(page) }]));
    // The checksums are made to match: only the signature can tell.
    const sums = path.join(root, 'out/2016Q4/SHA256SUMS');
    writeFileSync(sums, readFileSync(sums, 'utf8').replace(/^\w{64}(?=  bulletin\.pdf)/m, createHash('sha256').update(readFileSync(file)).digest('hex')));
    const v = await tongbao(['verify', 'out/2016Q4'], root);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain(`签名（签名人 ${CN}）之后又有更新改动了页面（对象 ${first}）`);
  }, 120_000);
});

/** Fresh revocation data about the signer of `p12` appended to a signed file's DSS, as an archive refreshes it. */
async function refresh(file: string, p12: string, source: 'crl' | 'ocsp'): Promise<void> {
  const fresh = await fetchRevocation(der(p12.replace(/\.p12$/, '.pem')), der(ca.root));
  writeFileSync(file, addDss(readFileSync(file), { certs: [], crls: source === 'crl' ? fresh.crls : [], ocsps: source === 'ocsp' ? fresh.ocsps : [] }));
}
