// Province-level divisions of GB/T 2260 and the names offices print for them. The first two
// digits of a 网站标识码 are the province of the site's region; 66 is 新疆生产建设兵团.

const PROVINCES: ReadonlyArray<readonly [code: string, short: string, full: string]> = [
  ['11', '北京', '北京市'],
  ['12', '天津', '天津市'],
  ['13', '河北', '河北省'],
  ['14', '山西', '山西省'],
  ['15', '内蒙古', '内蒙古自治区'],
  ['21', '辽宁', '辽宁省'],
  ['22', '吉林', '吉林省'],
  ['23', '黑龙江', '黑龙江省'],
  ['31', '上海', '上海市'],
  ['32', '江苏', '江苏省'],
  ['33', '浙江', '浙江省'],
  ['34', '安徽', '安徽省'],
  ['35', '福建', '福建省'],
  ['36', '江西', '江西省'],
  ['37', '山东', '山东省'],
  ['41', '河南', '河南省'],
  ['42', '湖北', '湖北省'],
  ['43', '湖南', '湖南省'],
  ['44', '广东', '广东省'],
  ['45', '广西', '广西壮族自治区'],
  ['46', '海南', '海南省'],
  ['50', '重庆', '重庆市'],
  ['51', '四川', '四川省'],
  ['52', '贵州', '贵州省'],
  ['53', '云南', '云南省'],
  ['54', '西藏', '西藏自治区'],
  ['61', '陕西', '陕西省'],
  ['62', '甘肃', '甘肃省'],
  ['63', '青海', '青海省'],
  ['64', '宁夏', '宁夏回族自治区'],
  ['65', '新疆', '新疆维吾尔自治区'],
  ['66', '新疆生产建设兵团', '新疆生产建设兵团'],
];

const byName = new Map<string, string>();
for (const [code, short, full] of PROVINCES) {
  byName.set(short, code);
  byName.set(full, code);
}

/** The two-digit GB/T 2260 code of a province named short (河北) or in full (河北省). */
export function provinceCode(name: string): string | undefined {
  // Trimmed only on a miss: names as typed into cells are trimmed already.
  return byName.get(name) ?? byName.get(name.trim());
}

/** Province names as offices print them, short form first (山西, 山西省). */
export function provinceNames(): string[] {
  return PROVINCES.flatMap(([, short, full]) => (short === full ? [short] : [short, full]));
}

export function provinceName(code: string): string | undefined {
  return PROVINCES.find((p) => p[0] === code)?.[1];
}

/**
 * Site codes: ten digits whose first six are the site's GB/T 2260 division, or `bm` and
 * eight digits for State Council departments (部门), which follow their own numbering.
 */
export const SITE_CODE = /^(?:\d{10}|bm\d{8})$/;

export function isDepartmentCode(code: string): boolean {
  return code.startsWith('bm');
}
