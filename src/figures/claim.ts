// A claim: what a bulletin says of its figures without printing one, as a comparison
// (抽查比例不低于10% is `regions.sampled.sum / running >= 10%`, 四川在90%以上 is
// `regions[四川].passed.rate >= 90%`), joined by and/or. Each side is an expression, evaluated
// exactly; the comparison is of exact values, never of rounded ones.
import { compare, formatPercent, fraction, mul, roundScaled, toDecimal, type Fraction } from './fraction.js';
import { evaluate, ExpressionError, isClaim, type CompareOp, type Evaluated, type Node } from './expression.js';
import { naturalDigits, type Figure } from './figure.js';

/** One comparison of a claim, worked out. */
export interface Comparison {
  op: CompareOp;
  left: Evaluated;
  right: Evaluated;
  /** The comparison with the values put in: `168 / 796 = 21.106% ≥ 10%`. */
  text: string;
  holds: boolean;
}

export interface ClaimOutcome {
  holds: boolean;
  /** The whole claim with the values put in, each comparison marked 成立 or 不成立 when there are several. */
  formula: string;
  comparisons: Comparison[];
}

const SYMBOL: Record<CompareOp, string> = { '>=': '≥', '>': '>', '<': '<', '<=': '≤', '=': '=', '≠': '≠' };
const KIND_NAME: Record<Evaluated['kind'], string> = { integer: '整数', share: '比例', growth: '增长率', points: '百分点' };
/** Kinds that compare with each other: a growth rate is a share of the base. */
const family = (k: Evaluated['kind']) => (k === 'growth' ? 'share' : k);

/** Evaluate a claim with the figures' exact values; throws ExpressionError. */
export function evaluateClaim(node: Node, figure: (name: string) => Figure | undefined): ClaimOutcome {
  if (!isClaim(node)) throw new ExpressionError('这一条不是比较：claims 中的每一条应是真或假的说法', 0, '如 regions.sampled.sum / running >= 10%、regions[东江市].passed.rate >= 90%，几个比较用 and、or 连接');
  const comparisons: Comparison[] = [];
  // With several comparisons, each is marked: which one fails is what the office must see.
  const count = (n: Node): number => (n.kind === 'logic' ? count(n.left) + count(n.right) : 1);
  const several = count(node) > 1;
  const go = (n: Node): { holds: boolean; text: string; prec: number } => {
    if (n.kind === 'logic') {
      const a = go(n.left);
      const b = go(n.right);
      const word = n.op === 'and' ? '且' : '或';
      // and binds tighter than or: an or inside an and is bracketed.
      const wrap = (x: { text: string; prec: number }) => (n.op === 'and' && x.prec === 0 ? `（${x.text}）` : x.text);
      return { holds: n.op === 'and' ? a.holds && b.holds : a.holds || b.holds, text: `${wrap(a)}，${word} ${wrap(b)}`, prec: n.op === 'and' ? 1 : 0 };
    }
    if (n.kind !== 'compare') throw new ExpressionError('这里应是比较（如 rate >= 90%），不是一个数', n.at, 'and、or 的两边都应是比较');
    const left = evaluate(n.left, figure);
    const right = evaluate(n.right, figure);
    const zero = left.value.num === 0n || right.value.num === 0n;
    if (!zero && family(left.kind) !== family(right.kind)) {
      throw new ExpressionError(
        `「${SYMBOL[n.op]}」两边不是同一种数：左边是${KIND_NAME[left.kind]}（${left.formula}），右边是${KIND_NAME[right.kind]}（${right.formula}）`,
        n.at,
        left.kind === 'points' || right.kind === 'points' ? '两个比例之差是百分点，与百分点比较：写作 3个百分点' : '比例与百分数比较：90% 写作 90%，不写 90 或 0.9',
      );
    }
    const c = compare(left.value, right.value);
    const holds = { '>=': c >= 0, '>': c > 0, '<': c < 0, '<=': c <= 0, '=': c === 0, '≠': c !== 0 }[n.op];
    const [l, r] = shownPair(left, right, n.left, n.right);
    const text = `${l} ${SYMBOL[n.op]} ${r}`;
    comparisons.push({ op: n.op, left, right, text, holds });
    return { holds, text: several ? `${text}（${holds ? '成立' : '不成立'}）` : text, prec: 2 };
  };
  const { holds, text: formula } = go(node);
  return { holds, formula, comparisons };
}

/**
 * The two sides as shown: a literal as written (90%), a name or arithmetic at its own decimals
 * (up to three), arithmetic with its working too; and when so rounded the two would read in
 * another order than they are, at as many decimals as keep it (89.996% ≥ 90% is false: at one
 * decimal it would read 90.0% ≥ 90%; 92.857142% ≥ 92.8571% holds, not 92.857% ≥ 92.8571%).
 */
function shownPair(a: Evaluated, b: Evaluated, na: Node, nb: Node): [string, string] {
  const order = compare(a.value, b.value);
  const shown = (e: Evaluated, n: Node, d: number) => (n.kind === 'number' ? e.value : rounded(e, d));
  const own = (e: Evaluated, n: Node) => (n.kind === 'number' ? 0 : naturalDigits(e.value));
  let [da, db] = [own(a, na), own(b, nb)];
  if (compare(shown(a, na, da), shown(b, nb, db)) !== order) {
    let d = Math.max(da, db);
    while (d < 12 && compare(shown(a, na, d), shown(b, nb, d)) !== order) d++;
    da = db = d;
  }
  const side = (e: Evaluated, n: Node, d: number) => (n.kind === 'number' ? n.text : n.kind === 'name' ? valueText(e, d) : `${e.formula} = ${valueText(e, d)}`);
  return [side(a, na, da), side(b, nb, db)];
}

/** A value as `valueText` prints it at `digits`, as a fraction. */
function rounded(e: Evaluated, digits: number): Fraction {
  const places = e.kind === 'integer' ? (e.value.den === 1n ? 0 : Math.max(digits, 3)) : digits + 2;
  return fraction(roundScaled(e.value, places), 10n ** BigInt(places));
}

function valueText(e: Evaluated, digits: number): string {
  switch (e.kind) {
    case 'integer':
      return e.value.den === 1n ? e.value.num.toString() : toDecimal(e.value, Math.max(digits, 3));
    case 'points':
      return `${toDecimal(mul(e.value, fraction(100n)), digits)}个百分点`;
    default:
      return formatPercent(e.value, digits);
  }
}
