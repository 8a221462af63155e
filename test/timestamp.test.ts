// PAdES B-T (issue 22): `build --sign --tsa URL` asks an RFC 3161 authority for a token over the
// signature value and keeps it in the signature. Judged by pdfsig, qpdf, `openssl ts -verify`
// against the test TSA's root, and `tongbao verify`; a TSA that fails leaves out/ as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as pkijs from 'pkijs';
import { REPO, sampleWorkspace, tongbaoAsync } from './helpers.js';
import { startTsa, type TestTsa } from './tsa.js';
import { serve } from './pki.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';

const CN = '某某市人民政府办公室测试';
const PASSWORD = '测试口令 2026';
let tsa: TestTsa;
let p12: string;

/** The CLI, run without blocking this process: the test TSA answers from here. */
const tongbao = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => tongbaoAsync(args, cwd, { TONGBAO_SIGN_PASSWORD: PASSWORD, ...env });

/** The signature's CMS in a signed PDF: its signature value and its time-stamp token. */
function signatureParts(pdf: Buffer): { value: Buffer; token?: Buffer } {
  const hex = /\/Contents\s*<([0-9A-Fa-f]+)>/.exec(pdf.toString('latin1'))![1]!;
  // Read with its zero padding: the DER says where it ends (a CMS may end in a zero byte, which
  // stripping the zeros would cut: one signature in 256).
  const info = pkijs.ContentInfo.fromBER(new Uint8Array(Buffer.from(hex, 'hex')));
  const si = new pkijs.SignedData({ schema: info.content }).signerInfos[0]!;
  const token = si.unsignedAttrs?.attributes.find((a) => a.type === '1.2.840.113549.1.9.16.2.14')?.values[0];
  return { value: Buffer.from(si.signature.valueBlock.valueHexView), ...(token && { token: Buffer.from(token.toBER()) }) };
}

/** A URL on a port of this machine that nothing listens on. */
async function closedPort(): Promise<string> {
  const service = await serve(() => ({ status: 404 }));
  await service.close();
  return `${service.base}/tsa`;
}

/** The builds the tests read, each a test's own, made in beforeAll two at a time: the workspace and what the CLI said. */
type Built = { root: string; r: Awaited<ReturnType<typeof tongbao>> };
const FAILING = ['unreachable', 'http-500', 'reject', 'other-digest'] as const;
let built: Record<'stamped' | 'plain' | (typeof FAILING)[number], Built>;

beforeAll(async () => {
  tsa = await startTsa();
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-signer-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '30', '-utf8', '-subj', `/C=CN/O=某某市人民政府/CN=${CN}`], { cwd: dir, stdio: 'pipe' });
  p12 = path.join(dir, 'signer.p12');
  execFileSync('openssl', ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-out', p12, '-passout', `pass:${PASSWORD}`], { cwd: dir, stdio: 'pipe' });
  // A TSA that fails, each way at an address of its own, so that these builds run side by side.
  const closed = await closedPort();
  const jobs: [keyof typeof built, string[]][] = [
    ['stamped', ['--tsa', tsa.urlFor('good')]],
    ['plain', []],
    ...FAILING.map((mode): [keyof typeof built, string[]] => [mode, ['--tsa', mode === 'unreachable' ? closed : tsa.urlFor(mode)]]),
  ];
  built = Object.fromEntries(
    await inPairs(jobs, async ([name, extra]) => {
      const root = sampleWorkspace();
      return [name, { root, r: await tongbao(['build', '2016Q4', '--sign', '--p12', p12, ...extra], root) }];
    }),
  ) as typeof built;
}, 300_000);

afterAll(async () => {
  await tsa?.close();
});

