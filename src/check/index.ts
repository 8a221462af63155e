// The check stage: one period loaded, each table read once through every row rule and into
// its figures (pass.ts), its lists against the register of earlier ones, the reported figures
// against the computed ones, the previous period's figures and the changes against them, and
// the year's figures from its periods. Every message is collected; the build runs the same.
import { existsSync } from 'node:fs';
import { periodPaths } from '../bulletin.js';
import { loadBulletin, type LoadResult, type LoadedBulletin } from '../load/bulletin.js';
import { tablePlace } from '../load/rows.js';
import { formatMessage, hasErrors, sortMessages, type Message } from '../messages.js';
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
import { ownFigure, yearFigures } from '../figures/year.js';
import { againstRegister } from './history.js';
import { historyTableProblems } from './history-table.js';
import { FigureMap, RowAccess } from './select.js';
import { checkClaims, claimText, type ClaimOutcome } from './claims.js';
import { namesIn, parseExpression } from '../figures/expression.js';
import { Acceptance } from './accept.js';

export type Figures = ReadonlyMap<string, Figure>;

export interface CheckResult {
  period: string;
  loaded?: LoadedBulletin;
  figures?: Figures;
  /** Each reported figure's `check:`, worked out. */
  checks?: CheckOutcome[];
  /** Each claim of `claims:`, worked out: whether it holds. */
  claims?: ClaimOutcome[];
  messages: Message[];
  /** A table that did not read: its figures are missing, not wrong. */
  unread?: boolean;
  files: number;
  rows: number;
  ok: boolean;
}

export async function checkBulletin(root: string, period: string): Promise<CheckResult> {
  return checkPeriod(root, period);
}

/**
 * One period's check. Another period it draws figures from (its previous, its year, a history
 * table's rows) is checked the same way, once per check (`others`): its figures are used only
 * when it checks, accepted problems aside; otherwise each use of them here is an error.
 */
async function checkPeriod(root: string, period: string, shared?: { registers: Registers; others: PeriodFigures }): Promise<CheckResult> {
  const load = await loadBulletin(root, period);
  const { loaded, messages, files } = load;
  // The register reads this period as loaded here, with the messages of the load alone.
  const asLoaded = new Map([[period, { ...load, messages: [...messages] }]]);
  let figures: Figures | undefined;
  let checks: CheckOutcome[] | undefined;
  let claims: ClaimOutcome[] | undefined;
  let rows = 0;
  let unread = false;
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
    // Rows by name (regions[东江市]) that checks and claims use are picked out as the tables are read.
    const names = expressionNames(loaded);
    const access = new RowAccess(names, [...loaded.tables.values()]);
    const tables = await checkTables(loaded, access);
    for (const t of tables) {
      rows += t.rows;
      for (const m of t.read) messages.push(m);
      if (hasErrors(t.read)) unread = true;
      for (const m of t.problems) messages.push(m);
    }
    // One register for this period and the others the check works out (its year, its
    // previous period), each with the list before it.
    const foreseen = [period, ...(loaded.bulletin.previous ? [loaded.bulletin.previous] : []), ...yearToDate(period)];
    const registers = shared?.registers ?? new Registers(root, period, [...new Set(foreseen.flatMap((p) => [p, previousPeriod(p)]))], asLoaded);
    const own = await ownFigures(loaded, tables, registers, messages);
    const others = shared?.others ?? new PeriodFigures(root, registers);
    const previous = await previousFigures(loaded, others, messages);
    const all = new FigureMap(own.map((f) => [f.name, f]));
    all.rows = access;
    if (previous?.figures) {
      // Every figure drawn from a period that does not check carries its problem to each use.
      for (const f of againstPrevious(own, previous.figures, { previous: loaded.bulletin.previous!, current: period })) all.set(f.name, previous.faulty ? { ...f, faulty: previous.faulty } : f);
    }
    for (const f of await theYear(loaded, all, others, messages)) all.set(f.name, f);
    messages.push(...(await historyTableProblems(loaded, all, async (name) => (await others.get(name, period)).figures)));
    // After the year's: a row by name is this period's alone, never a series.
    for (const f of access.figures(names)) all.set(f.name, f);
    const checked = checkReported(loaded.bulletin.figures, all, loaded.source);
    // A claim waits for what is still to be filled: a figure entered as null, a table with no rows yet.
    const unfilled = new Set([...Object.entries(loaded.bulletin.figures).flatMap(([name, spec]) => (typeof spec === 'object' && spec.value === null ? [name] : [])), ...names.filter((n) => access.empty(n))]);
    const claimed = checkClaims(loaded.bulletin.claims, all, loaded.source, unfilled);
    messages.push(...unfilledFigures(loaded), ...checkLoops(loaded.bulletin.figures, loaded.source), ...checked.messages, ...claimed.messages);
    // Problems kept on purpose (`accept:`) are warnings from here on: for check, build, stats,
    // and for the periods that draw on this one.
    const accept = new Acceptance(loaded);
    messages.splice(0, messages.length, ...accept.apply(messages), ...accept.unmatched());
    figures = all;
    checks = checked.outcomes;
    claims = claimed.outcomes;
  }
  const sorted = sortMessages(messages);
  return { period, ...(loaded && { loaded }), ...(figures && { figures }), ...(checks && { checks }), ...(claims && { claims }), messages: sorted, ...(unread && { unread }), files: files.length, rows, ok: !hasErrors(sorted) };
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
      const other = await others.get(name, period);
      if (other.broken) messages.push({ severity: 'warning', file: loaded.source.file, reason: `${name} 的数据读不出，全年的数字中按缺少这一期处理`, hint: `运行 tongbao check ${name} 查看并改正`, rule: 'figures/year' });
      // A period that reads but does not check: its figures are there, each use of them an error.
      return { name, ...(other.figures && { figures: other.figures }), ...(other.faulty && { faulty: other.faulty }) };
    }),
  );
  return yearFigures(info.year, periods, current);
}

