// The names a circular (or a note) writes, looked up in its context before it runs. Handlebars
// alone takes `{{#if pass_rte}}` as false and prints its else branch, prints a group of figures
// (`{{period}}`, `{{regions.passed}}`) as [object Object], and prints nothing for a name every
// JavaScript object has (`{{constructor}}`): each is an error here, at its place, naming what
// to write instead.
import type Handlebars from 'handlebars';
import { DateRef, FigureRef, HelperError, TextRef } from './context.js';

/** A name read by an expression, and how it is used. */
interface Use {
  parts: string[];
  line: number;
  column: number;
  /** `print`: {{name}}; `test`: {{#if name}}, {{#unless name}}; `arg`: a helper's argument. */
  role: 'print' | 'test' | 'arg';
}

/** Fields a bulletin may leave out: `{{#if sampling}}` asks whether it has them. */
const OPTIONAL = new Set(['sampling', 'previous', 'year', 'document']);

/** Names every JavaScript object answers to; never data. */
const MACHINERY = new Set([...Object.getOwnPropertyNames(Object.prototype), 'constructor', '__proto__', 'prototype']);

/** Why a year's total or mean is not there: a period of the year has no data. */
export function yearHint(name: string, context: object): string | undefined {
  const missing = (context as { year?: { missing?: { toString(): string } } }).year?.missing?.toString();
  if (!/^year\..+\.(sum|mean)$/.test(name) || !missing) return undefined;
  return `全年的合计和平均要求年内每一期都有数据，缺${missing}的数据（不补、不估）；可改用 ${name.replace(/\.(sum|mean)$/, '.series')} 列出各期，缺的一期注明「缺」`;
}

const usesCache = new Map<string, Use[] | undefined>();

/**
 * The first name of `source` that does not resolve in `context` to what its place needs, as
 * an error with its place (line of the source, column 1-based); undefined when all do or the
 * source does not parse (Handlebars then says where).
 */
export function nameProblem(engine: typeof Handlebars, source: string, context: object): HelperError | undefined {
  const hintFor = (name: string) => yearHint(name, context);
  let uses = usesCache.get(source);
  if (!usesCache.has(source)) {
    if (usesCache.size > 64) usesCache.clear();
    uses = usesOf(engine, source);
    usesCache.set(source, uses);
  }
  for (const use of uses ?? []) {
    const problem = resolve(use, context, hintFor);
    if (problem) {
      problem.line = use.line;
      problem.column = use.column;
      return problem;
    }
  }
  return undefined;
}

/** The names an expression reads in the circular's own context (not inside {{#each}}, {{#with}}). */
function usesOf(engine: typeof Handlebars, source: string): Use[] | undefined {
  let ast: hbs.AST.Program;
  try {
    ast = engine.parseWithoutProcessing(source);
  } catch {
    return undefined;
  }
  const uses: Use[] = [];
  const helper = (name: string) => Object.hasOwn(engine.helpers, name);
  const add = (node: hbs.AST.Node, role: Use['role']) => {
    if (node.type !== 'PathExpression') {
      if (node.type === 'SubExpression') call(node as hbs.AST.SubExpression);
      return;
    }
    const path = node as hbs.AST.PathExpression;
    // @data, this, ../: the layouts' business; not the circular's names.
    if (path.data || path.depth > 0 || /^(this|\.)/.test(path.original) || !path.parts.length) return;
    uses.push({ parts: path.parts, line: path.loc.start.line, column: path.loc.start.column + 1, role });
  };
  const call = (node: hbs.AST.MustacheStatement | hbs.AST.SubExpression) => {
    const path = node.path as hbs.AST.PathExpression;
    const params = node.params.length + (node.hash?.pairs.length ?? 0);
    if (path.type === 'PathExpression' && (params > 0 || (path.parts.length === 1 && helper(path.original)))) {
      // {{lookup period "text"}} names period.text.
      const [of, key] = node.params;
      if (path.original === 'lookup' && of?.type === 'PathExpression' && key?.type === 'StringLiteral') {
        const p = of as hbs.AST.PathExpression;
        if (!p.data && p.depth === 0 && !/^(this|\.)/.test(p.original)) uses.push({ parts: [...p.parts, (key as hbs.AST.StringLiteral).value], line: p.loc.start.line, column: p.loc.start.column + 1, role: node.type === 'MustacheStatement' ? 'print' : 'arg' });
        return;
      }
      for (const p of node.params) add(p, 'arg');
      for (const p of node.hash?.pairs ?? []) add(p.value, 'arg');
    } else add(node.path, node.type === 'MustacheStatement' ? 'print' : 'arg');
  };
  const stack: hbs.AST.Node[] = [ast];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'Program') for (let i = (node as hbs.AST.Program).body.length - 1; i >= 0; i--) stack.push((node as hbs.AST.Program).body[i]!);
    else if (node.type === 'MustacheStatement') call(node as hbs.AST.MustacheStatement);
    else if (node.type === 'BlockStatement') {
      const block = node as hbs.AST.BlockStatement;
      const name = (block.path as hbs.AST.PathExpression).original;
      if (name === 'if' || name === 'unless') {
        block.params.forEach((p, i) => add(p, i === 0 ? 'test' : 'arg'));
        // Their content is read in the same context; an {{else if}} chain is a block in the inverse.
        if (block.inverse) stack.push(block.inverse);
        if (block.program) stack.push(block.program);
      } else {
        // {{#each}}, {{#with}} and sections change what a name means inside: only their arguments
        // (and a section's own name) here.
        if (!block.params.length && block.path.type === 'PathExpression' && !helper(name)) add(block.path, 'arg');
        for (const p of block.params) add(p, 'arg');
        if (block.inverse) stack.push(block.inverse);
      }
    }
  }
  return uses;
}

