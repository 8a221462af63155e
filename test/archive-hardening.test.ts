// Hardening of what the archive steps read (issue 31): trust anchors that must be CAs, every
// certificate, key and PKCS #12 file read with a plain message, OFD packages that unpack to
// gigabytes, and TSA/OCSP/CRL servers that answer too much, too slowly or elsewhere. Signed
// folders are made here (openssl's certificates, the library's signPdf) and judged by the CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { REPO, sampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { sharedBuild } from './shared-build.js';
import { twoAtATime } from './two-at-a-time.js';
import { loadPemSigner } from '../src/archive/p12.js';
import { signPdf } from '../src/archive/sign.js';
import { sha256Sums } from '../src/archive/checksums.js';
import { addDss } from '../src/archive/ltv.js';
import { makeCa } from './pki.js';
import { TimestampError, requestTimestamp } from '../src/archive/timestamp.js';
import { startTsa, type TestTsa } from './tsa.js';

const ssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** The sample printed once, unsigned: the PDF every signed folder here starts from. */
let printed: Buffer;
let pki: string;

beforeAll(() => {
  const root = sampleWorkspace();
  const r = sharedBuild(root, ['build', '2016Q4', '--format', 'pdf']);
  expect(r.status, r.stderr).toBe(0);
  printed = readFileSync(path.join(root, 'out/2016Q4/bulletin.pdf'));
  pki = mkdtempSync(path.join(tmpdir(), 'tongbao-pki-'));
}, 120_000);

/**
 * A certificate `name` in the test PKI folder: self-signed when `issuer` is absent, else issued
 * by it; `ext` the extensions (none: a v1 certificate); `dates` backdated with `openssl ca`.
 */
