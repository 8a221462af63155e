// `tongbao sites [网站标识码]`: the register of every site listed in any period of the
// workspace, filtered by period, region and status; with a code, that site's history.
import { stringify } from 'csv-stringify/sync';
import stringWidth from 'string-width';
import { isPeriod } from '../bulletin.js';
import { periodHint } from '../periods.js';
import { readRegister } from '../register/read.js';
import { accountKey } from '../register/sites.js';
import { nameKey } from '../load/identity.js';
import type { Register, SiteStatus, SiteSummary } from '../register/register.js';
import { RECTIFICATION_STATUS } from '../schema.js';
import { EXIT, UsageError, type Invocation, type Io } from './shell.js';

const STATUSES: readonly SiteStatus[] = [...RECTIFICATION_STATUS, '待整改'];

export async function run({ root, args, flags, io }: Invocation): Promise<number> {
  if (args.length > 1) throw new UsageError(`多余的参数：${args.slice(1).join(' ')}`);
  if (flags.json && flags.csv) throw new UsageError('--json 和 --csv 只能选一个');
  if (flags.period !== undefined && !isPeriod(flags.period)) throw new UsageError(`「${flags.period}」不是期次（${periodHint(flags.period)}）`);
  if (flags.status !== undefined && !STATUSES.includes(flags.status as SiteStatus)) throw new UsageError(`「${flags.status}」不是整改状态（可用：${STATUSES.join('、')}）`);
  const register = await readRegister(root);
  // A period that could not be read is said, not silently left out of the register.
  for (const u of register.unread) io.err(`tongbao: ${u.period} 未计入登记册：${u.reason}\n`);
  if (register.periods.length === 0 && register.unread.length === 0) {
    io.err('tongbao: 工作区中没有任何一期通报（data/<期次>/bulletin.yaml）；还没有任何一期时，用 tongbao init <期次> --office <发文机关> --region <行政区划代码> 新建第一期\n');
    return EXIT.failed;
  }
  if (args[0] !== undefined) return history(register, registerKey(register, args[0]), flags.json, io);

  const out = batched(io);
  const region = flags.region === undefined ? undefined : nameKey(flags.region);
  const wanted = (s: SiteSummary) => (flags.period === undefined || s.periods.includes(flags.period)) && (region === undefined || (s.region !== undefined && nameKey(s.region) === region)) && (flags.status === undefined || s.status === flags.status);
  // JSON and CSV are written a site at a time: a register of a million sites is never held twice.
  if (flags.json) {
    out.write(`{\n  "periods": ${JSON.stringify(register.periods)},\n  "unread": ${JSON.stringify(register.unread)},\n  "sites": [`);
    let n = 0;
    for (const s of register.summaries()) if (wanted(s)) out.write(`${n++ ? ',' : ''}\n    ${JSON.stringify(siteJson(s))}`);
    out.write(`${n ? '\n  ' : ''}]\n}\n`);
  } else if (flags.csv) {
    // For Excel: a BOM so that it reads UTF-8, CRLF line ends, every field quoted.
    const csv = (row: string[]) => stringify([row], { quoted: true, record_delimiter: 'windows' });
    out.write(`\ufeff${csv(HEADERS)}`);
    for (const s of register.summaries()) if (wanted(s)) out.write(csv(cells(s).map(inert)));
  } else {
    const rows = [HEADERS];
    let accounts = 0;
    for (const s of register.summaries()) {
      if (!wanted(s)) continue;
      rows.push(cells(s));
      if (s.kind === 'account') accounts++;
    }
    out.write(table(rows));
    // Sites and new-media accounts are counted apart: 26 个网站 for 12 sites and 14 accounts misleads.
    const sites = rows.length - 1 - accounts;
    const counted = accounts ? `${sites ? `${sites} 个网站、` : ''}${accounts} 个政务新媒体账号` : `${sites} 个网站`;
    if (!flags.quiet) out.write(`共 ${counted}（${register.periods.length} 期${periodsText(register.periods)}）\n`);
  }
  out.end();
  return EXIT.ok;
}

