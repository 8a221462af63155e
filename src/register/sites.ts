// Which tables list problem sites, and which of their columns say what, found by declared
// type and never by header text: the site code (type site-code), or for new-media accounts
// the platform and account columns a table declares under `account:`.
import type { Column, TableSpec } from '../schema.js';
import { nameKey } from '../load/identity.js';

/** Indices, in a table's declared columns, of what a listing reads; -1 for none. */
export interface SiteColumns {
  code: number;
  platform: number;
  account: number;
  region: number;
  /** The site's name: the account column, else the first text column. */
  name: number;
  /** The problems: every other text column, joined. */
  problems: number[];
}

/** Words by which a problem text claims the site was listed before. */
export const REPEAT_CLAIM = /整改不彻底|再次|连续/;

const index = (columns: readonly Column[], key: string | undefined) => (key === undefined ? -1 : columns.findIndex((c) => c.key === key));

/**
 * How a table lists problem sites; undefined for a table that is not such a list. A printed
 * list (an attachment of kind table) is one when it has a site-code column; a data table (all
 * the sites checked, with their scores) is not, unless it says `register: true`.
 */
export function siteColumns(spec: TableSpec & { kind?: string }): SiteColumns | undefined {
  if (spec.kind === 'rectification' || spec.kind === 'matrix') return undefined;
  if (!(spec.register ?? spec.kind === 'table')) return undefined;
  const columns = spec.columns;
  const code = columns.findIndex((c) => c.type === 'site-code');
  const platform = index(columns, spec.account?.platform);
  const account = index(columns, spec.account?.name);
  if (code < 0 && (platform < 0 || account < 0)) return undefined;
  const region = columns.findIndex((c) => c.type === 'region');
  const texts = columns.map((c, i) => (c.type === 'text' && i !== platform && i !== account ? i : -1)).filter((i) => i >= 0);
  const name = account >= 0 ? account : (texts[0] ?? -1);
  return { code, platform, account, region, name, problems: texts.filter((i) => i !== name) };
}

/** The columns of a rectification table: site code, status, and the date when there is one. */
export function rectificationColumns(spec: TableSpec & { kind?: string }): { code: number; status: number; date: number } | undefined {
  if (spec.kind !== 'rectification') return undefined;
  const code = spec.columns.findIndex((c) => c.type === 'site-code');
  const status = spec.columns.findIndex((c) => c.type === 'status');
  return code < 0 || status < 0 ? undefined : { code, status, date: spec.columns.findIndex((c) => c.type === 'date') };
}

/**
 * The register's key of a new-media account: platform and name in the one form names are
 * compared in (nameKey: no spaces or invisible characters, NFKC, look-alike letters as Latin),
 * so that 西岭文\u200b旅 or a name with a Cyrillic о is the same account in every period.
 */
export function accountKey(platform: string, name: string): string {
  return `${nameKey(platform)}/${nameKey(name)}`;
}
