// Packages of XML parts zipped (the Word document, the OFD) so that the same input gives the
// same bytes: entries in the order given, each dated the document's date.
import { zipSync, type Zippable } from 'fflate';

/** Text for an XML attribute or element. */
export const escapeXml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * The entries as a ZIP, in their order, each compressed at its level. ZIP dates are local
 * time: `date` is written as the same wall-clock time in every zone (and no earlier than 1980).
 */
export function zipDated(entries: readonly (readonly [name: string, data: Uint8Array, level: 0 | 6])[], date: Date): Buffer {
  const utc = Math.max(date.getTime(), Date.UTC(1980, 0, 2));
  const mtime = new Date(utc + new Date(utc).getTimezoneOffset() * 60_000);
  const files: Zippable = {};
  for (const [name, data, level] of entries) files[name] = [data, { mtime, level }];
  return Buffer.from(zipSync(files, { mtime }));
}