/**
 * The register's key for what the user typed: a code or `平台/账号名称` as the register keeps
 * it, else in the register's one form (ＡＢＣ, a zero-width space or a look-alike letter aside).
 */
function registerKey(register: Register, typed: string): string {
  if (register.has(typed)) return typed;
  const slash = typed.indexOf('/');
  return slash > 0 ? accountKey(typed.slice(0, slash), typed.slice(slash + 1)) : nameKey(typed);
}

const HEADERS = ['网站标识码', '网站名称', '地区', '被通报期次', '次数', '整改状态'];

function cells(s: SiteSummary): string[] {
  return [s.key, s.name, s.region ?? '', s.periods.join('、'), String(s.periods.length), s.status];
}

/**
 * A field Excel would read as a formula (=, +, -, @ first, or a tab or return: a site name
 * like =HYPERLINK(…) from the data) is written with an apostrophe before it, which Excel
 * shows as text and does not print (OWASP's advice on CSV injection).
 */
const inert = (field: string) => (/^[=+\-@\t\r]/.test(field) ? `'${field}` : field);

function siteJson(s: SiteSummary) {
  return { key: s.key, kind: s.kind, name: s.name, region: s.region ?? null, periods: s.periods, status: s.status, report: s.report ?? null };
}

/** One site's listings and reports, oldest first. */
function history(register: Register, key: string, json: boolean, io: Io): number {
  const listings = register.history(key);
  const reports = register.rectifications.filter((r) => r.key === key);
  if (listings.length === 0 && reports.length === 0) {
    io.err(`tongbao: 登记册中没有「${key}」（${register.periods.length} 期中都没有被通报过）\n`);
    return EXIT.failed;
  }
  const summary = register.summaryOf(key);
  if (json) {
    io.out(JSON.stringify({ key, ...(summary && { name: summary.name, status: summary.status }), listings, reports }, null, 2) + '\n');
    return EXIT.ok;
  }
  if (summary) io.out(`${key}  ${summary.name}${summary.region ? `（${summary.region}）` : ''}  整改状态：${summary.status}\n`);
  const rows = [
    ['期次', '记录', '内容', '位置'],
    ...[...listings.map((l) => ({ period: l.period, row: [l.period, '被通报', l.problem, place(l)] })), ...reports.map((r) => ({ period: r.period, row: [r.period, '整改情况', `${r.status}${r.date ? `（${r.date}）` : ''}`, place(r)] }))]
      .sort((a, b) => a.period.localeCompare(b.period))
      .map((x) => x.row),
  ];
  io.out(table(rows));
  return EXIT.ok;
}

/** Columns padded to their widest cell, as a terminal shows CJK (two columns a character). */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => stringWidth(r[i] ?? ''))));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - stringWidth(c)))).join('  ')).join('\n') + '\n';
}

/** 2016Q4、2017Q1 — or the first and last of many. */
function periodsText(periods: readonly string[]): string {
  if (periods.length === 0) return '';
  return `：${periods.length > 6 ? `${periods[0]}—${periods.at(-1)}` : periods.join('、')}`;
}

/** Output gathered into 64 KB writes: a line a write is most of the time of a million lines. */
function batched(io: Io): { write(s: string): void; end(): void } {
  let parts: string[] = [];
  let size = 0;
  const flush = () => {
    if (parts.length) io.out(parts.join(''));
    parts = [];
    size = 0;
  };
  return {
    write(s) {
      parts.push(s);
      size += s.length;
      if (size >= 1 << 16) flush();
    },
    end: flush,
  };
}

/** Where a row is: `file:line`, or in a workbook its sheet and cell (`x.xlsx!问题网站!A3`). */
function place(r: { file: string; line: number; column?: number }): string {
  if (!/\.xlsx!/i.test(r.file)) return `${r.file}:${r.line}`;
  let letters = '';
  for (let n = r.column ?? 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${r.file}!${letters}${r.line}`;
}
