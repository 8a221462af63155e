// The arrows between src/'s stages (.dependency-cruiser.cjs), judged by dependency-cruiser on
// the real tree, and shown to catch a forbidden import when one is added to a copy of it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './helpers.js';

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** dependency-cruiser's verdict on `src/` of the workspace `root`, with the repository's rules. */
function cruise(root: string): { violations: Violation[]; modules: string[] } {
  const bin = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const r = spawnSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (!r.stdout) throw new Error(`dependency-cruiser failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  return { violations: out.summary.violations, modules: out.modules.map((m: { source: string }) => m.source) };
}

const shown = (vs: Violation[]) => vs.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).join('\n');

describe('the stages of src/', () => {
  it('import only downstream, with no circle (dependency-cruiser, type imports included)', () => {
    const { violations, modules } = cruise(REPO);
    expect(shown(violations)).toBe('');
    // The tree the rules are about is there: every stage, and each command in a file of its own.
    for (const dir of ['load', 'register', 'check', 'figures', 'render', 'print', 'pdf', 'archive', 'docx', 'ofd', 'commands']) expect(modules.some((m) => m.startsWith(`src/${dir}/`)), dir).toBe(true);
    for (const c of ['check', 'stats', 'build', 'new', 'dev', 'verify', 'schema', 'sites']) expect(modules).toContain(`src/commands/${c}.ts`);
  });

  it('fail on a forbidden arrow or a circle added to a copy of the tree', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-arrows-'));
    try {
      cpSync(path.join(REPO, 'src'), path.join(root, 'src'), { recursive: true });
      for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(path.join(REPO, f), path.join(root, f));
      symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
      const add = (file: string, line: string) => appendFileSync(path.join(root, 'src', file), `\n${line}\n`);
      add('load/rows.ts', "import type { Fraction } from '../figures/fraction.js';\nexport type Probe = Fraction;");
      add('archive/checksums.ts', "import { escapeHtml } from '../render/helpers.js';\nvoid escapeHtml;");
      add('archive/pdfa.ts', "import { launchBrowser } from '../print/browser.js';\nvoid launchBrowser;");
      add('figures/fraction.ts', "import type { Row } from '../load/rows.js';\nexport type Probe = Row;");
      add('build.ts', "import { main } from './commands/index.js';\nvoid main;");
      add('register/sites.ts', "import { checkTable } from '../check/pass.js';\nvoid checkTable;");
      add('docx/grid.ts', "import type { LoadedBulletin } from '../load/bulletin.js';\nexport type Probe = LoadedBulletin;");
      add('render/title.ts', "import { charsWide } from '../docx/from-html.js';\nvoid charsWide;");
      add('ofd/model.ts', "import { renderPage } from '../render/html.js';\nvoid renderPage;");
      // A circle: rows.ts ↔ table.ts.
      add('load/rows.ts', "import type { Table } from './table.js';\nexport type Probe2 = Table;");
      const { violations } = cruise(root);
      const got = new Set(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`));
      for (const want of [
        'load-reads-only: src/load/rows.ts → src/figures/fraction.ts',
        'archive-works-on-pdfs: src/archive/checksums.ts → src/render/helpers.ts',
        'archive-works-on-pdfs: src/archive/pdfa.ts → src/print/browser.ts',
        'figures-are-pure: src/figures/fraction.ts → src/load/rows.ts',
        'runners-below-commands: src/build.ts → src/commands/index.ts',
        'register-reads-rows: src/register/sites.ts → src/check/pass.ts',
        'docx-takes-html: src/docx/grid.ts → src/load/bulletin.ts',
        'render-is-the-page: src/render/title.ts → src/docx/from-html.ts',
        'ofd-reads-the-pdf: src/ofd/model.ts → src/render/html.ts',
      ]) expect(got, shown(violations)).toContain(want);
      expect(violations.some((v) => v.rule.name === 'no-circular' && v.from === 'src/load/rows.ts' && v.to === 'src/load/table.ts'), shown(violations)).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
