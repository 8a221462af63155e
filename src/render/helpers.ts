// Handlebars helpers for Chinese conventions. Each returns text already escaped for its
// target (Markdown source or HTML), so data can never become markup.
import Handlebars from 'handlebars';
import { display } from '../figures/figure.js';
import { countOrShare, growth } from '../figures/change.js';
import { formatDate, parseDate } from '../values.js';
import { changeInWords, chineseNumeral, joinList, withUnit } from './chinese.js';
import { DateRef, FigureRef, HelperError, TABLE_ID, TABLES, emptyListError, type TablePrint } from './context.js';

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
  loc?: { start: { line: number; column: number } };
}

/** Register a helper whose errors carry the place of the call in the template. */
function placed(fn: (...args: unknown[]) => unknown) {
  return function (this: unknown, ...args: unknown[]) {
    try {
      return fn(...args);
    } catch (e) {
      const loc = (args.at(-1) as HelperOptions | undefined)?.loc;
      if (e instanceof HelperError && loc) {
        e.line = loc.start.line;
        e.column = loc.start.column + 1;
      }
      throw e;
    }
  };
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
  const out = (s: string) => new hb.SafeString(escape(s));
  const figureOf = (x: unknown, helper: string) => {
    if (x instanceof FigureRef) return x.figure;
    throw new HelperError(`{{${helper}}} 需要一个数字的名称`);
  };

  hb.registerHelper('percent', placed((x: unknown, digits: unknown) => {
    const f = figureOf(x, 'percent');
    if (f.value.type !== 'share') throw new HelperError(`「${f.name}」不是百分比`);
    return out(display(f.value, typeof digits === 'number' ? digits : undefined));
  }));
  hb.registerHelper('date', placed((x: unknown) => {
    if (x instanceof DateRef) return out(formatDate(x.date));
    if (x instanceof FigureRef && x.figure.value.type === 'date') return out(formatDate(x.figure.value.value));
    const d = typeof x === 'string' ? parseDate(x) : undefined;
    if (!d) throw new HelperError(`{{date}} 需要一个日期`);
    return out(formatDate(d));
  }));
  hb.registerHelper('change', placed((x: unknown) => {
    const f = figureOf(x, 'change');
    if (f.value.type !== 'points') throw new HelperError(`「${f.name}」不是百分点的变化`);
    return out(changeInWords(f.value.value, f.value.digits));
  }));
  // {{growth x.growth 1}}, or {{growth x base 1}}: (x − base) / base as 增长12.5% or 减少8.3%.
  hb.registerHelper('growth', placed((x: unknown, ...rest: unknown[]) => {
    const f = figureOf(x, 'growth');
    const args = rest.slice(0, -1);
    const digits = typeof args.at(-1) === 'number' ? (args.pop() as number) : undefined;
    if (args.length === 0) {
      if (f.value.type !== 'growth') throw new HelperError(`「${f.name}」不是增长率；写作 {{growth 本期 基期 1}} 或 {{growth 名称.growth 1}}`);
      return out(display(f.value, digits));
    }
    const base = figureOf(args[0], 'growth');
    const [now, then] = [countOrShare(f.value), countOrShare(base.value)];
    if (!now || !then) throw new HelperError(`{{growth}} 需要两个数：「${(now ? base : f).name}」不是数`);
    const g = growth(now, then);
    if (!g) throw new HelperError(`「${base.name}」为零，算不出增长率`);
    return out(display({ type: 'growth', value: g, digits: digits ?? 1 }));
  }));
  // {{table districts}}: a table declared `print: inline`, printed at this place. A mark on a
  // paragraph of its own here; render/html.ts puts the table there after the Markdown pass.
  hb.registerHelper('table', placed((x: unknown, options: unknown) => {
    const id = typeof x === 'string' ? x : x && typeof x === 'object' && TABLE_ID in x ? (x as { [TABLE_ID]: string })[TABLE_ID] : undefined;
    const tables = (options as { data?: { root?: { [TABLES]?: Map<string, TablePrint> } } }).data?.root?.[TABLES];
    if (!id || !tables) throw new HelperError('{{table}} 需要一个表格的 id，如 {{table districts}}');
    const print = tables.get(id);
    if (!print) throw new HelperError(`「${id}」不是已声明的表格；已声明的有：${[...tables.keys()].join('、')}`);
    if (print === 'attachment') throw new HelperError(`表格「${id}」作为附件印在文后；要印在正文这里，在它的声明中写 print: inline`);
    if (print === 'data') throw new HelperError(`表格「${id}」在 tables 中，没有标题；要印在正文中，把它移到 attachments 并写 title 和 print: inline`);
    return new hb.SafeString(`\n\n${tableMark(id)}\n\n`);
  }));
  hb.registerHelper('list', placed((x: unknown, ...rest: unknown[]) => {
    const f = figureOf(x, 'list');
    if (f.value.type !== 'list') throw new HelperError(`「${f.name}」不是名单`);
    const max = rest[0];
    const { unit, empty } = (rest.at(-1) as { hash?: Record<string, unknown> } | undefined)?.hash ?? {};
    if (unit !== undefined && typeof unit !== 'string') throw new HelperError('{{list}} 的 unit 应写成 unit="个"');
    if (empty !== undefined && typeof empty !== 'string') throw new HelperError('{{list}} 的 empty 应写成 empty="无"');
    if (f.value.value.length === 0) {
      if (empty === undefined) throw emptyListError(f.name);
      return out(empty);
    }
    return out(joinList(unit === undefined ? f.value.value : withUnit(f.value.value, unit), typeof max === 'number' ? max : undefined));
  }));
  // {{#if sites.repeat.members}}…{{else}}…{{/if}}: a figure is tested by its value, not as an
  // object (which Handlebars would always find true).
  for (const name of ['if', 'unless'] as const) {
    const builtin = hb.helpers[name]!;
    hb.registerHelper(name, function (this: unknown, x: unknown, ...rest: unknown[]) {
      return builtin.call(this, x instanceof FigureRef ? x.truth() : x, ...rest);
    });
  }
  hb.registerHelper('cn', placed((x: unknown) => {
    const n = x instanceof FigureRef && x.figure.value.type === 'integer' ? Number(x.figure.value.value) : x;
    if (typeof n !== 'number') throw new HelperError('{{cn}} 需要一个整数');
    return out(chineseNumeral(n));
  }));
  return hb;
}

