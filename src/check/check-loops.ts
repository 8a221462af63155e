// A `check:` that comes back to its own figure checks nothing: `closed` against `closed`
// always agrees, and so does a ring of figures each checked against the next. An empty
// `check:` checks nothing either. Each is an error at the check, never a silent pass.
import { placeInScalar, placeOf, type YamlSource } from '../load/yaml.js';
import type { Message } from '../messages.js';
import type { ReportedFigure } from '../schema.js';
import { ExpressionError, namesIn, parseExpression } from '../figures/expression.js';

export function checkLoops(reported: Record<string, ReportedFigure>, source: YamlSource): Message[] {
  const messages: Message[] = [];
  /** Each checked figure's check, as the names it reads (with their place in the check). */
  const reads = new Map<string, { name: string; at: number }[]>();
  for (const [name, spec] of Object.entries(reported)) {
    if (typeof spec !== 'object' || spec.check === undefined) continue;
    if (spec.check.trim() === '') {
      messages.push({
        severity: 'error',
        file: source.file,
        ...placeOf(source, ['figures', name, 'check']),
        reason: `「${name}」的 check 是空的：什么也没有核对`,
        hint: '写出与它核对的数字名称或算式（如 regions.passed.rate、"running_prev - running"）；不核对就删去 check 这一项',
        rule: 'figures/empty-check',
      });
      continue;
    }
    try {
      reads.set(name, namesIn(parseExpression(spec.check)));
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e; // a check that does not parse is reported where checks are
    }
  }
  // Each ring is told once, at the figure the walk meets it by, with the way round.
  for (const ring of rings(reads)) {
    const start = ring[0]!;
    const first = reads.get(start)!.find((r) => r.name === (ring[1] ?? start))!;
    const self = ring.length === 1;
    messages.push({
      severity: 'error',
      file: source.file,
      ...placeInScalar(source, ['figures', start, 'check'], first.at),
      reason: self
        ? `「${start}」的 check 核对的是它自己：一个数字与自己比较总是相符，什么也没有核对`
        : `「${start}」的 check 绕回了它自己（${[...ring, start].join(' → ')}）：这几个数字只是互相印证，没有一个由表格或别的数字算出`,
      hint: self
        ? `写出能算出「${start}」的数字或算式（如 "running_prev - running"、表格的 regions.passed.sum）；不核对就删去 check`
        : '至少让其中一个数字的 check 由表格或没有 check 的数字算出，删去绕回来的那个 check',
      rule: 'figures/check-loop',
    });
  }
  return messages;
}

/**
 * The rings of checks: a depth-first walk (with a stack of its own: a chain of many thousand
 * figures must not overflow the call stack) that meets a figure still on its path.
 */
function rings(reads: ReadonlyMap<string, { name: string }[]>): string[][] {
  const out: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const root of reads.keys()) {
    if (state.has(root)) continue;
    const path: string[] = [];
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'open');
    path.push(root);
    while (stack.length) {
      const top = stack.at(-1)!;
      const edges = reads.get(top.name) ?? [];
      if (top.next >= edges.length) {
        state.set(top.name, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const to = edges[top.next++]!.name;
      if (!reads.has(to)) continue; // a figure with no check of its own ends the way
      const s = state.get(to);
      if (s === 'open') out.push(path.slice(path.indexOf(to)));
      else if (s === undefined) {
        state.set(to, 'open');
        path.push(to);
        stack.push({ name: to, next: 0 });
      }
    }
  }
  return out;
}
