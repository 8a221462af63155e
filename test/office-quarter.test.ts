// A county office's whole quarter from Excel, through the CLI as the office runs it: `init`,
// the workbook filled as an office fills it (a title row above each header, formulas with
// their saved results, a 0 among them, percent formats), `check`, `build --sign`, then `new`
// for the next quarter, filled again, built, and the register of listed sites.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { edit, exampleWorkspace, sampleWorkspace, startDev, tongbao, tongbaoAsync } from './helpers.js';
import { queue, twoAtATime } from './two-at-a-time.js';

const INFO = '基本信息';
const FIGURES = '数字';

interface Quarter {
  number: string;
  dates: { signed: string; published: string; from: string; to: string };
  figures: Record<string, number>;
  /** Per table sheet: its rows as the office types them, by column name. */
  sheets: Record<string, Record<string, string | number>[]>;
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/**
 * Fill the workbook as an office does in Excel: the 基本信息 and 数字 cells, then each table's
 * rows under its header; a rate column keeps the formula init wrote, with the result Excel
 * saves (0 when nothing passed).
 */
async function fill(file: string, q: Quarter): Promise<void> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
  const info = wb.getWorksheet(INFO)!;
  info.eachRow((row) => {
    const label = String(row.getCell(1).value);
    const value = { 文号: q.number, 成文日期: day(q.dates.signed), 发布日期: day(q.dates.published), 抽查开始日期: day(q.dates.from), 抽查结束日期: day(q.dates.to) }[label];
    if (value !== undefined) row.getCell(2).value = value;
  });
  const figures = wb.getWorksheet(FIGURES)!;
  const named = new Set<string>();
  figures.eachRow((row) => {
    const name = String(row.getCell(1).value);
    named.add(name);
    const v = q.figures[name];
    if (v !== undefined) row.getCell(3).value = v;
  });
  // A figure of the office's own: a row added under the others.
  for (const [name, v] of Object.entries(q.figures)) if (!named.has(name)) figures.addRow([name, name, v]);
  for (const [name, rows] of Object.entries(q.sheets)) {
    const sheet = wb.getWorksheet(name)!;
    const header = (sheet.getRow(2).values as unknown[]).map(String);
    rows.forEach((values, i) => {
      const row = sheet.getRow(3 + i);
      header.forEach((h, c) => {
        const cell = row.getCell(c);
        if (h in values) cell.value = values[h]!;
        const f = cell.formula;
        if (f) {
          // Excel's saved result of the formula init wrote.
          const at = (ref: string) => Number(sheet.getCell(ref).value);
          const m = /^IF\((\w+)="","",(?:(\w+)\/(\w+)|\((\w+)-(\w+)\)\/(\w+))\)$/.exec(f)!;
          const result = m[2] ? at(m[2]) / at(m[3]!) : (at(m[4]!) - at(m[5]!)) / at(m[6]!);
          cell.value = { formula: f, result } as ExcelJS.CellFormulaValue;
        }
      });
    });
  }
  writeFileSync(file, Buffer.from(await wb.xlsx.writeBuffer()));
}

const Q1: Quarter = {
  number: '安政办函〔2024〕8号',
  dates: { signed: '2024-04-08', published: '2024-04-10', from: '2024-03-01', to: '2024-03-22' },
  figures: { running: 12, accounts: 20, rectify_days: 15, accounts_prev: 18 },
  sheets: {
    网站抽查: [
      { 地区: '递铺街道', 抽查网站数: 4, 合格网站数: 4 },
      { 地区: '孝丰镇', 抽查网站数: 3, 合格网站数: 2 },
      { 地区: '山川乡', 抽查网站数: 1, 合格网站数: 0 },
      { 地区: '县级部门', 抽查网站数: 4, 合格网站数: 4 },
    ],
    新媒体抽查: [
      { 平台: '微信', 抽查账号数: 12, 不合格账号数: 1 },
      { 平台: '抖音', 抽查账号数: 8, 不合格账号数: 0 },
    ],
    问题网站: [
      { 序号: 1, 地区: '孝丰镇', 网站名称: '孝丰镇人民政府网', 网站标识码: '3305230011', 存在的问题: '栏目长期不更新' },
      { 序号: 2, 地区: '山川乡', 网站名称: '山川乡人民政府网', 网站标识码: '3305230012', 存在的问题: '互动回应不及时' },
    ],
    问题账号: [{ 序号: 1, 平台: '微信', 账号名称: '安吉某某发布', 开设主体: '县某某局', 存在的问题: '超过两周未更新' }],
  },
};

const Q2: Quarter = {
  number: '安政办函〔2024〕21号',
  dates: { signed: '2024-07-08', published: '2024-07-10', from: '2024-06-01', to: '2024-06-21' },
  figures: { running: 12, accounts: 19, rectify_days: 15 },
  sheets: {
    // The rectification sheet new added, its codes filled in: the statuses are the office's.
    整改情况: [{ 整改状态: '已整改', 完成日期: '2024-05-10' }, { 整改状态: '未整改' }],
    网站抽查: [
      { 地区: '递铺街道', 抽查网站数: 4, 合格网站数: 4 },
      { 地区: '孝丰镇', 抽查网站数: 3, 合格网站数: 3 },
      { 地区: '县级部门', 抽查网站数: 5, 合格网站数: 4 },
    ],
    新媒体抽查: [{ 平台: '微信', 抽查账号数: 10, 不合格账号数: 1 }],
    问题网站: [{ 序号: 1, 地区: '县级部门', 网站名称: '安吉县某某局网', 网站标识码: '3305230021', 存在的问题: '链接失效' }],
    问题账号: [{ 序号: 1, 平台: '微信', 账号名称: '安吉某某发布', 开设主体: '县某某局', 存在的问题: '超过两周未更新' }],
  },
};

