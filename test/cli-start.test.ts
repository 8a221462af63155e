// The command line as it starts (issue 36): bin/tongbao.js runs the bundle of dist/ that
// .ci/bundle.mjs makes after tsc (global-setup makes it too), but only while every module it
// was made from is unchanged; what a user sees is the same either way.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, edit, exampleWorkspace, sampleWorkspace, tongbaoAsync } from './helpers.js';

const bundled = { TONGBAO_NO_BUNDLE: '' };
const unbundled = { TONGBAO_NO_BUNDLE: '1' };

/**
 * The same command run from the bundle and from dist/ as compiled, side by side (neither
 * writes): status and every line alike.
 */
async function same(args: string[], cwd: string) {
  const [a, b] = await Promise.all([tongbaoAsync(args, cwd, bundled), tongbaoAsync(args, cwd, unbundled)]);
  expect({ status: a.status, stdout: a.stdout, stderr: a.stderr }).toEqual({ status: b.status, stdout: b.stdout, stderr: b.stderr });
  return a;
}

describe('the bundled CLI', () => {
  it('is there after the compile, made from the modules check loads', () => {
    const inputs = JSON.parse(readFileSync(path.join(REPO, 'dist', 'bundle', 'inputs.json'), 'utf8')) as Record<string, number>;
    for (const m of ['cli.js', 'commands/check.js', 'render-bulletin.js', 'check/index.js', 'render/html.js', 'load/bulletin.js']) expect(Object.keys(inputs)).toContain(m);
    for (const [file, mtime] of Object.entries(inputs)) expect(statSync(path.join(REPO, 'dist', file)).mtimeMs, file).toBe(mtime);
  });

  it('checks every period of every example as dist/ does (messages, summary, exit code, --json)', async () => {
    const sample = sampleWorkspace();
    expect((await same(['check', '2016Q4'], sample)).stderr).toContain('警告');
    await same(['check', '2016Q4', '--json'], sample);
    await same(['stats', '2016Q4'], sample);
    const city = exampleWorkspace('city');
    for (const p of ['2016Q4', '2017Q1', '2017Q2']) expect((await same(['check', p], city)).status).toBe(0);
    const province = exampleWorkspace('province');
    expect((await same(['check', '2023Q3', '--json'], province)).status).toBe(0);
  });

  it('reports errors as dist/ does: the circular, the data, the command line', async () => {
    const root = sampleWorkspace();
    edit(root, 'content/2016Q4/circular.md', (t) => t.replace('{{sampled}}', '{{sampledd}}').replace('{{pass_rate}}', '{{percent pass_rate 9}}'));
    const r = await same(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/circular\.md:\d+:\d+: 错误: .*sampledd/);
    const data = sampleWorkspace();
    edit(data, 'data/2016Q4/bulletin.yaml', (t) => t.replace(/^title: .*$/m, 'title: [不是文字]'));
    expect((await same(['check', '2016Q4'], data)).status).toBe(1);
    expect((await same(['check', '2099Q1'], data)).status).toBe(2);
    expect((await same(['check'], data)).status).toBe(1); // the latest period
    expect((await same(['check', '2016Q4', '--bogus'], data)).status).toBe(2);
    expect((await same(['--version'], data)).status).toBe(0);
  });

  it('finds a chart\'s problems though check draws no chart', async () => {
    for (const [from, to, said] of [
      ['value: pass_rate', 'value: pass_ratez', /bulletin\.yaml:117:12: 错误: 图表「trend」指向表格「history」中不存在的列「pass_ratez」/],
      ['table: history', 'table: historyy', /bulletin\.yaml:115:\d+: 错误: .*historyy/],
      ['title: 2016年全国政府网站抽查总体合格率', 'title: ""', /bulletin\.yaml:114:12: 错误: 「charts\.0\.title」不能为空/],
    ] as const) {
      const root = sampleWorkspace();
      edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace(from, to));
      const r = await same(['check', '2016Q4'], root);
      expect(r.status, to).toBe(1);
      expect(r.stderr, to).toMatch(said);
    }
  });

  it('writes the check report (a module of its own, loaded only for --report) as dist/ does', async () => {
    const a = sampleWorkspace();
    const b = sampleWorkspace();
    const [ra, rb] = await Promise.all([tongbaoAsync(['check', '2016Q4', '--report'], a, bundled), tongbaoAsync(['check', '2016Q4', '--report'], b, unbundled)]);
    expect(ra.status).toBe(0);
    expect(ra.stdout).toContain('已写入核对报告');
    const report = (root: string) => readFileSync(path.join(root, 'out', '2016Q4', 'check-report.html'), 'utf8');
    expect(report(a)).toBe(report(b));
    expect(report(a)).toContain('assessment_share');
  });

  it('runs from the bundle only while the modules it was made from are unchanged', () => {
    // A copy of the program whose bundle says so when it runs.
    const copy = mkdtempSync(path.join(tmpdir(), 'tongbao-start-'));
    for (const f of ['bin', 'dist', 'templates', 'package.json']) cpSync(path.join(REPO, f), path.join(copy, f), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
    const inputsFile = path.join(copy, 'dist', 'bundle', 'inputs.json');
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8')) as Record<string, number>;
    for (const file of Object.keys(inputs)) inputs[file] = statSync(path.join(copy, 'dist', file)).mtimeMs;
    writeFileSync(inputsFile, JSON.stringify(inputs));
    appendFileSync(path.join(copy, 'dist', 'bundle', 'cli.js'), "\nprocess.stderr.write('FROM-BUNDLE\\n');\n");
    const sample = sampleWorkspace();
    const run = (env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [path.join(copy, 'bin', 'tongbao.js'), 'check', '2016Q4'], { cwd: sample, encoding: 'utf8', env: { ...process.env, TONGBAO_NO_BUNDLE: '', ...env } });

    expect(run().stderr).toContain('FROM-BUNDLE');
    expect(run({ TONGBAO_NO_BUNDLE: '1' }).stderr).not.toContain('FROM-BUNDLE');
    // tsc wrote a module again (here: only its time): dist/ as compiled, never a stale bundle.
    for (const file of ['render/html.js', 'check/index.js', 'cli.js']) {
      const f = path.join(copy, 'dist', file);
      const before = statSync(f);
      utimesSync(f, before.atime, new Date(before.mtimeMs + 5000));
      const r = run();
      expect(r.status, file).toBe(0);
      expect(r.stderr, file).not.toContain('FROM-BUNDLE');
      expect(r.stdout, file).toContain('2016Q4 检查通过');
      // Made again from the files as they are now: the bundle runs again.
      inputs[file] = statSync(f).mtimeMs;
      writeFileSync(inputsFile, JSON.stringify(inputs));
    }
    expect(run().stderr).toContain('FROM-BUNDLE');
    // A module the bundle was made from, gone: dist/ as it is.
    writeFileSync(inputsFile, JSON.stringify({ ...inputs, 'gone.js': 1 }));
    expect(run().stderr).not.toContain('FROM-BUNDLE');
    // No bundle at all (rolldown not installed): dist/ as compiled.
    writeFileSync(inputsFile, '');
    const r = run();
    expect(r.stderr).not.toContain('FROM-BUNDLE');
    expect(r.status).toBe(0);
    expect(existsSync(path.join(copy, 'dist', 'cli.js'))).toBe(true);
  });
});
