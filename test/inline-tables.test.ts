// Tables printed in the text (issue 20): `print: inline` and {{table id}} put a declared table
// where the circular says, on the portal page and in the PDF, checked as an attachment is.
import { beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, edit, tongbaoAsync, type Run } from './helpers.js';
import { vnu } from './judges.js';
import { planner, queue } from './two-at-a-time.js';

const YAML = 'data/2017Q1/bulletin.yaml';
const MD = 'content/2017Q1/circular.md';

/** The city with its district table (附件1) declared inline and placed after the overview. */
function inlineCity(place = '\n\n{{table districts}}\n\n'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-inline-'));
  cpSync(path.join(REPO, 'examples/city'), root, { recursive: true, filter: (f) => !f.includes(`${path.sep}out`) });
  edit(root, YAML, (t) => t.replace('    title: 各区县政府网站抽查情况\n', '    title: 各区县政府网站抽查情况\n    print: inline\n'));
  edit(root, MD, (t) => t.replace(/(总体合格率为[^\n]*\n)/, `$1${place}`));
  return root;
}

// The file's runs, each in a workspace of its own, are started together (two at a time)
// before the first test; each test awaits its own.
const { plan, startAll } = planner();
beforeAll(startAll);
const twoAtATime = queue(2);
const run = (args: string[], root: string) => twoAtATime(() => tongbaoAsync([...args, '--root', root], REPO));
const ran = (args: string[], root: string) => plan(async () => ({ root, r: await run(args, root) }));

describe('a table in the text', () => {
  const placed = ran(['build', '2017Q1'], inlineCity());
  const truncated = (() => {
    const root = inlineCity();
    edit(root, 'data/2017Q1/districts.csv', (t) => t.replace('南湖区,31,28,90.3%', '南湖区,31,28,90.32%').replace('北山区,15,13,86.7%', '北山区,15,13,86.66%'));
    return ran(['check', '2017Q1'], root);
  })();
  const htmlBuild = (place: string) => ran(['build', '2017Q1', '--format', 'html'], inlineCity(place));
  const attachment = htmlBuild('\n\n{{table districts}}\n\n{{table sites}}\n\n');
  const unplaced = htmlBuild('');
  const twice = htmlBuild('\n\n{{table districts}}\n\n{{table districts}}\n\n');
  // Written inside a list item, the table still gets a block of its own, after the item.
  const listed = htmlBuild('\n\n- 见下表：{{table districts}}\n\n');

  it('prints where {{table}} stands, out of the attachments, which number on without it', async () => {
    const { root, r } = await placed();
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2017Q1/index.html'), 'utf8');
    const body = html.slice(html.indexOf('<div class="body">'), html.indexOf('<div class="attachment-list">'));
    // In the body, after the paragraph it follows and before the next heading, with its rows.
    expect(body).toMatch(/总体合格率为88\.5%[\s\S]*<figure class="inline-table inline-table-table" id="table-districts"[\s\S]*青石县<\/th><td class="align-center">20[\s\S]*二、监管制度建设情况/);
    expect(body).toContain('<p class="inline-table-title" id="table-districts-title">各区县政府网站抽查情况</p>');
    // Two attachments left: the problem sites are 附件1 now.
    expect([...html.matchAll(/<p class="attachment-label">(附件\d)<\/p>/g)].map((m) => m[1])).toEqual(['附件1', '附件2']);
    expect(html).toContain('<a href="#attachment-1">抽查发现存在问题的政府网站名单</a>');
    expect(html).not.toContain('各区县政府网站抽查情况</a>');
    expect(vnu(path.join(root, 'out/2017Q1/index.html')).filter((m) => m.type === 'error')).toEqual([]);
    // In the PDF: on a body page, before the 落款, and no 附件3.
    const text = execFileSync('pdftotext', ['-layout', path.join(root, 'out/2017Q1/bulletin.pdf'), '-'], { encoding: 'utf8' });
    expect(text.indexOf('各区县政府网站抽查情况')).toBeLessThan(text.indexOf('2017年4月10日'));
    expect(text).not.toContain('附件3');
    expect(text.replace(/\s+/g, '')).toContain('合计13011588.5%');
  }, 120_000);

  it('is checked as an attachment is: a truncated row rate is an error at its cell', async () => {
    const { r } = await truncated();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('districts.csv:5:11: 错误: 「北山区」的「合格率」印为 86.66%，按「合格网站数」/「抽查网站数」13/15 = 86.66667% 四舍五入应为 86.67%（这是截断而非四舍五入的结果；应为 86.67%）');
    expect(r.stderr).not.toContain('「南湖区」的「合格率」');
  });

  it('names what is wrong: a table that is an attachment, one never placed, one placed twice; in a list it still stands alone', async () => {
    let r: Run = (await attachment()).r;
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/circular\.md:\d+:\d+: 错误: 表格「sites」作为附件印在文后；要印在正文这里，在它的声明中写 print: inline/);

    ({ r } = await unplaced());
    expect(r.status).toBe(1);
    const printLine = readFileSync(path.join((await unplaced()).root, YAML), 'utf8').split('\n').findIndex((l) => l.includes('print: inline')) + 1;
    expect(r.stderr).toContain(`bulletin.yaml:${printLine}:12: 错误: 表格「districts」写了 print: inline，但正文中没有 {{table districts}}`);

    ({ r } = await twice());
    expect(r.stderr).toContain('错误: 正文中 {{table districts}} 出现了不止一次');

    ({ r } = await listed());
    expect(r.status, r.stderr).toBe(0);
    const html = readFileSync(path.join((await listed()).root, 'out/2017Q1/index.html'), 'utf8');
    expect(html).toMatch(/见下表：<\/li>\s*<\/ul>\s*<figure class="inline-table/);
  }, 120_000);
});
