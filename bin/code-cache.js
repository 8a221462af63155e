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

/** Compile the files of `dir` through their caches; with `write`, write those caches at exit. */
function useCodeCache(dir, write = false) {
  let made = {};
  try {
    made = JSON.parse(readFileSync(path.join(dir, 'code-cache.json'), 'utf8'));
  } catch {
    // no cache yet: compiled as usual
  }
  const kept = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename, ...rest) {
    if (path.dirname(filename) !== dir) return compile.call(this, content, filename, ...rest);
    const name = path.basename(filename);
    const { size, mtimeMs } = statSync(filename);
    let cachedData;
    if (!write && made[name]?.size === size && made[name]?.mtimeMs === mtimeMs) {
      try {
        cachedData = readFileSync(`${filename}.v8`);
      } catch {
        // compiled as usual
      }
    }
    // The bundle has no `import()` (.ci/bundle.mjs makes them `require()`): Node 20's vm.Script
    // has no loader for one without a flag.
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (write) kept.push({ script, filename, size, mtimeMs });
    const fn = script.runInThisContext({ displayErrors: true });
    return fn.call(this.exports, this.exports, createRequire(filename), this, filename, dir);
  };
  // At exit, after the command ran: the cache then holds every function it compiled.
  if (write)
    process.once('exit', () => {
      const index = {};
      for (const { script, filename, size, mtimeMs } of kept) {
        writeFileSync(`${filename}.v8`, script.createCachedData());
        index[path.basename(filename)] = { size, mtimeMs };
      }
      writeFileSync(path.join(dir, 'code-cache.json'), JSON.stringify(index) + '\n');
    });
}

module.exports = { useCodeCache };
