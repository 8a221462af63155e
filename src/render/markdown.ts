// The circular: Markdown whose figures are Handlebars expressions. Expressions are expanded
// first (values escaped for Markdown), then unified turns the Markdown into sanitized HTML.
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSanitize, { defaultSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import type { Element, ElementContent, Root } from 'hast';
import type { Message } from '../messages.js';
import { HelperError, NO_LINK, escapeMarkdown, handlebarsFor } from './helpers.js';
import { yearHint } from './names.js';

const hb = handlebarsFor(escapeMarkdown);

/**
 * A template compiled once per engine, source and options: the preview renders the same
 * circular and layout on every save, and compiling them was a quarter of its time. A
 * template that does not parse throws when called, each time, so caching it is safe.
 */
const compiledCache = new WeakMap<object, Map<string, HandlebarsTemplateDelegate>>();
export function compiled(engine: typeof hb, source: string, options: CompileOptions): HandlebarsTemplateDelegate {
  let byKey = compiledCache.get(engine);
  if (!byKey) compiledCache.set(engine, (byKey = new Map()));
  const key = `${JSON.stringify(options)}\u0000${source}`;
  let fn = byKey.get(key);
  if (!fn) {
    if (byKey.size > 64) byKey.clear(); // sources edited many times over: keep the cache small
    fn = engine.compile(source, options);
    byKey.set(key, fn);
  }
  return fn;
}

/** Expand the Handlebars expressions of a text; problems come back with their place. */
export function expandTemplate(
  engine: typeof hb,
  source: string,
  context: object,
  file: string,
  lineOffset = 0,
): { text?: string; messages: Message[] } {
  try {
    const text = compiled(engine, source, { strict: true, noEscape: false })(context);
    return { text, messages: [] };
  } catch (e) {
    return { messages: [templateMessage(e, file, lineOffset, source, context)] };
  }
}

/**
 * A dotted name in an expression whose head resolves but a later part does not
 * (`sites.category.groups` when `sites.category` has no figures): Handlebars' strict mode
 * then fails inside its own code, with no place. Found again here, with its place.
 */
function unresolvedName(source: string, context: object): { name: string; full: string; line: number; column: number } | undefined {
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    for (const expr of lines[i]!.matchAll(/\{\{[^}]*\}\}/g)) {
      for (const m of expr[0].matchAll(/[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+/g)) {
        let value: unknown = context;
        const parts = m[0].split('.');
        for (let k = 0; k < parts.length; k++) {
          value = value && typeof value === 'object' ? (value as Record<string, unknown>)[parts[k]!] : undefined;
          if (value === undefined) {
            if (k === 0) break; // an unknown head is Handlebars' own message
            return { name: parts.slice(0, k + 1).join('.'), full: m[0], line: i + 1, column: expr.index + m.index + 1 };
          }
        }
      }
    }
  }
  return undefined;
}

/** The first expression that prints the figure `name` as it is: `{{name}}` or `{{{name}}}`. */
function expressionOf(source: string, name: string): { line: number; column?: number } | undefined {
  const lines = source.split('\n');
  const bare = new RegExp(`\\{\\{\\{?\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\}`);
  for (let i = 0; i < lines.length; i++) {
    const m = bare.exec(lines[i]!);
    if (m) return { line: i + 1, column: m.index + 1 };
  }
  return undefined;
}

function templateMessage(e: unknown, file: string, lineOffset: number, source = '', context: object = {}): Message {
  const err = e as Error & { lineNumber?: number; column?: number; line?: number };
  const base = { severity: 'error' as const, file, rule: 'template/error' };
  if (e instanceof HelperError) {
    // A figure printed bare ({{name}}) has no helper call to give its place: found in the source.
    const place = e.line ? { line: e.line, column: e.column } : e.details.figure ? expressionOf(source, e.details.figure) : undefined;
    return {
      ...base,
      ...(place && { line: place.line + lineOffset, column: place.column }),
      reason: e.message,
      hint: e.details.hint ?? '查看 README 中辅助函数的用法',
      ...(e.details.rule && { rule: e.details.rule }),
    };
  }
  const missing = /^"([^"]+)" not defined in/.exec(err.message);
  if (missing) {
    // Handlebars names the last part only: the whole dotted name is found in the source.
    const whole = unresolvedName(source, context);
    // (For {{a.b.c}} with no a.b, Handlebars names c: the part that is missing is a.b.)
    const name = whole && (whole.name.endsWith(missing[1]!) || whole.full.endsWith(`.${missing[1]!}`)) ? whole.name : missing[1]!;
    return {
      ...base,
      ...(whole && name === whole.name ? { line: whole.line + lineOffset, column: whole.column } : err.lineNumber !== undefined && { line: err.lineNumber + lineOffset, column: (err.column ?? 0) + 1 }),
      reason: `「${name}」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出`,
      hint: yearHint(name, context) ?? '检查拼写；tongbao stats 列出所有可用的名称',
      rule: 'template/unknown-name',
    };
  }
  const parse = /Parse error on line (\d+)/.exec(err.message);
  if (parse) {
    return { ...base, line: Number(parse[1]) + lineOffset, reason: '模板表达式写法有误（{{ }} 未闭合或多了括号）', hint: '每个 {{ 都要有对应的 }}', rule: 'template/syntax' };
  }
  const unresolved = e instanceof TypeError ? unresolvedName(source, context) : undefined;
  if (unresolved) {
    return {
      ...base,
      line: unresolved.line + lineOffset,
      column: unresolved.column,
      reason: `「${unresolved.name}」没有定义：不是 bulletin.yaml 中的数字，也不能由表格算出`,
      hint: '检查拼写；tongbao stats 列出所有可用的名称',
      rule: 'template/unknown-name',
    };
  }
  return { ...base, reason: `模板出错：${err.message.split('\n')[0]}` };
}

