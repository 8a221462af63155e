// The check stage: one period loaded, each table read once through every row rule and into
// its figures (pass.ts), its lists against the register of earlier ones, the reported figures
// against the computed ones, the previous period's figures and the changes against them, and
// the year's figures from its periods. Every message is collected; the build runs the same.
import { existsSync } from 'node:fs';
import { periodPaths } from '../bulletin.js';
import { loadBulletin, type LoadedBulletin } from '../load/bulletin.js';
import { tablePlace } from '../load/rows.js';
import { hasErrors, sortMessages, type Message } from '../messages.js';
import { againstPrevious } from '../figures/change.js';
import type { Figure } from '../figures/figure.js';
import { checkTable, type CheckedTable } from './pass.js';
import { ROW_RULES } from './rules/index.js';
import { isDivisionCode } from '../divisions.js';
import { placeOf } from '../load/yaml.js';
import { checkLoops } from './check-loops.js';
import { checkReported, reportedFigures, unfilledFigures, type CheckOutcome } from './reported.js';
import { readRegister } from '../register/read.js';
import type { Register } from '../register/register.js';
import { rectificationColumns, siteColumns } from '../register/sites.js';
import { periodInfo, previousPeriod, yearToDate } from '../periods.js';
import { yearFigures } from '../figures/year.js';
import { againstRegister } from './history.js';
import { historyTableProblems } from './history-table.js';

export type Figures = ReadonlyMap<string, Figure>;

export interface CheckResult {
  period: string;
  loaded?: LoadedBulletin;
  figures?: Figures;
  /** Each reported figure's `check:`, worked out. */
  checks?: CheckOutcome[];
  messages: Message[];
  files: number;
  rows: number;
  ok: boolean;
}

export async function checkBulletin(root: string, period: string): Promise<CheckResult> {
  const { loaded, messages, files } = await loadBulletin(root, period);
  let figures: Figures | undefined;
  let checks: CheckOutcome[] | undefined;
  let rows = 0;
  if (loaded) {
    const region = loaded.bulletin.region;
    if (region !== undefined && !isDivisionCode(region)) {
      messages.push({
        severity: 'error',
        file: loaded.source.file,
        ...placeOf(loaded.source, ['region']),
        reason: `region 的「${region}」不是 GB/T 2260 中的行政区划代码`,
        hint: '写本机关所在地区的 6 位代码，如 330523（安吉县）、330500（湖州市）、330000（浙江省）；部门和全国的通报不写 region',
        rule: 'bulletin/region',
      });
    }
    const tables = await checkTables(loaded);
    for (const t of tables) {
      rows += t.rows;
      for (const m of t.read) messages.push(m);
      for (const m of t.problems) messages.push(m);
    }
    // One register for this period and the others the check works out (its year, its
    // previous period), each with the list before it.
    const foreseen = [period, ...(loaded.bulletin.previous ? [loaded.bulletin.previous] : []), ...yearToDate(period)];
    const registers = new Registers(root, period, [...new Set(foreseen.flatMap((p) => [p, previousPeriod(p)]))]);
    const own = await ownFigures(loaded, tables, registers, messages);
    const others = new PeriodFigures(root, registers);
    const previous = await previousFigures(loaded, others, messages);
    const all = new Map(own.map((f) => [f.name, f]));
    if (previous) {
      for (const f of againstPrevious(own, previous, { previous: loaded.bulletin.previous!, current: period })) all.set(f.name, f);
    }
    for (const f of await theYear(loaded, all, others, messages)) all.set(f.name, f);
    messages.push(...(await historyTableProblems(loaded, all, async (name) => (await others.get(name)).figures)));
    const checked = checkReported(loaded.bulletin.figures, all, loaded.source);
    messages.push(...unfilledFigures(loaded), ...checkLoops(loaded.bulletin.figures, loaded.source), ...checked.messages);
    figures = all;
    checks = checked.outcomes;
  }
  const sorted = sortMessages(messages);
  return { period, ...(loaded && { loaded }), ...(figures && { figures }), ...(checks && { checks }), messages: sorted, files: files.length, rows, ok: !hasErrors(sorted) };
}

/**
 * A period's own figures: those entered in bulletin.yaml, those of its tables, and those of its
 * lists against the register of earlier periods (repeats, the rectification table's), whose
 * findings go to `messages`.
 */
async function ownFigures(loaded: LoadedBulletin, tables: readonly CheckedTable[], registers: Registers, messages: Message[]): Promise<Figure[]> {
  const own = [...reportedFigures(loaded), ...tables.flatMap((t) => t.figures ?? [])];
  const b = loaded.bulletin;
  if ([...b.tables, ...b.attachments].some((t) => siteColumns(t) || rectificationColumns(t))) {
    // Only what the findings need: the two lists, and every rectification report so far (a
    // site closed earlier and listed again).
    const period = loaded.paths.period;
    const before = b.previous ?? previousPeriod(period);
    const history = againstRegister(await registers.get(period, before), loaded, before);
    messages.push(...history.messages);
    own.push(...history.figures);
  }
  return own;
}

