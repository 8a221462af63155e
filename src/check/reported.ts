// Reported figures: those bulletin.yaml enters as printed, checked against the figures the
// tables give (`check:`), and those a new period has still to fill in.
import type { LoadedBulletin } from '../load/bulletin.js';
import { placeInScalar, type YamlSource } from '../load/yaml.js';
import { sourcePlace } from '../load/workbook-facts.js';
import type { Message } from '../messages.js';
import type { ReportedFigure } from '../schema.js';
import { agrees, display, displayBeside, faultyHint, faultyUse, naturalDigits, parseReported, type Figure, type FigureValue } from '../figures/figure.js';
import { explainUnknown } from './select.js';
import { evaluate, ExpressionError, namesIn, parseExpression, type Evaluated, type Node } from '../figures/expression.js';
import { decidingDecimals, div, fraction, mul, roundScaled, sub, toDecimal, type Fraction } from '../figures/fraction.js';
import { assignmentText, runText, SEARCH_LIMIT, SearchLimitError, solve, type Candidate, type Solved, type Unknown } from '../figures/solve.js';

/** Reported figures entered as `value: null` (a new period's), still to be filled. */
export function unfilledFigures(loaded: LoadedBulletin): Message[] {
  return Object.entries(loaded.bulletin.figures)
    .filter(([, spec]) => typeof spec === 'object' && spec.value === null)
    .map(([name, spec]) => ({
      severity: 'error' as const,
      ...sourcePlace(loaded.source, ['figures', name, 'value']),
      reason: `数字「${name}」${typeof spec === 'object' && spec.label ? `（${spec.label}）` : ''}尚未填写`,
      hint: sourcePlace(loaded.source, ['figures', name, 'value']).line === undefined ? '按正文印出的写法填写，如 7535 或 91%' : '按正文印出的写法填写 value，如 7535 或 "91%"',
      rule: 'figures/unfilled',
    }));
}

export function reportedFigures(loaded: LoadedBulletin): Figure[] {
  return Object.entries(loaded.bulletin.figures).flatMap(([name, spec]) => {
    const value = typeof spec === 'object' ? spec.value : spec;
    if (value === null) return [];
    return {
      name,
      label: (typeof spec === 'object' && spec.label) || name,
      source: 'reported' as const,
      value: parseReported(value),
      derivation: { formula: '正文报告', file: sourcePlace(loaded.source, ['figures', name, 'value']).file },
    };
  });
}

/** What a `check:` came to, for `stats`: the expression, its arithmetic with the values, the result. */
export interface CheckOutcome {
  name: string;
  check: string;
  /** The expression with each name's value put in. */
  formula?: string;
  /** The exact result, as `stats` prints it, and as the printed figure's precision rounds it. */
  exact?: string;
  rounded?: string;
  printed: string;
  agrees: boolean;
  /** With `where:`: each unknown's range, the solutions (`{ n: "309" }`, a run `"309..311"`) and how many. */
  where?: Record<string, string>;
  solutions?: Record<string, string>[];
  count?: string;
  /** With `where:` and no solution: the nearest assignments below and above, worked out. */
  nearest?: Record<string, string>[];
}

/**
 * Each reported figure with `check:` against what the check computes: a figure's name, or
 * an expression of names, integers, + − × /, parentheses and growth(x, base), in exact
 * fractions; compared at the printed precision, rounded half-up.
 */
