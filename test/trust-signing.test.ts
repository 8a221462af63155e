// Inputs that used to give a wrong figure or a crash with no word (issue 18), continued from
// trust.test.ts: signing certificates, outputs kept from earlier builds, office fonts, signed
// folders changed. A file of their own so that they run beside the others.
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, edit, sampleWorkspace, tongbao, tongbaoAsync } from './helpers.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';
import { sharedBuild } from './shared-build.js';

describe('a signing certificate unfit to sign', () => {
  const certs = mkdtempSync(path.join(tmpdir(), 'tongbao-unfit-'));
  /** A .p12 made by openssl: `newkey` as `openssl req -newkey` takes it, extensions, export options. */
  function p12(name: string, newkey: string[], ext: string[] = [], exportArgs: string[] = [], password = '口令123'): string {
    const key = path.join(certs, `${name}.key`);
    const cert = path.join(certs, `${name}.pem`);
    const file = path.join(certs, `${name}.p12`);
    execFileSync('openssl', ['req', '-x509', ...newkey, '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-utf8', '-subj', '/C=CN/CN=某某市人民政府办公室测试', ...ext.flatMap((e) => ['-addext', e])], { stdio: 'pipe' });
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', key, '-in', cert, '-out', file, '-passout', 'env:P', ...exportArgs], { stdio: 'pipe', env: { ...process.env, P: password } });
    return file;
  }
  const RSA = ['-newkey', 'rsa:2048'];

  it('is refused before printing, in plain Chinese, and the last signed output stays as it was', async () => {
    const root = sampleWorkspace();
    const fresh: string[] = [];
    try {
      const sign = (file: string, env: NodeJS.ProcessEnv = {}, where = root) => tongbaoAsync(['build', '2016Q4', '--sign', '--p12', file], where, { TONGBAO_SIGN_PASSWORD: '口令123', ...env });
      const good = p12('good', RSA);
      const signing = sign(good);
      // The other certificates are made while the good one signs.
      const day = 86400;
      const now = Math.floor(Date.now() / 1000);
      execFileSync('openssl', ['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:1024', '-out', path.join(certs, 'dsa.param')], { stdio: 'pipe' });
      const cases: [string, string, NodeJS.ProcessEnv, string][] = [
        ['expired at the signing time', good, { SOURCE_DATE_EPOCH: String(now + 60 * day) }, '签名证书已过期：有效期到'],
        ['not yet valid at the signing time', good, { SOURCE_DATE_EPOCH: '946684800' }, '签名证书尚未生效：有效期从'],
        ['a CA certificate', p12('ca', RSA, ['keyUsage=critical,keyCertSign,cRLSign']), {}, '密钥用途不含数字签名'],
        ['an encryption certificate', p12('enc', RSA, ['keyUsage=keyEncipherment,dataEncipherment']), {}, '密钥用途不含数字签名'],
        ['an Ed25519 key', p12('ed25519', ['-newkey', 'ed25519']), {}, '证书的密钥类型是 Ed25519'],
        ['an Ed448 key', p12('ed448', ['-newkey', 'ed448']), {}, '证书的密钥类型是 Ed448'],
        ['a DSA key', p12('dsa', ['-newkey', `dsa:${path.join(certs, 'dsa.param')}`]), {}, '证书的密钥类型是 DSA'],
        ['a p12 with legacy encryption', p12('legacy', RSA, [], ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']), {}, '证书文件使用了旧式加密（PKCS#12 的 SHA-1 + 3DES'],
        ['a wrong password', good, { TONGBAO_SIGN_PASSWORD: '错的' }, '证书口令不正确'],
      ];
      const nr = p12('nr', RSA, ['keyUsage=critical,nonRepudiation']);
      const empty = p12('empty', RSA, [], [], '');
      expect((await signing).status).toBe(0);
      const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
      const before = readFileSync(pdf);
      // Fit ones sign: a nonRepudiation-only certificate, and a p12 whose password is empty. Each
      // in a workspace of its own, beside the refusals, which leave root/out as it was.
      const elsewhere = () => {
        const w = sampleWorkspace();
        fresh.push(w);
        return w;
      };
      const fit = [
        async () => expect((await sign(nr, {}, elsewhere())).status).toBe(0),
        async () => {
          const r = await sign(empty, { TONGBAO_SIGN_PASSWORD: '' }, elsewhere());
          expect(r.status, r.stderr).toBe(0);
        },
      ];
      const refused = cases.map(([what, file, env, said]) => async () => {
        const r = await sign(file, env);
        expect(r.stderr, what).not.toContain('内部错误');
        expect(r.status, what).toBe(1);
        expect(r.stderr, what).toContain(said);
        expect(r.stderr, what).not.toContain('1.2.840'); // no raw OID
        expect(readFileSync(pdf).equals(before), what).toBe(true);
      });
      await inPairs([...fit, ...refused], (job) => job());
    } finally {
      for (const w of [root, ...fresh]) rmSync(w, { recursive: true, force: true });
    }
  }, 240_000); // a dozen builds, three of them printing
});

describe('an output of the other format, from an earlier build', () => {
  it('is kept only while true to the data, never reported as generated; the page is remade', async () => {
    const root = sampleWorkspace();
    const copies: string[] = [];
    try {
      const names = (files: string[]) => files.map((f) => path.basename(f)).sort();
      /** A build in `ws`, which must succeed: what it says it wrote and kept, and its messages. */
      const build = async (ws: string, ...args: string[]) => {
        const r = await tongbaoAsync(['build', '2016Q4', '--json', ...args], ws);
        expect(r.status, r.stderr).toBe(0);
        return { ...JSON.parse(r.stdout), stderr: r.stderr } as { written: string[]; kept: string[]; messages: { rule: string; reason: string }[]; stderr: string };
      };
      const out = (ws: string) => path.join(ws, 'out/2016Q4');
      const circular = (ws: string) => path.join(ws, 'content/2016Q4/circular.md');
      const original = readFileSync(circular(root), 'utf8');
      expect(names((await build(root)).written)).toEqual(['SHA256SUMS', 'bulletin.pdf', 'index.html']);
      const pdf = readFileSync(path.join(out(root), 'bulletin.pdf'));

      // Nothing changed: the PDF stays, said to be kept, not generated.
      let r = await build(root, '--format', 'html');
      expect(names(r.written)).toEqual(['SHA256SUMS', 'index.html']);
      expect(names(r.kept)).toEqual(['bulletin.pdf']);
      expect(readFileSync(path.join(out(root), 'bulletin.pdf')).equals(pdf)).toBe(true);

      // What follows starts from this workspace, each part in a copy of its own, two side by side.
      const copy = () => {
        const ws = mkdtempSync(path.join(tmpdir(), 'tongbao-kept-'));
        cpSync(root, ws, { recursive: true });
        copies.push(ws);
        return ws;
      };
      // The circular, a table, the YAML changed: the PDF no longer says what the data say.
      const changes = ([
        ['the circular', (ws) => writeFileSync(circular(ws), `${original}\n改过的一段。\n`)],
        ['a table', (ws) => edit(ws, 'data/2016Q4/problem-sites.csv', (t) => t.replace('站点长期无法访问', '站点长期无法打开'))],
        ['the title', (ws) => edit(ws, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^title: (.*)$/m, 'title: $1（修订）'))],
      ] as [string, (ws: string) => void][]).map(([what, change]) => async () => {
        const ws = copy();
        expect(names((await build(ws)).written), what).toContain('bulletin.pdf'); // a PDF true to the data
        change(ws);
        const r = await build(ws, '--format', 'html');
        expect(r.kept, what).toEqual([]);
        expect(existsSync(path.join(out(ws), 'bulletin.pdf')), what).toBe(false);
        expect(r.messages.find((m) => m.rule === 'build/stale-pdf')?.reason, what).toBe('上次生成的 bulletin.pdf 与现在的数据不一致（数据、正文、模板或字体改过），已删除');
        expect((await tongbaoAsync(['verify', out(ws)], ws)).status, what).toBe(0);
      });

      // A PDF whose source is not on record (an older tongbao made it, the record is lost): not kept either.
      const unrecorded = async () => {
        const ws = copy();
        await build(ws);
        rmSync(path.join(ws, 'out/.2016Q4.json'));
        const r = await build(ws, '--format', 'html');
        expect(r.messages.find((m) => m.rule === 'build/stale-pdf')?.reason).toBe('无法确认上次生成的 bulletin.pdf 与现在的数据一致，已删除');
      };

      // A PDF-only build remakes the page beside it, so it never shows older figures.
      const pdfOnly = async () => {
        const ws = copy();
        await build(ws);
        writeFileSync(circular(ws), `${original}\n只生成 PDF 时改的一段。\n`);
        const r = await build(ws, '--format', 'pdf');
        expect(names(r.written)).toEqual(['SHA256SUMS', 'bulletin.pdf', 'index.html']);
        expect(readFileSync(path.join(out(ws), 'index.html'), 'utf8')).toContain('只生成 PDF 时改的一段。');
      };
      // The office's own face replaced under the same name: the page names it by path, and
      // the PDF holds the other face's glyphs, so it is not kept. The same bytes written again: kept.
      const faces = path.join(REPO, 'node_modules/@fontsource');
      const sans = path.join(faces, 'noto-sans-sc/files/noto-sans-sc-chinese-simplified-400-normal.woff2');
      const serif = path.join(faces, 'noto-serif-sc/files/noto-serif-sc-chinese-simplified-400-normal.woff2');
      const officeFace = async () => {
        const ws = copy();
        const face = path.join(ws, 'fonts', '仿宋_GB2312.woff2');
        mkdirSync(path.dirname(face));
        cpSync(sans, face);
        expect(names((await build(ws)).written)).toContain('bulletin.pdf');
        writeFileSync(face, readFileSync(sans));
        expect(names((await build(ws, '--format', 'html')).kept)).toEqual(['bulletin.pdf']);
        cpSync(serif, face);
        const r = await build(ws, '--format', 'html');
        expect(r.kept).toEqual([]);
        expect(existsSync(path.join(out(ws), 'bulletin.pdf'))).toBe(false);
        expect(r.messages.find((m) => m.rule === 'build/stale-pdf')?.reason).toBe('上次生成的 bulletin.pdf 与现在的数据不一致（数据、正文、模板或字体改过），已删除');
      };
      await inPairs([...changes, unrecorded, pdfOnly, officeFace], (job) => job());
    } finally {
      for (const ws of [root, ...copies]) rmSync(ws, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('an office font that cannot serve', () => {
  const files = path.join(REPO, 'node_modules/@fontsource/noto-serif-sc/files');
  const cjk = readFileSync(path.join(files, 'noto-serif-sc-chinese-simplified-400-normal.woff2'));
  const cases: [string, Buffer, string][] = [
    ['random bytes', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)), '不是能读取的字体文件'],
    ['a truncated font', cjk.subarray(0, 3000), '不是能读取的字体文件'],
    ['a font for Latin text only', readFileSync(path.join(files, 'noto-serif-sc-latin-400-normal.woff2')), '不是这种中文字体'],
  ];

  it('is not used: the free face prints instead, with a warning naming the file; no Type 3 fallback', async () => {
    // Each font in a workspace of its own, two builds side by side.
    await inPairs(cases, async ([what, bytes, said]) => {
      const root = sampleWorkspace();
      try {
        mkdirSync(path.join(root, 'fonts'));
        writeFileSync(path.join(root, 'fonts', '仿宋_GB2312.woff2'), bytes);
        const r = await tongbaoAsync(['build', '2016Q4', '--format', 'pdf'], root);
        expect(r.status, `${what}: ${r.stderr}`).toBe(0);
        expect(r.stderr, what).toMatch(new RegExp(`fonts/仿宋_GB2312\\.woff2: 警告: 字体「仿宋_GB2312\\.woff2」.*${said}.*改用免费字体`));
        const fonts = spawnSync('pdffonts', [path.join(root, 'out/2016Q4/bulletin.pdf')], { encoding: 'utf8' }).stdout;
        expect(fonts, what).not.toMatch(/Type 3/);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }, 120_000);

  it('under fonts: official is an error naming the file and why', () => {
    const root = sampleWorkspace();
    try {
      edit(root, 'data/2016Q4/bulletin.yaml', (t) => `${t}\nfonts: official\n`);
      mkdirSync(path.join(root, 'fonts'));
      for (const n of ['方正小标宋简体', '黑体', '楷体_GB2312']) writeFileSync(path.join(root, 'fonts', `${n}.woff2`), cjk);
      writeFileSync(path.join(root, 'fonts', '仿宋_GB2312.woff2'), cases[0]![1]);
      const r = tongbao(['build', '2016Q4', '--format', 'pdf'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('中没有可用的仿宋_GB2312（fonts/仿宋_GB2312.woff2 不是能读取的字体文件');
      expect(r.stderr).not.toContain('内部错误');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a signed folder whose PDF is swapped or taken out, with SHA256SUMS written again', () => {
  it('fails verify: the file list is signed too; --signed also asks that the signatures be there', () => {
    const root = sampleWorkspace();
    const certs = mkdtempSync(path.join(tmpdir(), 'tongbao-sums-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(certs, 'k.pem'), '-out', path.join(certs, 'c.pem'), '-days', '30', '-utf8', '-subj', '/CN=某某市人民政府办公室测试'], { stdio: 'pipe' });
      execFileSync('openssl', ['pkcs12', '-export', '-inkey', path.join(certs, 'k.pem'), '-in', path.join(certs, 'c.pem'), '-out', path.join(certs, 's.p12'), '-passout', 'pass:x'], { stdio: 'pipe' });
      // The plain print, as other tests build it too.
      expect(sharedBuild(root, ['build', '2016Q4', '--format', 'pdf']).status).toBe(0);
      const unsigned = readFileSync(path.join(root, 'out/2016Q4/bulletin.pdf'));
      const r0 = tongbao(['build', '2016Q4', '--sign', '--p12', path.join(certs, 's.p12')], root, { TONGBAO_SIGN_PASSWORD: 'x' });
      expect(r0.status, r0.stderr).toBe(0);
      const out = path.join(root, 'out/2016Q4');
      expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'SHA256SUMS.p7s', 'bulletin.pdf', 'index.html']);
      expect(tongbao(['verify', out, '--signed'], root).status).toBe(0);
      // What someone would do to pass off another PDF: change the folder, write the sums again.
      const resum = (dir: string) =>
        writeFileSync(path.join(dir, 'SHA256SUMS'), readdirSync(dir).filter((f) => !f.startsWith('SHA256SUMS')).sort().map((f) => `${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}  ${f}\n`).join(''));
      const cases: [string, (dir: string) => void, string[], string][] = [
        ['the PDF swapped for an unsigned one', (d) => writeFileSync(path.join(d, 'bulletin.pdf'), unsigned), [], 'SHA256SUMS.p7s: 错误: 文件内容与签名不符：SHA256SUMS 在签名之后被改动'],
        ['the PDF taken out with its line', (d) => rmSync(path.join(d, 'bulletin.pdf')), [], 'SHA256SUMS.p7s: 错误: 文件内容与签名不符：SHA256SUMS 在签名之后被改动'],
        ['a file put in', (d) => writeFileSync(path.join(d, 'notice.html'), '<p>x</p>'), [], 'SHA256SUMS.p7s: 错误: 文件内容与签名不符'],
        ['the PDF swapped and the signature of the list removed', (d) => { writeFileSync(path.join(d, 'bulletin.pdf'), unsigned); rmSync(path.join(d, 'SHA256SUMS.p7s')); }, ['--signed'], 'bulletin.pdf: 错误: 要求是签名的生成结果（--signed），但这个 PDF 没有签名'],
        ['everything signed removed', (d) => { rmSync(path.join(d, 'bulletin.pdf')); rmSync(path.join(d, 'SHA256SUMS.p7s')); }, ['--signed'], '要求是签名的生成结果（--signed），但 SHA256SUMS 没有签名'],
      ];
      for (const [what, change, flags, said] of cases) {
        const dir = path.join(root, `changed-${cases.findIndex((c) => c[0] === what)}`);
        cpSync(out, dir, { recursive: true });
        change(dir);
        resum(dir);
        const r = tongbao(['verify', dir, ...flags], root);
        expect(r.status, `${what}: ${r.stdout}`).toBe(1);
        expect(r.stderr, what).toContain(said);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(certs, { recursive: true, force: true });
    }
  }, 120_000);
});
