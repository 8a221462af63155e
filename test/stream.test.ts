import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRows } from '../src/load/stream.js';
import { csvParseRecords, parseTable, tableFromRecords } from '../src/load/table.js';
import { tablePlace } from '../src/load/rows.js';
import { checkTable } from '../src/check/pass.js';
import { ROW_RULES } from '../src/check/rules/index.js';
import type { RowRule } from '../src/check/rule.js';
import { sortMessages } from '../src/messages.js';
import { sitesSpec } from './helpers.js';
import { computeFigures as referenceFigures } from './reference-compute.js';
import { loadBulletin } from '../src/load/bulletin.js';

const spec = sitesSpec({ rate: true });

const PROVINCES = [['13', '河北'], ['14', '山西'], ['41', '河南'], ['53', '云南']];

/** A table with a problem of every kind every few thousand rows, and total rows. */
function csv(rows: number): string {
  const lines = ['网站标识码,省（区、市）,网站类型,抽查数,合格数,合格率,是否合格'];
  for (let i = 0; i < rows; i++) {
    const [code, name] = PROVINCES[i % PROVINCES.length]!;
    const sampled = 10 + (i % 7);
    let passed = sampled - (i % 3);
    let siteCode = `${code}${String(i).padStart(8, '0')}`;
    let rate = `${((passed / sampled) * 100).toFixed(1)}%`;
    let kind = i % 2 ? '部门网站' : '"门户,网站"';
    if (i % 5000 === 17) siteCode = `${PROVINCES[(i + 1) % 4]![0]}${String(i).padStart(8, '0')}`; // wrong province
    if (i % 5000 === 33) siteCode = `1300000000`; // duplicate
    if (i % 5000 === 41) passed = sampled + 2; // exceeds
    if (i % 5000 === 55) rate = `${Math.floor((passed / sampled) * 1000) / 10 + 0.1}%`; // not rounded right
    if (i % 5000 === 71) kind = ' 部门网站 '; // white space
    if (i % 5000 === 90) lines.push('1,2,3'); // ragged
    if (i % 5000 === 95) kind = '"多行\n文字"';
    lines.push([siteCode, name, kind, sampled, passed, rate, passed === sampled ? '√' : ''].join(','));
  }
  lines.push('合计,,,1,2,50.0%,');
  return lines.join('\r\n') + '\r\n';
}

const json = (x: unknown) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

/** A rule that counts the distinct row events it is given: a stream reuses one for every row. */
function eventProbe() {
  const events = new Set<object>();
  const rule: RowRule = { name: 'probe', description: 'counts row events', create: () => ({ row: (e) => void events.add(e) }) };
  return { rule, events };
}

/**
 * The table held in memory (as an attachment is), through the one pass; its records read by
 * csv-parse, not by the tokenizer that a held table of regular CSV now goes through too.
 */
async function inMemory(file: string) {
  const parsed = csvParseRecords(readFileSync(file, 'utf8'), 'sites.csv');
  const held = tableFromRecords(parsed.records!, 'sites.csv', spec, 'utf-8');
  const t = { table: held.table, messages: [...parsed.messages, ...held.messages] };
  const probe = eventProbe();
  const c = await checkTable(t.table!, 'sites.csv', [...ROW_RULES, probe.rule]);
  return { messages: sortMessages([...t.messages, ...c.read, ...c.problems]), figures: c.figures, rows: c.rows, events: probe.events.size };
}

/** The same file as a data table, streamed when large, through the same pass. */
async function streamed(file: string) {
  const probe = eventProbe();
  const c = await checkTable({ id: spec.id, file: 'sites.csv', spec, path: file, streamed: true }, 'sites.csv', [...ROW_RULES, probe.rule]);
  return { messages: sortMessages([...c.read, ...c.problems]), figures: c.figures, rows: c.rows, events: probe.events.size };
}

