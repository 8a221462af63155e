import type { RowRule } from '../rule.js';

export const emptyTable: RowRule = {
  name: 'empty-table',
  description: 'A table has at least one row under its header.',
  create({ spec, report }) {
    const name = 'title' in spec ? String(spec.title) : spec.id;
    return {
      end({ rows }) {
        if (rows === 0) report({ line: 1 }, { reason: `表格「${name}」还没有数据：文件只有表头`, hint: '在表头下面逐行填写数据', rule: 'rows/empty-table' });
      },
    };
  },
};
