// The last look at the portal page before it is written: nothing in it may navigate away or
// hold another page. Every value the page prints is escaped and the circular is sanitized; a
// workspace's own templates (templates/ in its root) are the office's code and may write
// markup, but not this. Scripts and loads are the CSP's to stop (and the printer's isolation);
// a <meta http-equiv="refresh"> navigates whatever the CSP says, and a second <meta
// http-equiv> could loosen it: both are refused here, as are <base>, <form> and embedded pages.
import { fromHtml } from 'hast-util-from-html';
import type { Element, Root, RootContent } from 'hast';
import type { Message } from '../messages.js';

/** Elements a bulletin's page never holds: they redirect its links or forms, or embed another page. */
const NEVER = new Set(['base', 'form', 'iframe', 'frame', 'frameset', 'object', 'embed', 'portal', 'applet']);

/** A quick look first: a page without any of these needs no parsing (a long table is megabytes). */
const SUSPECT = /<(?:base|form|i?frame|frameset|object|embed|portal|applet)\b/i;

/** A template file the page was made from: where forbidden markup is looked for, to show its place. */
export interface TemplateSource {
  file: string;
  text: string;
}

/**
 * Problems of the rendered page: each kind of forbidden markup once. `csp` is the policy the
 * tool wrote: the one <meta http-equiv> allowed. `templates` names where such markup can come
 * from; `sources`, the workspace's own template files, are searched for it to give its place.
 */
export function pageSafety(html: string, csp: string, templates: string, sources: readonly TemplateSource[] = []): Message[] {
  if (!SUSPECT.test(html) && (html.match(/http-equiv/gi)?.length ?? 0) <= 1) return [];
  const found = new Map<string, Forbidden>();
  let ownPolicy = false;
  const visit = (node: Root | RootContent) => {
    if (node.type === 'element') {
      const what = forbidden(node, () => {
        // The tool's own policy, once: any other (or a second) is refused.
        const own = !ownPolicy && String(node.properties['httpEquiv'] ?? '').toLowerCase() === 'content-security-policy' && node.properties['content'] === csp;
        if (own) ownPolicy = true;
        return own;
      });
      if (what && !found.has(what.key)) found.set(what.key, what);
      if (node.tagName === 'template' && node.content) visit(node.content);
    }
    if ('children' in node) node.children.forEach(visit);
  };
  visit(fromHtml(html));
  return [...found.values()].map(({ text, needle }) => ({
    severity: 'error',
    ...(placeIn(sources, needle) ?? { file: templates }),
    reason: `生成的网页中有 ${text}：通报页面不能自行跳转、改变链接的去处、提交表单或嵌入其他页面`,
    hint: '数据和正文中的文字都按原样显示，不会成为标记；这样的标记只能来自工作区 templates/ 中自己改写的模板，请从模板中删去',
    rule: 'render/unsafe-markup',
  }));
}

interface Forbidden {
  key: string;
  /** As the message names it. */
  text: string;
  /** How it is written in a template, to find its place there. */
  needle: RegExp;
}

function forbidden(e: Element, isOwnPolicy: () => boolean): Forbidden | undefined {
  if (NEVER.has(e.tagName)) return { key: e.tagName, text: `<${e.tagName}>`, needle: new RegExp(`<${e.tagName}\\b`, 'i') };
  if (e.tagName === 'meta' && e.properties['httpEquiv'] !== undefined && !isOwnPolicy()) {
    const kind = String(e.properties['httpEquiv']).toLowerCase();
    return { key: `meta:${kind}`, text: `<meta http-equiv="${kind}">`, needle: new RegExp(`http-equiv\\s*=\\s*["']?${kind.replace(/[^\w-]/g, '.')}(?![^>]*\\{\\{csp\\}\\})`, 'i') };
  }
  return undefined;
}

/** The first place in the template files where `needle` is written. */
function placeIn(sources: readonly TemplateSource[], needle: RegExp): { file: string; line: number; column: number } | undefined {
  for (const s of sources) {
    const m = needle.exec(s.text);
    if (!m) continue;
    const before = s.text.slice(0, m.index).split('\n');
    return { file: s.file, line: before.length, column: before.at(-1)!.length + 1 };
  }
  return undefined;
}
