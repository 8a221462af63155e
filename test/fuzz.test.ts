// The whole of `check` (load, the one pass, figures, the circular and its page) over mutated
// copies of the sample and the city example, for a fixed time: whatever the input, the answer
// is messages, never an internal error, and never a hang. Seeded, so a failure can be replayed
// (the seed and the mutation are in its message).
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

describe('check over mutated workspaces', () => {
  it('answers with messages whatever the input: no internal error, no hang (20 s of mutations)', async () => {
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
    const deadline = performance.now() + 20_000;
    let runs = 0;
    try {
      while (performance.now() < deadline) {
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
    expect(runs).toBeGreaterThan(20);
  }, 90_000);
});
