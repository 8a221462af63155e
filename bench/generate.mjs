// Synthetic bulletins at national scale, deterministic (seeded), written as a bulletin
// workspace that follows the schema of data/2016Q4: data/<period>/bulletin.yaml + CSVs and
// content/<period>/circular.md. Other bench files use it for inputs of any size.
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

export const PROVINCES = [
  ['11', '北京'], ['12', '天津'], ['13', '河北'], ['14', '山西'], ['15', '内蒙古'], ['21', '辽宁'],
  ['22', '吉林'], ['23', '黑龙江'], ['31', '上海'], ['32', '江苏'], ['33', '浙江'], ['34', '安徽'],
  ['35', '福建'], ['36', '江西'], ['37', '山东'], ['41', '河南'], ['42', '湖北'], ['43', '湖南'],
  ['44', '广东'], ['45', '广西'], ['46', '海南'], ['50', '重庆'], ['51', '四川'], ['52', '贵州'],
  ['53', '云南'], ['54', '西藏'], ['61', '陕西'], ['62', '甘肃'], ['63', '青海'], ['64', '宁夏'],
  ['65', '新疆'], ['66', '新疆生产建设兵团'],
];
const KINDS = ['政府门户网站', '部门网站', '县级政府网站', '乡镇政府网站'];
const PROBLEMS = ['站点长期无法访问', '首页面长时间未更新', '多个栏目为空白', '互动回应差', '服务不实用'];
const CHECKS = [
  ['supervision', '建立常态化监管机制'],
  ['assessment', '对政府网站进行考核'],
  ['accountability', '建立问责机制'],
  ['consolidation', '推进网站集约化建设'],
  ['disclosure', '公开抽查检查情况'],
];

/** mulberry32: small, fast, and the same numbers on every machine. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Write a CSV through a stream: a million rows never sit in memory as one string. */
async function writeCsv(file, header, rows) {
  const out = createWriteStream(file);
  out.write(header.join(',') + '\n');
  let buf = '';
  for (const r of rows) {
    buf += r.join(',') + '\n';
    if (buf.length > 1 << 16) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

/** Per-site rows: 网站标识码 (province prefix, unique), 省, 类型, 抽查指标数, 合格指标数, 是否合格. */
function* siteRows(n, rnd) {
  const seq = new Array(PROVINCES.length).fill(0);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rnd() * PROVINCES.length);
    const [code, name] = PROVINCES[p];
    const serial = String(++seq[p]).padStart(8, '0');
    const sampled = 10 + Math.floor(rnd() * 20);
    const passed = sampled - (rnd() < 0.15 ? 1 + Math.floor(rnd() * 5) : 0);
    yield [code + serial, name, KINDS[Math.floor(rnd() * KINDS.length)], sampled, passed, passed === sampled ? '√' : ''];
  }
}

function* problemRows(n, rnd, start = 0) {
  const seq = new Array(PROVINCES.length).fill(start);
  for (let i = 0; i < n; i++) {
    const p = Math.floor(rnd() * PROVINCES.length);
    const [code, name] = PROVINCES[p];
    const serial = String(++seq[p]).padStart(8, '0');
    yield [i + 1, name, `“${name}第${seq[p]}号政府”网`, PROBLEMS[Math.floor(rnd() * PROBLEMS.length)], code + serial];
  }
}

/** Quarters ending at `period` (e.g. 2024Q4), oldest first. */
function quarters(period, n) {
  const m = /^(\d{4})Q([1-4])$/.exec(period);
  let y = m ? Number(m[1]) : 2024;
  let q = m ? Number(m[2]) : 4;
  const out = [];
  for (let i = 0; i < n; i++) {
    out.unshift(`${y}Q${q}`);
    if (--q === 0) {
      q = 4;
      y--;
    }
  }
  return out;
}

const yamlString = (s) => JSON.stringify(s);

/**
 * Write one period into the workspace `root`. Options: period (2024Q4, or any period such as
 * 2023-05), sites (rows of the per-site table), problems (rows of attachment 1), quarters
 * (rows of history), matrix (include attachment 2, the 32 × 5 check matrix), seed, office,
 * problemStart (the serial the problem sites' codes count from in each province: periods
 * given starts closer than their list's length share sites, as repeat failures).
 */