function cert(name: string, options: { issuer?: string; ext?: string; days?: number } = {}): string {
  ssl(pki, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  const ext = options.ext === undefined ? [] : (writeFileSync(path.join(pki, `${name}.ext`), options.ext.replace(/; /g, '\n') + '\n'), ['-extfile', `${name}.ext`]);
  const by = options.issuer ? ['-CA', `${options.issuer}.pem`, '-CAkey', `${options.issuer}.key`, '-CAcreateserial'] : ['-signkey', `${name}.key`];
  ssl(pki, ['x509', '-req', '-in', `${name}.csr`, ...by, '-out', `${name}.pem`, '-days', String(options.days ?? 30), ...ext]);
  return path.join(pki, `${name}.pem`);
}

const CA_EXT = 'basicConstraints=critical,CA:TRUE; keyUsage=critical,keyCertSign,cRLSign';
const LEAF_EXT = 'basicConstraints=CA:FALSE; keyUsage=critical,digitalSignature,nonRepudiation';

/** A folder as a signed build leaves it: bulletin.pdf signed by `leaf` (with `chain`), SHA256SUMS. */
async function signedFolder(leaf: string, chain: string[] = []): Promise<string> {
  const key = readFileSync(path.join(pki, `${leaf}.key`));
  const certs = Buffer.concat([leaf, ...chain].map((c) => readFileSync(path.join(pki, `${c}.pem`))));
  const pdf = await signPdf(printed, loadPemSigner(key, certs, ''), { time: new Date() });
  const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-signed-'));
  const files = new Map([['bulletin.pdf', pdf]]);
  writeFileSync(path.join(dir, 'bulletin.pdf'), pdf);
  writeFileSync(path.join(dir, 'SHA256SUMS'), sha256Sums(files));
  return dir;
}

const verify = (dir: string, trust: string) => tongbao(['verify', dir, '--trust', trust], pki);
const verifyAsync = (dir: string, trust: string) => tongbaoAsync(['verify', dir, '--trust', trust], pki);

describe('verify --trust: an anchor must be a CA', () => {
  it('refuses an end-entity certificate (CA:FALSE) that issued the signer, and says why', async () => {
    cert('Office Cert', { ext: 'basicConstraints=critical,CA:FALSE; keyUsage=critical,digitalSignature,keyCertSign' });
    cert('Signed By Office', { issuer: 'Office Cert', ext: LEAF_EXT });
    const r = verify(await signedFolder('Signed By Office', ['Office Cert']), path.join(pki, 'Office Cert.pem'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--trust 给出的「Office Cert」签发了「Signed By Office」，但它不是 CA 证书（基本约束 basicConstraints 不是 CA:TRUE），不能作为信任的根证书');
    expect(r.stderr).not.toContain('不在 --trust 给出的证书中');
  });

  it('refuses a CA without keyCertSign in its key usage', async () => {
    cert('No Sign CA', { ext: 'basicConstraints=critical,CA:TRUE; keyUsage=critical,cRLSign,digitalSignature' });
    cert('Signed By No Sign CA', { issuer: 'No Sign CA', ext: LEAF_EXT });
    const r = verify(await signedFolder('Signed By No Sign CA'), path.join(pki, 'No Sign CA.pem'));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('但它的密钥用途（keyUsage）不含证书签发（keyCertSign），不能作为信任的根证书');
  });

  it('takes an intermediate CA given as the anchor, and refuses a non-CA in the carried chain', async () => {
    cert('Good Root', { ext: CA_EXT });
    cert('Good Intermediate', { issuer: 'Good Root', ext: CA_EXT });
    cert('Signed By Intermediate', { issuer: 'Good Intermediate', ext: LEAF_EXT });
    const dir = await signedFolder('Signed By Intermediate', ['Good Intermediate', 'Good Root']);
    const r = verify(dir, path.join(pki, 'Good Intermediate.pem'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('证书链：Signed By Intermediate → Good Intermediate（根证书在');
    expect(verify(dir, path.join(pki, 'Good Root.pem')).stdout).toContain('证书链：Signed By Intermediate → Good Intermediate → Good Root');
    // The chain through an end entity that issued a certificate: no CA, no trust.
    cert('Rogue Issuer', { issuer: 'Good Root', ext: 'basicConstraints=critical,CA:FALSE' });
    cert('Signed By Rogue', { issuer: 'Rogue Issuer', ext: LEAF_EXT });
    const rogue = verify(await signedFolder('Signed By Rogue', ['Rogue Issuer']), path.join(pki, 'Good Root.pem'));
    expect(rogue.status).toBe(1);
    expect(rogue.stderr).toContain('证书链中的「Rogue Issuer」签发了「Signed By Rogue」，但它不是 CA 证书');
  });

  it('refuses an anchor out of its validity', async () => {
    cert('Expired Root', { ext: CA_EXT, days: -1 });
    cert('Signed By Expired Root', { issuer: 'Expired Root', ext: LEAF_EXT });
    const r = verify(await signedFolder('Signed By Expired Root'), path.join(pki, 'Expired Root.pem'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/根证书「Expired Root」在现在（\d{4}-\d\d-\d\d）不在有效期内/);
  });

  it('takes a self-signed v1 root (no extensions, as old roots are), never a v1 certificate that is not one', async () => {
    cert('V1 Root');
    expect(ssl(pki, ['x509', '-in', 'V1 Root.pem', '-noout', '-text']).toString()).toContain('Version: 1 (0x0)');
    cert('Signed By V1 Root', { issuer: 'V1 Root', ext: LEAF_EXT });
    const r = verify(await signedFolder('Signed By V1 Root'), path.join(pki, 'V1 Root.pem'));
    expect(r.status, r.stderr).toBe(0);
    cert('V1 Intermediate', { issuer: 'Good Root' });
    cert('Signed By V1 Intermediate', { issuer: 'V1 Intermediate', ext: LEAF_EXT });
    const dir = await signedFolder('Signed By V1 Intermediate', ['V1 Intermediate']);
    for (const anchor of ['V1 Intermediate', 'Good Root']) {
      const v = verify(dir, path.join(pki, `${anchor}.pem`));
      expect(v.status, anchor).toBe(1);
      expect(v.stderr, anchor).toContain('但它是没有扩展的 v1 证书，又不是自签名的根证书，不能认作 CA');
    }
  });
  it('passes over garbage carried as a certificate in the DSS added after the signature', async () => {
    cert('Dss Root', { ext: CA_EXT });
    cert('Signed By Dss Root', { issuer: 'Dss Root', ext: LEAF_EXT });
    const dir = await signedFolder('Signed By Dss Root');
    const pdf = addDss(readFileSync(path.join(dir, 'bulletin.pdf')), { certs: [Buffer.from('not a certificate at all')], crls: [Buffer.from('nor a CRL')], ocsps: [] });
    writeFileSync(path.join(dir, 'bulletin.pdf'), pdf);
    writeFileSync(path.join(dir, 'SHA256SUMS'), sha256Sums(new Map([['bulletin.pdf', pdf]])));
    const r = verify(dir, path.join(pki, 'Dss Root.pem'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('证书链：Signed By Dss Root → Dss Root');
    expect(r.stdout).toContain('签名之后只加入了验证信息（1 个证书、1 个吊销列表、0 个 OCSP 应答）');
  });
});

describe('certificate, key and PKCS #12 files say plainly what is wrong with them', () => {
  const file = (name: string, content: string | Buffer) => {
    const f = path.join(pki, name);
    writeFileSync(f, content);
    return f;
  };
  const noOpenSsl = (s: string) => expect(s).not.toMatch(/routines|error:[0-9A-F]{8}|内部错误|Cannot |undefined/);

  beforeAll(() => {
    cert('P12 Signer', { ext: LEAF_EXT });
    ssl(pki, ['pkcs12', '-export', '-inkey', 'P12 Signer.key', '-in', 'P12 Signer.pem', '-out', 'good.p12', '-passout', 'pass:right']);
    ssl(pki, ['x509', '-in', 'P12 Signer.pem', '-outform', 'DER', '-out', 'signer.der']);
  });

  it('verify --trust: PEM armour around garbage, a key, a PKCS#12 file, PKCS#7, an empty file; DER is read', async () => {
    cert('Trust Root', { ext: CA_EXT });
    cert('Signed By Trust Root', { issuer: 'Trust Root', ext: LEAF_EXT });
    const dir = await signedFolder('Signed By Trust Root');
    const root = readFileSync(path.join(pki, 'Trust Root.pem'), 'utf8');
    const cases: [string, string | Buffer, RegExp][] = [
      ['garbage.pem', `${root}\n-----BEGIN CERTIFICATE-----\nTUlJQ2dhcmJhZ2UK\nnot base64 at all!\n-----END CERTIFICATE-----\n`, /garbage\.pem:\d+: 错误: 根证书文件「.*garbage\.pem」第 \d+ 行起的证书无法解读：-----BEGIN CERTIFICATE----- 与 -----END CERTIFICATE----- 之间不是有效的证书/],
      ['base64.pem', '-----BEGIN CERTIFICATE-----\nTUlJQ2dhcmJhZ2UK\n-----END CERTIFICATE-----\n', /base64\.pem:1: 错误: .*第 1 行起的证书无法解读/],
      ['key.pem', readFileSync(path.join(pki, 'Trust Root.key')), /key\.pem:1: 错误: .*中没有证书，只有私钥（这里要的是证书.*私钥不要交给别人）/],
      ['cut.pem', root.slice(0, 300), /cut\.pem:1: 错误: .*中的 PEM 块不完整/],
      ['empty.pem', '', /empty\.pem: 错误: 根证书文件「.*」是空的/],
      ['binary.pem', Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff, 0x00]), /中没有证书（应为 PEM 格式，-----BEGIN CERTIFICATE----- 开头，或 DER 格式）/],
      ['huge.pem', Buffer.alloc(17 * 1024 * 1024, '-----BEGIN CERTIFICATE-----\n'), /huge\.pem: 错误: 根证书文件「.*」有 17 MB，不像证书文件，未读取/],
    ];
    ssl(pki, ['pkcs12', '-export', '-inkey', 'Trust Root.key', '-in', 'Trust Root.pem', '-out', 'trust.p12', '-passout', 'pass:x']);
    cases.push(['trust.p12', readFileSync(path.join(pki, 'trust.p12')), /是 PKCS#12（\.p12\/\.pfx）文件，不是证书（导出其中的证书：openssl pkcs12/]);
    ssl(pki, ['crl2pkcs7', '-nocrl', '-certfile', 'Trust Root.pem', '-out', 'roots.p7b']);
    cases.push(['roots.p7b', readFileSync(path.join(pki, 'roots.p7b')), /中没有证书，只有PKCS#7 证书包（先转成 PEM 证书：openssl pkcs7 -print_certs/]);
    // DER (a .cer as Windows exports it) is a certificate like any other.
    ssl(pki, ['x509', '-in', 'Trust Root.pem', '-outform', 'DER', '-out', 'root.cer']);
    const files = cases.map(([name, content]) => file(name, content));
    const [der, ...runs] = await twoAtATime([path.join(pki, 'root.cer'), ...files], (trust) => verifyAsync(dir, trust));
    for (const [i, [name, , said]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, name).toBe(2);
      expect(r.stderr, name).toMatch(said);
      noOpenSsl(r.stderr);
    }
    expect(der!.status, der!.stderr).toBe(0);
    expect(der!.stdout).toContain('证书链：Signed By Trust Root → Trust Root');
  });

  it('build --sign --p12: empty, truncated, PEM, a bare certificate, garbage, a wrong password', async () => {
    const good = readFileSync(path.join(pki, 'good.p12'));
    const corrupt = Buffer.from(good);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    const cases: [string, string | Buffer, RegExp, string?][] = [
      ['empty.p12', '', /错误: 证书文件是空的/],
      ['cut.p12', good.subarray(0, Math.floor(good.length / 2)), /错误: 证书文件不完整（被截断了）/],
      ['pem.p12', readFileSync(path.join(pki, 'P12 Signer.pem')), /错误: 证书文件是 PEM 文本（证书），不是 PKCS#12.*用 --key 和 --cert 给出/],
      ['der.p12', readFileSync(path.join(pki, 'signer.der')), /错误: 证书文件是单独的证书（DER），不含私钥/],
      ['garbage.p12', 'this is not a certificate', /错误: 不是 PKCS#12 证书文件/],
      ['wrong.p12', good, /错误: 证书口令不正确（请核对环境变量 TONGBAO_SIGN_PASSWORD/, 'wrong'],
      ['corrupt.p12', corrupt, /错误: (证书口令不正确.*口令无误时，证书文件可能已损坏|不是 PKCS#12 证书文件，或文件已损坏|无法解开证书文件)/],
    ];
    // Each in a workspace of its own, two at a time: none of them may write anything.
    const runs = await twoAtATime(cases, ([name, content, , password]) => tongbaoAsync(['build', '2016Q4', '--format', 'pdf', '--sign', '--p12', file(name, content)], sampleWorkspace(), { TONGBAO_SIGN_PASSWORD: password ?? 'right' }));
    for (const [i, [name, , said]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(said);
      expect(r.stderr, name).toContain(name);
      noOpenSsl(r.stderr);
    }
  });

  it('build --sign --key --cert: each file the wrong thing, or garbage in armour', async () => {
    const key = readFileSync(path.join(pki, 'P12 Signer.key'));
    const pem = readFileSync(path.join(pki, 'P12 Signer.pem'));
    const garbageKey = '-----BEGIN PRIVATE KEY-----\nTUlJQ2dhcmJhZ2UK\n-----END PRIVATE KEY-----\n';
    const garbageCert = '-----BEGIN CERTIFICATE-----\nTUlJQ2dhcmJhZ2UK\n-----END CERTIFICATE-----\n';
    const cases: [string | Buffer, string | Buffer, RegExp][] = [
      [garbageKey, pem, /私钥文件第 1 行起的私钥无法解读/],
      [pem, pem, /私钥文件中没有私钥，只有证书/],
      [readFileSync(path.join(pki, 'good.p12')), pem, /私钥文件是 PKCS#12（\.p12\/\.pfx）文件，不是私钥/],
      ['', pem, /私钥文件是空的/],
      [key, key, /证书文件（--cert）中没有证书，只有私钥/],
      [key, garbageCert, /证书文件（--cert）第 1 行起的证书无法解读/],
      [key, '', /证书文件（--cert）是空的/],
    ];
    // Each in a workspace of its own, two at a time; the one that prints (a DER certificate is
    // read as well) first, so that the others run beside it.
    const pairs = cases.map(([k, c], i) => [file(`k${i}.pem`, k), file(`c${i}.pem`, c)] as const);
    const [der, ...runs] = await twoAtATime([[path.join(pki, 'P12 Signer.key'), path.join(pki, 'signer.der')] as const, ...pairs], ([key, cert]) =>
      tongbaoAsync(['build', '2016Q4', '--format', 'pdf', '--sign', '--key', key, '--cert', cert], sampleWorkspace(), { TONGBAO_SIGN_PASSWORD: '' }),
    );
    for (const [i, [, , said]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, String(i)).toBe(1);
      expect(r.stderr, String(i)).toMatch(said);
      noOpenSsl(r.stderr);
    }
    expect(der!.status, der!.stderr).toBe(0);
  });
});

/** A ZIP written by hand, so that its sizes can say what a test wants: entries already deflated. */
function zip(entries: { name: string; data: Buffer; size: number; crc?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(8, 8);
    head.writeUInt32LE(e.crc ?? 0, 14);
    head.writeUInt32LE(e.data.length, 18);
    head.writeUInt32LE(Math.min(e.size, 0xffffffff), 22);
    head.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(e.crc ?? 0, 16);
    dir.writeUInt32LE(e.data.length, 20);
    dir.writeUInt32LE(Math.min(e.size, 0xffffffff), 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(head, name, e.data);
    central.push(dir, name);
    offset += 30 + name.length + e.data.length;
  }
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...central, end]);
}

describe('verify on an OFD package that unpacks to gigabytes', () => {
  let gib: Buffer;
  const ofdXml = Buffer.from('<?xml version="1.0"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>');

  beforeAll(() => {
    // 1 GiB of zeros deflated (about 1 MB), made in 64 MiB steps so this process stays small.
    const chunk = Buffer.alloc(64 * 1024 * 1024);
    const z = spawnSync(process.execPath, ['-e', `const z=require('zlib').createDeflateRaw({level:9});const c=Buffer.alloc(${chunk.length});let n=0;z.pipe(process.stdout);(function w(){while(n<16){n++;if(!z.write(c))return z.once('drain',w)}z.end()})()`], { maxBuffer: 1 << 24 });
    gib = z.stdout;
    expect(gib.length).toBeLessThan(2_000_000);
  }, 60_000);

  /** A built folder with `bulletin.ofd` as given, listed in SHA256SUMS or not. */
  const folder = (ofd: Buffer, listed: boolean) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-ofd-'));
    writeFileSync(path.join(dir, 'bulletin.ofd'), ofd);
    writeFileSync(path.join(dir, 'SHA256SUMS'), listed ? sha256Sums(new Map([['bulletin.ofd', ofd]])) : '');
    return dir;
  };
  const timed = (dir: string) => {
    const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, path.join(REPO, 'bin/tongbao.js'), 'verify', dir], { encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stderr: r.stderr, kb: Number(/maxrss=(\d+)/.exec(r.stderr)?.[1]) };
  };

  it('refuses 4 × 1 GiB of zeros from the declared sizes, listed or not, in little memory', () => {
    const bomb = zip([{ name: 'OFD.xml', data: deflateRawSync(ofdXml), size: ofdXml.length, crc: crc32(ofdXml) }, ...[1, 2, 3, 4].map((i) => ({ name: `Doc_0/Res/font_${i}.ttf`, data: gib, size: 1024 ** 3 }))]);
    expect(bomb.length).toBeLessThan(8_000_000);
    for (const listed of [true, false]) {
      const r = timed(folder(bomb, listed));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/bulletin\.ofd: 错误: OFD 文件打不开：解压后有 4096 MB 以上（最大的一项 Doc_0\/Res\/font_1\.ttf 有 1024 MB），超过 256 MB 的上限，未解压/);
      expect(r.kb).toBeLessThan(400_000);
    }
  }, 60_000);

  it('stops an entry that unpacks to more than it declares, and one of many entries', () => {
    const liar = zip([{ name: 'OFD.xml', data: deflateRawSync(ofdXml), size: ofdXml.length }, { name: 'Doc_0/Document.xml', data: gib, size: 200 }]);
    const r = timed(folder(liar, true));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('OFD 文件打不开：其中的 Doc_0/Document.xml 解压后比它声明的 200 字节多，未解压');
    expect(r.kb).toBeLessThan(400_000);
    const empty = deflateRawSync(Buffer.alloc(0));
    const many = zip(Array.from({ length: 10_001 }, (_, i) => ({ name: `f${i}`, data: empty, size: 0 })));
    expect(timed(folder(many, true)).stderr).toContain('OFD 文件打不开：其中的文件有 10001 个，超过 10000 个的上限，未解压');
    const broken = timed(folder(Buffer.from('PK\u0003\u0004 not really a zip'), true));
    expect(broken.stderr).toContain('OFD 文件打不开：不是 ZIP 文件，或文件不完整');
  }, 60_000);
});

/**
 * A server that misbehaves as the issue found them, by path: a 3 GiB Content-Length, an endless
 * chunked body, headers and then a byte every 200 ms, redirects (to `target`, in a loop, to
 * ftp:), a reset connection, a cut body, HTTP 500. `ocsp` answers what `/ocsp` is asked.
 */
async function misbehaving(target: () => string, ocsp?: (body: Buffer) => Buffer): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const zeros = Buffer.alloc(1024 * 1024);
      if (url === '/ocsp' && ocsp) res.writeHead(200, { 'Content-Type': 'application/ocsp-response' }).end(ocsp(Buffer.concat(chunks)));
      else if (url.startsWith('/huge-length')) {
        res.writeHead(200, { 'Content-Length': String(3 * 1024 ** 3) });
        res.write(zeros);
      } else if (url.startsWith('/huge-chunked')) {
        res.writeHead(200);
        const pump = () => {
          while (!res.destroyed && res.write(zeros));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      } else if (url.startsWith('/drip')) {
        res.writeHead(200, { 'Content-Length': '100000' });
        const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('0')), 200);
      } else if (url.startsWith('/redirect-307')) res.writeHead(307, { Location: target() }).end();
      else if (url.startsWith('/redirect-loop')) res.writeHead(302, { Location: '/redirect-loop' }).end();
      else if (url.startsWith('/redirect-ftp')) res.writeHead(301, { Location: 'ftp://127.0.0.1/tsa' }).end();
      else if (url.startsWith('/reset')) req.socket.destroy();
      else if (url.startsWith('/cut')) {
        res.writeHead(200, { 'Content-Length': '100000' });
        res.write(zeros.subarray(0, 100), () => req.socket.destroy());
      } else res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('verify on files of a size no build writes', () => {
  it('hashes any file in little memory, and opens no PDF or SHA256SUMS of hundreds of megabytes', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tongbao-large-'));
    // Sparse: half a gigabyte that takes no disk and no time to make (hashing it takes a few seconds).
    writeFileSync(path.join(dir, 'bulletin.pdf'), '');
    truncateSync(path.join(dir, 'bulletin.pdf'), 512 * 1024 ** 2);
    writeFileSync(path.join(dir, 'SHA256SUMS'), `${'0'.repeat(64)}  bulletin.pdf\n`);
    const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, path.join(REPO, 'bin/tongbao.js'), 'verify', dir], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bulletin.pdf: 错误: 文件内容与 SHA256SUMS 记录的不符');
    expect(r.stderr).toContain('bulletin.pdf: 错误: PDF 有 512 MB，超过 256 MB 的上限，未核对其中的签名');
    expect(r.stderr).not.toContain('内部错误');
    expect(Number(/maxrss=(\d+)/.exec(r.stderr)?.[1])).toBeLessThan(300_000);
    // A signature of the list that is no signature: said as such, not as a PDF's /Contents.
    writeFileSync(path.join(dir, 'SHA256SUMS.p7s'), '-----BEGIN CMS-----\ngarbage\n-----END CMS-----\n');
    expect(tongbao(['verify', dir]).stderr).toContain('SHA256SUMS.p7s: 错误: SHA256SUMS 的签名文件无法解读（不是 CMS 签名，或已损坏）');
    truncateSync(path.join(dir, 'SHA256SUMS'), 5 * 1024 * 1024);
    const sums = tongbao(['verify', dir]);
    expect(sums.status).toBe(1);
    expect(sums.stderr).toContain('SHA256SUMS: 错误: 文件有 5 MB，不是生成时写出的 SHA256SUMS（它只有几百字节），未读取');
  }, 60_000);
});

describe('TSA, OCSP and CRL servers that answer too much, too slowly, elsewhere or not at all', () => {
  const PASSWORD = '口令';
  let tsa: TestTsa;
  let bad: Awaited<ReturnType<typeof misbehaving>>;
  let p12: string;
  /** A build signed with the TSA at `url`, the exchange limited to 2 s; its result and time. */
  const stamped = async (url: string, extra: string[] = [], signer = p12, seconds = 2) => {
    const t = performance.now();
    const r = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf', '--sign', '--p12', signer, ...(url ? ['--tsa', url] : []), ...extra], sampleWorkspace(), { TONGBAO_SIGN_PASSWORD: PASSWORD, TONGBAO_NETWORK_TIMEOUT: String(seconds) });
    return { ...r, seconds: (performance.now() - t) / 1000 };
  };

  beforeAll(async () => {
    tsa = await startTsa();
    bad = await misbehaving(() => tsa.url);
    p12 = makeCa('Network Root').issue('网络测试签名人', PASSWORD);
  });

  afterAll(async () => {
    await bad?.close();
    await tsa?.close();
  });

  it('follows a 307 to the TSA (it used to fail on a detached ArrayBuffer)', async () => {
    const r = await stamped(`${bad.base}/redirect-307`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('时间戳：');
    expect(r.stdout).toContain('（Test TSA）');
  }, 120_000);

  it('stops a 3 GiB answer and a drip of a byte at a time, said through the CLI, within the deadline', async () => {
    for (const [name, said] of [
      ['huge-length', /时间戳服务器 http:\/\/127\.0\.0\.1:\d+\/huge-length 的回答有 3072 MB，超过 1 MB 的上限，已停止接收，未生成/],
      ['drip', /时间戳服务器 http:\/\/127\.0\.0\.1:\d+\/drip 在 2 秒内没有答完，已中断，未生成/],
    ] as const) {
      const r = await stamped(`${bad.base}/${name}`);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toMatch(said);
      expect(r.stderr, name).not.toMatch(/内部错误|ArrayBuffer|fetch failed|terminated|aborted/);
      // The print takes a few seconds; the exchange at most the 2 s allowed.
      expect(r.seconds, name).toBeLessThan(30);
    }
  }, 120_000);

  it('words every other fault of the exchange in the project’s words (the messages the CLI prints)', async () => {
    process.env['TONGBAO_NETWORK_TIMEOUT'] = '2';
    const cases: [string, RegExp][] = [
      ['huge-chunked', /^时间戳服务器 http:\/\/127\.0\.0\.1:\d+\/huge-chunked 的回答超过 1 MB 的上限，已停止接收$/],
      ['redirect-loop', /^时间戳服务器 .*\/redirect-loop 转向 http:\/\/127\.0\.0\.1:\d+\/redirect-loop，已转向 3 次，不再跟随$/],
      ['redirect-ftp', /^时间戳服务器 .*\/redirect-ftp 转向 ftp:\/\/127\.0\.0\.1\/tsa，只跟随转向 http 和 https 地址$/],
      ['reset', /^连不上时间戳服务器 .*\/reset（连接被对方(重置，ECONNRESET|关闭，UND_ERR_SOCKET)）$/],
      ['cut', /^时间戳服务器 .*\/cut 的回答中途断开（连接被对方(重置，ECONNRESET|关闭，UND_ERR_SOCKET)）$/],
      ['status-500', /^时间戳服务器 .*\/status-500 回答 HTTP 500$/],
      ['drip', /^时间戳服务器 .*\/drip 在 2 秒内没有答完，已中断$/],
    ];
    try {
      for (const [name, said] of cases) {
        const t = performance.now();
        const e = await requestTimestamp(`${bad.base}/${name}`, Buffer.from('signature')).catch((x: unknown) => x);
        expect(e, name).toBeInstanceOf(TimestampError);
        expect((e as Error).message, name).toMatch(said);
        expect(performance.now() - t, name).toBeLessThan(5000);
      }
    } finally {
      delete process.env['TONGBAO_NETWORK_TIMEOUT'];
    }
  }, 60_000);

  it('holds OCSP and CRL fetches (--ltv) to the same limits', async () => {
    let caDir = '';
    const ocsp = (body: Buffer) => {
      writeFileSync(path.join(caDir, 'ocsp.req'), body);
      ssl(caDir, ['ocsp', '-index', 'index.txt', '-CA', 'root.pem', '-rsigner', 'root.pem', '-rkey', 'root.key', '-reqin', 'ocsp.req', '-respout', 'ocsp.resp', '-ndays', '7']);
      return readFileSync(path.join(caDir, 'ocsp.resp'));
    };
    const service = await misbehaving(() => `${service.base}/status-500`, ocsp);
    try {
      for (const [where, path_, said] of [
        ['ocsp', 'drip', /取「吊销测试」的吊销信息时，http:\/\/127\.0\.0\.1:\d+\/drip 在 2 秒内没有答完，已中断/],
        ['ocsp', 'huge-length', /取「吊销测试」的吊销信息时，.*\/huge-length 的回答有 3072 MB，超过 1 MB 的上限/],
        ['crl', 'huge-chunked', /取「吊销测试」的吊销信息时，.*\/huge-chunked 的回答超过 64 MB 的上限，已停止接收/],
        ['crl', 'redirect-307', /取「吊销测试」的吊销信息时，.*\/redirect-307 回答 HTTP 500/],
      ] as const) {
        const ca = makeCa(`Revocation Root ${where} ${path_}`, where === 'ocsp' ? { ocsp: `${service.base}/${path_}`, crl: `${service.base}/status-500` } : { ocsp: `${service.base}/ocsp`, crl: `${service.base}/${path_}` });
        caDir = ca.dir;
        // 64 MB on a loaded machine may take more than 2 s: the cap, not the deadline, is tested there.
        const r = await stamped('', ['--ltv'], ca.issue('吊销测试', PASSWORD), path_ === 'huge-chunked' ? 15 : 2);
        expect(r.status, path_).toBe(1);
        expect(r.stderr, path_).toMatch(said);
        expect(r.seconds, path_).toBeLessThan(40);
      }
    } finally {
      await service.close();
    }
  }, 300_000);
});
