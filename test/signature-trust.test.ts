// `verify --trust roots.pem` (issue 22): the signer's certificate and the TSA's lead to a given
// root, valid at the proven time (the token's, else now). Signers come from the tests' own CA
// (openssl ca), time-stamps from the tests' TSA on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { REPO, sampleWorkspace, tongbaoAsync } from './helpers.js';
import { makeCa, type TestCa } from './pki.js';
import { startTsa, type TestTsa } from './tsa.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';

const CN = '某某市人民政府办公室测试';
const PASSWORD = '测试口令';
let ca: TestCa;
let tsa: TestTsa;
let roots: string;

const tongbao = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => tongbaoAsync(args, cwd, { TONGBAO_SIGN_PASSWORD: PASSWORD, ...env });

/** The sample built and signed in a fresh workspace; its root. */
async function signed(p12: string, options: { tsa?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const root = sampleWorkspace();
  const r = await tongbao(['build', '2016Q4', '--format', 'pdf', '--sign', '--p12', p12, ...(options.tsa ? ['--tsa', tsa.url] : [])], root, options.env);
  expect(r.status, r.stderr).toBe(0);
  return root;
}

/** The signed workspaces the tests read, built in beforeAll two at a time. */
let built: { stamped: string; stampedOther: string; plain: string; expired: string; bare: string };

beforeAll(async () => {
  ca = makeCa();
  tsa = await startTsa();
  // One bundle: the office's root and the TSA's.
  roots = path.join(ca.dir, 'roots.pem');
  writeFileSync(roots, readFileSync(ca.root, 'utf8') + readFileSync(tsa.caFile, 'utf8'));
  const jobs: [keyof typeof built, () => Promise<string>][] = [
    ['stamped', () => signed(ca.issue(CN, PASSWORD), { tsa: true })],
    ['stampedOther', () => signed(ca.issue(CN, PASSWORD), { tsa: true })],
    ['plain', () => signed(ca.issue(CN, PASSWORD))],
    // Valid in January 2020 only; signed then (SOURCE_DATE_EPOCH), verified now.
    ['expired', () => signed(ca.issue('过期的签名证书', PASSWORD, { start: '200101000000Z', end: '200201000000Z' }), { env: { SOURCE_DATE_EPOCH: String(Date.UTC(2020, 0, 15) / 1000) } })],
    // A bare certificate, without the chain in its .p12 file.
    ['bare', () => signed(ca.issue(CN, PASSWORD, undefined, { chain: false }))],
  ];
  built = Object.fromEntries(await inPairs(jobs, async ([name, make]) => [name, await make()])) as typeof built;
}, 300_000);

afterAll(async () => {
  await tsa?.close();
});

describe('verify --trust', () => {
  it('follows a time-stamped signature to its root, and the token’s to the TSA’s root', async () => {
    const root = built.stamped;
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', roots], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`证书链：${CN} → Test Root CA（根证书在 ${roots} 中），按时间戳的时间核对有效期`);
    expect(r.stdout).toContain('时间戳服务器的证书链：Test TSA → Test TSA Root');
    expect(r.stdout).toContain(`吊销状态：「${CN}」、「Test TSA」未核对（文件中没有它的吊销信息：签名时用 --ltv 存入）`);
  }, 120_000);

  it('judges a signature without a token at the present time, and says so', async () => {
    const root = built.plain;
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', ca.root], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('没有时间戳，按现在的时间核对有效期');
    const without = await tongbao(['verify', 'out/2016Q4'], root);
    expect(without.stdout).toContain('未核对签名证书是否由受信任的机构签发：用 --trust 根证书.pem 核对');
  }, 120_000);

  it('fails, with the reason, on a root that is not the issuer’s', async () => {
    const root = built.plain;
    const other = makeCa('Another Root CA');
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', other.root], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('签名人的证书链通到根证书「Test Root CA」，但它不在 --trust 给出的证书中');
  }, 120_000);

  it('fails on a certificate expired since, when no token proves the signing time', async () => {
    const root = built.expired; // valid in January 2020 only, signed then
    const plain = await tongbao(['verify', 'out/2016Q4'], root);
    expect(plain.status, plain.stderr).toBe(0); // the signature itself is intact
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', ca.root], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/签名人的证书「过期的签名证书」在现在（\d{4}-\d\d-\d\d）不在有效期内（2020-01-01 至 2020-02-01）；签名没有时间戳，无法证明它是在有效期内做的/);
  }, 120_000);

  it('fails on a time-stamp token that belongs to another signature', async () => {
    // The token of one signature put into another's file (this test's own: the other tests read them unchanged).
    const a = built.stampedOther;
    const b = built.stamped;
    const file = path.join(a, 'out/2016Q4/bulletin.pdf');
    const pdf = readFileSync(file);
    const tokenA = tokenOf(pdf);
    const tokenB = tokenOf(readFileSync(path.join(b, 'out/2016Q4/bulletin.pdf')));
    expect(tokenB.length).toBe(tokenA.length);
    // The token swapped in place: the signed bytes are untouched, the signature value too.
    const hexA = tokenA.toString('hex').toUpperCase();
    const text = pdf.toString('latin1');
    const at = text.indexOf(hexA);
    expect(at).toBeGreaterThan(0);
    pdf.write(tokenB.toString('hex').toUpperCase(), at, 'latin1');
    writeFileSync(file, pdf);
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', roots], a);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('时间戳不是对本签名的：其中的摘要与签名值的 SHA-256 不符');
  }, 180_000);

  it('fails when the chain stops short: the issuer neither given nor carried', async () => {
    const root = built.bare; // a bare certificate, without the chain in its .p12 file
    const other = makeCa('Another Root CA');
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', other.root], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`签名人的证书链不能通到给定的根证书：「${CN}」的签发者「Test Root CA」不在 --trust 给出的证书中，签名中也没有带它`);
  }, 120_000);

  it('signs with a PEM key and certificate as well, encrypted or not; a wrong password is said', async () => {
    const p12 = ca.issue(CN, PASSWORD);
    const key = p12.replace(/\.p12$/, '.key');
    const cert = path.join(ca.dir, 'bundle.pem');
    writeFileSync(cert, readFileSync(p12.replace(/\.p12$/, '.pem'), 'utf8') + readFileSync(ca.root, 'utf8'));
    const encrypted = path.join(ca.dir, 'encrypted.key');
    execFileSync('openssl', ['pkcs8', '-topk8', '-in', key, '-out', encrypted, '-passout', `pass:${PASSWORD}`], { stdio: 'pipe' });
    // Three builds of their own, two side by side.
    await inPairs([
      async () => {
        const plain = sampleWorkspace();
        const a = await tongbao(['build', '2016Q4', '--format', 'pdf', '--sign', '--key', key, '--cert', cert], plain, { TONGBAO_SIGN_PASSWORD: '' });
        expect(a.status, a.stderr).toBe(0);
        expect((await tongbao(['verify', 'out/2016Q4', '--trust', ca.root], plain)).status).toBe(0);
      },
      async () => {
        const b = await tongbao(['build', '2016Q4', '--format', 'pdf', '--sign', '--key', encrypted, '--cert', cert], sampleWorkspace());
        expect(b.status, b.stderr).toBe(0);
      },
      async () => {
        const c = await tongbao(['build', '2016Q4', '--format', 'pdf', '--sign', '--key', encrypted, '--cert', cert], sampleWorkspace(), { TONGBAO_SIGN_PASSWORD: '不对' });
        expect(c.status).toBe(1);
        expect(c.stderr).toContain('无法解开私钥文件：口令不对');
      },
    ], (job) => job());
  }, 180_000);

  it('refuses a roots file with no certificate in it', async () => {
    const root = sampleWorkspace();
    mkdirSync(path.join(root, 'out/2016Q4'), { recursive: true });
    const bad = path.join(ca.dir, 'empty.pem');
    writeFileSync(bad, 'not a certificate\n');
    const r = await tongbao(['verify', 'out/2016Q4', '--trust', bad], root);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`「${bad}」中没有证书（应为 PEM 格式`);
  });
});

/** A signed PDF's time-stamp token, DER. */
function tokenOf(pdf: Buffer): Buffer {
  const hex = /\/Contents\s*<([0-9A-Fa-f]+)>/.exec(pdf.toString('latin1'))![1]!;
  // Read with its zero padding: the DER says where it ends (a CMS may end in a zero byte, which
  // stripping the zeros would cut: one signature in 256).
  const info = pkijs.ContentInfo.fromBER(new Uint8Array(Buffer.from(hex, 'hex')));
  const si = new pkijs.SignedData({ schema: info.content }).signerInfos[0]!;
  return Buffer.from(si.unsignedAttrs!.attributes.find((x) => x.type === '1.2.840.113549.1.9.16.2.14')!.values[0]!.toBER());
}