export function checkReported(
  reported: Record<string, ReportedFigure>,
  figures: ReadonlyMap<string, Figure>,
  source: YamlSource,
): { messages: Message[]; outcomes: CheckOutcome[] } {
  const messages: Message[] = [];
  const outcomes: CheckOutcome[] = [];
  for (const [name, spec] of Object.entries(reported)) {
    const printed = figures.get(name);
    if (printed) messages.push(...outOfRange(name, typeof spec === 'object' ? spec : {}, printed, figures, source));
    if (typeof spec !== 'object') continue;
    if (!spec.check?.trim()) {
      // An empty check is told by check-loops.ts; a where needs one.
      if (spec.where) messages.push({ severity: 'error', ...sourcePlace(source, ['figures', name, 'where']), reason: `「${name}」写了 where 但没有 check`, hint: 'where 列出 check 算式中的未知数，如 check: "n / accounts"、where: { n: "0..339" }', rule: 'figures/where' });
      continue;
    }
    if (!printed) continue; // not filled in yet: reported as such
    const checkPath = ['figures', name, 'check'];
    let node: Node;
    let result: Evaluated | undefined;
    let solved: { solved: Solved; unknowns: Unknown[] } | undefined;
    try {
      node = parseExpression(spec.check);
      // A figure drawn from a period that does not check is not used: its problem is told here.
      const drawn = namesIn(node).find((n) => figures.get(n.name)?.faulty);
      if (drawn) throw new ExpressionError(faultyUse(figures.get(drawn.name)!), drawn.at, faultyHint(figures.get(drawn.name)!));
      if (spec.where) {
        const unknowns = readWhere(name, spec.where, node, figures, source, messages);
        if (!unknowns) continue;
        solved = { solved: solveAt(node, printed.value, figures, unknowns), unknowns };
      }
      // A name alone is compared as the figure it names: a list, a date, a text too.
      else if (node.kind !== 'name') result = evaluate(node, (n) => figures.get(n));
      else if (!figures.has(node.name)) throw new ExpressionError(`「${node.name}」不是能从表格算出的数字`, node.at);
    } catch (e) {
      if (e instanceof SearchLimitError) {
        messages.push({
          severity: 'error',
          ...sourcePlace(source, ['figures', name, 'where']),
          reason: `「${name}」的 where 要检验 ${e.combinations} 种取值，超过了 ${SEARCH_LIMIT} 种的上限`,
          hint: '缩小未知数的范围，或减少未知数；只有一个未知数、且算式随它单调（如 n / accounts、growth(running, q2)）时，再大的范围也能很快求解',
          rule: 'figures/where',
        });
        continue;
      }
      if (!(e instanceof ExpressionError)) throw e;
      const unknown = /^「(.+)」不是能从表格算出的数字$/.exec(e.reason)?.[1];
      // A row by name (regions[东江市]) says which part is unknown: the table, the row, the statistic.
      const why = unknown ? explainUnknown(unknown, figures) : undefined;
      const near = unknown ? nearNames(unknown, figures) : [];
      messages.push({
        severity: 'error',
        file: source.file,
        ...placeInScalar(source, checkPath, e.at),
        reason: why?.reason ?? e.reason,
        hint: why?.hint ?? e.hint ?? (unknown ? (near.length ? `可用的有：${near.join('、')}` : '用 tongbao stats 查看可用的数字') : undefined),
        rule: unknown ? 'figures/unknown-check' : e.reason.includes('取自有错误的期次') ? 'figures/faulty-period' : 'figures/expression',
      });
      continue;
    }
    if (solved) {
      const w = whereOutcome(name, spec.check, printed, solved.solved, solved.unknowns, source);
      outcomes.push(w.outcome);
      if (w.message) messages.push({ ...w.message, severity: spec.severity ?? 'error' });
      continue;
    }
    const single = node.kind === 'name' ? figures.get(node.name)! : undefined;
    const exact = single?.value ?? exactValue(result!);
    const ok = single ? agrees(printed.value, exact) : agreesAt(printed.value, result!);
    const { exactText, rounded } = shown(printed.value, single ? exact : result!);
    outcomes.push({ name, check: spec.check, ...(result && { formula: result.formula }), exact: exactText, rounded, printed: display(printed.value), agrees: ok });
    if (ok) continue;
    let steps: string;
    let where: string;
    const unit = unitSlip(printed.value, exact);
    if (single) {
      const d = single.derivation;
      // Without a place (a change against the previous period), the name and its arithmetic.
      // 附件1：15 行, not 附件115 行; 附件1「合格网站数」115/130 as it is.
      where = `与表格不符${unit?.reason ?? ''}：${d?.place ? `${d.place}${/^\d/.test(d.formula) && !d.place.endsWith('」') ? '：' : ''}` : `${spec.check} = `}`;
      steps = d && d.formula !== exactText ? `${d.formula} = ${exactText}` : exactText;
    } else {
      where = `与算式不符${unit?.reason ?? ''}：${spec.check} = `;
      steps = `${result!.formula} = ${exactText}`;
    }
    if (rounded !== exactText) steps += ` → ${rounded}`;
    messages.push({
      severity: spec.severity ?? 'error',
      ...sourcePlace(source, ['figures', name, 'value']),
      reason: `「${name}」${where}${steps}，正文为 ${display(printed.value)}`,
      hint: spec.severity === 'warning' ? '已标为警告；如属原文错误请在说明中注明' : unit ? unit.hint : (pointsSlip(printed.value, exact) ?? growthSlip(node, printed.value, figures) ?? (single ? '改正正文中的数字或表格中的数据' : '改正正文中的数字、算式或表格中的数据')),
      rule: 'figures/disagree',
      subject: { figure: name, printed: display(printed.value), computed: rounded },
    });
  }
  return { messages, outcomes };
}

