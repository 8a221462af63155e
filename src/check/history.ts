// A period against the register of the periods before it: sites listed again (repeats), a
// problem text claiming a repeat the lists do not show, a site reported closed that is listed
// again, and the rectification table's account of the previous period's list. Each finding is
// a message at the row it is about; the counts are figures the circular can print.
import type { LoadedBulletin } from '../load/bulletin.js';
import { MessageList, type Message } from '../messages.js';
import { fraction } from '../figures/fraction.js';
import { naturalDigits, type Figure } from '../figures/figure.js';
import { placeOf } from '../load/yaml.js';
import { periodInfo } from '../periods.js';
import type { Listing, Register, Rectification } from '../register/register.js';
import { unfilledKey } from '../register/register.js';
import { rectificationColumns, siteColumns } from '../register/sites.js';

export interface History {
  messages: Message[];
  figures: Figure[];
}

/** At most this many sites are named in one message about a list. */
const NAMED = 10;

const who = (l: { name: string; site: { key: string } }) => `「${l.name}」（${l.site.key}）`;
const where = (l: { file: string; line: number }) => `${l.file} 第 ${l.line} 行`;

/**
 * What the register says of period `period`: `previous` is the period its repeats and its
 * rectification table are about (bulletin.yaml's `previous:`, else the period before).
 */