const book = (root: string, period: string) => path.join(root, 'data', period, `${period}检查数据.xlsx`);

describe('a county office runs its quarter from one workbook', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'tongbao-office-'));

  it('init makes a first period, and check lists exactly what is left to fill, each at its sheet and cell', () => {
    const r = tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523', '--media'], root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('data/2024Q1/2024Q1检查数据.xlsx');
    const c = tongbao(['check', '2024Q1'], root);
    expect(c.status).toBe(1);
    const errors = c.stderr.split('\n').filter((l) => l.includes(': 错误: ')).map((l) => l.replace(': 错误: ', ': '));
    const at = 'data/2024Q1/2024Q1检查数据.xlsx!';
    const left = [
      `${at}基本信息!B2: 文号尚未填写`,
      `${at}基本信息!B3: 成文日期尚未填写`,
      `${at}基本信息!B4: 发布日期尚未填写`,
      `${at}基本信息!B5: 抽查开始日期尚未填写`,
      `${at}基本信息!B6: 抽查结束日期尚未填写`,
      `${at}数字!C2: 数字「running」`,
      `${at}数字!C3: 数字「accounts」`,
      `${at}数字!C4: 数字「rectify_days」`,
      `${at}网站抽查!A1: 表格「各乡镇（街道）和部门政府网站抽查情况」还没有数据：工作表 2024Q1检查数据.xlsx!网站抽查 只有表头`,
      `${at}新媒体抽查!A1: 表格「各平台政务新媒体抽查情况」还没有数据：工作表 2024Q1检查数据.xlsx!新媒体抽查 只有表头`,
      `${at}问题网站!A1: 表格「检查发现问题的政府网站名单」还没有数据：工作表 2024Q1检查数据.xlsx!问题网站 只有表头`,
      `${at}问题账号!A1: 表格「检查发现问题的政务新媒体名单」还没有数据：工作表 2024Q1检查数据.xlsx!问题账号 只有表头`,
    ];
    expect(left.filter((l) => !errors.some((e) => e.startsWith(l)))).toEqual([]);
    expect(errors).toHaveLength(left.length);
    // The title row init wrote above each header goes without a note per sheet.
    expect(c.stderr).not.toContain('行为表头');
  });

  it('the workbook has the drop-down lists and formats the office fills with', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(book(root, '2024Q1')) as unknown as ArrayBuffer);
    expect(wb.worksheets.filter((w) => w.state !== 'hidden').map((w) => w.name)).toEqual(['基本信息', '数字', '网站抽查', '新媒体抽查', '问题网站', '问题账号']);
    const sites = wb.getWorksheet('网站抽查')!;
    expect(sites.getRow(2).values).toEqual([undefined, '地区', '抽查网站数', '合格网站数', '合格率']);
    expect(sites.getCell('D3').numFmt).toBe('0.0%');
    expect(sites.getCell('A3').dataValidation).toMatchObject({ type: 'list' });
    // The list holds the county's towns and streets (GB/T 2260 and its street level).
    const list = wb.getWorksheet('选项')!;
    const towns = (list.getColumn(1).values as unknown[]).filter(Boolean);
    expect(towns).toContain('递铺街道');
    expect(towns).toContain('天荒坪镇');
    expect(wb.getWorksheet('新媒体抽查')!.getCell('A3').dataValidation).toMatchObject({ type: 'list' });
    expect(wb.getWorksheet('基本信息')!.getCell('B8').value).toBe('安吉县人民政府办公室');
  });

  it('filled, it checks clean and builds, signed with a trial certificate', async () => {
    await fill(book(root, '2024Q1'), Q1);
    const c = tongbao(['check', '2024Q1'], root);
    expect(c.stderr.split('\n').filter((l) => / (错误|警告): /.test(l))).toEqual([]);
    expect(c.status).toBe(0);
    // A trial certificate as the README makes one: a Chinese subject, for signing.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'trial.key', '-out', 'trial.pem', '-days', '30', '-utf8', '-subj', '/CN=安吉县人民政府办公室（试用）', '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'], { cwd: root, stdio: 'pipe' });
    const b = tongbao(['build', '2024Q1', '--sign', '--key', 'trial.key', '--cert', 'trial.pem'], root);
    expect(b.stderr.split('\n').filter((l) => / 错误: /.test(l))).toEqual([]);
    expect(b.status).toBe(0);
    const html = readFileSync(path.join(root, 'out/2024Q1/index.html'), 'utf8');
    expect(html).toContain('关于2024年第一季度安吉县政府网站和政务新媒体抽查情况的通报');
    // Figures from the 数字 sheet and the tables, dates from 基本信息, the 0 of a formula.
    expect(html).toMatch(/正在运行的政府网站(<[^>]+>)*12(<[^>]+>)*个/);
    expect(html).toMatch(/合格率为(<[^>]+>)*83.3%/);
    expect(html).toContain('0.0%');
    expect(html).toContain('2024年3月1日');
    const pdf = execFileSync('pdftotext', [path.join(root, 'out/2024Q1/bulletin.pdf'), '-'], { encoding: 'utf8' });
    expect(pdf).toContain('安政办函〔2024〕8号');
    expect(execFileSync('pdfsig', [path.join(root, 'out/2024Q1/bulletin.pdf')], { encoding: 'utf8' })).toContain('安吉县人民政府办公室（试用）');
  }, 240_000);

  it('new carries the workbook to 2024Q2: the last one byte for byte, the new one with its sheets, headers and formats and no data; the 文号 to fill', async () => {
    const before = readFileSync(book(root, '2024Q1'));
    const r = tongbao(['new', '2024Q2'], root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(book(root, '2024Q1')).equals(before)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(book(root, '2024Q2')) as unknown as ArrayBuffer);
    expect(wb.worksheets.filter((w) => w.state !== 'hidden').map((w) => w.name)).toEqual(['基本信息', '数字', '网站抽查', '新媒体抽查', '问题网站', '问题账号', '整改情况']);
    const sites = wb.getWorksheet('网站抽查')!;
    expect(sites.getRow(2).values).toEqual([undefined, '地区', '抽查网站数', '合格网站数', '合格率']);
    expect(sites.getCell('A3').value).toBeNull();
    expect(sites.getCell('D3').numFmt).toBe('0.0%');
    expect(sites.getCell('A3').dataValidation).toMatchObject({ type: 'list' });
    expect(wb.getWorksheet('问题网站')!.getCell('C3').value).toBeNull();
    // The dates moved on a quarter, the 文号 and the figures emptied.
    const info = wb.getWorksheet('基本信息')!;
    expect(info.getCell('B2').value).toBeNull();
    expect((info.getCell('B3').value as Date).toISOString().slice(0, 10)).toBe('2024-07-08');
    expect(wb.getWorksheet('数字')!.getCell('C2').value).toBeNull();
    // accounts_prev is Q1's accounts.
    expect(wb.getWorksheet('数字')!.getCell('A5').value).toBe('accounts_prev');
    expect(wb.getWorksheet('数字')!.getCell('C5').value).toBe(20);
    // Q1 listed two problem sites and recorded no rectification: Q2 has a sheet for it, codes filled.
    const rect = wb.getWorksheet('整改情况')!;
    expect(rect.getRow(2).values).toEqual([undefined, '网站标识码', '网站名称', '整改状态', '完成日期']);
    expect([rect.getCell('A3').value, rect.getCell('A4').value]).toEqual(['3305230011', '3305230012']);
    expect(rect.getCell('C3').dataValidation).toMatchObject({ type: 'list' });
    const c = tongbao(['check', '2024Q2'], root);
    expect(c.status).toBe(1);
    expect(c.stderr).toContain('data/2024Q2/2024Q2检查数据.xlsx!基本信息!B2: 错误: 文号尚未填写');
  });

  it('2024Q2, filled, builds; sites lists both quarters with their sheets', async () => {
    // Q1's 文号 left as it was is an error at its cell.
    await fill(book(root, '2024Q2'), { ...Q2, number: Q1.number });
    const same = tongbao(['check', '2024Q2'], root);
    expect(same.status).toBe(1);
    expect(same.stderr).toContain('data/2024Q2/2024Q2检查数据.xlsx!基本信息!B2: 错误: 文号「安政办函〔2024〕8号」与 2024Q1 的文号相同');
    await fill(book(root, '2024Q2'), Q2);
    const c = tongbao(['check', '2024Q2'], root);
    expect(c.stderr.split('\n').filter((l) => / 错误: /.test(l))).toEqual([]);
    // Each reported figure comes from its cell, and says so.
    expect(tongbao(['stats', '2024Q2'], root).stdout).toMatch(/^running {2}12 {2}.*← data\/2024Q2\/2024Q2检查数据\.xlsx!数字!C2 /m);
    const b = tongbao(['build', '2024Q2', '--format', 'html'], root);
    expect(b.status, b.stderr).toBe(0);
    const html = readFileSync(path.join(root, 'out/2024Q2/index.html'), 'utf8');
    expect(html).toContain('关于2024年第二季度安吉县政府网站和政务新媒体抽查情况的通报');
    const s = tongbao(['sites'], root);
    expect(s.status, s.stderr).toBe(0);
    expect(s.stdout).toContain('3305230011');
    expect(s.stdout).toContain('3305230021');
    expect(s.stdout).toMatch(/3305230011\s+孝丰镇人民政府网\s+孝丰镇\s+2024Q1.*已整改/);
    // Its history names the sheet and cell of each record.
    const h = tongbao(['sites', '3305230011'], root);
    expect(h.stdout).toContain('data/2024Q1/2024Q1检查数据.xlsx!问题网站!D3');
    expect(h.stdout).toContain('data/2024Q2/2024Q2检查数据.xlsx!整改情况!A3');
  }, 120_000);
});

