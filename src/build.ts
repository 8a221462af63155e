// build: check → render → write. Outputs go to a temporary folder inside out/ and replace the
// previous ones only when all of them succeeded: a failed build never costs the last good one.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { checkBulletin, type CheckResult } from './check.js';
import { hasErrors, sortMessages, type Message } from './messages.js';
import { lintCircular, readCircular, renderPage } from './render/html.js';

export type Format = 'html' | 'pdf' | 'all';

export interface BuildResult extends CheckResult {
  /** Files written, relative to out/<period>/. */
  written: string[];
  outDir?: string;
}

/** Check and render in memory: everything `build` does except writing. */
export function renderBulletin(root: string, period: string): CheckResult & { html?: string } {
  const result = checkBulletin(root, period);
  if (!result.loaded || !result.figures) return result;
  const { sources, messages: read } = readCircular(result.loaded);
  const messages = [...result.messages, ...read, ...lintCircular(sources)];
  let html: string | undefined;
  if (!hasErrors(messages)) {
    const page = renderPage(result.loaded, result.figures, sources);
    messages.push(...page.messages);
    html = page.html;
  }
  const sorted = sortMessages(messages);
  return { ...result, messages: sorted, ok: !hasErrors(sorted), ...(html !== undefined && { html }) };
}

export async function buildBulletin(root: string, period: string, _format: Format = 'all'): Promise<BuildResult> {
  const rendered = renderBulletin(root, period);
  if (!rendered.ok || rendered.html === undefined || !rendered.loaded) return { ...rendered, written: [] };
  const files = new Map<string, string | Uint8Array>([['index.html', rendered.html]]);
  const outDir = rendered.loaded.paths.outDir;
  writeAtomically(outDir, files);
  return { ...rendered, written: [...files.keys()], outDir };
}

/**
 * Write every file into a fresh sibling folder, then swap it in with renames. Until the
 * last rename the old folder is untouched; after it, the new one is complete.
 */
export function writeAtomically(outDir: string, files: ReadonlyMap<string, string | Uint8Array>): void {
  const parent = path.dirname(outDir);
  mkdirSync(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = path.join(parent, `.${path.basename(outDir)}.tmp-${tag}`);
  const old = path.join(parent, `.${path.basename(outDir)}.old-${tag}`);
  mkdirSync(tmp);
  try {
    for (const [name, content] of files) {
      const target = path.join(tmp, name);
      if (path.dirname(target) !== tmp) throw new Error(`output name escapes its folder: ${name}`);
      writeFileSync(target, content);
    }
    let hadOld = true;
    try {
      renameSync(outDir, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      hadOld = false;
    }
    try {
      renameSync(tmp, outDir);
    } catch (e) {
      if (hadOld) renameSync(old, outDir); // put the last good output back
      throw e;
    }
    if (hadOld) rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export type { Message };
