// After `tsc`: the compiled CLI (dist/cli.js and every command it loads) bundled by rolldown
// into dist/bundle/, a few files instead of some 600 modules. Node 20 spends most of a `check`
// resolving, reading and compiling those modules; the bundle loads in a fraction of that.
// bin/tongbao.js runs the bundle only while every dist/ file it was made from is unchanged
// (inputs.json), so a `tsc` without this step never runs stale code.
// rolldown is a pinned devDependency; without it (a production install) the CLI runs from dist/ as before.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(repo, 'dist');
const out = path.join(dist, 'bundle');

// Loaded from node_modules as before, when a command uses them: large, loaded lazily already,
// or with files of their own beside them (workers, fonts, native parts). puppeteer-core is in
// the bundle (its 200 modules loaded and compiled took a tenth of a PDF build's CPU), but not
// what it requires only for the BiDi protocol and proxies, which a build never uses.
const EXTERNAL = ['chromium-bidi', 'proxy-agent', 'echarts', 'exceljs', 'pdfjs-dist', 'pkijs', 'asn1js', 'pngjs', 'fontkit', 'fontverter', 'subset-font', 'docx'];
const external = (id) => EXTERNAL.some((p) => id === p || id.startsWith(`${p}/`));

// `--if-stale` (the test run's setup): nothing is made when dist/bundle/ was made from the
// dist/ modules there now, by this step, with these packages, templates and Node.
const stamp = madeFrom();
if (process.argv.includes('--if-stale') && isCurrent(stamp)) {
  console.log('bundle: dist/bundle/ is current');
  process.exit(0);
}

let rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch {
  rmSync(out, { recursive: true, force: true });
  console.warn('bundle: rolldown is not installed; the CLI runs from dist/ unbundled (slower to start)');
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
// Handlebars builds its template code through source-map's SourceNode when it can load it, and
// through a plain string otherwise: the same code, without source maps we never ask for. An
// empty source-map spares loading it and the tree it builds for every template.
const noSourceMap = {
  name: 'no-source-map',
  resolveId: (id) => (id === 'source-map' ? '\0no-source-map' : null),
  load: (id) => (id === '\0no-source-map' ? 'module.exports = {};' : null),
};
// print/browser.ts loads puppeteer-core's CommonJS build through createRequire (quicker than
// its ES modules for dist/ run unbundled), which a bundler does not follow: a plain require.
const puppeteerInside = {
  name: 'puppeteer-inside',
  transform: (code, id) => (id === path.join(dist, 'print', 'browser.js') ? code.replaceAll("requireCjs('puppeteer-core')", "require('puppeteer-core')") : null),
};
const bundle = await rolldown({ input: path.join(dist, 'cli.js'), platform: 'node', cwd: repo, external, plugins: [noSourceMap, puppeteerInside], logLevel: 'warn' });
// dist/bundle/ is two levels below the repository, as dist/render/ and dist/archive/ are: their
// `new URL('../../templates/', import.meta.url)` find the same files from the bundle.
// CommonJS, for V8's code cache (bin/code-cache.js); its own package.json says so, since the
// repository's says "module".
// Its `import()` of the packages kept outside become `require()`: a script compiled through
// vm.Script (with its code cache) has no loader for `import()` in Node 20 without a flag, and
// Node 20 requires even the ES-module-only ones (pdfjs-dist).
const { output } = await bundle.write({ dir: out, format: 'cjs', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js', dynamicImportInCjs: false });
await bundle.close();
writeFileSync(path.join(out, 'package.json'), '{ "type": "commonjs" }\n');
// Each file in ASCII (the Chinese of messages, regular expressions and comments as \u escapes):
// V8 then holds its source in one byte a character, not two, and reads it by the fast path.
for (const chunk of output) if (chunk.type === 'chunk') {
  const file = path.join(out, chunk.fileName);
  writeFileSync(file, asciiOnly(readFileSync(file, 'utf8')));
}

// Every dist/ file the bundle holds, with its time of writing: any of them rewritten makes the bundle stale.
const inputs = {};
for (const chunk of output) for (const id of chunk.type === 'chunk' ? chunk.moduleIds : []) {
  if (!id.startsWith(dist + path.sep)) continue;
  inputs[path.relative(dist, id).split(path.sep).join('/')] = statSync(id).mtimeMs;
}
writeFileSync(path.join(out, 'inputs.json'), JSON.stringify(inputs) + '\n');
// The code cache: a check, a page build and a PDF build of the sample, in one process, compile
// what a `check` and a `build` run; their bytecode is written beside each file. The templates
// they compile are kept compiled too. Without Chromium the PDF build fails, and the cache
// holds the rest.
// Packages kept outside whose files get a cache too: ECharts (3.8 MB of one file, 85 ms to
// compile and run cold, 26 ms from its cache), loaded by every build that draws a chart.
const cachedPackages = ['echarts'].flatMap((name) => {
  try {
    return [realpathSync(path.join(repo, 'node_modules', name))];
  } catch {
    return [];
  }
});
const sample = mkdtempSync(path.join(tmpdir(), 'tongbao-code-cache-'));
// A bundle whose warm runs failed has no code cache: --if-stale makes it again next time.
let cached = false;
try {
  for (const dir of ['data/2016Q4', 'content/2016Q4']) cpSync(path.join(repo, dir), path.join(sample, dir), { recursive: true });
  const examples = ['city', 'province'].map((name) => {
    const root = path.join(repo, 'examples', name);
    return [root, readdirSync(path.join(root, 'data')).filter((p) => /^\d{4}(Q[1-4]|H[12]|M\d\d)?$/.test(p)).sort().at(-1)];
  });
  const warm = `
    const { useCodeCache } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'bin', 'code-cache.js')).href)});
    useCodeCache(${JSON.stringify(out)}, true, ${JSON.stringify(cachedPackages)});
    const { main } = (await import('node:module')).createRequire(import.meta.url)(${JSON.stringify(path.join(out, 'cli.js'))});
    const io = { out() {}, err() {} };
    for (const args of [['check', '2016Q4'], ['build', '2016Q4', '--format', 'html'], ['build', '2016Q4', '--format', 'pdf']]) await main([...args, '--root', ${JSON.stringify(sample)}], io);
    // The examples use the partials the sample does not (charts, tables in the text).
    for (const [root, period] of ${JSON.stringify(examples)}) await main(['check', period, '--root', root], io);
  `;
  // The package's own templates, as Handlebars compiles them (src/render/precompiled.ts); the
  // sample's circular and notes were compiled too, and are left out: only what ships is kept.
  // A partial is compiled with its page's options, which differ once the page is compiled
  // ahead: runs repeat until every template the sample uses comes compiled (the last run's
  // code cache is the one kept, as a check runs with them).
  const shipped = new Set(['', 'partials/'].flatMap((d) => readdirSync(path.join(repo, 'templates', d)).filter((f) => f.endsWith('.hbs')).map((f) => readFileSync(path.join(repo, 'templates', d, f), 'utf8'))));
  const { default: Handlebars } = await import('handlebars');
  const specs = {};
  for (let run = 0; run < 4; run++) {
    const recorded = path.join(sample, `templates-${run}.jsonl`);
    writeFileSync(recorded, '');
    execFileSync(process.execPath, ['--input-type=module', '-e', warm], { stdio: 'inherit', env: { ...process.env, TONGBAO_RECORD_TEMPLATES: recorded } });
    let added = 0;
    for (const line of readFileSync(recorded, 'utf8').split('\n').filter(Boolean)) {
      const { key, options, source } = JSON.parse(line);
      if (shipped.has(source) && !(key in specs)) [specs[key], added] = [Handlebars.precompile(source, options), added + 1];
    }
    writeFileSync(path.join(out, 'templates.json'), JSON.stringify(specs) + '\n');
    if (!added) break;
  }
  cached = true;
} catch (e) {
  console.warn(`bundle: no code cache (${e.message}); the bundle compiles as it loads`);
} finally {
  rmSync(sample, { recursive: true, force: true });
}

if (cached) writeFileSync(path.join(out, 'made-from'), stamp + '\n');
const size = readdirSync(out).reduce((n, f) => n + statSync(path.join(out, f)).size, 0);
console.log(`bundle: dist/bundle/ (${output.length} files, ${(size / 2 ** 20).toFixed(1)} MB) from ${Object.keys(inputs).length} modules of dist/`);

/**
 * The code with every character beyond ASCII written \uXXXX (by UTF-16 unit), which means the
 * same in strings, templates, regular expressions and names; one already escaped (`\中`) loses
 * its backslash. rolldown's `charset: 'ascii'` leaves regular expressions and comments as they are.
 */
function asciiOnly(code) {
  return code.replace(/(\\*)([^\x00-\x7e])/g, (_, slashes, c) => (slashes.length % 2 ? slashes.slice(1) : slashes) + `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * What the bundle is made from besides dist/ (whose modules inputs.json lists): this step, the
 * code cache's loader, the packages it takes in (the lock), the templates compiled ahead, and
 * the Node whose V8 made the code cache.
 */
function madeFrom() {
  const hash = createHash('sha256').update(`${process.version} ${process.arch}\0`);
  const files = ['.ci/bundle.mjs', 'bin/code-cache.js', 'package-lock.json'];
  const walk = (dir) => {
    for (const e of readdirSync(path.join(repo, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`);
      else files.push(`${dir}/${e.name}`);
    }
  };
  walk('templates');
  for (const f of files) hash.update(`${f}\0`).update(readFileSync(path.join(repo, f))).update('\0');
  return hash.digest('hex');
}

/** The bundle on disk was made from `stamp` and from the dist/ modules there now (as bin/tongbao.js checks). */
function isCurrent(stamp) {
  try {
    if (readFileSync(path.join(out, 'made-from'), 'utf8').trim() !== stamp) return false;
    const inputs = JSON.parse(readFileSync(path.join(out, 'inputs.json'), 'utf8'));
    return Object.entries(inputs).every(([file, mtime]) => statSync(path.join(dist, file)).mtimeMs === mtime);
  } catch {
    return false;
  }
}