describe('init, for every kind of office', () => {
  const cases = [
    { kind: 'national', args: ['--office', '国务院办公厅政府信息与政务公开办公室'], region: ['北京市', '浙江省'], code: '1100000011', title: '关于2024年第一季度全国政府网站抽查情况的通报' },
    { kind: 'province', args: ['--office', '浙江省人民政府办公厅', '--region', '330000', '--media'], region: ['杭州市', '省级部门'], code: '3301000011', title: '关于2024年第一季度浙江省政府网站和政务新媒体抽查情况的通报' },
    { kind: 'city', args: ['--office', '湖州市人民政府办公室', '--region', '330500'], region: ['安吉县', '市级部门'], code: '3305230011', title: '关于2024年第一季度湖州市政府网站抽查情况的通报' },
    { kind: 'county', args: ['--office', '西湖区人民政府办公室', '--region', '330106'], region: ['北山街道', '区级部门'], code: '3301060011', title: '关于2024年第一季度西湖区政府网站抽查情况的通报' },
    { kind: 'department', args: ['--office', '某某部办公厅', '--kind', 'department', '--media'], region: ['办公厅', '政策法规司'], code: '3300000011', title: '关于2024年第一季度政府网站和政务新媒体抽查情况的通报' },
  ];
  // Each kind in a folder of its own, side by side: their CLI runs two at a time.
  const lane = queue(2);
  for (const k of cases) {
    it.concurrent(`${k.kind}: builds a valid bulletin once its workbook is filled`, async ({ expect }) => {
      const root = mkdtempSync(path.join(tmpdir(), `tongbao-init-${k.kind}-`));
      const r = await lane(() => tongbaoAsync(['init', '2024Q1', ...k.args], root));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const media = k.args.includes('--media');
      const [a, b] = k.region as [string, string];
      await fill(book(root, '2024Q1'), {
        ...Q1,
        sheets: {
          网站抽查: [
            { [k.kind === 'national' ? '省（区、市）/部门' : k.kind === 'department' ? '单位' : '地区']: a, 抽查网站数: 5, 合格网站数: 4 },
            { [k.kind === 'national' ? '省（区、市）/部门' : k.kind === 'department' ? '单位' : '地区']: b, 抽查网站数: 3, 合格网站数: 3 },
          ],
          问题网站: [{ 序号: 1, [k.kind === 'national' ? '省（区、市）/部门' : k.kind === 'department' ? '单位' : '地区']: a, 网站名称: '某某网', 网站标识码: k.code, 存在的问题: '栏目长期不更新' }],
          ...(media && { 新媒体抽查: Q1.sheets['新媒体抽查']!, 问题账号: Q1.sheets['问题账号']! }),
        },
        figures: media ? Q1.figures : { running: 12, rectify_days: 15 },
      });
      const b2 = await lane(() => tongbaoAsync(['build', '2024Q1', '--format', 'html'], root));
      expect(b2.stderr.split('\n').filter((l) => / (错误|警告): /.test(l))).toEqual([]);
      expect(b2.status).toBe(0);
      const html = readFileSync(path.join(root, 'out/2024Q1/index.html'), 'utf8');
      expect(html).toContain(k.title);
      expect(html).toContain('87.5%');
      expect(html).toContain(a);
      if (media) expect(html).toContain('95.0%');
      expect(html.slice(html.indexOf('<body'))).not.toMatch(/\{\{|undefined|NaN/);
    }, 120_000);
  }

  it('refuses a region code that is no division, and a kind the code is not', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-init-bad-'));
    const r = tongbao(['init', '2024Q1', '--office', '某办公室', '--region', '330599'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('「330599」不是行政区划代码');
    const k = tongbao(['init', '2024Q1', '--office', '某办公室', '--region', '330523', '--kind', 'city'], root);
    expect(k.status).toBe(1);
    expect(k.stderr).toContain('--region 330523 是安吉县，不是市级地区');
    const u = tongbao(['init', '2024Q1', '--region', '330523'], root);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('init 需要 --office');
  });
});

describe('help for one command', () => {
  it('tongbao help init and tongbao init --help give init’s own usage; an unknown command is named', () => {
    for (const args of [['help', 'init'], ['init', '--help']]) {
      const r = tongbao(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^用法：tongbao init <期次> --office/);
      expect(r.stdout).toContain('--media');
      expect(r.stdout).not.toContain('verify <目录>');
    }
    expect(tongbao(['new', '-h']).stdout).toMatch(/^用法：tongbao new <期次>/);
    const u = tongbao(['help', 'nonesuch']);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('未知命令「nonesuch」');
  });
});

describe('the next quarter is safe to start (bulletin.yaml without a workbook)', () => {
  it('new proposes the next 文号; one equal to an earlier period\'s is an error; X_prev figures take last period\'s X', () => {
    const city = exampleWorkspace('city');
    expect(tongbao(['new', '2017Q3'], city).status).toBe(0);
    const yaml = readFileSync(path.join(city, 'data/2017Q3/bulletin.yaml'), 'utf8');
    expect(yaml).toContain('number: 某政办函〔2017〕32号 # 按上一期的文号顺推，请核对');
    writeFileSync(path.join(city, 'data/2017Q3/bulletin.yaml'), yaml.replace('某政办函〔2017〕32号', '某政办函〔2017〕12号'));
    const c = tongbao(['check', '2017Q3'], city);
    expect(c.stderr).toMatch(/data\/2017Q3\/bulletin\.yaml:\d+:\d+: 错误: 文号「某政办函〔2017〕12号」与 2017Q1 的文号相同/);

    const province = exampleWorkspace('province');
    expect(tongbao(['new', '2023Q4'], province).status).toBe(0);
    const next = readFileSync(path.join(province, 'data/2023Q4/bulletin.yaml'), 'utf8');
    expect(next).toContain('running_prev: { value: 796, label: 上季度末全省政府网站运行总数 }');
    expect(next).toContain('accounts_prev: { value: 1350, label: 上季度末全省政务新媒体账号数 }');
    expect(next).toContain('running: { value: null, label: 本季度末全省政府网站运行总数 }');
    // A new year's first 文号.
    expect(next).toContain('number: 某政办函〔2024〕1号 # 按上一期的文号顺推，请核对');
  });
});

describe('dev, when an editor saves by replacing the file (as sed -i does)', () => {
  it('shows the replaced file, and every save after it', async () => {
    const root = sampleWorkspace();
    const { child, url } = await startDev(root);
    try {
      const seen = async (text: string) => {
        const t0 = performance.now();
        let page = '';
        while (performance.now() - t0 < 5000 && !page.includes(text)) {
          await new Promise((r) => setTimeout(r, 50));
          page = await (await fetch(url)).text();
        }
        return page.includes(text);
      };
      const md = path.join(root, 'content/2016Q4/circular.md');
      // Replaced by rename: a new file under the old name.
      writeFileSync(`${md}.tmp`, readFileSync(md, 'utf8') + '\n换掉文件后的一段。\n');
      renameSync(`${md}.tmp`, md);
      expect(await seen('换掉文件后的一段。')).toBe(true);
      // Saved in place afterwards: still seen (Node's recursive watch lost the file here).
      appendFileSync(md, '\n之后再保存的一段。\n');
      expect(await seen('之后再保存的一段。')).toBe(true);
      appendFileSync(md, '\n第三次保存的一段。\n');
      expect(await seen('第三次保存的一段。')).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});

describe('periods and figures written the office’s way', () => {
  it('a period written 2024q1, 2024年第一季度 or 2024年上半年 is answered with the period meant', () => {
    const root = sampleWorkspace();
    for (const [typed, meant] of [['2024q1', '2024Q1'], ['2024年第一季度', '2024Q1'], ['2024 Q3', '2024Q3'], ['2024年上半年', '2024H1'], ['2024年3月', '2024-03']]) {
      const r = tongbao(['check', typed], root);
      expect(r.status, typed).toBe(2);
      expect(r.stderr, typed).toContain(`「${typed}」不是期次（是指 ${meant} 吗？`);
    }
    const i = tongbao(['init', '2024年第一季度', '--office', '某办公室', '--region', '330523'], root);
    expect(i.status).toBe(1);
    expect(i.stderr).toContain('是指 2024Q1 吗？');
    expect(tongbao(['new', '2024q2'], root).stderr).toContain('是指 2024Q2 吗？');
    // Not a period at all: the forms, no guess.
    expect(tongbao(['check', 'abc'], root).stderr).not.toContain('是指');
  });

  it('stats separates a table’s name from its row count (附件1：15 行, not 附件115 行)', () => {
    const s = tongbao(['stats', '2016Q4'], sampleWorkspace());
    expect(s.stdout).toContain('附件1：15 行');
    expect(s.stdout).not.toContain('附件115 行');
  });
});

describe('messages in the order of their causes', () => {
  it('a table whose header was renamed: the missing column first, the figure that needs it after; workbook cells by row (B9 before B10)', async () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/history.csv', (t) => t.replace('总体合格率', '合格率（总体）'));
    const r = tongbao(['check', '2016Q4'], root);
    const lines = r.stderr.split('\n');
    const cause = lines.findIndex((l) => l.includes('history.csv:1:1: 错误: 缺少列「总体合格率」'));
    const knock = lines.findIndex((l) => l.includes('「history.pass_rate.last」'));
    expect(cause).toBeGreaterThanOrEqual(0);
    expect(knock).toBeGreaterThan(cause);

    const office = mkdtempSync(path.join(tmpdir(), 'tongbao-order-'));
    tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523'], office);
    await fill(book(office, '2024Q1'), {
      ...Q1,
      sheets: { 网站抽查: Array.from({ length: 10 }, (_, i) => ({ 地区: i === 0 || i === 7 ? '火星' : '递铺街道', 抽查网站数: 1, 合格网站数: 1 })) },
    });
    const c = tongbao(['check', '2024Q1'], office);
    const at = c.stderr.split('\n').filter((l) => l.includes('火星')).map((l) => /!(A\d+):/.exec(l)?.[1]);
    expect(at).toEqual(['A3', 'A10']);
  });
});

describe('an empty folder', () => {
  it('is pointed to init by new, check and sites', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-empty-'));
    for (const args of [['new', '2024Q1'], ['check'], ['check', '2024Q1'], ['sites']]) {
      const r = tongbao(args, root);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toContain('用 tongbao init <期次> --office <发文机关> --region <行政区划代码> 新建第一期');
    }
  });
});

describe('the 基本信息 and 数字 sheets, filled wrongly', () => {
  it('says what is wrong at the cell: a date that is none, a figure named twice or in Chinese; a missing workbook at its line', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-facts-'));
    expect(tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523'], root).status).toBe(0);
    await fill(book(root, '2024Q1'), { ...Q1, figures: { running: 12, rectify_days: 15 }, sheets: { 网站抽查: Q1.sheets['网站抽查']!, 问题网站: Q1.sheets['问题网站']! } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(book(root, '2024Q1')) as unknown as ArrayBuffer);
    wb.getWorksheet(INFO)!.getCell('B3').value = '2024-13-45'; // 成文日期
    wb.getWorksheet(INFO)!.getCell('B4').value = '2024年4月10日'; // 发布日期, typed as text: fine
    wb.getWorksheet(FIGURES)!.addRow(['running', '又一行', 13]);
    wb.getWorksheet(FIGURES)!.addRow(['运行网站数', '中文名称', 13]);
    writeFileSync(book(root, '2024Q1'), Buffer.from(await wb.xlsx.writeBuffer()));
    const r = tongbao(['check', '2024Q1'], root);
    expect(r.status).toBe(1);
    const at = 'data/2024Q1/2024Q1检查数据.xlsx!';
    expect(r.stderr).toContain(`${at}基本信息!B3: 错误: 成文日期「2024-13-45」不是日期`);
    expect(r.stderr).not.toContain('基本信息!B4');
    expect(r.stderr).toContain(`${at}数字!A4: 错误: 数字「running」重复：第 2 行已有`);
    expect(r.stderr).toContain(`${at}数字!A5: 错误: 数字的名称「运行网站数」只能用英文字母、数字和下划线`);

    writeFileSync(path.join(root, 'data/2024Q1/bulletin.yaml'), readFileSync(path.join(root, 'data/2024Q1/bulletin.yaml'), 'utf8').replace('workbook: 2024Q1检查数据.xlsx', 'workbook: 检查数据.xlsx'));
    const m = tongbao(['check', '2024Q1'], root);
    expect(m.status).toBe(1);
    expect(m.stderr).toMatch(/data\/2024Q1\/bulletin\.yaml:\d+:\d+: 错误: 找不到文件「检查数据\.xlsx」/);
    expect(m.stderr).not.toMatch(/内部错误|Cannot|undefined/);
    // Only that: not the dates and figures the workbook would have given.
    expect(m.stderr.split('\n').filter((l) => l.includes(': 错误: '))).toHaveLength(1);
  });
});

describe('a site listed again the next quarter', () => {
  it('is told at its cell in the workbook (问题网站!D3), naming the sheet of last quarter’s listing', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-repeat-'));
    expect(tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523'], root).status).toBe(0);
    const sheets = { 网站抽查: Q1.sheets['网站抽查']!, 问题网站: Q1.sheets['问题网站']! };
    await fill(book(root, '2024Q1'), { ...Q1, figures: { running: 12, rectify_days: 15 }, sheets });
    expect(tongbao(['new', '2024Q2'], root).status).toBe(0);
    await fill(book(root, '2024Q2'), { ...Q2, figures: { running: 12, rectify_days: 15 }, sheets: { ...sheets, 整改情况: Q2.sheets['整改情况']! } });
    const r = tongbao(['check', '2024Q2'], root);
    expect(r.stderr).toContain('data/2024Q2/2024Q2检查数据.xlsx!问题网站!D3: 提示: 「孝丰镇人民政府网」（3305230011）连续被通报');
    expect(r.stderr).toContain('data/2024Q1/2024Q1检查数据.xlsx!问题网站 第 3 行');
  });
});

describe('site codes at county level', () => {
  // Problem sites of a county's bulletin (安吉县, 330523) and of its city's (湖州市, 330500).
  const site = (region: string, code: string, n: number) => ({ 序号: n, 地区: region, 网站名称: `${region}某某网`, 网站标识码: code, 存在的问题: '栏目长期不更新' });
  const problems = async (kind: 'county' | 'city', rows: Record<string, string | number>[]) => {
    const root = mkdtempSync(path.join(tmpdir(), `tongbao-codes-${kind}-`));
    const args = kind === 'county' ? ['--office', '安吉县人民政府办公室', '--region', '330523'] : ['--office', '湖州市人民政府办公室', '--region', '330500'];
    expect(tongbao(['init', '2024Q1', ...args], root).status).toBe(0);
    const regions = kind === 'county' ? ['孝丰镇', '县级部门'] : ['安吉县', '市级部门'];
    await fill(book(root, '2024Q1'), {
      ...Q1,
      figures: { running: 12, rectify_days: 15 },
      sheets: { 网站抽查: regions.map((r) => ({ 地区: r, 抽查网站数: 4, 合格网站数: 3 })), 问题网站: rows },
    });
    const c = tongbao(['check', '2024Q1'], root);
    return { status: c.status, lines: c.stderr.split('\n').filter((l) => / (错误|警告): /.test(l)) };
  };
  const at = 'data/2024Q1/2024Q1检查数据.xlsx!问题网站!';

  it('a code of no GB/T 2260 division is an error; one of another county than the row\'s town, or than the bulletin\'s region, is reported', async () => {
    const r = await problems('county', [
      site('孝丰镇', '3305230011', 1), // right: 孝丰镇 is in 安吉县
      site('孝丰镇', '3305320008', 2), // 330532: no such county
      site('孝丰镇', '3305220008', 3), // 330522 长兴县, not where 孝丰镇 is
      site('县级部门', '3205850008', 4), // 太仓市 (江苏), in a bulletin of 安吉县
      site('县级部门', '3205230008', 5), // 320523: no such county either
      site('县级部门', '3305230021', 6), // right
    ]);
    expect(r.lines.map((l) => l.replace(/（(核对|最接近).*$/, ''))).toEqual([
      `${at}D4: 错误: 网站标识码 3305320008 的前六位 330532 不是 GB/T 2260 中的行政区划代码`,
      `${at}D5: 错误: 网站标识码 3305220008 的行政区划 330522（长兴县）不在这一行的地区「孝丰镇」（330523）之内`,
      `${at}D6: 警告: 网站标识码 3205850008 的行政区划 320585（太仓市）不在本通报的地区「安吉县」（bulletin.yaml 的 region: 330523）之内`,
      `${at}D7: 错误: 网站标识码 3205230008 的前六位 320523 不是 GB/T 2260 中的行政区划代码`,
    ]);
    expect(r.status).toBe(1);
  }, 60_000);

  it('in a city\'s bulletin the county a row names holds its code; 安吉 is answered with 安吉县, not 安徽', async () => {
    const r = await problems('city', [site('安吉县', '3305230011', 1), site('安吉县', '3205850008', 2), site('市级部门', '3305000011', 3), site('安吉', '3305230012', 4)]);
    expect(r.lines.map((l) => l.replace(/（(核对|最接近).*$/, ''))).toEqual([
      `${at}D4: 错误: 网站标识码 3205850008 的行政区划 320585（太仓市）不在这一行的地区「安吉县」（330523）之内`,
      `${at}B6: 错误: 「地区」的「安吉」不在这一列声明的取值中`,
    ]);
    expect(r.lines[1]).toContain('最接近的是「安吉县」');
    expect(r.status).toBe(1);
  }, 60_000);

  it('bulletin.yaml\'s region is a division, or an error at its line', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-codes-region-'));
    expect(tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523'], root).status).toBe(0);
    expect(readFileSync(path.join(root, 'data/2024Q1/bulletin.yaml'), 'utf8')).toContain('region: "330523"');
    expect(tongbao(['check', '2024Q1'], root).stderr).not.toContain('bulletin/region');
    edit(root, 'data/2024Q1/bulletin.yaml', (t) => t.replace('region: "330523"', 'region: "330599"'));
    const line = readFileSync(path.join(root, 'data/2024Q1/bulletin.yaml'), 'utf8').split('\n').findIndex((l) => l.startsWith('region:')) + 1;
    const c = tongbao(['check', '2024Q1'], root);
    expect(c.stderr).toMatch(new RegExp(`data/2024Q1/bulletin\\.yaml:${line}:\\d+: 错误: region 的「330599」不是 GB/T 2260 中的行政区划代码`));
  });

  it('a region column without a list of values suggests 安吉县 for 安吉 and 湖州市 for 湖州, each a name without its suffix', () => {
    const root = sampleWorkspace();
    edit(root, 'data/2016Q4/problem-sites.csv', (t) => t.replace('\n1,河北,', '\n1,安吉,').replace('\n2,山西,', '\n2,湖州,').replace('\n3,', '\n3,浙江省,').replace(/\n(4),[^,]+,/, '\n4,安微,'));
    const c = tongbao(['check', '2016Q4'], root);
    const near = (row: number) => c.stderr.split('\n').find((l) => l.startsWith(`data/2016Q4/problem-sites.csv:${row}:`) && l.includes('不是已知的地区'));
    expect(near(2)).toContain('最接近的是「安吉县」');
    expect(near(3)).toContain('最接近的是「湖州市」');
    expect(near(4)).toBeUndefined(); // 浙江省 is known
    expect(near(5)).toContain('最接近的是「安徽」'); // a letter off still finds its province
    expect(c.status).toBe(1);
  });
});

describe('printed precision of a share the tables computed', () => {
  it('printed bare with more than one decimal (93.75%, 84.375%) it is a warning naming {{percent … 1}}; at one decimal or through percent it is not', () => {
    const root = sampleWorkspace();
    appendFileSync(
      path.join(root, 'content/2016Q4/circular.md'),
      '\n考核占{{institutions.assessment.share}}，问责占{{{institutions.accountability.share}}}，集约化占{{percent institutions.consolidation.share 1}}。\n',
    );
    const c = tongbao(['check', '2016Q4'], root);
    const lines = c.stderr.split('\n').filter((l) => l.includes('content/percent-digits') || l.includes('由表格算出'));
    const line = readFileSync(path.join(root, 'content/2016Q4/circular.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toEqual([
      `content/2016Q4/circular.md:${line}:4: 警告: 「institutions.assessment.share」由表格算出，印出来是 93.75%（2 位小数），多于通报默认的 1 位（写 {{percent institutions.assessment.share 1}} 按 1 位小数印出（要印几位就写几），印出的是 93.8%）`,
      `content/2016Q4/circular.md:${line}:41: 警告: 「institutions.accountability.share」由表格算出，印出来是 84.375%（3 位小数），多于通报默认的 1 位（写 {{percent institutions.accountability.share 1}} 按 1 位小数印出（要印几位就写几），印出的是 84.4%）`,
    ]);
    expect(c.status).toBe(0);
  });
});

describe('counts typed by hand in Chinese numerals', () => {
  it('十二个, 二十家 and 一百零五项 are flagged as 12 is; ordinals, vague counts and words (第十二个, 数十个, 三个方面, 一个) are not', () => {
    const root = sampleWorkspace();
    const file = path.join(root, 'content/2016Q4/circular.md');
    appendFileSync(file, '\n本次抽查12个网站、十二个网站，涉及二十家单位、一百零五项问题。第十二个网站、数十个栏目、十几个账号从三个方面和一个机制入手。\n');
    const line = readFileSync(file, 'utf8').trimEnd().split('\n').length;
    const c = tongbao(['check', '2016Q4'], root);
    const bare = c.stderr.split('\n').filter((l) => l.startsWith(`content/2016Q4/circular.md:${line}:`));
    expect(bare.map((l) => /:(\d+): 警告: 正文中的数字「([^」]+)」没有绑定到数据/.exec(l)?.slice(1).join(' '))).toEqual(['5 12', '11 十二', '19 二十', '25 一百零五']);
    expect(bare[1]).toContain('{{cn 名称}}');
    expect(c.status).toBe(0);
  });
});

describe('the rectification table new scaffolds', () => {
  it('rows there with an empty status are not missing from it; the previous list\'s accounts are not asked for in it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'tongbao-rect-'));
    expect(tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523', '--media'], root).status).toBe(0);
    await fill(book(root, '2024Q1'), Q1);
    expect(tongbao(['new', '2024Q2'], root).status).toBe(0);
    const missing = (r: { stderr: string }) => r.stderr.split('\n').filter((l) => l.includes('不在整改情况表中'));
    const at = 'data/2024Q2/2024Q2检查数据.xlsx!整改情况!';
    // Fresh from new: the statuses are to fill, at their cells; no site is missing.
    const fresh = tongbao(['check', '2024Q2'], root);
    expect(missing(fresh)).toEqual([]);
    expect(fresh.stderr).toContain(`${at}C3: 错误: 「整改状态」不能为空`);
    expect(fresh.stderr).toContain(`${at}C4: 错误: 「整改状态」不能为空`);
    // Filled but one status: that cell, still no site missing.
    const bookQ2 = book(root, '2024Q2');
    const pristine = readFileSync(bookQ2);
    await fill(bookQ2, { ...Q2, sheets: { ...Q2.sheets, 整改情况: [{ 整改状态: '已整改', 完成日期: '2024-05-10' }, {}] } });
    const one = tongbao(['check', '2024Q2'], root);
    expect(missing(one)).toEqual([]);
    expect(one.stderr).toContain(`${at}C4: 错误: 「整改状态」不能为空`);
    // A site's row taken out: that site is missing, counted as a site; the account listed last quarter is not asked for.
    writeFileSync(bookQ2, pristine);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(bookQ2) as unknown as ArrayBuffer);
    wb.getWorksheet('整改情况')!.spliceRows(4, 1);
    writeFileSync(bookQ2, Buffer.from(await wb.xlsx.writeBuffer()));
    await fill(bookQ2, { ...Q2, sheets: { ...Q2.sheets, 整改情况: [{ 整改状态: '已整改', 完成日期: '2024-05-10' }] } });
    const out = tongbao(['check', '2024Q2'], root);
    expect(missing(out)).toEqual([
      'data/2024Q2/2024Q2检查数据.xlsx!整改情况: 警告: 上一期（2024年第一季度）名单中的 1 个网站不在整改情况表中：「山川乡人民政府网」（3305230012）（补上它们的整改状态；未补的按未整改计算）',
    ]);
    expect(out.stderr).toContain('问题账号!C3: 提示: 「安吉某某发布」（微信/安吉某某发布）连续被通报');
    // The account listed both quarters is a repeat, counted as an account.
    const stats = tongbao(['stats', '2024Q2'], root).stdout;
    expect(stats).toMatch(/problem_accounts\.repeat\.count +1 +「检查发现问题的政务新媒体名单」中上一期也被通报的账号数 .*本期与 2024Q1 名单都有的平台和账号名称/);
    expect(stats).toMatch(/problem_sites\.repeat\.count +0 +「检查发现问题的政府网站名单」中上一期也被通报的网站数/);
  }, 90_000);
});

describe('a certificate whose signer name is mojibake', () => {
  it('is a warning before signing, naming the name meant; a name in proper UTF-8, Chinese or Latin, is not', async () => {
    const root = sampleWorkspace();
    const cert = (name: string, subject: string, utf8: boolean) =>
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', ...(utf8 ? ['-utf8'] : []), '-subj', subject, '-addext', 'keyUsage=critical,digitalSignature,nonRepudiation'], { cwd: root, stdio: 'pipe' });
    // Without -utf8, openssl takes the UTF-8 bytes for Latin-1 characters: 安吉县… as å®\u0089å….
    cert('garbled', '/CN=安吉县人民政府办公室', false);
    execFileSync('openssl', ['pkcs12', '-export', '-inkey', 'garbled.key', '-in', 'garbled.pem', '-out', 'garbled.p12', '-passout', 'pass:trial'], { cwd: root, stdio: 'pipe' });
    cert('chinese', '/CN=安吉县人民政府办公室', true);
    cert('latin', '/CN=Müller Ämter GmbH', true);
    // Each signed build in a copy of the workspace, two at a time; a signed build is a PDF, and
    // only what it says is read here (the page is not).
    const [garbled, chinese, latin] = await twoAtATime([['--p12', 'garbled.p12'], ['--key', 'chinese.key', '--cert', 'chinese.pem'], ['--key', 'latin.key', '--cert', 'latin.pem']], (args) => {
      const copy = mkdtempSync(path.join(tmpdir(), 'tongbao-signer-'));
      cpSync(root, copy, { recursive: true });
      return tongbaoAsync(['build', '2016Q4', '--format', 'pdf', '--sign', ...args], copy, { TONGBAO_SIGN_PASSWORD: 'trial' });
    });
    const said = (b: { status: number; stderr: string }) => {
      expect(b.status, b.stderr).toBe(0);
      return b.stderr.split('\n').filter((l) => l.includes('sign/garbled-name') || l.includes('签名人名称'));
    };
    expect(said(garbled!)).toEqual([
      'garbled.p12: 警告: 签名证书的签名人名称是乱码：「å®åå¿äººæ°æ¿åºåå…」，应是「安吉县人民政府办公室」（UTF-8 编码被当作 Latin-1 读了）；签名会以这个名称显示（用 openssl 自制的证书请加 -utf8 重新生成（见 README「签名用的证书」）；CA 签发的证书请联系发证机构）',
    ]);
    expect(said(chinese!)).toEqual([]);
    expect(said(latin!)).toEqual([]);
  }, 120_000);
});