/**
 * The year so far (`year.*`), from each period's own figures; a period without data, or with
 * errors in them, stays missing. A yearly bulletin is its own year: it has none.
 */
async function theYear(loaded: LoadedBulletin, current: Figures, others: PeriodFigures, messages: Message[]): Promise<Figure[]> {
  const period = loaded.paths.period;
  const info = periodInfo(period);
  if (!info.quarter && !info.half && !info.month) return [];
  const periods = await Promise.all(
    yearToDate(period).map(async (name) => {
      if (name === period) return { name, figures: current };
      const other = await others.get(name);
      if (other.broken || other.faulty) messages.push({ severity: 'warning', file: loaded.source.file, reason: `${name} 的数据有错误，全年的数字中按缺少这一期处理`, hint: `运行 tongbao check ${name} 查看并改正`, rule: 'figures/year' });
      return { name, ...(!other.faulty && other.figures && { figures: other.figures }) };
    }),
  );
  return yearFigures(info.year, periods, current);
}

/** Every table of a period, in the order declared, each read once. */
async function checkTables(loaded: LoadedBulletin): Promise<CheckedTable[]> {
  const out: CheckedTable[] = [];
  const code = loaded.bulletin.region;
  // A region that is no division (reported above) holds no site to it.
  const region = code !== undefined && isDivisionCode(code) ? areaPrefix(code) : undefined;
  for (const table of loaded.tables.values()) out.push(await checkTable(table, tablePlace(table, loaded.bulletin.attachments), ROW_RULES, region));
  return out;
}

/**
 * Another period: `figures` when its data exist and read without error, `broken` when they
 * exist but do not read, `faulty` when a rule found an error in them (its check says which).
 */
interface OtherPeriod {
  figures?: Map<string, Figure>;
  broken?: boolean;
  faulty?: boolean;
}

/**
 * The register of sites as a period's findings need it: the site lists of that period and
 * the one before, and every rectification report up to it. Read once per check for the
 * periods it foresees; another period (a history table's row) has one read for itself.
 */
class Registers {
  private shared?: Promise<Register>;
  constructor(
    private readonly root: string,
    private readonly upTo: string,
    private readonly lists: readonly string[],
  ) {}

  get(period: string, before: string): Promise<Register> {
    if (period <= this.upTo && this.lists.includes(period) && this.lists.includes(before)) {
      return (this.shared ??= readRegister(this.root, { upTo: this.upTo, lists: this.lists }));
    }
    return readRegister(this.root, { upTo: period, lists: [before, period] });
  }
}

/** Other periods' own figures, each worked out once per check. */
class PeriodFigures {
  private readonly cache = new Map<string, Promise<OtherPeriod>>();
  constructor(
    private readonly root: string,
    private readonly registers: Registers,
  ) {}

  get(name: string): Promise<OtherPeriod> {
    let p = this.cache.get(name);
    if (!p) this.cache.set(name, (p = this.read(name)));
    return p;
  }

  private async read(name: string): Promise<OtherPeriod> {
    if (!existsSync(periodPaths(this.root, name).yaml)) return {};
    const other = await loadBulletin(this.root, name);
    const tables = other.loaded && !hasErrors(other.messages) ? await checkTables(other.loaded) : undefined;
    if (!other.loaded || !tables || tables.some((t) => hasErrors(t.read))) return { broken: true };
    // Its findings are its own check's; here only whether they include an error.
    const findings: Message[] = [];
    const own = await ownFigures(other.loaded, tables, this.registers, findings);
    return { faulty: tables.some((t) => hasErrors(t.problems)) || hasErrors(findings), figures: new Map(own.map((f) => [f.name, f])) };
  }
}

/**
 * The figures of the period named by `previous:`, when its data exist and read without
 * error; its other problems are its own check's.
 */
async function previousFigures(loaded: LoadedBulletin, others: PeriodFigures, messages: Message[]): Promise<Map<string, Figure> | undefined> {
  const name = loaded.bulletin.previous;
  if (!name) return undefined;
  const prev = await others.get(name);
  if (prev.broken) {
    messages.push({
      severity: 'warning',
      file: loaded.source.file,
      reason: `上一期 ${name} 的数据有错误，未计算与上期的比较`,
      hint: `运行 tongbao check ${name} 查看`,
      rule: 'figures/previous',
    });
  }
  return prev.figures;
}

/** A region code as the prefix its site codes share: 330000 → 33, 330500 → 3305, 330523 as is. */
function areaPrefix(code6: string | undefined): string | undefined {
  if (code6 === undefined) return undefined;
  return code6.endsWith('0000') ? code6.slice(0, 2) : code6.endsWith('00') ? code6.slice(0, 4) : code6;
}
