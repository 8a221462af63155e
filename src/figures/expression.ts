// Arithmetic between figures, as a `check:` writes it: `previous.running - running`,
// `(a + b) / sampled`, `growth(sites.count, previous.sites.count)`, `regions[东江市].passed.rate`;
// and comparisons, as a claim (`claims:`) writes them: `rate >= 90% and rate < 95%`. Parsed
// once, evaluated in exact fractions; every name and operator keeps its offset in the text, so
// that an unknown name or a division by zero is shown where it is written.
import { add, div, fraction, mul, sub, type Fraction } from './fraction.js';
import { display, type Figure, type FigureValue } from './figure.js';

/** A comparison as written (≥ ≤ ≠ are read as >= <= ≠). */
export type CompareOp = '>=' | '>' | '<' | '<=' | '=' | '≠';

export type Node =
  /** A literal: a number, a percentage (`90%`, a share) or percentage points (`3个百分点`); values are fractions of the whole. */
  | { kind: 'number'; value: Fraction; text: string; at: number; unit?: 'percent' | 'points' }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'negate'; arg: Node; at: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node; at: number }
  | { kind: 'call'; fn: 'growth'; args: Node[]; at: number }
  | { kind: 'compare'; op: CompareOp; left: Node; right: Node; at: number }
  | { kind: 'logic'; op: 'and' | 'or'; left: Node; right: Node; at: number };

/** Whether a node is a comparison or a combination of them (a claim), not a number. */
export function isClaim(node: Node): node is Extract<Node, { kind: 'compare' | 'logic' }> {
  return node.kind === 'compare' || node.kind === 'logic';
}

/** A fault in an expression, at an offset (in UTF-16 units) of its text. */
export class ExpressionError extends Error {
  constructor(
    readonly reason: string,
    readonly at: number,
    readonly hint?: string,
  ) {
    super(reason);
  }
}

/** Operators as an office may type them with a Chinese input method. */
const WIDE: Record<string, string> = { '＋': '+', '－': '-', '−': '-', '×': '*', '＊': '*', '÷': '/', '／': '/', '（': '(', '）': ')', '，': ',', '％': '%', '＞': '>', '＜': '<', '＝': '=', '≥': '>=', '≧': '>=', '≤': '<=', '≦': '<=', '≠': '!=', '！': '!' };
/**
 * A name: dotted segments, any of which may pick rows by name in brackets:
 * `regions[东江市].passed.rate` (the row whose label is 东江市), `problem_sites.region[西岭市].count`
 * (the rows whose 地区 is 西岭市). The text in brackets is any but brackets; it is compared as
 * row labels are, by the check stage.
 */
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:[［[][^［\[\]］]*[\]］])?(?:\.[A-Za-z_][A-Za-z0-9_]*(?:[［[][^［\[\]］]*[\]］])?)*/y;
const NUMBER = /\d+(?:\.\d+)?(?:\s*(?:%|％|个百分点))?/y;
const TWO_CHAR = ['>=', '<=', '!=', '==', '&&', '||'];
const COMPARE: Record<string, CompareOp> = { '>=': '>=', '>': '>', '<': '<', '<=': '<=', '=': '=', '==': '=', '!=': '≠' };
const LOGIC: Record<string, 'and' | 'or'> = { and: 'and', '&&': 'and', 且: 'and', or: 'or', '||': 'or', 或: 'or' };
const FUNCTIONS = ['growth'] as const;

/**
 * Bounds on what a `check:` may be. A check is a line of arithmetic; beyond these it was
 * pasted by mistake, and the parser, the evaluation and the exact arithmetic would otherwise
 * grow without bound (a stack overflow at ~2,000 parentheses, numbers of millions of digits).
 * Each tree is at most as deep as it has tokens, so evaluating it recursively stays shallow.
 */
export const EXPRESSION_LIMITS = { tokens: 200, depth: 16, digits: 15 };

