// Handlebars helpers for Chinese conventions. Each returns text already escaped for its
// target (Markdown source or HTML), so data can never become markup.
import Handlebars from 'handlebars';
import { display } from '../figures/figure.js';
import { countOrShare, growth } from '../figures/change.js';
import { formatDate, parseDate } from '../values.js';
import { HELPER_NAMES } from '../schema.js';
import { changeInWords, chineseNumeral, joinList, withUnit } from './chinese.js';
import { DateRef, FigureRef, HelperError, TABLE_ID, TABLES, emptyListError, type TablePrint } from './context.js';
import { nameProblem } from './names.js';
import { precompiled, recordTemplate } from './precompiled.js';

export type Escape = (s: string) => string;

/** Where {{table id}} puts its table: a paragraph the Markdown pass leaves as it is. */
export const tableMark = (id: string) => `⟦table:${id}⟧`;

export const escapeHtml: Escape = (s) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Kept in an escaped value to stop GFM's bare links (`http://…`, `www.…`, `a@b.cn`): remark-gfm
 * finds them in the parsed text, where no backslash is left, so the mark parts them until the
 * Markdown pass has run; and before ⟦, so a value never reads as a table mark. Taken out of
 * the page once its tables are placed (render/markdown.ts withoutLinkMarks).
 */
export const NO_LINK = '\uFDD2';

/**
 * Escaped for Markdown: backslashes for Markdown's own syntax, then HTML entities for markup
 * (in this order: a backslash in `&#39;` would print the entity as it is written), no bare links.
 */