/**
 * Sanitize as GitHub does, and also drop images: the page is one self-contained file, and a
 * src would make the portal page and the PDF printer fetch from elsewhere.
 */
const schema = {
  ...defaultSchema,
  tagNames: (defaultSchema.tagNames ?? []).filter((t) => t !== 'img' && t !== 'picture' && t !== 'source'),
  // remark-rehype has prefixed the ids it makes (footnotes) and their links already; a second
  // prefix here would leave every footnote link pointing nowhere.
  clobberPrefix: '',
};

/**
 * The HTML without the marks that kept escaped values from becoming links or table marks
 * (helpers.ts NO_LINK): taken out once the tables are placed. In an address it is percent-encoded.
 */
export const withoutLinkMarks = (html: string): string => html.replace(new RegExp(`${NO_LINK}|%EF%B7%92`, 'gi'), '');

/** `（一）…。` opening a paragraph is a run-in heading of the second level, as 公文 write it. */
const RUN_IN = /^(（[一二三四五六七八九十]+）[^。！？]*[。！？]?)/;

function runInHeadings() {
  return (tree: Root) => {
    for (const node of tree.children) {
      if (node.type !== 'element' || node.tagName !== 'p') continue;
      const first = node.children[0];
      if (first?.type !== 'text') continue;
      const m = RUN_IN.exec(first.value);
      if (!m) continue;
      const lead: Element = { type: 'element', tagName: 'strong', properties: { className: ['run-in'] }, children: [{ type: 'text', value: m[1]! }] };
      const rest: ElementContent[] = first.value.length > m[1]!.length ? [{ type: 'text', value: first.value.slice(m[1]!.length) }] : [];
      node.children.splice(0, 1, lead, ...rest);
    }
  };
}

/** Circled numbers for a third level of numbered items, as Chinese documents write them. */
const CIRCLED = '①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳';

/**
 * Numbered items as 公文 number them (GB/T 9704 §7.3.3): 1. then （1） then ①, the number
 * being text at the start of the item. So the PDF, the Word document and the portal page all
 * print it, and an item reads as 1.加强…… typed in a paragraph does; a list marker would hang
 * in the margin of the print, or be lost.
 */
function itemNumbers() {
  const label = (n: number, depth: number) => (depth === 0 ? `${n}.` : depth === 1 || n > CIRCLED.length ? `（${n}）` : CIRCLED[n - 1]!);
  const visit = (node: Root | Element, depth: number) => {
    for (const child of node.children) {
      if (child.type !== 'element') continue;
      if (child.tagName !== 'ol') {
        visit(child, depth);
        continue;
      }
      const start = Number(child.properties['start'] ?? 1);
      const cls = Array.isArray(child.properties['className']) ? child.properties['className'] : [];
      child.properties['className'] = [...cls, 'numbered'];
      let n = Number.isSafeInteger(start) && start >= 0 ? start : 1;
      for (const li of child.children) {
        if (li.type !== 'element' || li.tagName !== 'li') continue;
        // A loose list's item holds paragraphs: the number opens the first.
        const lead = li.children.find((c) => c.type === 'element' || (c.type === 'text' && c.value.trim() !== ''));
        const holder = lead?.type === 'element' && lead.tagName === 'p' ? lead : li;
        holder.children.unshift({ type: 'element', tagName: 'span', properties: { className: ['item-number'] }, children: [{ type: 'text', value: label(n++, depth) }] });
        visit(li, depth + 1);
      }
    }
  };
  return (tree: Root) => visit(tree, 0);
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  // raw HTML in the Markdown is dropped here, never passed on; footnotes are labelled in Chinese
  .use(remarkRehype, { footnoteLabel: '注释', footnoteBackLabel: (i: number) => `返回正文中的注释 ${i + 1}` })
  .use(rehypeSanitize, schema)
  .use(runInHeadings)
  .use(itemNumbers)
  .use(rehypeStringify);

/** Sanitized HTML, still holding the NO_LINK marks of escaped values (see withoutLinkMarks). */
export function markdownToHtml(markdown: string): string {
  return String(processor.processSync(markdown));
}

/**
 * Markdown that a template prints inside a line of its own (an attachment's note): the same
 * pipeline and sanitizer as the circular, without the paragraph around it; paragraphs become
 * lines. Undefined when it holds blocks a line cannot (a heading, a list, a table, a quote).
 */
export function inlineMarkdownToHtml(markdown: string): string | undefined {
  const tree = processor.runSync(processor.parse(markdown)) as Root;
  const blocks = tree.children.filter((c) => !(c.type === 'text' && c.value.trim() === ''));
  if (blocks.some((b) => b.type !== 'element' || b.tagName !== 'p')) return undefined;
  const br: Element = { type: 'element', tagName: 'br', properties: {}, children: [] };
  const children = (blocks as Element[]).flatMap((p, i) => (i === 0 ? p.children : [br, ...p.children]));
  return withoutLinkMarks(processor.stringify({ type: 'root', children }));
}

export function renderCircular(source: string, file: string, context: object): { html?: string; messages: Message[] } {
  const expanded = expandTemplate(hb, source, context, file);
  if (expanded.text === undefined) return { messages: expanded.messages };
  return { html: withoutLinkMarks(markdownToHtml(expanded.text)), messages: expanded.messages };
}