type Token = { kind: 'name' | 'number' | 'op'; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let depth = 0;
  while (i < text.length) {
    const c = WIDE[text[i]!] ?? text[i]!;
    if (/\s|　/.test(c)) {
      i++;
      continue;
    }
    if (tokens.length >= EXPRESSION_LIMITS.tokens) {
      throw new ExpressionError(`算式太长：超过 ${EXPRESSION_LIMITS.tokens} 个数、名称和运算符`, i, '核对用的算式通常只有几项；较长的算式请拆成几个数字分别核对');
    }
    // Comparisons and logical operators: ≥ ≤ ≠ typed as one character, or as two (>=, ＞＝).
    if (c.length > 1) {
      tokens.push({ kind: 'op', text: c, at: i++ });
      continue;
    }
    const two = c + (i + 1 < text.length ? (WIDE[text[i + 1]!] ?? text[i + 1]!) : '');
    if (TWO_CHAR.includes(two)) {
      tokens.push({ kind: 'op', text: two, at: i });
      i += 2;
      continue;
    }
    if ('<>=且或'.includes(c)) {
      tokens.push({ kind: 'op', text: c, at: i++ });
      continue;
    }
    if ('+-*/(),'.includes(c)) {
      // Parentheses (a call's too) are the parser's recursion: bounded here, where first seen.
      if (c === '(' && ++depth > EXPRESSION_LIMITS.depth) throw new ExpressionError(`括号或函数嵌套超过 ${EXPRESSION_LIMITS.depth} 层`, i, '核对用的算式不需要这样深的括号；请检查是否多写了括号');
      if (c === ')') depth--;
      tokens.push({ kind: 'op', text: c, at: i++ });
      continue;
    }
    NUMBER.lastIndex = i;
    const n = NUMBER.exec(text);
    if (n) {
      if (/^\d+(?:\.\d+)?/.exec(n[0])![0].replace('.', '').length > EXPRESSION_LIMITS.digits) {
        throw new ExpressionError(`算式中的数「${n[0].slice(0, 20)}${n[0].length > 20 ? '…' : ''}」超过 ${EXPRESSION_LIMITS.digits} 位`, i, '算式中的数只用于小的常数，如 100 或 0.5');
      }
      tokens.push({ kind: 'number', text: n[0].replace(/\s+/g, '').replace('％', '%'), at: i });
      i += n[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (m) {
      const empty = /[［[]\s*[\]］]/.exec(m[0]);
      if (empty) throw new ExpressionError('方括号中没有写名称', i + empty.index, '方括号中写行或分组的名称，如 regions[东江市].passed.rate');
      // and/or between two operands are the logical operators, not names.
      const prev = tokens.at(-1);
      if (Object.hasOwn(LOGIC, m[0]) && prev && (prev.kind !== 'op' || prev.text === ')')) {
        tokens.push({ kind: 'op', text: m[0], at: i });
        i += m[0].length;
        continue;
      }
      tokens.push({ kind: 'name', text: m[0].replace(/［/g, '[').replace(/］/g, ']'), at: i });
      i += m[0].length;
      continue;
    }
    if ('[［]］'.includes(text[i]!)) throw new ExpressionError(`方括号「${text[i]}」没有成对`, i, '按名称取行写作 表格[名称].列.统计，如 regions[东江市].passed.rate');
    throw new ExpressionError(`算式中不能有「${text[i]}」`, i, '算式只能用数字的名称、整数、百分数、+ - * /、括号和比较（>= > < <= = ≠、and、or），如 (a + b) / sampled');
  }
  return tokens;
}

/** Parse `text`; throws ExpressionError. */
export function parseExpression(text: string): Node {
  const tokens = tokenize(text);
  let k = 0;
  const peek = () => tokens[k];
  const end = () => new ExpressionError('算式不完整', text.length, '检查括号和运算符是否成对');
  const expect = (op: string) => {
    const t = tokens[k];
    if (t?.kind !== 'op' || t.text !== op) throw t ? new ExpressionError(`这里应为「${op}」`, t.at) : end();
    k++;
  };
  /** One level of left-associative operators over the level below it. */
  const level = (ops: readonly ('+' | '-' | '*' | '/')[], operand: () => Node) => (): Node => {
    let left = operand();
    for (let t = peek(); t?.kind === 'op' && (ops as readonly string[]).includes(t.text); t = peek()) {
      k++;
      left = { kind: 'binary', op: t.text as (typeof ops)[number], left, right: operand(), at: t.at };
    }
    return left;
  };
  const product = level(['*', '/'], () => unary());
  const sum = level(['+', '-'], product);
  /** One comparison, or a sum alone; `a < b < c` is refused rather than read one way or the other. */
  const comparison = (): Node => {
    const left = sum();
    const t = peek();
    if (t?.kind !== 'op' || !COMPARE[t.text]) return left;
    k++;
    const right = sum();
    const again = peek();
    if (again?.kind === 'op' && COMPARE[again.text]) throw new ExpressionError(`比较不能连写：这里又有「${again.text}」`, again.at, '分开写再用 and 连接，如 rate >= 90% and rate < 95%');
    return { kind: 'compare', op: COMPARE[t.text]!, left, right, at: t.at };
  };
  const logic = (op: 'and' | 'or', operand: () => Node) => (): Node => {
    let left = operand();
    for (let t = peek(); t?.kind === 'op' && LOGIC[t.text] === op; t = peek()) {
      k++;
      left = { kind: 'logic', op, left, right: operand(), at: t.at };
    }
    return left;
  };
  const claim = logic('or', logic('and', comparison));
  const unary = (): Node => {
    // A run of minus signs read in a loop, not one call each.
    const signs: number[] = [];
    for (let t = peek(); t?.kind === 'op' && t.text === '-'; k++, t = peek()) signs.push(t.at);
    let node = atom();
    while (signs.length) node = { kind: 'negate', arg: node, at: signs.pop()! };
    return node;
  };
  const atom = (): Node => {
    const t = tokens[k++];
    if (!t) throw end();
    if (t.kind === 'number') {
      const digits = /^\d+(?:\.\d+)?/.exec(t.text)![0];
      const [int, dec = ''] = digits.split('.');
      const unit = t.text.endsWith('%') ? 'percent' : t.text.endsWith('个百分点') ? 'points' : undefined;
      // 90% and 3个百分点 are fractions of the whole, as shares are held.
      const value = fraction(BigInt(int! + dec), 10n ** BigInt(dec.length) * (unit ? 100n : 1n));
      return { kind: 'number', value, text: t.text, at: t.at, ...(unit && { unit }) };
    }
    if (t.kind === 'name') {
      if (peek()?.text !== '(' || peek()?.kind !== 'op') return { kind: 'name', name: t.text, at: t.at };
      if (!(FUNCTIONS as readonly string[]).includes(t.text)) throw new ExpressionError(`没有「${t.text}」这个函数`, t.at, `可用的函数：${FUNCTIONS.map((f) => `${f}(x, base)`).join('、')}`);
      k++;
      const args = [sum()];
      while (peek()?.kind === 'op' && peek()!.text === ',') {
        k++;
        args.push(sum());
      }
      expect(')');
      if (args.length !== 2) throw new ExpressionError(`growth 需要两个数：growth(本期, 基期)`, t.at);
      return { kind: 'call', fn: 'growth', args, at: t.at };
    }
    if (t.text === '(') {
      const inner = claim();
      expect(')');
      return inner;
    }
    throw new ExpressionError(`这里不能是「${t.text}」`, t.at);
  };
  const node = claim();
  const rest = peek();
  if (rest) throw new ExpressionError(`多余的「${rest.text}」`, rest.at, '两个数之间要有运算符');
  return node;
}

/** The names an expression reads, in order, once each. */
export function namesIn(node: Node): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  const walk = (n: Node): void => {
    if (n.kind === 'name') {
      if (!out.some((o) => o.name === n.name)) out.push({ name: n.name, at: n.at });
    } else if (n.kind === 'negate') walk(n.arg);
    else if (n.kind === 'binary' || n.kind === 'compare' || n.kind === 'logic') [n.left, n.right].forEach(walk);
    else if (n.kind === 'call') n.args.forEach(walk);
  };
  walk(node);
  return out;
}

/** What an expression comes to: its value, what kind of number it is, and its arithmetic written out. */
export interface Evaluated {
  /** Shares and points as fractions of the whole: 2.2个百分点 is 0.022. */
  value: Fraction;
  /**
   * A count (integers in, + − × only), a share (a division, or a share in), a relative change,
   * or percentage points (a share minus a share: never a share itself).
   */
  kind: 'integer' | 'share' | 'growth' | 'points';
  /** The expression with each name's value put in, e.g. `(12 + 28) / 40`. */
  formula: string;
}

type Kind = Evaluated['kind'];
const isShare = (k: Kind) => k === 'share' || k === 'growth';

/**
 * The kind of `a op b`. A share minus a share is percentage points (92.9% − 90.7% is
 * 2.2个百分点, not 2.2%); points move a share (rate + 3个百分点 is a share) and scale by a count;
 * a count and points do not add (3 − 1个百分点 means nothing).
 */
function binaryKind(op: '+' | '-' | '*' | '/', a: Evaluated, b: Evaluated, at: number): Kind {
  const points = a.kind === 'points' || b.kind === 'points';
  if (op === '+' || op === '-') {
    if (a.kind === 'integer' && b.kind === 'integer') return 'integer';
    if (isShare(a.kind) && isShare(b.kind)) return op === '-' ? 'points' : 'share';
    if (a.kind === 'points' && b.kind === 'points') return 'points';
    const zero = (e: Evaluated) => e.value.num === 0n;
    if (points && (a.kind === 'integer' || b.kind === 'integer') && !zero(a.kind === 'integer' ? a : b)) {
      throw new ExpressionError(`百分点不能与整数相${op === '+' ? '加' : '减'}：${a.formula} ${op === '+' ? '+' : '−'} ${b.formula}`, at, '百分点的常数写作 1个百分点，百分比写作 1%');
    }
    if (op === '-' && a.kind === 'points' && isShare(b.kind)) throw new ExpressionError(`百分点减去比例没有意义：${a.formula} − ${b.formula}`, at, '比例加减百分点写作 比例 − 百分点，如 rate − 3个百分点');
    return points ? (isShare(a.kind) || isShare(b.kind) ? 'share' : 'points') : 'share';
  }
  if (op === '*') return points && (a.kind !== 'points' || b.kind !== 'points') ? 'points' : a.kind === 'integer' && b.kind === 'integer' ? 'integer' : 'share';
  return a.kind === 'points' && b.kind !== 'points' ? 'points' : 'share';
}

/** Evaluate with the figures' exact values; throws ExpressionError. */
export function evaluate(node: Node, figure: (name: string) => Figure | undefined): Evaluated {
  const numeric = (v: FigureValue, name: string, at: number): { value: Fraction; kind: Kind } => {
    switch (v.type) {
      case 'integer':
        return { value: fraction(v.value), kind: 'integer' };
      case 'share':
      case 'growth':
        return { value: v.value, kind: 'share' };
      case 'points':
        // Held in points (11.8); in an expression, a fraction of the whole like the shares it is the difference of.
        return { value: div(v.value, fraction(100n)), kind: 'points' };
      default:
        throw new ExpressionError(`「${name}」不是数（是${v.type === 'list' ? '名单' : v.type === 'date' ? '日期' : '文字'}）`, at);
    }
  };
  const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2 } as const;
  const go = (n: Node): Evaluated & { prec: number } => {
    switch (n.kind) {
      case 'number':
        return { value: n.value, kind: n.unit === 'percent' ? 'share' : n.unit === 'points' ? 'points' : 'integer', formula: n.text, prec: 3 };
      case 'name': {
        const f = figure(n.name);
        if (!f) throw new ExpressionError(`「${n.name}」不是能从表格算出的数字`, n.at);
        const v = numeric(f.value, n.name, n.at);
        return { value: v.value, kind: v.kind, formula: display(f.value), prec: 3 };
      }
      case 'negate': {
        const a = go(n.arg);
        return { value: fraction(-a.value.num, a.value.den), kind: a.kind, formula: `−${a.prec < 3 ? `(${a.formula})` : a.formula}`, prec: 3 };
      }
      case 'binary': {
        const a = go(n.left);
        const b = go(n.right);
        const p = PRECEDENCE[n.op];
        // Parentheses where the written-out arithmetic needs them to read as computed.
        const left = a.prec < p ? `(${a.formula})` : a.formula;
        const right = b.prec < p || (b.prec === p && (n.op === '-' || n.op === '/')) ? `(${b.formula})` : b.formula;
        const sign = { '+': '+', '-': '−', '*': '×', '/': '/' }[n.op];
        if (n.op === '/' && b.value.num === 0n) throw new ExpressionError(`除数为零：${b.formula} = 0`, n.at);
        const value = n.op === '+' ? add(a.value, b.value) : n.op === '-' ? sub(a.value, b.value) : n.op === '*' ? mul(a.value, b.value) : div(a.value, b.value);
        return { value, kind: binaryKind(n.op, a, b, n.at), formula: `${left} ${sign} ${right}`, prec: p };
      }
      case 'call': {
        const x = go(n.args[0]!);
        const base = go(n.args[1]!);
        if (base.value.num === 0n) throw new ExpressionError(`基期的数为零，算不出增长率：${base.formula} = 0`, n.at);
        // Over a negative base the sign of (x − base) / base reads backwards: no growth rate.
        if (base.value.num < 0n) throw new ExpressionError(`基期的数为负数，增长率没有意义：${base.formula} < 0`, n.at, '增长率以正的基期数为基数；负数之间的变化写作差，如 a - b');
        const value = div(sub(x.value, base.value), base.value);
        return { value, kind: 'growth', formula: `(${x.formula} − ${base.formula}) / ${base.formula}`, prec: 2 };
      }
      case 'compare':
      case 'logic':
        throw new ExpressionError(`「${n.op === '≠' ? '≠' : n.op}」是比较，这里应是算得出数的算式`, n.at, '比较（如 rate >= 90%）写在 bulletin.yaml 的 claims: 中；figures 的 check 是与正文数字核对的算式');
    }
  };
  const { value, kind, formula } = go(node);
  return { value, kind, formula };
}