function nearNames(name: string, figures: ReadonlyMap<string, Figure>): string[] {
  return [...figures.keys()].filter((k) => k.startsWith(name.split('.')[0]! + '.')).slice(0, 12);
}

/**
 * A printed figure in one unit and the computed one in another: a share minus a share is
 * percentage points, never a share (92.9% − 90.7% is 2.2个百分点, not 2.2%, nor 2).
 */
function unitSlip(printed: FigureValue, exact: FigureValue): { reason: string; hint: string } | undefined {
  if ((printed.type === 'points') === (exact.type === 'points')) return undefined;
  if (exact.type === 'points') {
    const right = display({ ...exact, digits: printed.type === 'share' || printed.type === 'growth' ? printed.digits : exact.digits });
    return { reason: '（两个比例之差，单位是百分点，不是百分比或个数）', hint: `正文应写作「${right}」：value: "${right}"` };
  }
  return { reason: '（算出的不是百分点：只有两个比例之差是百分点）', hint: '正文写的是百分点时，check 写两个比例之差，如 site_rate - previous.site_rate' };
}

/** Points printed the other way round: the change's size is right, its direction is not. */
function pointsSlip(printed: FigureValue, exact: FigureValue): string | undefined {
  if (printed.type !== 'points' || exact.type !== 'points' || exact.value.num === 0n) return undefined;
  const flipped = { ...exact, value: fraction(-exact.value.num, exact.value.den) };
  if (!agrees(printed, flipped)) return undefined;
  const right = display({ type: 'points', value: exact.value, digits: printed.digits, words: true });
  return `方向相反：算出的是${right}；正文这样写时 value 写作「${right}」，否则把 check 的两项对调`;
}

/** An expression's result as a figure value: a count when it is a whole number of counts. */
function exactValue(r: Evaluated): FigureValue {
  if (r.kind === 'integer' && r.value.den === 1n) return { type: 'integer', value: r.value.num };
  // Points are held in points: 0.022 of the whole is 2.2个百分点.
  if (r.kind === 'points') return { type: 'points', value: mul(r.value, fraction(100n)), digits: naturalDigits(r.value) };
  return { type: r.kind === 'growth' ? 'growth' : 'share', value: r.value, digits: naturalDigits(r.value) };
}

/** The printed figure against an expression's exact result, rounded half-up at the printed precision. */
function agreesAt(printed: FigureValue, r: Evaluated): boolean {
  // A figure in points agrees only with points, and points with nothing else.
  if ((printed.type === 'points') !== (r.kind === 'points')) return false;
  if (printed.type === 'points') return roundScaled(mul(r.value, fraction(100n)), printed.digits) === roundScaled(printed.value, printed.digits);
  const decimal = writtenDecimal(printed);
  if (decimal) return r.kind !== 'growth' && roundScaled(r.value, decimal.digits) === decimal.scaled;
  if (printed.type === 'integer') return r.kind !== 'growth' && roundScaled(r.value, 0) === printed.value;
  if (printed.type === 'share' || printed.type === 'growth') return roundScaled(r.value, printed.digits + 2) === roundScaled(printed.value, printed.digits + 2);
  return false;
}

/** A decimal as bulletin.yaml writes it (`28.50`, kept as text): its value times 10^digits, and its digits. */
function writtenDecimal(v: FigureValue): { scaled: bigint; digits: number } | undefined {
  const m = v.type === 'text' ? /^(-?)(\d+)\.(\d+)$/.exec(v.value) : null;
  return m ? { scaled: BigInt(`${m[1]}${m[2]}${m[3]}`), digits: m[3]!.length } : undefined;
}

