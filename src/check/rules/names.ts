import { identityForm, nameKey, shown } from '../../load/identity.js';
import { siteColumns } from '../../register/sites.js';
import type { RowRule } from '../rule.js';

/**
 * The names a problem list gives its sites and accounts, which the register compares across
 * periods: one that only looks like another (a zero-width space, a compatibility ideograph, a
 * Cyrillic о among Latin letters or Han, full-width letters) is said, with the form it is
 * compared in. Columns the reader already normalises (region, site code, unique) are left to it.
 */
export const lookalikeNames: RowRule = {
  name: 'lookalike-names',
  description: 'A site or account name in a problem list holds no invisible character, compatibility ideograph or look-alike letter.',
  create({ spec, report }) {
    const sites = siteColumns(spec);
    if (!sites) return undefined;
    const keyed = new Set([sites.platform, sites.account].filter((i) => i >= 0));
    const at = [...new Set([sites.platform, sites.account, sites.name])].filter((i) => {
      const c = spec.columns[i];
      return c !== undefined && c.type === 'text' && !c.unique;
    });
    if (!at.length) return undefined;
    return {
      row({ cells, total }) {
        if (total) return;
        for (let k = 0; k < at.length; k++) {
          const i = at[k]!;
          const cell = cells[i];
          if (!cell || cell.text === '') continue;
          const normal = identityForm(cell.text, 'text');
          const changes = normal?.changes.filter((c) => c !== '空格');
          if (!normal || !changes?.length) continue;
          const column = spec.columns[i]!;
          report(cell, {
            reason: `「${column.name}」的「${shown(cell.text)}」含有${changes.join('、')}：看起来是「${normal.text}」，却是另一串文字`,
            hint: keyed.has(i)
              ? `改正单元格（复制粘贴时常会带入这样的字符）；登记册按「${nameKey(cell.text)}」认这个账号，与各期的名单比较`
              : '改正单元格（复制粘贴时常会带入这样的字符），使同一个网站在各期的名称写法相同',
            rule: 'register/lookalike-name',
            severity: 'warning',
          });
        }
      },
    };
  },
};