export const escapeMarkdown: Escape = (s) =>
  escapeHtml(s.replace(/[\\`*_[\]{}()#+!|~]/g, '\\$&')).replace(/[:@⟦]|(?<=w)\./gi, `${NO_LINK}$&`);

export { HelperError };

interface HelperOptions {
  name?: string;
  fn?: unknown;
  inverse?: unknown;
  hash?: Record<string, unknown>;
  loc?: { start: { line: number; column: number } };
}

/** How a helper is called: its usage as the README writes it, its arguments, block or not. */
interface Usage {
  usage: string;
  /** Positional arguments: at least `min`, at most `max`. */
  min: number;
  max: number;
  /** Named arguments it takes (unit="个"). */
  hash?: readonly string[];
  /** `{{#if}}…{{/if}}` must be a block; a helper that prints a value must not be one. */
  block: boolean;
}

/** Bounds on numbers written in an expression: past them the work (and the text) grows without end. */
export const HELPER_LIMITS = { digits: 6, listMax: 999_999, numeral: 99_999, nesting: 16, expression: 1000 };

/** A value as the user wrote it, for a message: a figure by its name, a literal as written. */
function shown(v: unknown): string {
  if (v instanceof FigureRef) return v.figure.name;
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return '空值';
  return '一组数据';
}

/**
 * A helper whose calls are checked against its usage, and whose errors carry the place of
 * the call. Whatever fails inside is said in the project's words: Handlebars' own helpers
 * (if, each…) and JavaScript would otherwise speak English and name no place.
 */
function placed(name: string, use: Usage, fn: (...args: unknown[]) => unknown) {
  const misuse = (reason: string) => new HelperError(reason, { hint: `写法：${use.usage}` });
  return function (this: unknown, ...args: unknown[]) {
    const options = args.at(-1) as HelperOptions | undefined;
    try {
      const params = args.length - 1;
      const block = typeof options?.fn === 'function';
      // What fails inside the block's content is that content's problem, told as it is.
      if (block) for (const key of ['fn', 'inverse'] as const) if (typeof options![key] === 'function') options![key] = passThrough(options![key] as (...a: unknown[]) => unknown);
      if (block && !use.block) throw misuse(`{{${name}}} 不能写成块（{{#${name}}}……{{/${name}}}）`);
      if (!block && use.block) throw misuse(`{{${name}}} 要写成块：{{#${name} 名称}}……{{/${name}}}`);
      if (params < use.min) throw misuse(`{{${name}}} 缺少${use.min - params > 1 || use.min === 1 ? '' : '第 ' + use.min + ' 个'}参数`);
      if (params > use.max) throw misuse(`{{${name}}} 的参数太多：最多 ${use.max} 个，这里有 ${params} 个（多出的是「${shown(args[use.max])}」）`);
      const unknown = Object.keys(options?.hash ?? {}).find((k) => !use.hash?.includes(k));
      if (unknown) throw misuse(`{{${name}}} 没有「${unknown}=」这一项${use.hash?.length ? `；可写的有：${use.hash.map((h) => `${h}=`).join('、')}` : ''}`);
      for (const a of args) if (a instanceof FigureRef) a.usable();
      return fn.apply(this, args);
    } catch (e) {
      if (e instanceof FromBlock) throw e.error;
      const err = e instanceof HelperError ? e : misuse(`{{${name}}} 用法有误`);
      err.details.hint ??= `写法：${use.usage}`;
      // The innermost call's place: a subexpression's error passes through the call around it.
      if (err.line === undefined && options?.loc) {
        err.line = options.loc.start.line;
        err.column = options.loc.start.column + 1;
      }
      throw err;
    }
  };
}

/** An error from the content of a block, carried past the block helper's own handling. */
class FromBlock {
  constructor(readonly error: unknown) {}
}
function passThrough(f: (...a: unknown[]) => unknown): (...a: unknown[]) => unknown {
  const wrapped = function (this: unknown, ...a: unknown[]) {
    try {
      return f.apply(this, a);
    } catch (e) {
      throw e instanceof FromBlock ? e : new FromBlock(e);
    }
  };
  return Object.assign(wrapped, f); // Handlebars keeps a program's block params on it
}

/** A number of decimal places written in the expression: an integer from 0 to 6. */
function digitsArg(v: unknown, helper: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= HELPER_LIMITS.digits) return v;
  throw new HelperError(`{{${helper}}} 的小数位数应为 0 到 ${HELPER_LIMITS.digits} 的整数，这里是「${shown(v)}」`, {
    hint: `直接写数字，如 {{${helper} 名称 1}} 保留一位小数`,
  });
}

/** A HelperError at a place of a template's source (0-based offset). */
function errorAt(source: string, offset: number, reason: string, details: HelperError['details']): HelperError {
  const e = new HelperError(reason, details);
  const before = source.slice(0, offset);
  e.line = before.split('\n').length;
  e.column = offset - before.lastIndexOf('\n');
  return e;
}

/**
 * Where a template nests blocks (or writes one expression past its length) ({{#if}}, each {{else if}} of a chain) or subexpressions
 * (`(percent (percent …))`) deeper than the limit. Scanned here in one pass, before
 * Handlebars sees the text: its parser takes seconds at a few thousand levels and its
 * compiler then overflows the stack, with no place to show.
 */
function tooDeep(source: string): HelperError | undefined {
  const limit = HELPER_LIMITS.nesting;
  const error = (at: number, what: string) =>
    errorAt(source, at, `${what}嵌套超过 ${limit} 层`, { rule: 'template/too-deep', hint: '正文不需要这样深的嵌套；请拆成几句，或检查是否误粘贴了大段表达式' });
  const chains: number[] = []; // per open block, the levels it holds: 1, and one per {{else if}}
  let blocks = 0;
  for (let i = source.indexOf('{{'); i >= 0; i = source.indexOf('{{', i)) {
    if (source[i - 1] === '\\') {
      i += 2; // \{{ is text
      continue;
    }
    if (source.startsWith('{{!', i)) {
      const end = source.startsWith('{{!--', i) ? source.indexOf('--}}', i + 5) : source.indexOf('}}', i + 3);
      if (end < 0) return undefined; // unclosed: Handlebars says so
      i = end + 2;
      continue;
    }
    const head = /^\{\{[{~\s]*(#|\^|\/|else\s+(?=[^\s}~])|)/.exec(source.slice(i, i + 64))![1]!;
    if (head === '#' || (head === '^' && !/^\{\{~?\s*\^\s*~?\}\}/.test(source.slice(i, i + 16)))) {
      chains.push(1);
      if (++blocks > limit) return error(i, '块（{{#if}} 等）');
    } else if (head.startsWith('else')) {
      if (chains.length) chains[chains.length - 1]!++;
      if (++blocks > limit) return error(i, '块（{{#if}}、{{else if}} 等）');
    } else if (head === '/') blocks -= chains.pop() ?? 0;
    // The expression itself, to its closing }}: parentheses outside strings and [segments].
    let parens = 0;
    let j = i + 2;
    for (; j < source.length && !(source[j] === '}' && source[j + 1] === '}'); j++) {
      const c = source[j]!;
      if (c === '"' || c === "'" || c === '[') {
        const close = source.indexOf(c === '[' ? ']' : c, j + 1);
        if (close < 0) return undefined;
        j = close;
      } else if (c === '(' && ++parens > limit) return error(j, '括号（子表达式）');
      else if (c === ')') parens--;
    }
    // Thousands of arguments or of dotted parts overflow Handlebars' compiler just the same.
    if (j - i > HELPER_LIMITS.expression) {
      return errorAt(source, i, `表达式太长：超过 ${HELPER_LIMITS.expression} 个字符`, { rule: 'template/too-long', hint: '一个 {{ }} 中只写一个名称和几个参数；请检查是否漏写了 }}，或误粘贴了大段文字' });
    }
    i = j + 2;
  }
  return undefined;
}

/** Node types of the Handlebars AST that call a helper or name a value with arguments. */
type CallNode = hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement;

/**
 * What is wrong in a template before it runs, at its place: nesting past the limit, a
 * figure's name given arguments as if it were a helper (`{{pass_rate 1}}`, which Handlebars
 * would fail on in its own words), a partial that does not exist.
 */
function templateProblem(source: string, hb: typeof Handlebars): HelperError | undefined {
  const deep = tooDeep(source);
  if (deep) return deep;
  let ast: hbs.AST.Program;
  try {
    ast = hb.parseWithoutProcessing(source);
  } catch {
    return undefined; // a syntax error: Handlebars reports it, with its line
  }
  const place = (node: hbs.AST.Node, reason: string, hint: string) => {
    const e = new HelperError(reason, { hint });
    e.line = node.loc.start.line;
    e.column = node.loc.start.column + 1;
    return e;
  };
  // Walked with a stack of its own: depth is bounded above, but a walk need not rely on it.
  const stack: hbs.AST.Node[] = [ast];
  while (stack.length) {
    const node = stack.pop()!;
    switch (node.type) {
      case 'Program':
        for (const statement of (node as hbs.AST.Program).body) stack.push(statement);
        break;
      case 'MustacheStatement':
      case 'SubExpression':
      case 'BlockStatement': {
        const call = node as CallNode;
        const path = call.path as hbs.AST.PathExpression;
        const args = call.params.length + (call.hash?.pairs.length ?? 0);
        if (path.type === 'PathExpression' && args > 0 && !(path.original in hb.helpers)) {
          const helpers = ['percent', 'growth', 'change', 'list', 'date', 'cn', 'table'].map((h) => `{{${h}}}`).join('、');
          return place(node, `「${path.original}」不是辅助函数，后面不能跟参数`, `印出数字只写 {{${path.original}}}；辅助函数有 ${helpers} 和 {{#if}}、{{#unless}}`);
        }
        for (const p of call.params) stack.push(p);
        for (const p of call.hash?.pairs ?? []) stack.push(p.value);
        if (node.type === 'BlockStatement') {
          const block = node as hbs.AST.BlockStatement;
          if (block.program) stack.push(block.program);
          if (block.inverse) stack.push(block.inverse);
        }
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const name = (node as hbs.AST.PartialStatement).name;
        const id = name.type === 'PathExpression' ? (name as hbs.AST.PathExpression).original : undefined;
        if (id === undefined || !(id in hb.partials)) return place(node, `没有「${id ?? '（表达式）'}」这个局部模板（{{> …}}）`, '正文中不能用 {{> }} 引用局部模板；删去它，或把要印的文字直接写在这里');
        break;
      }
      case 'Decorator':
      case 'DecoratorBlock':
        return place(node, '不能用装饰器（{{* …}}）', '删去这个表达式');
    }
  }
  return undefined;
}

/** A Handlebars environment of its own, with the helpers bound to one escape. */
/** One engine per escape, kept: its helpers depend on nothing else, and its templates stay compiled. */
const shared = new Map<Escape, typeof Handlebars>();
export function sharedHandlebars(escape: Escape): typeof Handlebars {
  let hb = shared.get(escape);
  if (!hb) shared.set(escape, (hb = handlebarsFor(escape)));
  return hb;
}

export function handlebarsFor(escape: Escape): typeof Handlebars {
  const hb = Handlebars.create();
  // Each template is looked over before its first run (as Handlebars compiles it then too,
  // with the partials registered by that time): a problem is thrown with its place.
  const compile = hb.compile.bind(hb);
  // Each source once per engine and options: Handlebars compiles a partial registered as its
  // source on every run of the template that uses it (the compiled one is kept only in that
  // run's copy of the partials), and the preview runs the page on every save.
  const bySource = new Map<string, HandlebarsTemplateDelegate>();
  hb.compile = ((input: unknown, options?: CompileOptions) => {
    if (typeof input !== 'string') return compileChecked(input, options);
    const key = `${JSON.stringify(options ?? {})}\u0000${input}`;
    let fn = bySource.get(key);
    if (!fn) {
      if (bySource.size > 64) bySource.clear(); // sources edited many times over: keep it small
      bySource.set(key, (fn = compileChecked(input, options)));
    }
    return fn;
  }) as typeof hb.compile;
  const compileChecked = (input: unknown, options?: CompileOptions): HandlebarsTemplateDelegate => {
    // A package template compiled ahead was looked over when it was made.
    const ahead = typeof input === 'string' ? precompiled(hb, input, options) : undefined;
    if (typeof input === 'string' && !ahead) recordTemplate(input, options);
    const template = ahead ?? compile(input, options);
    let checked = ahead !== undefined || typeof input !== 'string';
    return (context: unknown, runtime?: RuntimeOptions) => {
      if (!checked) {
        const problem = templateProblem(input as string, hb);
        if (problem) throw problem;
        checked = true;
      }
      // The circular and the notes (compiled strict) have their names looked up first: a
      // misspelled {{#if}} would take its else branch, a group of figures print [object Object].
      if (options?.strict && typeof input === 'string' && context && typeof context === 'object') {
        const problem = nameProblem(hb, input, context);
        if (problem) throw problem;
      }
      return template(context, runtime);
    };
  };
  const out = (s: string) => new hb.SafeString(escape(s));
  const figureOf = (x: unknown, helper: string) => {
    if (x instanceof FigureRef) return x.figure;
    throw new HelperError(`{{${helper}}} 需要一个数字的名称${x === undefined || typeof x === 'object' ? '' : `，这里是「${shown(x)}」`}`);
  };
  const value = (use: Omit<Usage, 'block'>): Usage => ({ ...use, block: false });

  hb.registerHelper('percent', placed('percent', value({ usage: '{{percent 名称}} 或 {{percent 名称 1}}（1 为小数位数）', min: 1, max: 2 }), (x: unknown, ...rest: unknown[]) => {
    const f = figureOf(x, 'percent');
    const digits = digitsArg(rest.length > 1 ? rest[0] : undefined, 'percent');
    if (f.value.type !== 'share') throw new HelperError(`「${f.name}」不是百分比`);
    return out(display(f.value, digits));
  }));
  hb.registerHelper('date', placed('date', value({ usage: '{{date 名称}} 或 {{date "2017-01-20"}}', min: 1, max: 1 }), (x: unknown) => {
    if (x instanceof DateRef) return out(formatDate(x.date));
    if (x instanceof FigureRef && x.figure.value.type === 'date') return out(formatDate(x.figure.value.value));
    const d = typeof x === 'string' ? parseDate(x) : undefined;
    if (!d) throw new HelperError(`{{date}} 需要一个日期，这里是「${shown(x)}」`);
    return out(formatDate(d));
  }));
  hb.registerHelper('change', placed('change', value({ usage: '{{change 名称.change}}', min: 1, max: 1 }), (x: unknown) => {
    const f = figureOf(x, 'change');
    if (f.value.type !== 'points') throw new HelperError(`「${f.name}」不是百分点的变化`);
    return out(changeInWords(f.value.value, f.value.digits));
  }));
  // {{growth x.growth 1}}, or {{growth x base 1}}: (x − base) / base as 增长12.5% or 减少8.3%.
  hb.registerHelper('growth', placed('growth', value({ usage: '{{growth 名称.growth 1}} 或 {{growth 本期 基期 1}}（1 为小数位数）', min: 1, max: 3 }), (x: unknown, ...rest: unknown[]) => {
    const f = figureOf(x, 'growth');
    const args = rest.slice(0, -1);
    // The last argument is the decimal places unless it names a figure (the base).
    const digits = args.length === 2 || (args.length === 1 && !(args[0] instanceof FigureRef)) ? digitsArg(args.pop(), 'growth') : undefined;
    if (args.length === 0) {
      if (f.value.type !== 'growth') throw new HelperError(`「${f.name}」不是增长率；写作 {{growth 本期 基期 1}} 或 {{growth 名称.growth 1}}`);
      return out(display(f.value, digits));
    }
    const base = figureOf(args[0], 'growth');
    const [now, then] = [countOrShare(f.value), countOrShare(base.value)];
    if (!now || !then) throw new HelperError(`{{growth}} 需要两个数：「${(now ? base : f).name}」不是数`);
    const g = growth(now, then);
    if (!g) throw new HelperError(`「${base.name}」为${then.num === 0n ? '零' : '负数'}，算不出增长率`);
    return out(display({ type: 'growth', value: g, digits: digits ?? 1 }));
  }));
  // {{table districts}}: a table declared `print: inline`, printed at this place. A mark on a
  // paragraph of its own here; render/html.ts puts the table there after the Markdown pass.
  hb.registerHelper('table', placed('table', value({ usage: '{{table 表格id}}（单独成段）', min: 1, max: 1 }), (x: unknown, options: unknown) => {
    const id = typeof x === 'string' ? x : x && typeof x === 'object' && TABLE_ID in x ? (x as { [TABLE_ID]: string })[TABLE_ID] : undefined;
    const tables = (options as { data?: { root?: { [TABLES]?: Map<string, TablePrint> } } }).data?.root?.[TABLES];
    if (!id || !tables) throw new HelperError('{{table}} 需要一个表格的 id，如 {{table districts}}');
    const print = tables.get(id);
    if (!print) throw new HelperError(`「${id}」不是已声明的表格；已声明的有：${[...tables.keys()].join('、')}`);
    if (print === 'attachment') throw new HelperError(`表格「${id}」作为附件印在文后；要印在正文这里，在它的声明中写 print: inline`);
    if (print === 'data') throw new HelperError(`表格「${id}」在 tables 中，没有标题；要印在正文中，把它移到 attachments 并写 title 和 print: inline`);
    return new hb.SafeString(`\n\n${tableMark(id)}\n\n`);
  }));
  hb.registerHelper('list', placed('list', value({ usage: '{{list 名单}}、{{list 名单 3}}（只列前 3 个）、{{list 名单 unit="个" empty="无"}}', min: 1, max: 2, hash: ['unit', 'empty'] }), (x: unknown, ...rest: unknown[]) => {
    const f = figureOf(x, 'list');
    if (f.value.type !== 'list') throw new HelperError(`「${f.name}」不是名单`);
    const max = rest.length > 1 ? rest[0] : undefined;
    if (max !== undefined && !(typeof max === 'number' && Number.isInteger(max) && max >= 1 && max <= HELPER_LIMITS.listMax)) {
      throw new HelperError(`{{list}} 列出的个数应为 1 到 ${HELPER_LIMITS.listMax} 的整数，这里是「${shown(max)}」`, { hint: '如 {{list 名单 3}} 只列前 3 个并加“等”；要全部列出就不写个数' });
    }
    const { unit, empty } = (rest.at(-1) as HelperOptions).hash ?? {};
    if (unit !== undefined && typeof unit !== 'string') throw new HelperError('{{list}} 的 unit 应写成 unit="个"');
    if (empty !== undefined && typeof empty !== 'string') throw new HelperError('{{list}} 的 empty 应写成 empty="无"');
    if (f.value.value.length === 0) {
      if (empty === undefined) throw emptyListError(f.name);
      return out(empty);
    }
    return out(joinList(unit === undefined ? f.value.value : withUnit(f.value.value, unit), max as number | undefined));
  }));
  // {{#if sites.repeat.members}}…{{else}}…{{/if}}: a figure is tested by its value, not as an
  // object (which Handlebars would always find true).
  for (const name of ['if', 'unless'] as const) {
    const builtin = hb.helpers[name]!;
    hb.registerHelper(name, placed(name, { usage: `{{#${name} 名称}}……{{else}}……{{/${name}}}`, min: 1, max: 1, block: true }, function (this: unknown, x: unknown, ...rest: unknown[]) {
      return builtin.call(this, x instanceof FigureRef ? x.truth() : x, ...rest);
    }));
  }
  // Handlebars' own helpers, kept for the layouts, checked as ours are.
  for (const [name, use] of [
    ['each', { usage: '{{#each 名单}}……{{/each}}', min: 1, max: 1, block: true }],
    ['with', { usage: '{{#with 名称}}……{{/with}}', min: 1, max: 1, block: true }],
    ['lookup', { usage: '{{lookup 对象 键}}', min: 2, max: 2, block: false }],
  ] as const) {
    const builtin = hb.helpers[name]!;
    hb.registerHelper(name, placed(name, use, function (this: unknown, ...args: unknown[]) {
      // A figure is one value: going over it would print its inner parts.
      if (args[0] instanceof FigureRef) throw new HelperError(`{{${name}}} 不能用于数字「${args[0].figure.name}」`, { hint: '名单用 {{list 名单}} 印出；按名单是否为空换一句话用 {{#if 名单}}……{{else}}……{{/if}}' });
      return (builtin as (...a: unknown[]) => unknown).apply(this, args);
    }));
  }
  // {{log}} writes to the console, not the bulletin: nothing a circular can mean by it.
  hb.registerHelper('log', placed('log', { usage: '正文中不能使用 {{log}}', min: 0, max: Infinity, block: false }, () => {
    throw new HelperError('{{log}} 只把内容写到命令行，不印进通报；正文中不能使用', { hint: '删去这个表达式；要查看数字用 tongbao stats' });
  }));
  hb.registerHelper('cn', placed('cn', value({ usage: '{{cn 名称}}，如 {{cn period.quarter}} 印作 四', min: 1, max: 1 }), (x: unknown) => {
    const n = x instanceof FigureRef && x.figure.value.type === 'integer' ? Number(x.figure.value.value) : x;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > HELPER_LIMITS.numeral) {
      throw new HelperError(`{{cn}} 只把 0 到 ${HELPER_LIMITS.numeral} 的整数写成汉字，这里是「${shown(x)}」${x instanceof FigureRef && typeof n === 'number' ? `（${n}）` : ''}`);
    }
    return out(chineseNumeral(n));
  }));
  // bulletin.yaml refuses a figure named like a helper by this list: it must name them all.
  const unlisted = Object.keys(hb.helpers).filter((h) => !HELPER_NAMES.includes(h));
  if (unlisted.length) throw new Error(`helpers missing from HELPER_NAMES (src/schema.ts): ${unlisted.join(', ')}`);
  return hb;
}
