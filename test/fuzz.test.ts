// The whole of `check` (load, the one pass, figures, the circular and its page) over mutated
// copies of the sample and the city example, a fixed number of times: whatever the input, the answer
// is messages, never an internal error, and never a hang. Seeded, so a failure can be replayed
// (the seed and the mutation are in its message: TONGBAO_FUZZ_SEED=<seed>).
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, sampleWorkspace } from './helpers.js';
import { renderBulletin } from '../src/build.js';
import { random } from '../bench/generate.mjs';

/** What is inserted: the syntax of each format, and the characters that broke things before. */
const PIECES = [',', '"', '""', '\n', '\r\n', '\r', ':', ': ', '- ', '  ', '\t', '{', '}', '[', ']', '#', '|', '*', '_', '>', '`', '&a', '*a', '合计', '小计', '合 计', '\u200b', '\u202e', '\u000b', '\u0000', '%', '√', '0', '9', '-1', '１', '　', 'null', '~', '{{', '}}', '{{list ', '=SUM(A1)', '__proto__', '999999999999999999999', '1e309', '山西省', '火星', 'bm12345678'];

function mutate(text: string, rnd: () => number): { text: string; what: string } {
  const at = Math.floor(rnd() * (text.length + 1));
  const lines = text.split('\n');
  switch (Math.floor(rnd() * 6)) {
    case 0: {
      const piece = PIECES[Math.floor(rnd() * PIECES.length)]!;
      return { text: text.slice(0, at) + piece + text.slice(at), what: `insert ${JSON.stringify(piece)} at ${at}` };
    }
    case 1: {
      const n = 1 + Math.floor(rnd() * 12);
      return { text: text.slice(0, at) + text.slice(at + n), what: `delete ${n} at ${at}` };
    }
    case 2: {
      const i = Math.floor(rnd() * lines.length);
      lines.splice(i, 0, lines[i]!);
      return { text: lines.join('\n'), what: `repeat line ${i + 1}` };
    }
    case 3: {
      const i = Math.floor(rnd() * lines.length);
      const j = Math.floor(rnd() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return { text: lines.join('\n'), what: `swap lines ${i + 1} and ${j + 1}` };
    }
    case 4:
      return { text: text.slice(0, at), what: `truncate at ${at}` };
    default: {
      const piece = PIECES[Math.floor(rnd() * PIECES.length)]!;
      const n = 1 + Math.floor(rnd() * 4);
      return { text: text.slice(0, at) + piece.repeat(n * 50) + text.slice(at), what: `insert ${JSON.stringify(piece)} × ${n * 50} at ${at}` };
    }
  }
}

/** Arguments a helper may be handed by mistake: out of range, not whole, not a figure, nested deep. */
const HELPER_ARGS = ['-1', '0', '1.5', '7', '100000000', '"x"', 'true', 'null', 'period', 'office', '(percent sampled 2)', `${'(percent '.repeat(60)}sampled${')'.repeat(60)}`];
const HELPERS = ['percent', 'growth', 'change', 'list', 'cn', 'date', 'table', 'each', 'if', 'log', 'lookup'];

/** A figure expression's text changed: deep, long, or with names and signs that do not fit. */
function mutateExpression(expr: string, rnd: () => number): { text: string; what: string } {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const n = 1 + Math.floor(rnd() * 3000);
  const forms: [string, string][] = [
    [`${'('.repeat(n)}${expr}${')'.repeat(n)}`, `${n} parentheses`],
    [`${'-'.repeat(n)}${expr}`, `${n} minus signs`],
    [Array.from({ length: n }, () => expr).join(' + '), `${n} terms`],
    [`${'growth('.repeat(Math.min(n, 500))}${expr}${', 1)'.repeat(Math.min(n, 500))}`, 'nested calls'],
    [`${expr} ${pick(['/', '*', '-', '+', '(', ')', ',', '.', '..', '%', '=', '>='])} ${pick(['0', '1e309', 'nope', '__proto__', 'constructor', ''])}`, 'operator'],
  ];
  const [text, what] = pick(forms);
  return { text, what: `check: ${what}` };
}

/** A helper call of the circular with other arguments, or another helper's name. */
function mutateHelper(text: string, rnd: () => number): { text: string; what: string } {
  const calls = [...text.matchAll(/\{\{([^{}]+)\}\}/g)];
  if (calls.length === 0) return { text, what: 'no helper call' };
  const call = calls[Math.floor(rnd() * calls.length)]!;
  const words = call[1]!.trim().split(/\s+/);
  const args = words.length > 1 ? words.slice(1) : words;
  const helper = HELPERS[Math.floor(rnd() * HELPERS.length)]!;
  const extra = Array.from({ length: Math.floor(rnd() * 3) }, () => HELPER_ARGS[Math.floor(rnd() * HELPER_ARGS.length)]!);
  const replacement = `{{${helper} ${[args[0], ...extra].join(' ')}}}`;
  return { text: text.slice(0, call.index) + replacement + text.slice(call.index! + call[0].length), what: `helper ${JSON.stringify(replacement.slice(0, 120))}` };
}

/** Characters no printed text may hold: control characters and the bidirectional controls. */
const UNPRINTABLE = ['\u0000', '\u0001', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];

/**
 * Runs per test: a number, not a time, so that a seed replays the very same inputs on any
 * machine, and a loaded one (the suite's two workers beside other work) tests as much as an
 * idle one instead of failing for want of runs. TONGBAO_FUZZ_RUNS asks for more.
 */
const runsOf = (fallback: number) => Number(process.env['TONGBAO_FUZZ_RUNS']) || fallback;

describe('check over mutated workspaces', () => {
  it('answers with messages whatever the input: no internal error, no hang (300 runs of mutations)', async () => {
    const sample = sampleWorkspace();
    const city = mkdtempSync(path.join(tmpdir(), 'tongbao-fuzz-city-'));
    cpSync(path.join(REPO, 'examples', 'city'), city, { recursive: true });
    const ExcelJS = (await import('exceljs')).default;
    // The city's districts as a spreadsheet too, whose bytes are mutated like the text files.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('各区县');
    for (const line of readFileSync(path.join(city, 'data/2017Q1/districts.csv'), 'utf8').trim().split('\n')) ws.addRow(line.split(',').map((c, i) => (i > 0 && /^\d+$/.test(c) ? Number(c) : c)));
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const targets: { root: string; period: string; file: string; binary?: boolean }[] = [
      ...['data/2016Q4/bulletin.yaml', 'data/2016Q4/problem-sites.csv', 'data/2016Q4/institutions.csv', 'data/2016Q4/history.csv', 'content/2016Q4/circular.md'].map((file) => ({ root: sample, period: '2016Q4', file })),
      ...['data/2017Q1/bulletin.yaml', 'data/2017Q1/districts.csv', 'data/2017Q1/checks.csv', 'content/2017Q1/circular.md'].map((file) => ({ root: city, period: '2017Q1', file })),
      { root: city, period: '2017Q1', file: 'data/2017Q1/districts.xlsx', binary: true },
    ];
    const seed = Number(process.env['TONGBAO_FUZZ_SEED']) || Date.now() % 100_000;
    const rnd = random(seed);
    const total = runsOf(300);
    let runs = 0;
    try {
      while (runs < total) {
        const target = targets[Math.floor(rnd() * targets.length)]!;
        const file = path.join(target.root, target.file);
        const yaml = path.join(target.root, 'data', target.period, 'bulletin.yaml');
        const originals = new Map([file, yaml].map((f) => [f, target.binary && f === file ? xlsx : readFileSync(f)]));
        const steps: string[] = [];
        if (target.binary) {
          const bytes = Buffer.from(xlsx);
          for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
            const at = Math.floor(rnd() * bytes.length);
            bytes[at] = Math.floor(rnd() * 256);
            steps.push(`byte ${at}`);
          }
          writeFileSync(file, bytes);
          writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('file: districts.csv', 'file: districts.xlsx'));
        } else {
          let text = readFileSync(file, 'utf8');
          for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) {
            const m = mutate(text, rnd);
            text = m.text;
            steps.push(m.what);
          }
          writeFileSync(file, text);
        }
        const t0 = performance.now();
        const context = `seed ${seed}, run ${runs}, ${target.file}: ${steps.join('; ')}`;
        let result;
        try {
          result = await renderBulletin(target.root, target.period);
        } catch (e) {
          throw new Error(`internal error (${context}): ${(e as Error).stack}`);
        }
        expect(performance.now() - t0, context).toBeLessThan(10_000);
        for (const m of result.messages) {
          expect(m.reason, context).not.toBe('');
          expect(m.file, context).not.toBe('');
        }
        for (const [f, bytes] of originals) writeFileSync(f, bytes);
        if (target.binary) rmSync(file);
        runs++;
      }
    } finally {
      rmSync(sample, { recursive: true, force: true });
      rmSync(city, { recursive: true, force: true });
    }
    expect(runs).toBe(total);
  }, 90_000);

  it('answers check: expressions, helper arguments and unprintable characters in its own words, at their place (600 runs)', async () => {
    const root = sampleWorkspace();
    const yamlFile = path.join(root, 'data/2016Q4/bulletin.yaml');
    const mdFile = path.join(root, 'content/2016Q4/circular.md');
    const yaml = readFileSync(yamlFile, 'utf8');
    const md = readFileSync(mdFile, 'utf8');
    const seed = Number(process.env['TONGBAO_FUZZ_SEED']) || Date.now() % 100_000;
    const rnd = random(seed);
    const checks = [...yaml.matchAll(/check: ([^,}\n]+)/g)];
    // JavaScript's own words, or the fallback for an error nobody anticipated.
    const internal = /Cannot |undefined|BigInt|is not a function|Maximum call stack|RangeError|TypeError|模板出错/;
    const total = runsOf(600);
    let runs = 0;
    try {
      while (runs < total) {
        let what: string;
        let unprintable: string | undefined;
        const kind = Math.floor(rnd() * 3);
        if (kind === 0) {
          const c = checks[Math.floor(rnd() * checks.length)]!;
          const m = mutateExpression(c[1]!.trim(), rnd);
          writeFileSync(yamlFile, yaml.slice(0, c.index) + `check: ${JSON.stringify(m.text)}` + yaml.slice(c.index! + c[0].length));
          what = m.what;
        } else if (kind === 1) {
          const m = mutateHelper(md, rnd);
          writeFileSync(mdFile, m.text);
          what = m.what;
        } else {
          unprintable = UNPRINTABLE[Math.floor(rnd() * UNPRINTABLE.length)]!;
          const at = Math.floor(rnd() * md.length);
          writeFileSync(mdFile, md.slice(0, at) + unprintable + md.slice(at));
          what = `insert U+${unprintable.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at ${at} of circular.md`;
        }
        const context = `seed ${seed}, run ${runs}: ${what}`;
        const t0 = performance.now();
        let result;
        try {
          result = await renderBulletin(root, '2016Q4');
        } catch (e) {
          throw new Error(`internal error (${context}): ${(e as Error).stack}`);
        }
        expect(performance.now() - t0, context).toBeLessThan(10_000);
        for (const m of result.messages) expect(m.reason, context).not.toMatch(internal);
        if (unprintable) {
          // Refused where it stands, before anything is printed (a NUL byte: the file is no text at all).
          const refused = result.messages.find((m) => m.severity === 'error' && m.file.endsWith('circular.md') && (m.line !== undefined || unprintable === '\u0000'));
          expect(refused, context).toBeDefined();
        }
        writeFileSync(yamlFile, yaml);
        writeFileSync(mdFile, md);
        runs++;
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    expect(runs).toBe(total);
  }, 90_000);
});
