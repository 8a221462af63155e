import { labelColumn, namingColumns, totalKind, totalLike, type Row } from '../../load/rows.js';
import type { RowRule } from '../rule.js';
import type { Column } from '../../schema.js';

export const totals: RowRule = {
  name: 'totals',
  description: 'A total row (合计) of a count or integer column equals the sum of the member rows (a 序号 column excepted).',
  create({ spec, report, memberSum }) {
    const counts = spec.columns.filter(summed).map((column) => ({ column, sum: memberSum(column.key) }));
    if (!counts.length) return undefined;
    const kept: Row[] = [];
    const label = labelColumn(spec.columns);
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
            report(cell!, { reason: `合计行的「${column.name}」为 ${v}，各行之和为 ${s}`, hint: `核对合计或各行的数字（第 ${firstMember ?? ''}–${lastMember ?? ''} 行）`, rule: 'figures/total', subject: { row: (label && t.cells[label.key]?.text.trim()) || '合计', column: { key: column.key, name: column.name }, printed: String(v), computed: String(s) } });
          }
        }
      },
    };
  },
};

/**
 * A column whose total is the sum of its rows: counts, and integers that are not a row's
 * number (序号, unique: the identifiers of rows, which no one adds up).
 */
function summed(c: Column): boolean {
  return c.type === 'count' || (c.type === 'integer' && !c.unique && !/序号|编号|代码|^no$/i.test(`${c.name}`) && c.key !== 'no');
}

export const subtotals: RowRule = {
  name: 'subtotals',
  description: 'A subtotal row (小计) is neither counted nor checked against the members: the user is told so.',
  create({ spec, report }) {
    const named = namingColumns(spec.columns);
    const naming = spec.columns.map((c) => named.has(c.key));
    return {
      row(e) {
        if (!e.subtotal) return;
        const at = e.cells.findIndex((c, i) => c !== undefined && totalKind(c.text, naming[i]!, named.get(spec.columns[i]!.key)) === 'subtotal');
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

/**
 * A member row whose naming cell still reads like a total (合计：东城区, 无法合计): it is counted
 * as a member, so the user is told, never left with sums silently doubled.
 */
export const totalLikeRows: RowRule = {
  name: 'total-like',
  description: 'A member row whose first or label cell reads like a total (a total word in it) is reported.',
  create({ spec, report }) {
    const named = namingColumns(spec.columns);
    const at = spec.columns.flatMap((c, i) => (named.has(c.key) ? [{ i, listed: named.get(c.key), column: c }] : []));
    return {
      row(e) {
        if (e.total) return;
        for (let k = 0; k < at.length; k++) {
          const { i, listed, column } = at[k]!;
          const cell = e.cells[i];
          if (!cell || totalLike(cell.text, listed) === undefined) continue;
          report(cell, {
            reason: `「${column.name}」的「${cell.text}」像是合计或小计，却不是能认出的合计行写法：这一行已作为普通的一行计入各行之和`,
            hint: '是合计行的，这一格只写「合计」（或「全市合计」，小计写「小计」）；确是一个名称的，可以不理会这条警告',
            rule: 'rows/total-like',
            severity: 'warning',
          });
          return;
        }
      },
    };
  },
};
