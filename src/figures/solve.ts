// Unknowns in a check (`where: { n: "0..339" }`): counts a bulletin never prints, such as the
// numerator of "91.15% of 339 accounts". The check holds when some whole numbers in the
// unknowns' ranges make the expression print as the text does. The unknown with the widest
// range is solved by bisection when the expression is monotone in it (shown from the
// expression's shape, with interval bounds for the signs), else by trying each value; the
// others are tried in turn. The whole search stops at SEARCH_LIMIT evaluations, so that a
// check never hangs on a range typed too wide.
import { add, compare, div, fraction, mul, type Fraction } from './fraction.js';
import { evaluate, ExpressionError, namesIn, type Evaluated, type Node } from './expression.js';
import type { Figure } from './figure.js';

export interface Unknown {
  name: string;
  lo: bigint;
  hi: bigint;
}

/** Evaluations one check may spend; README states it. */
export const SEARCH_LIMIT = 100_000;
/** Solutions listed (a run of consecutive values counts as one). */
const LISTED = 10;

/** One assignment of the unknowns and what the expression comes to with it. */
export interface Candidate {
  values: Record<string, bigint>;
  result: Evaluated;
}

export interface Solved {
  /** Solutions, at most LISTED: the other unknowns' values, and the solved one's run lo..hi. */
  solutions: { values: Record<string, bigint>; name: string; lo: bigint; hi: bigint }[];
  /** How many assignments solve it in all. */
  count: bigint;
  /** The first solution, worked out. */
  example?: Candidate;
  /** When none does: the assignments whose results come nearest below and above the printed figure. */
  below?: Candidate;
  above?: Candidate;
}

/** The search would exceed SEARCH_LIMIT evaluations. */
export class SearchLimitError extends Error {
  constructor(readonly combinations: bigint) {
    super('search limit');
  }
}

/**
 * Which assignments of `unknowns` make `node` print as the text does: `key` rounds a result as
 * the printed figure is printed (undefined when it can never agree), `target` is the printed
 * figure's key and `printed` its exact value (to tell results below it from those above).
 * Throws the expression's own error when no assignment can be evaluated at all, and
 * SearchLimitError when the search is too large.
 */
export function solve(
  node: Node,
  figure: (name: string) => Figure | undefined,
  unknowns: readonly Unknown[],
  key: (r: Evaluated) => bigint | undefined,
  target: bigint,
  printed: Fraction,
): Solved {
  const size = (u: Unknown) => u.hi - u.lo + 1n;
  // The widest range is bisected; the rest are tried value by value.
  const solved = unknowns.reduce((a, b) => (size(b) > size(a) ? b : a));
  const others = unknowns.filter((u) => u !== solved);
  const combinations = others.reduce((n, u) => n * size(u), 1n);
  if (combinations > BigInt(SEARCH_LIMIT)) throw new SearchLimitError(combinations * size(solved));

  let budget = SEARCH_LIMIT;
  let firstError: ExpressionError | undefined;
  let evaluated = false;
  const out: Solved = { solutions: [], count: 0n };
  const bound = new Map<string, bigint>();
  const lookup = (name: string): Figure | undefined => {
    const v = bound.get(name);
    return v === undefined ? figure(name) : { name, label: name, source: 'reported', value: { type: 'integer', value: v } };
  };
  /** The expression at the current assignment with the solved unknown at `n`; undefined where it cannot be evaluated (a division by zero at this n). */
  const at = (n: bigint): Candidate | undefined => {
    if (--budget < 0) throw new SearchLimitError(combinations * size(solved));
    bound.set(solved.name, n);
    try {
      const result = evaluate(node, lookup);
      evaluated = true;
      return { values: Object.fromEntries(unknowns.map((u) => [u.name, bound.get(u.name)!])), result };
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      firstError ??= e;
      return undefined;
    }
  };
  const matches = (c: Candidate) => key(c.result) === target;
  const near = (c: Candidate) => {
    if (compare(c.result.value, printed) < 0) {
      if (!out.below || compare(c.result.value, out.below.result.value) > 0) out.below = c;
    } else if (!out.above || compare(c.result.value, out.above.result.value) < 0) out.above = c;
  };
  const found = (lo: bigint, hi: bigint) => {
    out.count += hi - lo + 1n;
    if (out.solutions.length < LISTED) out.solutions.push({ values: Object.fromEntries(others.map((u) => [u.name, bound.get(u.name)!])), name: solved.name, lo, hi });
    if (!out.example) out.example = at(lo);
  };

  const searchLast = () => {
    const dir = monotone(node, solved, lookup);
    if (dir === undefined) {
      // Each value in turn: runs of consecutive solutions are listed as one.
      let run: bigint | undefined;
      for (let n = solved.lo; n <= solved.hi + 1n; n++) {
        const c = n <= solved.hi ? at(n) : undefined;
        if (c && matches(c)) run ??= n;
        else {
          if (run !== undefined) found(run, n - 1n);
          run = undefined;
          if (c) near(c);
        }
      }
      return;
    }
    const first = at(solved.lo);
    if (!first) return;
    const k = key(first.result);
    if (dir === 0 || k === undefined) {
      // Constant in it: the first value decides for the whole range.
      if (k === target) found(solved.lo, solved.hi);
      else near(first);
      return;
    }
    // key(n) * dir is non-decreasing: the solutions are one run, found by two bisections.
    const rank = (n: bigint) => key(at(n)!.result)! * BigInt(dir);
    const goal = target * BigInt(dir);
    const firstFrom = (limit: bigint, inclusive: boolean) => {
      let [lo, hi] = [solved.lo, solved.hi + 1n];
      while (lo < hi) {
        const mid = (lo + hi) / 2n;
        const r = rank(mid);
        if (inclusive ? r >= limit : r > limit) hi = mid;
        else lo = mid + 1n;
      }
      return lo;
    };
    const a = firstFrom(goal, true);
    const b = firstFrom(goal, false);
    if (a < b) return found(a, b - 1n);
    if (a > solved.lo) near(at(a - 1n)!);
    if (a <= solved.hi) near(at(a)!);
  };

  const tryOthers = (i: number): void => {
    if (i === others.length) return searchLast();
    const u = others[i]!;
    for (let n = u.lo; n <= u.hi; n++) {
      bound.set(u.name, n);
      tryOthers(i + 1);
    }
  };
  tryOthers(0);
  if (!evaluated && firstError) throw firstError;
  return out;
}

