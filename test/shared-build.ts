// Builds shared by the tests of one run. Many tests read the outputs of the same inputs (the
// sample as it is, a workspace changed the same way); a build is deterministic, so its first run
// is kept and later ones get a copy of its out/ and of what it printed. The key is the inputs
// themselves (every file of the workspace but out/, the arguments, the environment given), so
// two tests share a build only when a fresh one could not tell them apart.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tongbao, tongbaoAsync, type Run } from './helpers.js';

function inputsKey(root: string, args: string[], env: NodeJS.ProcessEnv): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ args, env: Object.entries(env).sort() }));
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p);
      if (rel === 'out') continue;
      if (e.isDirectory()) walk(p);
      else {
        hash.update(`\0${rel}\0`);
        hash.update(e.isSymbolicLink() ? `link:${p}` : readFileSync(p));
      }
    }
  };
  walk(root);
  return hash.digest('hex').slice(0, 32);
}

/** The run's cache folder (made by test/global-setup.ts; a private one when a file runs without it). */
function cacheDir(): string {
  let dir = process.env['TONGBAO_TEST_BUILDS'];
  if (!dir) process.env['TONGBAO_TEST_BUILDS'] = dir = mkdtempSync(path.join(tmpdir(), 'tongbao-test-builds-'));
  return dir;
}

function restore(entry: string, root: string): Run | undefined {
  if (!existsSync(path.join(entry, 'run.json'))) return undefined;
  rmSync(path.join(root, 'out'), { recursive: true, force: true });
  if (existsSync(path.join(entry, 'out'))) cpSync(path.join(entry, 'out'), path.join(root, 'out'), { recursive: true });
  return JSON.parse(readFileSync(path.join(entry, 'run.json'), 'utf8')) as Run;
}

function keep(entry: string, root: string, run: Run): void {
  keepAside(entry, (part) => {
    mkdirSync(part);
    if (existsSync(path.join(root, 'out'))) cpSync(path.join(root, 'out'), path.join(part, 'out'), { recursive: true });
    writeFileSync(path.join(part, 'run.json'), JSON.stringify(run));
  });
}

/**
 * Where this run keeps what was made of a file's bytes (`kind`: a judge's verdict, a print),
 * named by their hash; undefined when the run keeps nothing (a file run without the setup).
 */
export function keptFor(kind: string, file: string, extension: string): string | undefined {
  const cache = process.env['TONGBAO_TEST_BUILDS'];
  return cache && path.join(cache, `${kind}-${createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 32)}${extension}`);
}

/**
 * `write` the file or folder aside, then rename it to `at`: a worker reading the cache sees a
 * whole entry or none. When another worker kept the same first, its entry stays.
 */
export function keepAside(at: string, write: (part: string) => void): void {
  const part = `${at}.${process.pid}.part`;
  write(part);
  try {
    renameSync(part, at);
  } catch {
    rmSync(part, { recursive: true, force: true });
  }
}

/**
 * `tongbao <args>` in `root` (which the caller has just prepared and has no out/ yet), or the
 * same inputs' earlier build of this run copied into `root/out`. Returns what the CLI printed.
 */
export function sharedBuild(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  mkdirSync(cacheDir(), { recursive: true });
  const entry = path.join(cacheDir(), inputsKey(root, args, env));
  const kept = restore(entry, root);
  if (kept) return kept;
  const run = tongbao(args, root, env);
  keep(entry, root, run);
  return run;
}

/** `sharedBuild` without blocking this process, so several can run side by side. */
export async function sharedBuildAsync(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  mkdirSync(cacheDir(), { recursive: true });
  const entry = path.join(cacheDir(), inputsKey(root, args, env));
  const kept = restore(entry, root);
  if (kept) return kept;
  const run = await tongbaoAsync(args, root, env);
  keep(entry, root, run);
  return run;
}