/** Why a printed growth rate is off, when it is one of the usual slips. */
function growthSlip(node: Node, printed: FigureValue, figures: ReadonlyMap<string, Figure>): string | undefined {
  if (node.kind !== 'call' || (printed.type !== 'share' && printed.type !== 'growth')) return undefined;
  const [x, base] = node.args.map((a) => evaluate(a, (n) => figures.get(n)).value) as [Fraction, Fraction];
  const at = printed.digits + 2;
  const right = div(sub(x, base), base);
  if (x.num !== 0n && roundScaled(div(sub(x, base), x), at) === roundScaled(printed.value, at)) return `正文的增长率以本期数为基数；应以基期数为基数：${display({ type: 'growth', value: right, digits: printed.digits })}`;
  if (roundScaled(fraction(-right.num, right.den), at) === roundScaled(printed.value, at)) return `正文把${right.num < 0n ? '减少' : '增长'}写成了${right.num < 0n ? '增长' : '减少'}：应为${display({ type: 'growth', value: right, digits: printed.digits })}`;
  return undefined;
}

/**
 * An exact result as a message shows it: to the digits that decide its rounding at the printed
 * precision (127/129 = 98.4496% → 98.4%, never 98.450% → 98.4%), and rounded as printed.
 */
function shown(printed: FigureValue, r: FigureValue | Evaluated): { exactText: string; rounded: string } {
  const exact = 'kind' in r ? exactValue(r) : r;
  // A quotient printed as a whole number (sites per province) is shown as a number, not a percentage.
  // A decimal written in bulletin.yaml (28.50) is a number at its own digits, never a share.
  const decimal = 'kind' in r && r.kind !== 'growth' && r.kind !== 'points' ? writtenDecimal(printed) : undefined;
  if (decimal && 'kind' in r) return { exactText: toDecimal(r.value, decimal.digits + 2), rounded: toDecimal(r.value, decimal.digits) };
  if ('kind' in r && printed.type === 'integer' && r.kind !== 'growth' && r.kind !== 'points' && r.value.den !== 1n) {
    return { exactText: toDecimal(r.value, Math.max(3, decidingDecimals(r.value, 0, 3))), rounded: toDecimal(r.value, 0) };
  }
  const exactText = displayBeside(exact, printed);
  const shares = (v: FigureValue) => v.type === 'share' || v.type === 'growth' || v.type === 'points';
  return { exactText, rounded: shares(printed) && shares(exact) ? display(exact, (printed as { digits: number }).digits) : exactText };
}

/**
 * A share printed outside [0, 100%] is a misprint (100% → 101%), unless it is a growth rate
 * written without 增长 (its check is a growth).
 */
function outOfRange(name: string, spec: { check?: string | undefined }, printed: Figure, figures: ReadonlyMap<string, Figure>, source: YamlSource): Message[] {
  const v = printed.value;
  if (v.type !== 'share' || (v.value.num >= 0n && v.value.num <= v.value.den)) return [];
  if (spec.check && isGrowthCheck(spec.check, figures)) return [];
  return [
    {
      severity: 'error',
      ...sourcePlace(source, ['figures', name, 'value']),
      reason: `「${name}」印为 ${display(v)}：比例${v.value.num < 0n ? '不能小于 0' : '不能超过 100%'}`,
      hint: '比例、合格率、占比都在 0 到 100% 之间，请核对原文；增长率写作“增长20%”“减少5%”（或 check: growth(本期, 基期)），百分点的变化写作“11.8个百分点”',
      rule: 'figures/range',
    },
  ];
}

function isGrowthCheck(check: string, figures: ReadonlyMap<string, Figure>): boolean {
  try {
    const node = parseExpression(check);
    return node.kind === 'call' || (node.kind === 'name' && figures.get(node.name)?.value.type === 'growth');
  } catch {
    return false;
  }
}

