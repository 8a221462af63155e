import type { RowRule } from '../rule.js';

export const emptyTable: RowRule = {
  name: 'empty-table',
  description: 'A table has at least one row under its header.',
  create({ spec, report, file }) {
    const name = 'title' in spec ? String(spec.title) : spec.id;
    // A workbook's table is one of its sheets (book.xlsx!问题网站): the sheet is what is empty.
    const base = file.slice(file.lastIndexOf('/') + 1);
    const where = /\.xlsx!/i.test(base) ? `工作表 ${base} 只有表头` : '文件只有表头';
    return {
      end({ rows }) {
        if (rows === 0) report({ line: 1 }, { reason: `表格「${name}」还没有数据：${where}`, hint: '在表头下面逐行填写数据', rule: 'rows/empty-table' });
      },
    };
  },
};