export function againstRegister(register: Register, loaded: LoadedBulletin, previous: string): History {
  const period = loaded.paths.period;
  // A long list repeated nearly whole is thousands of lines: the first of each kind are listed.
  const messages = new MessageList();
  const figures: Figure[] = [];
  const before = register.periods.includes(previous) ? register.listedIn(previous) : undefined;
  const prevText = periodInfo(previous).text;
  const closed = closedReports(register.rectifications, period);
  const all = [...loaded.bulletin.tables, ...loaded.bulletin.attachments];

  for (const spec of all) {
    const columns = siteColumns(spec);
    if (!columns) continue;
    // A list of new-media accounts counts 账号, not 网站.
    const what = columns.code < 0 ? '账号' : '网站';
    const listings = register.listingsOf(period).map((i) => register.listing(i)).filter((l) => l.table === spec.id);
    const file = loaded.tables.get(spec.id)?.file ?? spec.file;
    const repeats: Listing[] = [];
    for (const l of listings) {
      const earlier = before?.get(l.site.key);
      if (earlier) {
        repeats.push(l);
        messages.push({
          severity: loaded.bulletin.repeat,
          file: l.file,
          line: l.line,
          column: l.column,
          reason: `${who(l)}连续被通报：上一期（${prevText}）也在名单中（${where(earlier)}）`,
          rule: 'register/repeat',
        });
      } else if (before && l.claimColumn !== undefined) {
        messages.push({
          severity: 'warning',
          file: l.file,
          line: l.line,
          column: l.claimColumn,
          reason: `问题写的是「${l.problem}」，但${who(l)}不在上一期（${prevText}）的名单中`,
          hint: `${what === '账号' ? '核对平台和账号名称' : '核对网站标识码'}是否填错；不是再次被通报的，改写问题描述`,
          rule: 'register/false-repeat',
        });
      }
      const report = closed.get(l.site.key);
      if (report) {
        messages.push({
          severity: 'warning',
          file: l.file,
          line: l.line,
          column: l.column,
          reason: `${who(l)}在 ${report.period} 的整改情况表中为「${report.status}」（${where(report)}），本期又被列入名单`,
          hint: '核对网站标识码；网站确已恢复运行的，请核实后在名单中说明',
          rule: 'register/closed-again',
        });
      }
    }
    if (before) {
      const rows = repeats.map((l) => l.line);
      const table = 'title' in spec ? `「${spec.title}」` : spec.id;
      const key = what === '账号' ? '平台和账号名称' : '网站标识码';
      figures.push(
        { name: `${spec.id}.repeat.count`, label: `${table}中上一期也被通报的${what}数`, source: 'computed', value: { type: 'integer', value: BigInt(repeats.length) }, derivation: { formula: `本期与 ${previous} 名单都有的${key}`, file, rows } },
        { name: `${spec.id}.repeat.members`, label: `${table}中上一期也被通报的${what}`, source: 'computed', value: { type: 'list', value: repeats.map((l) => l.name) }, derivation: { formula: `本期与 ${previous} 名单都有的${key}`, file, rows } },
      );
    }
  }

  for (const spec of loaded.bulletin.tables) {
    if (!rectificationColumns(spec)) continue;
    const reports = register.rectifications.filter((r) => r.period === period && r.table === spec.id);
    const file = loaded.tables.get(spec.id)?.file ?? spec.file;
    if (!before) {
      const i = loaded.bulletin.tables.indexOf(spec);
      messages.push({
        severity: 'warning',
        file: loaded.source.file,
        ...placeOf(loaded.source, ['tables', i, 'id']),
        reason: `整改情况表「${spec.id}」记录的是上一期（${prevText}）的问题网站，但工作区中没有 ${previous} 的数据（或其数据有错误），无法核对，整改率未计算`,
        hint: `把 ${previous} 的数据放入 data/${previous}/，或用 previous: 指明上一期`,
        rule: 'register/no-previous',
      });
      continue;
    }
    const seen = new Map<string, Rectification>();
    for (const r of reports) {
      const twice = seen.get(r.key);
      if (twice) {
        messages.push({ severity: 'error', file: r.file, line: r.line, column: r.column, reason: `网站标识码 ${r.key} 在整改情况表中出现两次（另见第 ${twice.line} 行）`, hint: '每个网站只填一行', rule: 'register/rectification-twice' });
        continue;
      }
      seen.set(r.key, r);
      if (!before.has(r.key)) {
        messages.push({
          severity: 'warning',
          file: r.file,
          line: r.line,
          column: r.column,
          reason: `网站标识码 ${r.key} 不在上一期（${prevText}）的问题网站名单中`,
          hint: register.has(r.key) ? `这个网站在其他期次被通报过（运行 tongbao sites ${r.key} 查看）；整改情况表只填上一期名单中的网站` : '核对网站标识码是否填错',
          rule: 'register/rectification-unknown',
        });
      }
    }
    // This period's data did not read (a 文号 still to fill is enough): its table is not known to
    // lack anyone, and check reports what is wrong where it is.
    if (register.unread.some((u) => u.period === period)) continue;
    // The table is keyed by 网站标识码: it reports on the previous list's sites, not its accounts.
    const sites = [...before.values()].filter((l) => l.site.kind === 'site');
    // A site whose row is there with its status still empty is in the table: its cell says so.
    const missing = sites.filter((l) => !seen.has(l.site.key) && !register.unfilled.has(unfilledKey(period, spec.id, l.site.key)));
    if (missing.length) {
      messages.push({
        severity: 'warning',
        file,
        reason: `上一期（${prevText}）名单中的 ${missing.length} 个网站不在整改情况表中：${missing.slice(0, NAMED).map(who).join('、')}${missing.length > NAMED ? ' 等' : ''}`,
        hint: '补上它们的整改状态；未补的按未整改计算',
        rule: 'register/rectification-missing',
      });
    }
    const listed = sites;
    const status = (l: Listing) => seen.get(l.site.key)?.status;
    const done = listed.filter((l) => status(l) === '已整改');
    const closedOnes = listed.filter((l) => status(l) === '已关停' || status(l) === '已上移');
    const pending = listed.filter((l) => !['已整改', '已关停', '已上移'].includes(status(l) ?? ''));
    const d = { file, rows: reports.map((r) => r.line) };
    const count = (name: string, label: string, n: number, formula: string): Figure => ({ name: `${spec.id}.${name}`, label, source: 'computed', value: { type: 'integer', value: BigInt(n) }, derivation: { ...d, formula } });
    figures.push(
      count('of', `上一期（${previous}）问题网站数`, listed.length, `${previous} 名单中的网站`),
      count('rectified.count', '已整改的网站数', done.length, '状态为已整改'),
      count('closed.count', '已关停或上移的网站数', closedOnes.length, '状态为已关停、已上移'),
      count('pending.count', '未整改（含未填报）的网站数', pending.length, '状态为未整改，或不在表中'),
      { name: `${spec.id}.pending.members`, label: '未整改（含未填报）的网站', source: 'computed', value: { type: 'list', value: pending.map((l) => l.name) }, derivation: { ...d, formula: '状态为未整改，或不在表中' } },
    );
    if (listed.length) {
      const rate = fraction(BigInt(done.length + closedOnes.length), BigInt(listed.length));
      figures.push({
        name: `${spec.id}.rate`,
        label: `上一期问题网站中已整改或关停上移的比例`,
        source: 'computed',
        value: { type: 'share', value: rate, digits: Math.min(naturalDigits(rate), 1) },
        derivation: { ...d, formula: `(${done.length} + ${closedOnes.length}) / ${listed.length}` },
      });
    }
  }
  return { messages: messages.messages(), figures };
}

/** The sites whose latest report up to `period` is 已关停 or 已上移 (reports come oldest first). */
function closedReports(reports: readonly Rectification[], period: string): Map<string, Rectification> {
  const latest = new Map<string, Rectification>();
  for (const r of reports) if (r.period <= period) latest.set(r.key, r);
  return new Map([...latest].filter(([, r]) => r.status === '已关停' || r.status === '已上移'));
}