describe('build --sign --tsa: a time-stamped signature (PAdES B-T)', () => {
  let root: string;
  let pdf: Buffer;

  beforeAll(() => {
    root = built.stamped.root;
    const r = built.stamped.r;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/已签名（签名人：某某市人民政府办公室测试，签名时间：.*，时间戳：\d{4}年.*（Test TSA））/);
    pdf = readFileSync(path.join(root, 'out/2016Q4/bulletin.pdf'));
  });

  it('passes pdfsig with the Chinese signer, and qpdf --check', () => {
    const r = spawnSync('pdfsig', [path.join(root, 'out/2016Q4/bulletin.pdf')], { encoding: 'utf8' });
    expect(r.stdout).toContain('Signature Validation: Signature is Valid.');
    expect(r.stdout).toContain(`Signer Certificate Common Name: ${CN}`);
    expect(r.stdout).toContain('Total document signed');
    const q = spawnSync('qpdf', ['--check', path.join(root, 'out/2016Q4/bulletin.pdf')], { encoding: 'utf8' });
    expect(q.status, q.stdout + q.stderr).toBe(0);
  });

  it('holds a token over its signature value that openssl ts -verify accepts against the TSA’s root', () => {
    const { value, token } = signatureParts(pdf);
    expect(token).toBeDefined();
    const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-token-'));
    writeFileSync(path.join(dir, 'value.bin'), value);
    writeFileSync(path.join(dir, 'token.der'), token!);
    const ok = spawnSync('openssl', ['ts', '-verify', '-data', 'value.bin', '-in', 'token.der', '-token_in', '-CAfile', tsa.caFile], { cwd: dir, encoding: 'utf8' });
    expect(ok.stdout + ok.stderr).toContain('Verification: OK');
    // Over anything else it fails: the token is bound to this signature.
    writeFileSync(path.join(dir, 'other.bin'), Buffer.concat([value, Buffer.from([0])]));
    const other = spawnSync('openssl', ['ts', '-verify', '-data', 'other.bin', '-in', 'token.der', '-token_in', '-CAfile', tsa.caFile], { cwd: dir, encoding: 'utf8' });
    expect(other.stdout + other.stderr).not.toContain('Verification: OK');
  });

  it('is reported by tongbao verify with the token’s time and authority', async () => {
    const r = await tongbao(['verify', 'out/2016Q4'], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/签名有效，签名人 某某市人民政府办公室测试.*，时间戳 \d{4}年.*（Test TSA，PAdES B-T），签名覆盖整个文件/);
    const json = JSON.parse((await tongbao(['verify', 'out/2016Q4', '--json'], root)).stdout);
    expect(json.signatures[0]).toMatchObject({ level: 'B-T', timestamp: { tsa: 'Test TSA' } });
  });

  it('says a signature without a token proves no time', async () => {
    const plain = built.plain.root;
    expect(built.plain.r.status).toBe(0);
    const r = await tongbao(['verify', 'out/2016Q4'], plain);
    expect(r.stdout).toContain('没有时间戳：签名时间只是签名人自己写的');
  }, 120_000);
});

describe('a time-stamping authority that fails', () => {
  for (const [mode, said] of [
    ['unreachable', /连不上时间戳服务器 http:\/\/127\.0\.0\.1:\d+\/tsa（连接被拒绝，ECONNREFUSED）/],
    ['http-500', /时间戳服务器 .* 回答 HTTP 500/],
    ['reject', /的回答是拒绝（状态 2）/],
    ['other-digest', /时间戳不是对本签名的：其中的摘要与签名值的 SHA-256 不符/],
  ] as const) {
    it(`stops the build with a clear error and writes nothing (${mode})`, () => {
      const { root, r } = built[mode];
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(said);
      expect(r.stderr).toContain('未生成');
      expect(r.stderr).not.toContain('内部错误');
      expect(existsSync(path.join(root, 'out/2016Q4/bulletin.pdf'))).toBe(false);
    });
  }

  it('refuses --tsa without --sign, and an address that is not a URL', async () => {
    const root = sampleWorkspace();
    expect((await tongbao(['build', '2016Q4', '--tsa', 'http://127.0.0.1:1/'], root)).stderr).toContain('--tsa 给签名加时间戳：要与 --sign 一起使用');
    const r = await tongbao(['build', '2016Q4', '--sign', '--p12', p12, '--tsa', 'tsa.example'], root);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--tsa 应是时间戳服务器的网址');
  });
});
