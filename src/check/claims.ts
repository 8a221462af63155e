// Claims: what the text says of its figures without printing one (抽查比例不低于10%, 四川在90%以上),
// each a comparison in bulletin.yaml's `claims:`, checked like a reported figure and reported at
// its line when it does not hold.
import { placeInScalar, placeOf, type YamlSource } from '../load/yaml.js';
import type { Message } from '../messages.js';
import type { Claim } from '../schema.js';
import { faultyHint, faultyUse, type Figure } from '../figures/figure.js';
import { ExpressionError, namesIn, parseExpression } from '../figures/expression.js';
import { evaluateClaim } from '../figures/claim.js';
import { explainUnknown } from './select.js';

/** What a claim came to, for `stats`. */
export interface ClaimOutcome {
  /** The claim's place in `claims:`, from 1. */
  index: number;
  check: string;
  label?: string;
  /** The claim with the values put in. */
  formula: string;
  holds: boolean;
}

/** The expression of a claim, written alone or as `check:`. */
export const claimText = (c: Claim) => (typeof c === 'string' ? c : c.check);

/**
 * Each claim against the figures. A claim naming a reported figure not filled in yet is left
 * until it is (that figure is reported as unfilled).
 */
export function checkClaims(claims: readonly Claim[], figures: ReadonlyMap<string, Figure>, source: YamlSource, unfilled: ReadonlySet<string>): { messages: Message[]; outcomes: ClaimOutcome[] } {
  const messages: Message[] = [];
  const outcomes: ClaimOutcome[] = [];
  claims.forEach((claim, i) => {
    const check = claimText(claim);
    const label = typeof claim === 'string' ? undefined : claim.label;
    const path = typeof claim === 'string' ? ['claims', i] : ['claims', i, 'check'];
    const named = label ? `说法「${label}」` : `claims 第 ${i + 1} 条`;
    try {
      const node = parseExpression(check);
      if (namesIn(node).some((n) => unfilled.has(n.name))) return;
      // A figure drawn from a period that does not check is not used, as in a figure's check.
      const drawn = namesIn(node).find((n) => figures.get(n.name)?.faulty);
      if (drawn) throw new ExpressionError(faultyUse(figures.get(drawn.name)!), drawn.at, faultyHint(figures.get(drawn.name)!));
      const r = evaluateClaim(node, (n) => figures.get(n));
      outcomes.push({ index: i + 1, check, ...(label && { label }), formula: r.formula, holds: r.holds });
      if (r.holds) return;
      messages.push({
        severity: (typeof claim === 'object' && claim.severity) || 'error',
        file: source.file,
        ...placeOf(source, ['claims', i]),
        reason: `${named}不成立：${check}，即 ${r.formula}`,
        hint: typeof claim === 'object' && claim.severity === 'warning' ? '已标为警告；如属原文错误请在备注中注明' : '改正正文中的说法或表格中的数据；说法改了，claims 中的比较也一起改',
        rule: 'figures/claim',
      });
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const unknown = /^「(.+)」不是能从表格算出的数字$/.exec(e.reason)?.[1];
      const why = unknown ? explainUnknown(unknown, figures) : undefined;
      const near = unknown && !why ? [...figures.keys()].filter((k) => k.startsWith(unknown.split('.')[0]! + '.')).slice(0, 12) : [];
      messages.push({
        severity: 'error',
        file: source.file,
        ...placeInScalar(source, path, e.at),
        reason: `${named}：${why?.reason ?? e.reason}`,
        hint: why?.hint ?? e.hint ?? (unknown ? (near.length ? `可用的有：${near.join('、')}` : '用 tongbao stats 查看可用的数字') : '比较写作 名称 >= 90%，几个比较用 and、or 连接'),
        rule: unknown ? 'figures/unknown-check' : e.reason.includes('取自有错误的期次') ? 'figures/faulty-period' : 'figures/expression',
      });
    }
  });
  return { messages, outcomes };
}
