import { namingColumns, totalKind, type Row } from '../../load/rows.js';
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
        if (e.total && !e.subtotal) kept.push(e.keep());
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

export const subtotals: RowRule = {
  name: 'subtotals',
  description: 'A subtotal row (小计) is neither counted nor checked against the members: the user is told so.',
  create({ spec, report }) {
    const named = namingColumns(spec.columns);
    const naming = spec.columns.map((c) => named.has(c.key));
    return {
      row(e) {
        if (!e.subtotal) return;
        const at = e.cells.findIndex((c, i) => c !== undefined && totalKind(c.text, naming[i]!) === 'subtotal');
        const cell = e.cells[at]!;
        report(cell, {
          reason: `「${cell.text}」是小计行：不计入各行之和，也不与各行核对`,
          hint: '小计所含的行无法从表格中确定；需要核对时请把各部分分成单独的表格，不需要时删去这一行',
          rule: 'rows/subtotal',
          severity: 'warning',
        });
      },
    };
  },
};
