// Reported figures: those bulletin.yaml enters as printed, checked against the figures the
// tables give (`check:`), and those a new period has still to fill in.
import type { LoadedBulletin } from '../load/bulletin.js';
import { placeInScalar, type YamlSource } from '../load/yaml.js';
import { sourcePlace } from '../load/workbook-facts.js';
import type { Message } from '../messages.js';
import type { ReportedFigure } from '../schema.js';
import { agrees, display, naturalDigits, parseReported, type Figure, type FigureValue } from '../figures/figure.js';
import { evaluate, ExpressionError, parseExpression, type Evaluated, type Node } from '../figures/expression.js';
import { div, fraction, roundScaled, sub, toDecimal, type Fraction } from '../figures/fraction.js';

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
    if (typeof spec !== 'object' || !spec.check?.trim()) continue; // an empty check is told by check-loops.ts
    const printed = figures.get(name);
    if (!printed) continue; // not filled in yet: reported as such
    const checkPath = ['figures', name, 'check'];
    let node: Node;
    let result: Evaluated | undefined;
    try {
      node = parseExpression(spec.check);
      // A name alone is compared as the figure it names: a list, a date, a text too.
      if (node.kind !== 'name') result = evaluate(node, (n) => figures.get(n));
      else if (!figures.has(node.name)) throw new ExpressionError(`「${node.name}」不是能从表格算出的数字`, node.at);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const unknown = /^「(.+)」不是能从表格算出的数字$/.exec(e.reason)?.[1];
      const near = unknown ? nearNames(unknown, figures) : [];
      messages.push({
        severity: 'error',
        file: source.file,
        ...placeInScalar(source, checkPath, e.at),
        reason: e.reason,
        hint: e.hint ?? (unknown ? (near.length ? `可用的有：${near.join('、')}` : '用 tongbao stats 查看可用的数字') : undefined),
        rule: unknown ? 'figures/unknown-check' : 'figures/expression',
      });
      continue;
    }
    const single = node.kind === 'name' ? figures.get(node.name)! : undefined;
    const exact = single?.value ?? exactValue(result!);
    const ok = single ? agrees(printed.value, exact) : agreesAt(printed.value, result!);
    const digits = printed.value.type === 'share' || printed.value.type === 'growth' ? printed.value.digits : undefined;
    // A quotient printed as a whole number (sites per province) is shown as a number, not a percentage.
    const asNumber = !single && printed.value.type === 'integer' && result!.kind !== 'growth' && result!.value.den !== 1n;
    // A decimal written in bulletin.yaml (28.50) is a number at its own digits, never a share.
    const decimal = !single && result!.kind !== 'growth' ? writtenDecimal(printed.value) : undefined;
    const exactText = decimal ? toDecimal(result!.value, decimal.digits + 2) : asNumber ? toDecimal(result!.value, 3) : display(exact);
    const rounded = decimal ? toDecimal(result!.value, decimal.digits) : asNumber ? toDecimal(result!.value, 0) : digits !== undefined && (exact.type === 'share' || exact.type === 'growth') ? display(exact, digits) : exactText;
    outcomes.push({ name, check: spec.check, ...(result && { formula: result.formula }), exact: exactText, rounded, printed: display(printed.value), agrees: ok });
    if (ok) continue;
    let steps: string;
    let where: string;
    if (single) {
      const d = single.derivation;
      where = `与表格不符：${d?.place ?? spec.check}`;
      steps = d && d.formula !== exactText ? `${d.formula} = ${exactText}` : exactText;
    } else {
      where = `与算式不符：${spec.check} = `;
      steps = `${result!.formula} = ${exactText}`;
    }
    if (rounded !== exactText) steps += ` → ${rounded}`;
    messages.push({
      severity: spec.severity ?? 'error',
      ...sourcePlace(source, ['figures', name, 'value']),
      reason: `「${name}」${where}${steps}，正文为 ${display(printed.value)}`,
      hint: spec.severity === 'warning' ? '已标为警告；如属原文错误请在说明中注明' : (growthSlip(node, printed.value, figures) ?? (single ? '改正正文中的数字或表格中的数据' : '改正正文中的数字、算式或表格中的数据')),
      rule: 'figures/disagree',
    });
  }
  return { messages, outcomes };
}

function nearNames(name: string, figures: ReadonlyMap<string, Figure>): string[] {
  return [...figures.keys()].filter((k) => k.startsWith(name.split('.')[0]! + '.')).slice(0, 12);
}

/** An expression's result as a figure value: a count when it is a whole number of counts. */
function exactValue(r: Evaluated): FigureValue {
  if (r.kind === 'integer' && r.value.den === 1n) return { type: 'integer', value: r.value.num };
  return { type: r.kind === 'growth' ? 'growth' : 'share', value: r.value, digits: naturalDigits(r.value) };
}

/** The printed figure against an expression's exact result, rounded half-up at the printed precision. */
function agreesAt(printed: FigureValue, r: Evaluated): boolean {
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
