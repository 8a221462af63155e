import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { REPO, edit, sampleWorkspace, tongbao } from './helpers.js';
import { bulletinJsonSchema } from '../src/schema.js';
import { parseTable } from '../src/load/table.js';

describe('tongbao check on the sample', () => {
  it('exits 0 and names the one stray space the seed really has', () => {
    const r = tongbao(['check', '2016Q4']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/2016Q4 检查通过：4 个文件，49 行数据，0 个错误，\d+ 个警告/);
    expect(r.stderr).toContain('data/2016Q4/problem-sites.csv:11:26: 警告: 「网站标识码」的「4106000054」前后有多余的空格');
  });

  it('finds the seed’s 介休县 whose code 140781 is 介休市, and no other county mismatch', () => {
    const r = tongbao(['check', '2016Q4', '--json']);
    const odd = JSON.parse(r.stdout).messages.filter((m: { rule: string }) => m.rule === 'rows/site-code-division');
    expect(odd).toHaveLength(1);
    expect(odd[0].reason).toBe('这一行写的是「介休县」，网站标识码 1407810012 的行政区划 140781 是「介休市」');
    expect(odd[0].line).toBe(5);
  });

  it('checks the same when the CSVs are saved as GB18030, as Excel on Chinese Windows does', () => {
    const root = sampleWorkspace();
    for (const f of ['problem-sites.csv', 'institutions.csv', 'history.csv']) {
      const p = path.join(root, 'data/2016Q4', f);
      writeFileSync(p, iconv.encode(readFileSync(p, 'utf8'), 'gb18030'));
    }
    const utf8 = tongbao(['check', '2016Q4', '--json']);
    const gb = tongbao(['check', '2016Q4', '--json'], root);
    expect(gb.status).toBe(0);
    expect(JSON.parse(gb.stdout)).toEqual(JSON.parse(utf8.stdout));
  });

  it('reads a UTF-8 file with a BOM and CRLF line ends', () => {
    const root = sampleWorkspace();
    const p = path.join(root, 'data/2016Q4/institutions.csv');
    writeFileSync(p, '\ufeff' + readFileSync(p, 'utf8').replace(/\n/g, '\r\n'));
    const r = tongbao(['check', '2016Q4', '--json'], root);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(49);
  });

  it('builds the same as check until rendering exists, and finds the latest period alone', () => {
    const r = tongbao(['check']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2016Q4');
  });
});

describe('broken inputs: exit 1 with file and line', () => {
  it('an unclosed quote is shown where the quote opens', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('2,山西,“阳高县', '2,山西,"“阳高县'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('data/2016Q4/problem-sites.csv:3:6: 错误: 引号未闭合');
  });

  it('a row with too few columns names its line and both counts', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/institutions.csv', (t) => t.replace('4,山西,√,√,,,', '4,山西,√,√,,'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('data/2016Q4/institutions.csv:5:1: 错误: 这一行有 6 个单元格，表头有 7 个');
  });

  it('names every ragged row of a held table, short or long, whatever its line ends, and counts those past the list', () => {
    for (const eol of ['\n', '\r\n']) {
      const root = sampleWorkspace();
      edit(root, 'data/2016Q4/institutions.csv', (t) => {
        const lines = t.trimEnd().split(/\r?\n/);
        lines[4] = '4,山西,√,√,,'; // short
        lines[6] = '6,吉林,√,√,√,√,√,√'; // long
        lines[8] = '8,"上海,市",√,√,√,√,√'; // a quoted comma: not a field
        lines[9] = '9'; // one field
        // 120 more short rows past the header's: 100 of a kind are listed, the rest counted.
        for (let i = 0; i < 120; i++) lines.push(`${33 + i},北京`);
        return lines.join(eol) + eol;
      });
      const r = tongbao(['check', '2016Q4'], root);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('data/2016Q4/institutions.csv:5:1: 错误: 这一行有 6 个单元格，表头有 7 个');
      expect(r.stderr).toContain('data/2016Q4/institutions.csv:7:1: 错误: 这一行有 8 个单元格，表头有 7 个');
      expect(r.stderr).not.toContain('institutions.csv:9:1: 错误: 这一行');
      expect(r.stderr).toContain('data/2016Q4/institutions.csv:10:1: 错误: 这一行有 1 个单元格，表头有 7 个');
      expect(r.stderr).toContain('data/2016Q4/institutions.csv:34:1: 错误: 这一行有 2 个单元格，表头有 7 个');
      expect(r.stderr).toContain('data/2016Q4/institutions.csv:130:1: 错误: 这一行有 2 个单元格，表头有 7 个');
      expect(r.stderr).not.toContain('institutions.csv:131:1: 错误: 这一行');
      expect(r.stderr).toContain('data/2016Q4/institutions.csv:131:1: 错误: 从这里起还有 23 处同类问题（csv/ragged-row）未逐条列出');
    }
  });

  it.each([
    ['after an empty line', 'a,b\n1,x\n\n-2,y\n', [2, 4]],
    ['after a cell on two lines with Windows line ends', 'a,b\r\n1,"x\r\ny"\r\n-2,z\r\n', [2, 4]],
    ['after several empty lines', 'a,b\n\n\n1,x\n-2,y\n', [4, 5]],
  ] as const)('places each row on its own line %s', (_what, text, lines) => {
    const spec = { id: 't', file: 'x.csv', columns: [{ key: 'a', name: 'a', type: 'count' as const }, { key: 'b', name: 'b', type: 'text' as const }] };
    const r = parseTable(new TextEncoder().encode(text), 'x.csv', spec);
    expect(r.table!.rows.map((row) => row.line)).toEqual(lines);
    expect(r.messages.map((m) => `${m.line}:${m.column}`)).toEqual([`${lines[1]}:1`]); // the negative count
  });

  it('a YAML syntax error names line and column', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('source: 中国政府网', 'source: [中国政府网'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/data\/2016Q4\/bulletin\.yaml:\d+:\d+: 错误: YAML 语法错误/);
  });

  it('a 网站标识码 from another province names both provinces', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('1402210003', '4102210003'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'data/2016Q4/problem-sites.csv:3:', // row of 阳高县
    );
    expect(r.stderr).toContain('网站标识码 4102210003 的前两位 41（河南）与这一行的地区「山西」（14）不符');
  });

  it('a schema error points at the YAML node, in Chinese', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('kind: matrix', 'kind: matrx').replace('published: 2017-02-07', 'published: 2017-02-30'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    const yaml = readFileSync(path.join(root, 'data/2016Q4/bulletin.yaml'), 'utf8').split('\n');
    const kindLine = yaml.findIndex((l) => l.includes('kind: matrx')) + 1;
    expect(r.stderr).toContain(`data/2016Q4/bulletin.yaml:${kindLine}:11: 错误: 「attachments.1.kind」取值不对，应为 table / matrix 之一`);
  });

  it('an impossible date, a missing and an unknown column are each named', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('published: 2017-02-07', 'published: 2017-02-30'));
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('存在的突出问题', '突出问题'));
    const r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/bulletin\.yaml:12:12: 错误: 「2017-02-30」不是存在的日期/);
    expect(r.stderr).toContain('problem-sites.csv:1:19: 错误: 表头「突出问题」不是 bulletin.yaml 中声明的列');
    expect(r.stderr).toContain('problem-sites.csv:1:1: 错误: 缺少列「存在的突出问题」');
  });

  it('collects every problem, not only the first', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/institutions.csv', (t) => t.replace('1,北京,√', '1,北京,V').replace('2,天津,√', '2,天津,x'));
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('1307320007', '1402210003'));
    const r = tongbao(['check', '2016Q4', '--json'], root);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    // Two bad marks; the code copied from row 2 is both a duplicate and in the wrong province.
    expect(out.errors).toBe(4);
    const errors = out.messages.filter((m: { severity: string }) => m.severity === 'error');
    expect(errors.map((m: { rule: string }) => m.rule).sort()).toEqual(['cell/check', 'cell/check', 'rows/duplicate', 'rows/site-code-region']);
  });

  it('a period that does not exist lists the ones that do', () => {
    const r = tongbao(['check', '2015Q1']);
    expect(r.status).toBe(2); // a usage error: the command names what is not there
    expect(r.stderr).toContain('期次 2015Q1 不存在');
    expect(r.stderr).toContain('已有的期次：2016Q4');
  });

  it('a table path that leaves the data folder is refused, by .. or by a link', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/bulletin.yaml', (t) => t.replace('file: history.csv', 'file: ../../../etc/passwd.csv'));
    let r = tongbao(['check', '2016Q4'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('文件路径「../../../etc/passwd.csv」指向数据目录之外');
    const root2 = sampleWorkspace();
    symlinkSync('/etc/hostname', path.join(root2, 'data/2016Q4/link.csv'));
    edit(root2, 'data/2016Q4/bulletin.yaml', (t) => t.replace('file: history.csv', 'file: link.csv'));
    r = tongbao(['check', '2016Q4'], root2);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('文件「link.csv」是指向数据目录之外的链接');
  });

  it('usage errors exit 2', () => {
    expect(tongbao(['check', '--bogus']).status).toBe(2);
    expect(tongbao(['frobnicate']).status).toBe(2);
    expect(tongbao([]).status).toBe(2);
    expect(tongbao(['--help']).status).toBe(0);
  });
});

describe('the JSON Schema editors use', () => {
  it('is the one generated from the zod schema, and the sample names it', () => {
    const committed = JSON.parse(readFileSync(path.join(REPO, 'data/bulletin.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(bulletinJsonSchema())));
    expect(readFileSync(path.join(REPO, 'data/2016Q4/bulletin.yaml'), 'utf8')).toMatch(
      /^# yaml-language-server: \$schema=\.\.\/bulletin\.schema\.json/,
    );
  });
});