/** The names the `check:` of figures and the claims use (those that parse; the others are reported by their check). */
function expressionNames(loaded: LoadedBulletin): string[] {
  const texts = [...Object.values(loaded.bulletin.figures).flatMap((spec) => (typeof spec === 'object' && spec.check ? [spec.check] : [])), ...loaded.bulletin.claims.map(claimText)];
  return texts.flatMap((text) => {
    try {
      return namesIn(parseExpression(text)).map((n) => n.name);
    } catch {
      return [];
    }
  });
}

/** Every table of a period, in the order declared, each read once. */
async function checkTables(loaded: LoadedBulletin, access?: RowAccess): Promise<CheckedTable[]> {
  const out: CheckedTable[] = [];
  const code = loaded.bulletin.region;
  // A region that is no division (reported above) holds no site to it.
  const region = code !== undefined && isDivisionCode(code) ? areaPrefix(code) : undefined;
  for (const table of loaded.tables.values()) {
    const place = tablePlace(table, loaded.bulletin.attachments);
    out.push(await checkTable(table, place, ROW_RULES, region, access?.forTable(table.id)));
    access?.collect(table.id, place);
  }
  return out;
}

/**
 * Another period: `figures` when its data exist and read without error, `broken` when they
 * exist but do not read, `faulty` when its check has an error (accepted problems are none):
 * its first error as the check tells it, for each use of its figures here to name.
 */
interface OtherPeriod {
  figures?: Map<string, Figure>;
  broken?: boolean;
  faulty?: string;
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
    private readonly loaded?: ReadonlyMap<string, LoadResult>,
  ) {}

  get(period: string, before: string): Promise<Register> {
    if (period <= this.upTo && this.lists.includes(period) && this.lists.includes(before)) {
      return (this.shared ??= readRegister(this.root, { upTo: this.upTo, lists: this.lists, loaded: this.loaded }));
    }
    return readRegister(this.root, { upTo: period, lists: [before, period], loaded: this.loaded });
  }
}

/**
 * Other periods, each checked once per check: its own figures, and whether it checks. Only a
 * period before the one asking is checked (so no check waits on itself, however `previous:`
 * and history tables point); a later one is read without its check: its tables and findings.
 */
class PeriodFigures {
  private readonly cache = new Map<string, Promise<OtherPeriod>>();
  constructor(
    private readonly root: string,
    private readonly registers: Registers,
  ) {}

  get(name: string, asking: string): Promise<OtherPeriod> {
    if (!(name < asking)) return this.shallow(name);
    let p = this.cache.get(name);
    if (!p) this.cache.set(name, (p = this.read(name)));
    return p;
  }

  private async read(name: string): Promise<OtherPeriod> {
    if (!existsSync(periodPaths(this.root, name).yaml)) return {};
    const r = await checkPeriod(this.root, name, { registers: this.registers, others: this });
    if (!r.loaded || !r.figures || r.unread) return { broken: true };
    // Its own figures only: what it draws from others is theirs to lend.
    const own = new Map([...r.figures].filter(([, f]) => ownFigure(f)));
    const errors = r.messages.filter((m) => m.severity === 'error');
    return { figures: own, ...(errors.length && { faulty: `${name} 的核对有 ${errors.length} 个错误，如 ${formatMessage({ ...errors[0]!, hint: undefined }).replace(': 错误: ', ' ')}` }) };
  }

  /** Its tables and findings without its check: for a period that leads back to itself. */
  private async shallow(name: string): Promise<OtherPeriod> {
    if (!existsSync(periodPaths(this.root, name).yaml)) return {};
    const other = await loadBulletin(this.root, name);
    const tables = other.loaded && !hasErrors(other.messages) ? await checkTables(other.loaded) : undefined;
    if (!other.loaded || !tables || tables.some((t) => hasErrors(t.read))) return { broken: true };
    const findings: Message[] = [];
    const own = await ownFigures(other.loaded, tables, this.registers, findings);
    const errors = [...tables.flatMap((t) => t.problems), ...findings].filter((m) => m.severity === 'error');
    return { figures: new Map(own.map((f) => [f.name, f])), ...(errors.length && { faulty: `${name} 的核对有错误，如 ${formatMessage({ ...errors[0]!, hint: undefined }).replace(': 错误: ', ' ')}` }) };
  }
}

/**
 * The figures of the period named by `previous:`, when its data exist and read without
 * error; its other problems are its own check's.
 */
async function previousFigures(loaded: LoadedBulletin, others: PeriodFigures, messages: Message[]): Promise<OtherPeriod | undefined> {
  const name = loaded.bulletin.previous;
  if (!name) return undefined;
  const prev = await others.get(name, loaded.paths.period);
  if (prev.broken) {
    messages.push({
      severity: 'warning',
      file: loaded.source.file,
      reason: `上一期 ${name} 的数据有错误，未计算与上期的比较`,
      hint: `运行 tongbao check ${name} 查看`,
      rule: 'figures/previous',
    });
  }
  return prev;
}

/** A region code as the prefix its site codes share: 330000 → 33, 330500 → 3305, 330523 as is. */
function areaPrefix(code6: string | undefined): string | undefined {
  if (code6 === undefined) return undefined;
  return code6.endsWith('0000') ? code6.slice(0, 2) : code6.endsWith('00') ? code6.slice(0, 4) : code6;
}
