// Arithmetic between figures, as a `check:` writes it: `previous.running - running`,
// `(a + b) / sampled`, `growth(sites.count, previous.sites.count)`. Parsed once, evaluated in
// exact fractions; every name and operator keeps its offset in the text, so that an unknown
// name or a division by zero is shown where it is written.
import { add, div, fraction, mul, sub, type Fraction } from './fraction.js';
import { display, type Figure, type FigureValue } from './figure.js';

export type Node =
  | { kind: 'number'; value: Fraction; text: string; at: number }
  | { kind: 'name'; name: string; at: number }
  | { kind: 'negate'; arg: Node; at: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node; at: number }
  | { kind: 'call'; fn: 'growth'; args: Node[]; at: number };

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
const WIDE: Record<string, string> = { '＋': '+', '－': '-', '−': '-', '×': '*', '＊': '*', '÷': '/', '／': '/', '（': '(', '）': ')', '，': ',' };
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const NUMBER = /\d+(?:\.\d+)?/y;
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
      if (n[0].replace('.', '').length > EXPRESSION_LIMITS.digits) {
        throw new ExpressionError(`算式中的数「${n[0].slice(0, 20)}${n[0].length > 20 ? '…' : ''}」超过 ${EXPRESSION_LIMITS.digits} 位`, i, '算式中的数只用于小的常数，如 100 或 0.5');
      }
      tokens.push({ kind: 'number', text: n[0], at: i });
      i += n[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (m) {
      tokens.push({ kind: 'name', text: m[0], at: i });
      i += m[0].length;
      continue;
    }
    throw new ExpressionError(`算式中不能有「${text[i]}」`, i, '算式只能用数字的名称、整数、+ - * / 和括号，如 (a + b) / sampled');
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
      const [int, dec = ''] = t.text.split('.');
      return { kind: 'number', value: fraction(BigInt(int! + dec), 10n ** BigInt(dec.length)), text: t.text, at: t.at };
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
      const inner = sum();
      expect(')');
      return inner;
    }
    throw new ExpressionError(`这里不能是「${t.text}」`, t.at);
  };
  const node = sum();
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
    else if (n.kind === 'binary') [n.left, n.right].forEach(walk);
    else if (n.kind === 'call') n.args.forEach(walk);
  };
  walk(node);
  return out;
}

/** What an expression comes to: its value, what kind of number it is, and its arithmetic written out. */
export interface Evaluated {
  value: Fraction;
  /** A count (integers in, + − × only), a share (a division, or a share in), or a relative change. */
  kind: 'integer' | 'share' | 'growth';
  /** The expression with each name's value put in, e.g. `(12 + 28) / 40`. */
  formula: string;
}

/** Evaluate with the figures' exact values; throws ExpressionError. */
export function evaluate(node: Node, figure: (name: string) => Figure | undefined): Evaluated {
  const numeric = (v: FigureValue, name: string, at: number): { value: Fraction; share: boolean } => {
    switch (v.type) {
      case 'integer':
        return { value: fraction(v.value), share: false };
      case 'share':
      case 'growth':
        return { value: v.value, share: true };
      case 'points':
        return { value: v.value, share: false };
      default:
        throw new ExpressionError(`「${name}」不是数（是${v.type === 'list' ? '名单' : v.type === 'date' ? '日期' : '文字'}）`, at);
    }
  };
  const PRECEDENCE = { '+': 1, '-': 1, '*': 2, '/': 2 } as const;
  const go = (n: Node): Evaluated & { prec: number } => {
    switch (n.kind) {
      case 'number':
        return { value: n.value, kind: 'integer', formula: n.text, prec: 3 };
      case 'name': {
        const f = figure(n.name);
        if (!f) throw new ExpressionError(`「${n.name}」不是能从表格算出的数字`, n.at);
        const v = numeric(f.value, n.name, n.at);
        return { value: v.value, kind: v.share ? 'share' : 'integer', formula: display(f.value), prec: 3 };
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
        const kind = n.op === '/' || a.kind !== 'integer' || b.kind !== 'integer' ? 'share' : 'integer';
        return { value, kind, formula: `${left} ${sign} ${right}`, prec: p };
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
    }
  };
  const { value, kind, formula } = go(node);
  return { value, kind, formula };
}