type Shape = { dir: -1 | 0 | 1; lo: Fraction; hi: Fraction };

/**
 * Is `node` monotone in `u` over its range, the other names as `figure` gives them: 1
 * non-decreasing, -1 non-increasing, 0 constant, undefined when its shape does not show it
 * (a division whose divisor may be zero, a product of terms whose signs may change, ...).
 */
export function monotone(node: Node, u: Unknown, figure: (name: string) => Figure | undefined): -1 | 0 | 1 | undefined {
  try {
    return shape(node, u, figure)?.dir;
  } catch (e) {
    if (e instanceof ExpressionError) return undefined;
    throw e;
  }
}

const neg = (f: Fraction) => fraction(-f.num, f.den);
const sign = (s: Shape): -1 | 1 | undefined => (s.lo.num >= 0n ? 1 : s.hi.num <= 0n ? -1 : undefined);

function shape(node: Node, u: Unknown, figure: (name: string) => Figure | undefined): Shape | undefined {
  if (!namesIn(node).some((n) => n.name === u.name)) {
    const value = evaluate(node, figure).value;
    return { dir: 0, lo: value, hi: value };
  }
  const go = (n: Node) => shape(n, u, figure);
  switch (node.kind) {
    case 'name':
      return { dir: 1, lo: fraction(u.lo), hi: fraction(u.hi) };
    case 'negate': {
      const a = go(node.arg);
      return a && negated(a);
    }
    case 'binary': {
      const [a, b] = [go(node.left), go(node.right)];
      if (!a || !b) return undefined;
      if (node.op === '+') return sum(a, b);
      if (node.op === '-') return sum(a, negated(b));
      if (node.op === '*') return product(a, b);
      const r = reciprocal(b);
      return r && product(a, r);
    }
    case 'call': {
      // growth(x, base) = x / base − 1, over a base that stays positive.
      const [x, base] = node.args.map(go);
      if (!x || !base || base.lo.num <= 0n) return undefined;
      const q = product(x, reciprocal(base)!);
      return q && sum(q, { dir: 0, lo: fraction(-1n), hi: fraction(-1n) });
    }
    default:
      return undefined;
  }
}

function negated(a: Shape): Shape {
  return { dir: -a.dir as Shape['dir'], lo: neg(a.hi), hi: neg(a.lo) };
}

function sum(a: Shape, b: Shape): Shape | undefined {
  const dir = a.dir === 0 ? b.dir : b.dir === 0 || b.dir === a.dir ? a.dir : undefined;
  return dir === undefined ? undefined : { dir, lo: add(a.lo, b.lo), hi: add(a.hi, b.hi) };
}

function reciprocal(b: Shape): Shape | undefined {
  if (b.lo.num <= 0n && b.hi.num >= 0n) return undefined;
  return { dir: -b.dir as Shape['dir'], lo: div(fraction(1n), b.hi), hi: div(fraction(1n), b.lo) };
}

function product(a: Shape, b: Shape): Shape | undefined {
  const corners = [mul(a.lo, b.lo), mul(a.lo, b.hi), mul(a.hi, b.lo), mul(a.hi, b.hi)].sort(compare);
  const bounds = { lo: corners[0]!, hi: corners[3]! };
  const constSign = (s: Shape) => (s.lo.num === 0n ? 0 : s.lo.num > 0n ? 1 : -1);
  if (a.dir === 0) return { dir: (constSign(a) * b.dir) as Shape['dir'], ...bounds };
  if (b.dir === 0) return { dir: (constSign(b) * a.dir) as Shape['dir'], ...bounds };
  // Both vary: |a|·|b| is monotone when both magnitudes move the same way.
  const [sa, sb] = [sign(a), sign(b)];
  if (sa === undefined || sb === undefined || sa * a.dir !== sb * b.dir) return undefined;
  return { dir: (sa * sb * sa * a.dir) as Shape['dir'], ...bounds };
}

/** `3`, or a run `3..7`. */
export function runText(lo: bigint, hi: bigint): string {
  return lo === hi ? String(lo) : `${lo}..${hi}`;
}

/** Unknowns put as the message and stats show them: `n = 309`, `a = 2，n = 309..311`. */
export function assignmentText(values: Record<string, bigint | string>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} = ${v}`)
    .join('，');
}
