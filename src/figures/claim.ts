// A claim: what a bulletin says of its figures without printing one, as a comparison
// (抽查比例不低于10% is `regions.sampled.sum / running >= 10%`, 四川在90%以上 is
// `regions[四川].passed.rate >= 90%`), joined by and/or. Each side is an expression, evaluated
// exactly; the comparison is of exact values, never of rounded ones.
import { compare, formatPercent, fraction, mul, toDecimal } from './fraction.js';
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
 * The two sides as shown: a literal as written (90%), a name as its figure prints, arithmetic
 * with its working and value; when the two read the same but differ, both at as many decimals
 * as tell them apart (89.996% ≥ 90% is false: at one decimal both would read 90.0%).
 */
function shownPair(a: Evaluated, b: Evaluated, na: Node, nb: Node): [string, string] {
  const plain = (e: Evaluated, n: Node) => (n.kind === 'number' ? n.text : n.kind === 'name' ? e.formula : valueText(e, naturalDigits(e.value)));
  let [va, vb] = [plain(a, na), plain(b, nb)];
  if (compare(a.value, b.value) !== 0 && same(va, vb)) {
    let digits = Math.max(naturalDigits(a.value), naturalDigits(b.value));
    while (digits < 12 && valueText(a, digits) === valueText(b, digits)) digits++;
    [va, vb] = [na.kind === 'number' ? va : valueText(a, digits), nb.kind === 'number' ? vb : valueText(b, digits)];
  }
  const side = (e: Evaluated, n: Node, v: string) => (n.kind === 'number' || n.kind === 'name' ? v : `${e.formula} = ${v}`);
  return [side(a, na, va), side(b, nb, vb)];
}

/** Two values shown that read as equal: 90% and 90.0%. */
function same(a: string, b: string): boolean {
  const norm = (t: string) => t.replace(/(\.\d*?)0+(?=\D|$)/, '$1').replace(/\.(?=\D|$)/, '');
  return norm(a) === norm(b);
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
