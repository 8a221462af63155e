import type { Column } from '../../schema.js';
import { FirstSeen } from '../grow.js';
import type { RowRule } from '../rule.js';

/** Uniqueness: declared, and always for site codes (one site, one code). */
export const isUnique = (column: Column): boolean => column.unique === true || column.type === 'site-code';

export const unique: RowRule = {
  name: 'unique',
  description: 'A column declared unique, and every site-code column, holds each value once.',
  create({ spec, report }) {
    const columns = spec.columns.flatMap((column, at) => (isUnique(column) ? [{ column, at, seen: new FirstSeen() }] : []));
    if (!columns.length) return undefined;
    return {
      // Indexed loops in the row handlers: they run per row of a million-row stream.
      row({ row, cells }) {
        for (let i = 0; i < columns.length; i++) {
          const { column, at, seen } = columns[i]!;
          const cell = cells[at];
          if (!cell || cell.text === '') continue;
          const first = seen.check(cell.text, row.line);
          if (first !== undefined) report(cell, { reason: `「${column.name}」的「${cell.text}」与第 ${first} 行重复`, hint: '每个值只能出现一次', rule: 'rows/duplicate' });
        }
      },
    };
  },
};
