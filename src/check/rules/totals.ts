import type { Row } from '../../load/rows.js';
import type { RowRule } from '../rule.js';

export const totals: RowRule = {
  name: 'totals',
  description: 'A total row (合计) of a count column equals the sum of the member rows.',
  create({ spec, report, memberSum }) {
    const counts = spec.columns.filter((c) => c.type === 'count').map((column) => ({ column, sum: memberSum(column.key) }));
    if (!counts.length) return undefined;
    const kept: Row[] = [];
    return {
      row(e) {
        if (e.total) kept.push(e.keep());
      },
      end({ firstMember, lastMember }) {
        for (const { column, sum } of counts) {
          const s = sum();
          for (const t of kept) {
            const cell = t.cells[column.key];
            const v = cell?.value;
            if (typeof v !== 'bigint' || v === s) continue;
            report(cell!, { reason: `合计行的「${column.name}」为 ${v}，各行之和为 ${s}`, hint: `核对合计或各行的数字（第 ${firstMember ?? ''}–${lastMember ?? ''} 行）`, rule: 'figures/total' });
          }
        }
      },
    };
  },
};
