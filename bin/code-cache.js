// V8's code cache for the bundle (dist/bundle/, CommonJS): the bytecode of the functions a
// `check` runs, made once by .ci/bundle.mjs, so a start compiles almost nothing. Node 20 has no
// code cache for ES modules, hence CommonJS there. A cache is used only for the very file it
// was made from (its size and time of writing, which V8 checks again with the source's length,
// its own version and flags); any other file, or a cache V8 refuses, compiles as usual.
'use strict';
const Module = require('node:module');
const { createRequire } = Module;
const { readFileSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

/**
 * Compile the files of `dir` through their caches, and those of packages outside it (ECharts,
 * loaded from node_modules when a chart is drawn) that it holds caches for; with `write`,
 * write the caches of `dir`'s files and of the files under `packages` at exit.
 */
function useCodeCache(dir, write = false, packages = []) {
  let made = {};
  try {
    made = JSON.parse(readFileSync(path.join(dir, 'code-cache.json'), 'utf8'));
  } catch {
    // no cache yet: compiled as usual
  }
  const kept = [];
  const compile = Module.prototype._compile;
  const inPackages = (filename) => packages.some((p) => filename.startsWith(p + path.sep));
  Module.prototype._compile = function (content, filename, ...rest) {
    // A bundle file by its name; a package's file by its path from dir (../../node_modules/…).
    const key = path.relative(dir, filename);
    const ours = path.dirname(filename) === dir || (write ? inPackages(filename) : Object.hasOwn(made, key));
    if (!ours) return compile.call(this, content, filename, ...rest);
    const { size, mtimeMs } = statSync(filename);
    let cachedData;
    if (!write && made[key]?.size === size && made[key]?.mtimeMs === mtimeMs) {
      try {
        cachedData = readFileSync(cacheFile(dir, key));
      } catch {
        // compiled as usual
      }
    }
    // The bundle has no `import()` (.ci/bundle.mjs makes them `require()`): Node 20's vm.Script
    // has no loader for one without a flag.
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (write) kept.push({ script, key, size, mtimeMs });
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, createRequire(filename), this, filename, path.dirname(filename));
  };
  // At exit, after the command ran: the cache then holds every function it compiled.
  if (write)
    process.once('exit', () => {
      const index = {};
      for (const { script, key, size, mtimeMs } of kept) {
        writeFileSync(cacheFile(dir, key), script.createCachedData());
        index[key] = { size, mtimeMs };
      }
      writeFileSync(path.join(dir, 'code-cache.json'), JSON.stringify(index) + '\n');
    });
}

/** A bundle file's cache is beside it; a package's file's is in `dir`, named for its path. */
function cacheFile(dir, key) {
  return path.join(dir, key.startsWith('..') ? `${key.split(/[\\/]/).filter((p) => p !== '..').join('~')}.v8` : `${key}.v8`);
}

module.exports = { useCodeCache, cacheFile };