/** A figure's `where:` read into unknowns; each fault is an error at its entry, and then none. */
function readWhere(name: string, where: Record<string, string>, node: Node, figures: ReadonlyMap<string, Figure>, source: YamlSource, messages: Message[]): Unknown[] | undefined {
  const used = namesIn(node).map((n) => n.name);
  const out: Unknown[] = [];
  let ok = true;
  for (const [u, text] of Object.entries(where)) {
    const fail = (reason: string, hint: string) => {
      ok = false;
      messages.push({ severity: 'error', ...sourcePlace(source, ['figures', name, 'where', u]), reason, hint, rule: 'figures/where' });
    };
    const [lo, hi] = text.split('..').map((t) => BigInt(t.trim())) as [bigint, bigint];
    if (figures.has(u)) fail(`where 中的「${u}」已是一个数字的名称，不能作未知数`, '未知数用一个别处没有用过的名称，如 n、q2，并在 check 中用它');
    else if (!used.includes(u)) {
      const free = used.filter((n) => !figures.has(n));
      fail(`where 中的「${u}」没有在 check 中用到`, free.length ? `check 中的未知数是：${free.join('、')}` : `删去这一项，或在 check 中写出「${u}」`);
    } else if (lo > hi) fail(`where 中「${u}」的范围 ${text} 从大到小`, `写作 "${hi}..${lo}"`);
    else out.push({ name: u, lo, hi });
  }
  return ok && out.length ? out : undefined;
}

/** The unknowns solved for the printed figure, at its printed precision. */
function solveAt(node: Node, printed: FigureValue, figures: ReadonlyMap<string, Figure>, unknowns: readonly Unknown[]): Solved {
  const lookup = (n: string) => figures.get(n);
  if (printed.type === 'integer') return solve(node, lookup, unknowns, (r) => (r.kind === 'growth' ? undefined : roundScaled(r.value, 0)), printed.value, fraction(printed.value));
  if (printed.type === 'share' || printed.type === 'growth') {
    const at = printed.digits + 2;
    return solve(node, lookup, unknowns, (r) => roundScaled(r.value, at), roundScaled(printed.value, at), printed.value);
  }
  return solve(node, lookup, unknowns, () => undefined, 0n, fraction(0n));
}

/** What a check with unknowns came to: its solutions for `stats`, or a message naming the nearest candidates. */
function whereOutcome(name: string, check: string, printed: Figure, solved: Solved, unknowns: readonly Unknown[], source: YamlSource): { outcome: CheckOutcome; message?: Message } {
  const strings = (values: Record<string, bigint>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  const base = {
    name,
    check,
    printed: display(printed.value),
    where: Object.fromEntries(unknowns.map((u) => [u.name, `${u.lo}..${u.hi}`])),
    // Each solution's unknowns in the order where lists them.
    solutions: solved.solutions.map((s) => Object.fromEntries(unknowns.map((u) => [u.name, u.name === s.name ? runText(s.lo, s.hi) : String(s.values[u.name])]))),
    count: String(solved.count),
  };
  const worked = (c: Candidate) => {
    const { exactText, rounded } = shown(printed.value, c.result);
    return { formula: c.result.formula, exact: exactText, rounded };
  };
  if (solved.example) return { outcome: { ...base, ...worked(solved.example), agrees: true } };
  const nearest = [solved.below, solved.above].filter((c): c is Candidate => c !== undefined);
  const text = (c: Candidate) => {
    const w = worked(c);
    return `${assignmentText(c.values)} → ${w.formula} = ${w.exact}${w.rounded !== w.exact ? ` → ${w.rounded}` : ''}`;
  };
  const ranges = unknowns.map((u) => `${u.name} 取 ${u.lo}..${u.hi}`).join('、');
  return {
    outcome: { ...base, ...(nearest[0] && worked(nearest[0])), agrees: false, nearest: nearest.map((c) => ({ ...strings(c.values), ...worked(c) })) },
    message: {
      severity: 'error',
      ...sourcePlace(source, ['figures', name, 'value']),
      reason: `「${name}」与算式不符：${check}，${ranges} 中的整数，没有一个印为 ${display(printed.value)}${nearest.length ? `；最接近的：${nearest.map(text).join('；')}` : ''}`,
      hint: '改正正文中的数字、算式、where 的范围或表格中的数据',
      rule: 'figures/disagree',
    },
  };
}
