// Every file the build opens is opened one way (src/load/workspace-file.ts): inside the
// workspace root, a regular file, under its size limit, decoded as the tables are, and with no
// character a printed text may not hold. Each test runs the real CLI on a throwaway workspace.
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import iconv from 'iconv-lite';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, edit, exampleWorkspace, sampleWorkspace, tongbao, tongbaoAsync, type Run } from './helpers.js';
import { sharedBuild } from './shared-build.js';
import { queue, twoAtATime } from './two-at-a-time.js';

/** The CLI runs of the tests that run side by side (it.concurrent): two at a time. */
const lane = queue(2);

/** A word that only the files outside the workspace hold: it must reach no output and no message. */
const SECRET = 'OUTSIDE-SECRET-7731';

/** Every file under `dir`, as text (binary files too: the word would show as bytes). */
function everything(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => readFileSync(path.join(d.parentPath, d.name), 'latin1'))
    .join('\n');
}

describe('a path the build opens, linked to a file or folder outside the workspace', () => {
  let outside: string;
  beforeAll(() => {
    outside = mkdtempSync(path.join(tmpdir(), 'tongbao-outside-'));
    writeFileSync(path.join(outside, 'secret.md'), `# ${SECRET}\n\n${SECRET}。\n`);
    writeFileSync(path.join(outside, 'secret.css'), `body::before { content: "${SECRET}"; }\n`);
    writeFileSync(path.join(outside, 'secret.hbs'), `<p>${SECRET}</p>\n`);
    mkdirSync(path.join(outside, 'content'));
    writeFileSync(path.join(outside, 'content/circular.md'), `${SECRET}。\n`);
    cpSync(path.join(REPO, 'templates'), path.join(outside, 'templates'), { recursive: true });
    writeFileSync(path.join(outside, 'templates/screen.css'), `body::before { content: "${SECRET}"; }\n`);
    cpSync(path.join(REPO, 'data/2016Q4'), path.join(outside, 'data'), { recursive: true });
    edit(outside, 'data/bulletin.yaml', (t) => t.replace('source: 中国政府网', `source: ${SECRET}`));
    edit(outside, 'data/history.csv', (t) => t.replace('2016Q1', SECRET));
  });
  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  const cases: [what: string, link: (root: string) => void, said: string][] = [
    ['a content file', (root) => symlinkSync(path.join(outside, 'secret.md'), path.join(root, 'content/2016Q4/zz.md')), 'content/2016Q4/zz.md: 错误: 通报正文「content/2016Q4/zz.md」指向工作目录之外'],
    ['the circular itself', (root) => { rmSync(path.join(root, 'content/2016Q4/circular.md')); symlinkSync(path.join(outside, 'secret.md'), path.join(root, 'content/2016Q4/circular.md')); }, 'content/2016Q4/circular.md: 错误: 通报正文「content/2016Q4/circular.md」指向工作目录之外'],
    ['the content folder', (root) => { rmSync(path.join(root, 'content/2016Q4'), { recursive: true }); symlinkSync(path.join(outside, 'content'), path.join(root, 'content/2016Q4')); }, 'content/2016Q4: 错误: 目录「content/2016Q4」是指向工作目录之外的链接'],
    ['the templates folder', (root) => symlinkSync(path.join(outside, 'templates'), path.join(root, 'templates')), 'templates: 错误: 目录「templates」是指向工作目录之外的链接'],
    ['a style sheet of templates/', (root) => { mkdirSync(path.join(root, 'templates')); symlinkSync(path.join(outside, 'secret.css'), path.join(root, 'templates/print.css')); }, 'templates/print.css: 错误: 模板文件「templates/print.css」指向工作目录之外'],
    ['a partial of templates/partials', (root) => { mkdirSync(path.join(root, 'templates/partials'), { recursive: true }); symlinkSync(path.join(outside, 'secret.hbs'), path.join(root, 'templates/partials/colophon.hbs')); }, 'templates/partials/colophon.hbs: 错误: 模板文件「templates/partials/colophon.hbs」指向工作目录之外'],
    ['the layout bulletin.hbs', (root) => { mkdirSync(path.join(root, 'templates')); symlinkSync(path.join(outside, 'secret.hbs'), path.join(root, 'templates/bulletin.hbs')); }, 'templates/bulletin.hbs: 错误: 模板文件「templates/bulletin.hbs」指向工作目录之外'],
    ['bulletin.yaml', (root) => { rmSync(path.join(root, 'data/2016Q4/bulletin.yaml')); symlinkSync(path.join(outside, 'data/bulletin.yaml'), path.join(root, 'data/2016Q4/bulletin.yaml')); }, 'data/2016Q4/bulletin.yaml: 错误: 数据文件「data/2016Q4/bulletin.yaml」指向工作目录之外'],
    ['the period\'s data folder', (root) => { rmSync(path.join(root, 'data/2016Q4'), { recursive: true }); symlinkSync(path.join(outside, 'data'), path.join(root, 'data/2016Q4')); }, 'data/2016Q4: 错误: 目录「data/2016Q4」是指向工作目录之外的链接'],
    // history.csv is the charted table: the chart's file too.
    ['a data table (the chart\'s)', (root) => { rmSync(path.join(root, 'data/2016Q4/history.csv')); symlinkSync(path.join(outside, 'data/history.csv'), path.join(root, 'data/2016Q4/history.csv')); }, '是指向数据目录之外的链接'],
  ];

  // Each case linked in a workspace of its own and built, two at a time; each test looks at its own.
  const built = new Map<string, { root: string; r: Run }>();
  beforeAll(async () => {
    await twoAtATime(cases, async ([what, link]) => {
      const root = sampleWorkspace();
      link(root);
      built.set(what, { root, r: await tongbaoAsync(['build', '2016Q4', '--format', 'html'], root) });
    });
  }, 300_000);

  it.each(cases)('%s: refused with the path named, nothing of it in out/ or in a message', (what, _link, said) => {
    const { root, r } = built.get(what)!;
    try {
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(said);
      expect(r.stderr).not.toMatch(/内部错误|\n\s+at /);
      expect(r.stderr + r.stdout).not.toContain(SECRET);
      expect(everything(path.join(root, 'out'))).not.toContain(SECRET);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a data table linked out is named at its file: key in bulletin.yaml', () => {
    const root = sampleWorkspace();
    try {
      symlinkSync(path.join(outside, 'data/history.csv'), path.join(root, 'data/2016Q4/elsewhere.csv'));
      edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('file: problem-sites.csv', 'file: elsewhere.csv'));
      const r = tongbao(['check', '2016Q4'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/data\/2016Q4\/bulletin\.yaml:\d+:11: 错误: 文件「elsewhere\.csv」是指向数据目录之外的链接/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('the seal linked out is refused at seal: in bulletin.yaml', () => {
    const root = exampleWorkspace('city');
    try {
      writeFileSync(path.join(outside, 'seal.svg'), `<svg xmlns="http://www.w3.org/2000/svg"><text>${SECRET}</text></svg>`);
      rmSync(path.join(root, 'data/2017Q1/seal.svg'));
      symlinkSync(path.join(outside, 'seal.svg'), path.join(root, 'data/2017Q1/seal.svg'));
      const r = tongbao(['build', '2017Q1', '--format', 'html'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/data\/2017Q1\/bulletin\.yaml:25:\d+: 错误: 文件「seal\.svg」是指向数据目录之外的链接/);
      expect(everything(path.join(root, 'out/2017Q1'))).not.toContain(SECRET);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("a previous period's data folder linked out: its own check names it, the next period's check reads nothing of it", () => {
    const root = sampleWorkspace();
    try {
      cpSync(path.join(outside, 'data'), path.join(outside, '2016Q3'), { recursive: true });
      edit(outside, '2016Q3/bulletin.yaml', (t) => t.replace('period: 2016Q4', 'period: 2016Q3').replace('previous: 2016Q3', 'previous: 2016Q2'));
      symlinkSync(path.join(outside, '2016Q3'), path.join(root, 'data/2016Q3'));
      const own = tongbao(['check', '2016Q3'], root);
      expect(own.status).toBe(1);
      expect(own.stderr).toContain('data/2016Q3: 错误: 目录「data/2016Q3」是指向工作目录之外的链接');
      const next = tongbao(['check', '2016Q4', '--json'], root);
      const messages = JSON.parse(next.stdout).messages as { rule: string; reason: string }[];
      expect(messages.map((m) => m.rule)).toContain('figures/previous');
      expect(next.stdout).not.toContain(SECRET);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('new does not copy a narrative from a content folder linked out: it refuses, naming the folder', () => {
    const root = sampleWorkspace();
    try {
      rmSync(path.join(root, 'content/2016Q4'), { recursive: true });
      symlinkSync(path.join(outside, 'content'), path.join(root, 'content/2016Q4'));
      const r = tongbao(['new', '2017Q1', '--from', '2016Q4'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('content/2016Q4: 错误: 目录「content/2016Q4」是指向工作目录之外的链接');
      expect(existsSync(path.join(root, 'content/2017Q1'))).toBe(false);
      expect(existsSync(path.join(root, 'data/2017Q1'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a printed output of the last build replaced by a link out is not kept as if it were the PDF', () => {
    const root = sampleWorkspace();
    try {
      expect(sharedBuild(root, ['build', '2016Q4', '--format', 'pdf']).status).toBe(0);
      const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
      writeFileSync(path.join(outside, 'fake.pdf'), `%PDF-1.7 ${SECRET}`);
      rmSync(pdf);
      symlinkSync(path.join(outside, 'fake.pdf'), pdf);
      const r = tongbao(['build', '2016Q4', '--format', 'html'], root);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('bulletin.pdf 不是普通文件（符号链接或目录），没有跟随，已删除');
      expect(everything(path.join(root, 'out'))).not.toContain(SECRET);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 60_000);

  it('links that stay inside the workspace are followed: a circular and the templates folder kept elsewhere in it', () => {
    const root = sampleWorkspace();
    try {
      mkdirSync(path.join(root, 'drafts'));
      cpSync(path.join(root, 'content/2016Q4/circular.md'), path.join(root, 'drafts/circular.md'));
      rmSync(path.join(root, 'content/2016Q4/circular.md'));
      symlinkSync(path.join(root, 'drafts/circular.md'), path.join(root, 'content/2016Q4/circular.md'));
      cpSync(path.join(REPO, 'templates'), path.join(root, 'layout'), { recursive: true });
      writeFileSync(path.join(root, 'layout/screen.css'), readFileSync(path.join(REPO, 'templates/screen.css'), 'utf8') + '\n.inside-marker { color: red; }\n');
      symlinkSync(path.join(root, 'layout'), path.join(root, 'templates'));
      const r = tongbao(['build', '2016Q4', '--format', 'html'], root);
      expect(r.status, r.stderr).toBe(0);
      const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
      expect(html).toContain('.inside-marker');
      expect(html).toContain('各地区、各部门');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an office font linked from outside, or a fonts folder linked out, is not read: the free face prints, with a warning naming it', async () => {
    const dejavu = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
    // A font linked out, in one workspace; the whole folder a link out, in another: built side by side.
    const root = sampleWorkspace();
    const folder = sampleWorkspace();
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'tongbao-fonts-'));
    try {
      mkdirSync(path.join(root, 'fonts'));
      symlinkSync(dejavu, path.join(root, 'fonts/黑体.ttf'));
      cpSync(dejavu, path.join(elsewhere, '黑体.ttf'));
      symlinkSync(elsewhere, path.join(folder, 'fonts'));
      const [r, official] = await Promise.all([root, folder].map((w) => tongbaoAsync(['build', '2016Q4', '--format', 'pdf'], w)));
      expect(r!.status, r!.stderr).toBe(0);
      expect(r!.stderr).toContain('字体文件「fonts/黑体.ttf」指向工作目录之外');
      const fonts = execFileSync('pdffonts', [path.join(root, 'out/2016Q4/bulletin.pdf')], { encoding: 'utf8' });
      expect(fonts).not.toMatch(/DejaVu/i);

      // The whole folder a link out: each font in it is refused by name.
      expect(official!.status, official!.stderr).toBe(0);
      expect(official!.stderr).toContain('字体文件「fonts/黑体.ttf」指向工作目录之外');
      expect(execFileSync('pdffonts', [path.join(folder, 'out/2016Q4/bulletin.pdf')], { encoding: 'utf8' })).not.toMatch(/DejaVu/i);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a path that is not a regular file', () => {
  it('a FIFO or a folder named like the circular, or a FIFO for bulletin.yaml, is refused at once, never waited on', () => {
    const root = sampleWorkspace();
    try {
      execFileSync('mkfifo', [path.join(root, 'content/2016Q4/zz.md')]);
      mkdirSync(path.join(root, 'content/2016Q4/notes.md'));
      const r = tongbao(['check', '2016Q4'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('content/2016Q4/zz.md: 错误: 「content/2016Q4/zz.md」不是文件');
      expect(r.stderr).toContain('content/2016Q4/notes.md: 错误: 「content/2016Q4/notes.md」不是文件（这是一个目录');
      rmSync(path.join(root, 'data/2016Q4/bulletin.yaml'));
      execFileSync('mkfifo', [path.join(root, 'data/2016Q4/bulletin.yaml')]);
      const y = tongbao(['check', '2016Q4'], root);
      expect(y.status).toBe(1);
      expect(y.stderr).toContain('data/2016Q4/bulletin.yaml: 错误: 「data/2016Q4/bulletin.yaml」不是文件');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('characters no printed text may hold, in every text the build prints', () => {
  const circular = 'content/2016Q4/circular.md';
  /** The circular's first line holding 通报, and the column of that word in it. */
  const placeOf = (text: string, word: string) => {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => l.includes(word));
    return { line: i + 1, column: lines[i]!.indexOf(word) + 1 };
  };

  it.concurrent.each([
    ['U+202E inside a sentence', '\u202e', 'U+202E', '双向文字控制字符'],
    ['U+000B (a vertical tab)', '\u000b', 'U+000B', '控制字符'],
    ['U+2066 (an isolate)', '\u2066', 'U+2066', '双向文字控制字符'],
    ['U+0085 (a C1 control)', '\u0085', 'U+0085', '控制字符'],
  ])('%s in circular.md is refused at its line and column', async (_what, ch, code, kind) => {
    const root = sampleWorkspace();
    try {
      const text = readFileSync(path.join(root, circular), 'utf8');
      const at = placeOf(text, '抽查');
      writeFileSync(path.join(root, circular), text.replace('抽查', `${ch}抽查`));
      const r = await lane(() => tongbaoAsync(['check', '2016Q4'], root));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${circular}:${at.line}:${at.column}: 错误: 含有看不见的${kind} ${code}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('U+000B in the circular never reaches the OFD: the build stops before printing, with the place', () => {
    const root = sampleWorkspace();
    try {
      edit(root, circular, (t) => t.replace('抽查', '\u000b抽查'));
      const r = tongbao(['build', '2016Q4', '--format', 'ofd'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/circular\.md:\d+:\d+: 错误: 含有看不见的控制字符 U\+000B/);
      expect(r.stderr).not.toContain('XML');
      expect(existsSync(path.join(root, 'out/2016Q4/bulletin.ofd'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('an unpaired surrogate in a UTF-16 circular is refused at its place', () => {
    const root = sampleWorkspace();
    try {
      const text = `正文第一行。\n第二行有\ud800一个坏字。\n`;
      writeFileSync(path.join(root, circular), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      const r = tongbao(['check', '2016Q4'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`${circular}:2:5: 错误: 含有不成对的代理码元 U+D800`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a template holding U+202E is refused at its line and column', () => {
    const root = sampleWorkspace();
    try {
      mkdirSync(path.join(root, 'templates/partials'), { recursive: true });
      writeFileSync(path.join(root, 'templates/partials/colophon.hbs'), '<div class="colophon">\n  <p>抄送：\u202e{{cc}}</p>\n</div>\n');
      const r = tongbao(['check', '2016Q4'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('templates/partials/colophon.hbs:2:9: 错误: 含有看不见的双向文字控制字符 U+202E');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.concurrent.each([
    ['a lone surrogate in the title', 'title: 关于2016年第四次全国政府网站抽查情况的通报', 'title: "关于\\ud800通报"', 'bulletin.yaml:7:8: 错误: 「关于通报」含有不成对的代理码元 U+D800'],
    ['a low surrogate alone in the office', 'office: 国务院办公厅政府信息与政务公开办公室', 'office: "国务院\\udc00办公厅"', '含有不成对的代理码元 U+DC00'],
    ['U+202E as an escape in the source line', 'source: 中国政府网', 'source: "中国\\u202e政府网"', '含有看不见的双向文字控制字符 U+202E'],
  ])('%s in bulletin.yaml is refused at the value', async (_what, from, to, said) => {
    const root = sampleWorkspace();
    try {
      edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace(from, to));
      const r = await lane(() => tongbaoAsync(['build', '2016Q4', '--format', 'html'], root));
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(said);
      expect(existsSync(path.join(root, 'out/2016Q4/index.html'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a character past the BMP (a surrogate pair) is a character like any other', () => {
    const root = sampleWorkspace();
    try {
      edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('source: 中国政府网', 'source: 中国政府网𠀀'));
      edit(root, circular, (t) => t.replace('抽查', '𠀀抽查'));
      const r = tongbao(['check', '2016Q4'], root);
      expect(r.stderr).not.toContain('代理码元');
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the circular in the encodings editors save', () => {
  const circular = 'content/2016Q4/circular.md';
  it.concurrent.each([
    ['GB18030', (t: string) => iconv.encode(t, 'gb18030')],
    ['UTF-16 with its BOM', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')])],
    ['UTF-8 with a BOM', (t: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(t, 'utf8')])],
  ])('%s reads as the text it is: the page prints it', async (_what, encode) => {
    const root = sampleWorkspace();
    try {
      writeFileSync(path.join(root, circular), encode(readFileSync(path.join(root, circular), 'utf8')));
      const r = await lane(() => tongbaoAsync(['build', '2016Q4', '--format', 'html'], root));
      expect(r.status, r.stderr).toBe(0);
      const html = readFileSync(path.join(root, 'out/2016Q4/index.html'), 'utf8');
      expect(html).toContain('各地区、各部门');
      expect(html).not.toContain('\ufffd');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.concurrent.each([
    ['UTF-16 without a BOM', () => Buffer.from('正文 text\n', 'utf16le'), '含有 NUL 字节：不是文本文件，或是不带 BOM 的 UTF-16 编码'],
    ['binary garbage', () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 255 + 1)), '既不是 UTF-8 也不是 GB18030 编码的文字'],
    ['a UTF-8 BOM before bytes that are not UTF-8', () => Buffer.from([0xef, 0xbb, 0xbf, 0xd5, 0xfd, 0xce, 0xc4]), '以 UTF-8 的 BOM 开头，内容却不是有效的 UTF-8'],
  ])('%s is refused naming the file and the encoding', async (_what, bytes, said) => {
    const root = sampleWorkspace();
    try {
      writeFileSync(path.join(root, circular), bytes());
      const r = await lane(() => tongbaoAsync(['check', '2016Q4'], root));
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`content/2016Q4/circular\\.md(:\\d+:\\d+)?: 错误: 通报正文${said.replace(/[()（）]/g, '.')}`));
      expect(r.stderr).not.toMatch(/内部错误|Lexical error|bulletin\.yaml[^\n]*: 错误/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('size limits: a file over its kind\'s limit is refused before it is read, the limit named', () => {
  it.concurrent.each([
    ['bulletin.yaml of 200 MB', 'data/2016Q4/bulletin.yaml', 200, 'data/2016Q4/bulletin.yaml: 错误: 数据文件「data/2016Q4/bulletin.yaml」有 200 MB，超过 16 MB 的上限，未读取'],
    ['a circular of 9 MB', 'content/2016Q4/circular.md', 9, 'content/2016Q4/circular.md: 错误: 通报正文「content/2016Q4/circular.md」有 9 MB，超过 8 MB 的上限，未读取'],
    ['a template of 3 MB', 'templates/print.css', 3, 'templates/print.css: 错误: 模板文件「templates/print.css」有 3 MB，超过 2 MB 的上限，未读取'],
    ['a data table of 300 MB', 'data/2016Q4/history.csv', 300, '有 300 MB，超过 256 MB 的上限，未读取'],
  ])('%s', async (_what, file, mb, said) => {
    const root = sampleWorkspace();
    try {
      const p = path.join(root, file);
      mkdirSync(path.dirname(p), { recursive: true });
      if (!existsSync(p)) cpSync(path.join(REPO, file), p);
      truncateSync(p, mb * 1024 * 1024); // sparse: no disk is used, the size is what counts
      expect(statSync(p).size).toBe(mb * 1024 * 1024);
      // Timed from its start, not from its turn.
      const { r, ms } = await lane(async () => {
        const t0 = performance.now();
        return { r: await tongbaoAsync(['check', '2016Q4'], root), ms: performance.now() - t0 };
      });
      expect(ms).toBeLessThan(15_000);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(said);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
