import type { Percent } from '../../values.js';
import type { RowRule } from '../rule.js';

/** A column whose name says it holds a change (增长率, 同比, 降幅 …), which may leave [0, 100%]. */
const CHANGE = /增|减|降|升|涨|幅|变化|变动|同比|环比|比上|较上|百分点/;

export const shareRange: RowRule = {
  name: 'share-range',
  description: 'A percentage column (a share, a rate, a pass rate) holds values in [0, 100%], unless its name says it is a change (增长率, 同比, 降幅).',
  create({ spec, report }) {
    const checked = spec.columns.flatMap((column, at) => (column.type === 'percent' && !CHANGE.test(column.name) ? [{ column, at }] : []));
    if (!checked.length) return undefined;
    return {
      row({ cells }) {
        for (const { column, at } of checked) {
          const cell = cells[at];
          const v = cell?.value as Percent | null | undefined;
          if (!cell || !v || v.kind !== 'percent' || (v.value.num >= 0n && v.value.num <= v.value.den)) continue;
          report(cell, {
            reason: `「${column.name}」的 ${cell.text} ${v.value.num < 0n ? '小于 0' : '超过 100%'}：比例、合格率在 0 到 100% 之间`,
            hint: '核对原文改正这个百分比；这一列如是增长率，列名写明（如「同比增长」）',
            rule: 'figures/range',
          });
        }
      },
    };
  },
};
