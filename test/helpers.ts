// Test workspaces: a copy of the sample (or an empty one) in a temporary folder, changed
// by the test, then checked by the real CLI.
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TableSpec } from '../src/schema.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The published notice the sample reproduces (a copy of shared/seed, so the tests stand alone). */
export const SEED = path.join(REPO, 'test', 'fixtures', '2016Q4-national-notice.txt');

/** A throwaway workspace holding a copy of the sample's data and content. */
export function sampleWorkspace(period = '2016Q4'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-'));
  for (const dir of ['data', 'content']) {
    const from = path.join(REPO, dir, period);
    if (!existsSync(from)) continue;
    mkdirSync(path.join(root, dir), { recursive: true });
    cpSync(from, path.join(root, dir, period), { recursive: true, errorOnExist: false, force: true });
  }
  cpSync(path.join(REPO, 'data', 'bulletin.schema.json'), path.join(root, 'data', 'bulletin.schema.json'));
  return root;
}

export function edit(root: string, file: string, change: (text: string) => string): void {
  const p = path.join(root, file);
  writeFileSync(p, change(readFileSync(p, 'utf8')));
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a CLI run: the test's, and for a build that prints, one of the run's
 * Chromiums (test/global-setup.ts) free at the moment, held until the build ends. None free
 * (or a test that names its own browser): the CLI starts its own, as for a user.
 */
function borrow(args: string[], env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; giveBack: () => void } {
  const own = { env: { ...process.env, ...env }, giveBack: () => undefined };
  const lent = process.env['TONGBAO_SUITE_LENT'];
  const format = args.includes('--format') ? args[args.indexOf('--format') + 1] : 'all';
  if (!lent || args[0] !== 'build' || format === 'html' || 'TONGBAO_TEST_BROWSER' in env || 'PUPPETEER_EXECUTABLE_PATH' in env) return own;
  const endpoints = JSON.parse(process.env['TONGBAO_SUITE_BROWSERS'] ?? '[]') as string[];
  for (const [i, endpoint] of endpoints.entries()) {
    const held = path.join(lent, String(i));
    try {
      mkdirSync(held); // atomic: whoever makes it holds that browser
    } catch {
      continue;
    }
    return { env: { ...process.env, TONGBAO_TEST_BROWSER: endpoint, ...env }, giveBack: () => rmSync(held, { recursive: true, force: true }) };
  }
  return own;
}

/** Run the compiled CLI as a user would, in `cwd`. */
export function tongbao(args: string[], cwd = REPO, env: NodeJS.ProcessEnv = {}): Run {
  const browser = borrow(args, env);
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'tongbao.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: browser.env,
    timeout: 120_000,
  });
  browser.giveBack();
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The compiled CLI, run without blocking this process: for tests whose services (a TSA, a CA) answer from here. */
export function tongbaoAsync(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const browser = borrow(args, env);
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, 'bin', 'tongbao.js'), ...args], { cwd, env: browser.env, maxBuffer: 1 << 26 }, (e, stdout, stderr) => {
      browser.giveBack();
      resolve({ status: e ? ((e as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** `tongbao dev` on a free port in `root`: the process, and the address it says it serves. */
export async function startDev(root: string, period = '2016Q4'): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'tongbao.js'), 'dev', period, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const address = /预览地址：(http:\/\/127\.0\.0\.1:\d+\/)/;
  for (let i = 0; i < 400 && !address.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const m = address.exec(out);
  if (!m) {
    child.kill('SIGTERM');
    throw new Error(`tongbao dev did not say where it serves:\n${out}`);
  }
  return { child, url: m[1]! };
}

/** A throwaway copy of examples/<name>, without what was built there. */
export function exampleWorkspace(name: 'city' | 'province'): string {
  const root = mkdtempSync(path.join(tmpdir(), `tongbao-${name}-`));
  cpSync(path.join(REPO, 'examples', name), root, { recursive: true, filter: (f) => !f.includes(`${path.sep}out`) });
  return root;
}

/**
 * The per-site table of the streaming tests (`sites.csv`): a site code checked against its
 * region, counts with passed ≤ sampled, a check column; `rate` adds 合格率 as passed/sampled.
 */
export function sitesSpec(options: { rate?: boolean } = {}): TableSpec {
  const columns: TableSpec['columns'] = [
    { key: 'code', name: '网站标识码', type: 'site-code', region: 'region' },
    { key: 'region', name: '省（区、市）', type: 'region' },
    { key: 'kind', name: '网站类型', type: 'text' },
    { key: 'sampled', name: '抽查数', type: 'count' },
    { key: 'passed', name: '合格数', type: 'count', max: 'sampled' },
  ];
  if (options.rate) columns.push({ key: 'rate', name: '合格率', type: 'percent', ratio: ['passed', 'sampled'] });
  columns.push({ key: 'pass', name: '是否合格', type: 'check' });
  return { id: 'sites', file: 'sites.csv', columns };
}