describe('data tables read as a stream', () => {
  for (const [what, rows] of [['streamed (over 1 MB)', 30_000], ['read at once (small)', 200]] as const) {
    it(`give the messages and figures of the in-memory path: ${what}`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbao-stream-'));
      try {
        const file = path.join(dir, 'sites.csv');
        writeFileSync(file, csv(rows));
        const a = await inMemory(file);
        const b = await streamed(file);
        // Over 1 MB the rows came through one reused event (the stream), else one event each.
        expect(b.events).toBe(rows > 10_000 ? 1 : b.rows);
        expect(a.events).toBe(a.rows);
        expect(b.rows).toBe(a.rows);
        expect(json(b.messages)).toBe(json(a.messages));
        expect(json(b.figures)).toBe(json(a.figures));
        expect(a.messages.length).toBeGreaterThan(5);
        // …and the figures of the code that held every row, before the accumulator.
        const t = parseTable(readFileSync(file), 'sites.csv', spec).table!;
        expect(json(b.figures)).toBe(json(referenceFigures([t], [])));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('give the sample the figures the row-holding code gave', async () => {
    const { loaded } = await loadBulletin(process.cwd(), '2016Q4');
    const attachments = loaded!.bulletin.attachments;
    const tables = [...loaded!.tables.values()].map((t) => ('streamed' in t ? parseTable(readFileSync(t.path), t.file, t.spec).table! : t));
    const figures = [];
    for (const t of tables) figures.push(...(await checkTable(t, tablePlace(t, attachments))).figures!);
    expect(json(figures)).toBe(json(referenceFigures(tables, attachments)));
  });

  it('fall back to the in-memory reader for GB18030 and unclosed quotes, with its messages', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbao-stream-'));
    try {
      const file = path.join(dir, 'sites.csv');
      const iconv = (await import('iconv-lite')).default;
      const text = csv(30_000);
      for (const bytes of [iconv.encode(text, 'gb18030'), Buffer.from(text.replace('部门网站', '"部门网站'))]) {
        writeFileSync(file, bytes);
        const t = await readRows({ id: spec.id, file: 'sites.csv', spec, path: file, streamed: true }, () => () => undefined);
        const m = parseTable(bytes, 'sites.csv', spec);
        expect(json(t.messages)).toBe(json(m.messages));
        expect(t.encoding).toBe(m.table?.encoding);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the streaming CSV tokenizer', () => {
  // Record ends as ⏎; a line break inside a cell is \n, as Excel writes it (Alt+Enter).
  const sample = 'a,b,c⏎1,"x,y",3⏎"多\n行","q""q",⏎4,5,6⏎7,"",8⏎,,⏎9,"末\n"⏎⏎';
  // Ragged rows (held tables read through the tokenizer too): short, long, one field, quoted.
  const ragged = 'a,b,c⏎1,2⏎3,4,5,6⏎7⏎"8,9"⏎,⏎10,"多\n行",11,12⏎x,y,z';
  for (const [what, source] of [['', sample], [', ragged rows', ragged]] as const) for (const eol of ['\n', '\r\n', '\r']) it(`gives csv-parse's records and places, however the text is cut into chunks (${JSON.stringify(eol)}${what})`, async () => {
    const text = source.replaceAll('⏎', eol);
    const { csvParseRecords } = await import('../src/load/table.js');
    const { CsvStream } = await import('../src/load/csv-stream.js');
    const expected = JSON.stringify(csvParseRecords(text, 'x.csv').records);
    for (let size = 1; size <= text.length; size++) {
      const got: unknown[] = [];
      const csv = new CsvStream((r) => got.push(r));
      for (let i = 0; i < text.length; i += size) expect(csv.push(text.slice(i, i + size), false)).toBe(true);
      expect(csv.push('', true)).toBe(true);
      expect(JSON.stringify(got)).toBe(expected);
    }
  });
  it('gives up on a stray or unclosed quote, and on a record after an empty line', async () => {
    const { CsvStream } = await import('../src/load/csv-stream.js');
    for (const bad of ['a,b"c\n', 'a,"b"c\n', 'a,"bc\n', 'a\n\nb\n', 'a,"b\r\nc"\r\n']) expect(new CsvStream(() => undefined).push(bad, true)).toBe(false);
  });
});
