// What a user sees for broken rows deep in a large streamed table (cells reused from row to
// row, the tokenizer's one-line fast path): each message at its line and column, as the
// in-memory reader gives it, and the exact figures of the rows that are fine.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSpaceCode, parseTable } from '../src/load/table.js';
import { ANY as BAD_CHAR, isPlainText } from '../src/load/chars.js';
import { ANY as NOT_IDENTITY_FORM } from '../src/load/identity.js';
import { checkTable } from '../src/check/pass.js';
import { formatMessage, sortMessages } from '../src/messages.js';
import { sitesSpec } from './helpers.js';

const spec = sitesSpec();

const ROWS = 40_000; // about 1.5 MB: over the size that streams

/** Rows 2..ROWS+1 fine (sampled 10, passed 9 or 10), but for the broken ones placed below. */
function table(eol: string): { text: string; passed: bigint } {
  const lines = ['网站标识码,省（区、市）,网站类型,抽查数,合格数,是否合格'];
  let passed = 0n;
  for (let i = 0; i < ROWS; i++) {
    const line = i + 2;
    const p = i % 3 === 0 ? 9 : 10;
    let row = [`14${String(i).padStart(8, '0')}`, '山西', '县级政府网站', '10', String(p), p === 10 ? '√' : ''];
    if (line === 25_001) row[4] = '12'; // passed > sampled: still counted
    if (line === 30_002) row[0] = '1400000007'; // the code of line 9
    if (line === 31_003) row[3] = '十'; // not an integer
    if (line === 32_004) row = ['1407810099', '山西', '介休县政府网站', '10', '10', '√']; // 140781 is 介休市
    if (line === 33_005) row[2] = ' 部门网站'; // a stray space
    if (line === 34_006) row[0] = '1300000000'; // 13 is 河北, the row says 山西
    passed += BigInt(row[4]!);
    lines.push(row.join(','));
  }
  return { text: lines.join(eol) + eol, passed };
}

describe('a broken row deep in a streamed table', () => {
  for (const eol of ['\n', '\r\n']) {
    it(`is reported at its line and column, with the exact figures (${JSON.stringify(eol)})`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbao-stream-rows-'));
      try {
        const file = path.join(dir, 'sites.csv');
        const { text, passed } = table(eol);
        writeFileSync(file, text);
        const t = await checkTable({ id: spec.id, file: 'sites.csv', spec, path: file, streamed: true }, 'sites.csv');
        const messages = sortMessages([...t.read, ...t.problems]);
        expect(messages.map(formatMessage)).toEqual([
          'sites.csv:25001:25: 错误: 「合格数」12 大于「抽查数」10（合格数不能超过抽查数）',
          'sites.csv:30002:1: 错误: 「网站标识码」的「1400000007」与第 9 行重复（每个值只能出现一次）',
          'sites.csv:31003:22: 错误: 「抽查数」的「十」不是整数',
          'sites.csv:32004:1: 警告: 这一行写的是「介休县」，网站标识码 1407810099 的行政区划 140781 是「介休市」（核对网站名称或标识码；行政区划调整后的旧名也会这样提示）',
          'sites.csv:33005:15: 警告: 「网站类型」的「部门网站」前后有多余的空格（删去空格；已按去掉空格后的值处理）',
          'sites.csv:34006:1: 错误: 网站标识码 1300000000 的前两位 13（河北）与这一行的地区「山西」（14）不符（核对标识码：前六位是网站所在地的行政区划代码（GB/T 2260））',
        ]);
        // The in-memory reader says the same.
        const m = parseTable(readFileSync(file), 'sites.csv', spec);
        const held = await checkTable(m.table!, 'sites.csv');
        expect(sortMessages([...m.messages, ...held.problems]).map(formatMessage)).toEqual(messages.map(formatMessage));

        const figures = new Map(t.figures!.map((f) => [f.name, f]));
        expect(figures.get('sites.count')!.value).toEqual({ type: 'integer', value: BigInt(ROWS) });
        expect(figures.get('sites.passed.sum')!.value).toEqual({ type: 'integer', value: passed });
        expect(figures.get('sites.sampled.sum')!.value).toEqual({ type: 'integer', value: BigInt(10 * (ROWS - 1)) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('white space by char code', () => {
  it('is what /[\\s\\u00a0\\u3000]/ matches, for every UTF-16 unit', () => {
    const EDGE = /[\s\u00a0\u3000]/;
    for (let c = 0; c < 0x10000; c++) expect(isSpaceCode(c), c.toString(16)).toBe(EDGE.test(String.fromCharCode(c)));
  });
});

describe('plain text by char code', () => {
  it('holds, for every UTF-16 unit it passes, no character the checks of characters or the identity form look for (a space aside)', () => {
    let plain = 0;
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if (!isPlainText(ch)) continue;
      plain++;
      expect(BAD_CHAR.test(ch), c.toString(16)).toBe(false);
      expect(NOT_IDENTITY_FORM.test(ch), c.toString(16)).toBe(c === 32);
    }
    expect(plain).toBe(95 + (0x9fff - 0x4e00 + 1) + 1); // ASCII, CJK unified, √
  });
});

describe('FirstSeen', () => {
  it('gives the first line of each text, as a Map would, for numbers of up to 15 digits and other texts', async () => {
    const { FirstSeen } = await import('../src/check/grow.js');
    const seen = new FirstSeen();
    const map = new Map<string, number>();
    let x = 7;
    for (let line = 1; line <= 100_000; line++) {
      x = (x * 48271) % 2147483647;
      const pick = x % 6;
      const text =
        pick === 0 ? String(x % 5000) : pick === 1 ? `14${String(x % 3000).padStart(8, '0')}` : pick === 2 ? String(999_999_999_000_000 + (x % 2000)) : pick === 3 ? `0${x % 100}` : pick === 4 ? `bm${x % 500}` : String(x % 4294967296 * 1000 + (x % 7));
      const want = map.get(text);
      if (want === undefined) map.set(text, line);
      expect(seen.check(text, line)).toBe(want);
    }
  });
});
