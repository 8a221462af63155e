#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (npm run setup builds it).
// CommonJS (bin/package.json), as the bundle it runs: an ES module entry would start Node's
// ES module loader first, some 10 ms of every command.
'use strict';
const { existsSync, readFileSync, statSync } = require('node:fs');
const { dirname } = require('node:path');
const { fileURLToPath, pathToFileURL } = require('node:url');

// For build and dev, Ctrl-C, TERM or HUP from the very first moment becomes an abort the
// command honours (a build leaves out/ as it was and exits 130). Other commands keep the
// default: a signal ends them at once, even in the middle of a long computation.
const stop = new AbortController();
const valued = new Set(['--root', '--format', '--docx-figures', '--from', '--port', '--p12', '--key', '--cert', '--tsa', '--trust', '--period', '--region', '--status']);
const command = process.argv.slice(2).find((a, i, all) => !a.startsWith('-') && !valued.has(all[i - 1] ?? ''));
if (command === 'build' || command === 'dev') for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => stop.abort(s));

// Output piped into a reader that stops early (`tongbao sites | head`) ends the program quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const here = pathToFileURL(__filename);
const cli = new URL('../dist/cli.js', here);
if (!existsSync(cli)) {
  process.stderr.write('tongbao: 程序尚未编译（缺少 dist/cli.js）。请先在项目目录运行 npm run build:ts\n');
  process.exit(2);
}
// Commands that only read and print end once their output is written: what the event loop
// has left then is V8 collecting a heap about to go, a tenth of a check's time.
const readOnly = new Set(['check', 'stats', 'sites', 'schema']);

(async () => {
  const entry = bundled(cli);
  let main;
  if (entry === cli) ({ main } = await import(cli.href));
  else {
    require('./code-cache.js').useCodeCache(dirname(fileURLToPath(entry)));
    ({ main } = require(fileURLToPath(entry)));
  }
  process.exitCode = await main(process.argv.slice(2), undefined, stop.signal);
  if (!readOnly.has(command)) return;
  const flushed = (s) => new Promise((done) => (s.writableLength ? s.write('', done) : done()));
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit();
})();

/**
 * dist/bundle/cli.js (.ci/bundle.mjs, after tsc) while every dist/ module it was made from is
 * the one it was made from; otherwise `cli`. The bundle (CommonJS, with V8's code cache: see
 * code-cache.js) loads in a fraction of the time of the modules it holds. TONGBAO_NO_BUNDLE=1
 * runs dist/ as compiled.
 */
function bundled(cli) {
  if (process.env.TONGBAO_NO_BUNDLE) return cli;
  const dir = new URL('../dist/bundle/', here);
  try {
    const inputs = JSON.parse(readFileSync(new URL('inputs.json', dir), 'utf8'));
    for (const [file, mtime] of Object.entries(inputs)) if (statSync(new URL(`../${file}`, dir)).mtimeMs !== mtime) return cli;
    return new URL('cli.js', dir);
  } catch {
    return cli; // no bundle, or one from files since removed
  }
}
