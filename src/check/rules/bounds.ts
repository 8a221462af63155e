import { boundOf } from '../../schema.js';
import type { RowRule } from '../rule.js';

export const bounds: RowRule = {
  name: 'bounds',
  description: 'A count bounded by another (`max: sampled`, or the failures of a `ratio: { failed, of }`) is not above it on any row.',
  create({ spec, report }) {
    const pairs = spec.columns.flatMap((column, at) => {
      const bound = boundOf(spec.columns, column)?.bound;
      return bound ? [{ column, at, bound, boundAt: spec.columns.indexOf(bound) }] : [];
    });
    if (!pairs.length) return undefined;
    return {
      row({ cells }) {
        for (let i = 0; i < pairs.length; i++) {
          const { column, at, bound, boundAt } = pairs[i]!;
          const v = cells[at]?.value;
          const b = cells[boundAt]?.value;
          if (typeof v !== 'bigint' || typeof b !== 'bigint' || v <= b) continue;
          report(cells[at]!, { reason: `「${column.name}」${v} 大于「${bound.name}」${b}`, hint: `${column.name}不能超过${bound.name}`, rule: 'rows/exceeds' });
        }
      },
    };
  },
};