export async function generatePeriod(root, options = {}) {
  const o = { period: '2024Q4', sites: 44_000, problems: 20_000, quarters: 40, matrix: true, seed: 1, office: '国务院办公厅政府信息与政务公开办公室', problemStart: 0, ...options };
  const rnd = random(o.seed);
  const dataDir = path.join(root, 'data', o.period);
  const contentDir = path.join(root, 'content', o.period);
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(contentDir, { recursive: true });

  await writeCsv(path.join(dataDir, 'sites.csv'), ['网站标识码', '省（区、市）', '网站类型', '抽查指标数', '合格指标数', '是否合格'], siteRows(o.sites, rnd));
  const qs = quarters(o.period, o.quarters);
  await writeCsv(path.join(dataDir, 'history.csv'), ['期次', '总体合格率'], qs.map((q) => [q, `${(80 + rnd() * 19).toFixed(1)}%`]));
  if (o.problems > 0) await writeCsv(path.join(dataDir, 'problem-sites.csv'), ['序号', '省（区、市）/部门', '网站名称', '存在的突出问题', '网站标识码'], problemRows(o.problems, rnd, o.problemStart));
  if (o.matrix) {
    await writeCsv(path.join(dataDir, 'institutions.csv'), ['序号', '省（区、市）', ...CHECKS.map((c) => c[1])], PROVINCES.map(([, name], i) => [i + 1, name, ...CHECKS.map(() => (rnd() < 0.85 ? '√' : ''))]));
  }

  const yaml = `# Synthetic bulletin written by bench/generate.mjs (seed ${o.seed}).
title: ${yamlString(`关于${o.period}全国政府网站抽查情况的通报`)}
period: ${yamlString(o.period)}
office: ${yamlString(o.office)}
source: 中国政府网
published: 2025-02-07
signed: 2025-01-20
sampling:
  from: 2024-12-16
  to: 2025-01-15

figures:
  sampled: { value: ${o.sites}, label: 抽查政府网站数, check: sites.count }

tables:
  - id: sites
    file: sites.csv
    columns:
      - { key: code, name: 网站标识码, type: site-code, region: region }
      - { key: region, name: 省（区、市）, type: region }
      - { key: kind, name: 网站类型 }
      - { key: sampled, name: 抽查指标数, type: count }
      - { key: passed, name: 合格指标数, type: count, max: sampled }
      - { key: pass, name: 是否合格, type: check }
  - id: history
    file: history.csv
    columns:
      - { key: period, name: 期次 }
      - { key: pass_rate, name: 总体合格率, type: percent }

attachments:
${o.problems > 0 ? `  - id: problems
    kind: table
    title: 抽查发现存在突出问题的政府网站名单
    file: problem-sites.csv
    columns:
      - { key: no, name: 序号, type: integer, unique: true, width: 8%, align: center }
      - { key: region, name: 省（区、市）/部门, type: region, width: 14%, align: center }
      - { key: site, name: 网站名称, width: 30% }
      - { key: problem, name: 存在的突出问题, width: 32% }
      - { key: code, name: 网站标识码, type: site-code, region: region, width: 16%, align: center }
    note: 注：抽查采样时间为{{date sampling.from}}至{{date sampling.to}}。
` : ''}${o.matrix ? `  - id: institutions
    kind: matrix
    title: 各省（区、市）政府网站有关制度建设情况
    file: institutions.csv
    columns:
      - { key: no, name: 序号, type: integer, unique: true, width: 8%, align: center }
      - { key: region, name: 省（区、市）, type: region, unique: true, width: 17%, align: center }
${CHECKS.map(([k, n]) => `      - { key: ${k}, name: ${n}, type: check, align: center }`).join('\n')}
    note: 注：数据来源为各省（区、市）有关情况报告。
` : ''}`;
  writeFileSync(path.join(dataDir, 'bulletin.yaml'), yaml.replace(/attachments:\n$/, 'attachments: []\n'));

  const circular = `{{office}}近期组织开展了全国各级政府网站抽查。现将有关情况通报如下：

## 一、抽查情况

各地区共抽查政府网站{{sites.count}}个，抽查指标总体合格率{{sites.passed.rate}}，全部指标合格的网站占{{sites.pass.share}}。总体合格率从{{history.pass_rate.first}}变为{{history.pass_rate.last}}。

## 二、下一步工作要求

各地区、各部门要切实履行政府网站主管责任，进一步完善常态化监管。
`;
  writeFileSync(path.join(contentDir, 'circular.md'), circular);
  return { dataDir, contentDir, period: o.period };
}

/** A workspace folder with the given periods (each an options object for generatePeriod). */
export async function generateWorkspace(root, periods) {
  mkdirSync(root, { recursive: true });
  const out = [];
  for (const p of periods) out.push(await generatePeriod(root, p));
  return out;
}