const isRef = (v: unknown) => v instanceof FigureRef || v instanceof TextRef || v instanceof DateRef;
/** What context.ts hangs under a figure: another figure, or a group holding figures (a ref's own fields hold none). */
const isChild = (v: unknown): boolean => isRef(v) || (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype && Object.values(v).some(isChild));
const printable = (v: unknown) => isRef(v) || ['string', 'number', 'bigint'].includes(typeof v) || (typeof v === 'object' && v !== null && typeof (v as { toHTML?: unknown }).toHTML === 'function');

function resolve(use: Use, context: object, hintFor: (name: string) => string | undefined): HelperError | undefined {
  let holder: unknown = context;
  for (let i = 0; i < use.parts.length; i++) {
    const part = use.parts[i]!;
    const name = use.parts.slice(0, i + 1).join('.');
    // A figure, a text, a date is one value: its only parts are the figures named under it
    // (pass_rate.change, pass_rate.growth), never its own fields (figure, escape).
    const own = typeof holder === 'object' && holder !== null && Object.hasOwn(holder, part) && (!isRef(holder) || isChild((holder as unknown as Record<string, unknown>)[part]));
    if (!own) {
      if (MACHINERY.has(part)) {
        return new HelperError(`「${name}」不是数据的名称：「${part}」是每个 JavaScript 对象都有的属性，在通报中什么也印不出`, {
          rule: 'template/unknown-name',
          hint: '写 bulletin.yaml 中数字的名称或由表格算出的名称；tongbao stats 列出所有可用的名称',
        });
      }
      // {{#if sampling}} asks whether the bulletin has it: its absence is the answer.
      if (use.role === 'test' && i === 0 && OPTIONAL.has(part)) return undefined;
      const near = nearest(part, holder, use.parts.slice(0, i));
      return new HelperError(`「${name}」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出`, {
        rule: 'template/unknown-name',
        hint: hintFor(use.parts.join('.')) ?? (near.length ? `检查拼写，最接近的有：${near.join('、')}；tongbao stats 列出所有可用的名称` : '检查拼写；tongbao stats 列出所有可用的名称'),
      });
    }
    holder = (holder as Record<string, unknown>)[part];
  }
  // A figure drawn from a period that does not check: told here, in the order of the text,
  // as its use would tell it.
  if (holder instanceof FigureRef && holder.figure.faulty) {
    try {
      holder.usable();
    } catch (e) {
      if (e instanceof HelperError) return e;
      throw e;
    }
  }
  const name = use.parts.join('.');
  if (use.role === 'print' && holder !== undefined && holder !== null && !printable(holder)) {
    const members = printableMembers(holder, name);
    return new HelperError(`「${name}」是一组数据，不是一个数：印出来是「[object Object]」`, {
      rule: 'template/not-a-value',
      hint: members.length ? `写其中要印的一项，如 ${members.map((m) => `{{${m}}}`).join('、')}` : '写其中要印的一项；tongbao stats 列出所有可用的名称',
    });
  }
  if (use.role === 'test' && typeof holder === 'object' && holder !== null && !Array.isArray(holder) && !isRef(holder) && !OPTIONAL.has(use.parts[0]!)) {
    const members = printableMembers(holder, name);
    return new HelperError(`「${name}」是一组数据，不是一个数：{{#if}}、{{#unless}} 对它总是成立，不看其中的数`, {
      rule: 'template/not-a-value',
      hint: members.length ? `写要判断的那一项，如 {{#if ${members[0]}}}（名单不空、数不为零时成立）；可写的有：${members.join('、')}` : '写要判断的那一项；tongbao stats 列出所有可用的名称',
    });
  }
  return undefined;
}

/** What under `value` prints as one value, as dotted names: two levels down, the first twelve. */
function printableMembers(value: unknown, name: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown, prefix: string, depth: number) => {
    if (out.length >= 12 || typeof v !== 'object' || v === null || isRef(v)) return;
    for (const [k, child] of Object.entries(v)) {
      if (out.length >= 12) return;
      if (printable(child)) out.push(`${prefix}.${k}`);
      else if (depth < 2) walk(child, `${prefix}.${k}`, depth + 1);
    }
  };
  walk(value, name, 0);
  return out;
}

/** The names beside `part` (in `holder`) closest to it in spelling: at most three. */
function nearest(part: string, holder: unknown, before: string[]): string[] {
  if (typeof holder !== 'object' || holder === null) return [];
  // Under a figure, only the figures named under it (never its own fields).
  const keys = Object.keys(holder).filter((k) => !isRef(holder) || isChild((holder as unknown as Record<string, unknown>)[k]));
  const limit = Math.max(2, Math.floor(part.length / 3));
  return keys
    .map((k) => ({ k, d: distance(part.toLowerCase(), k.toLowerCase()) }))
    .filter((c) => c.d <= limit || (part.length >= 3 && c.k.startsWith(part)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, 3)
    .map((c) => [...before, c.k].join('.'));
}

/** Edit distance (insert, delete, replace; a swap of two neighbours counts one). */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return 99;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
