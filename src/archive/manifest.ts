// The record of out/<period>/ as one set: for every output its SHA-256, the digest of what it
// was made from, the tool that made it and its state (PDF/A, signed by whom, PAdES level). It
// lies beside the folder (out/.<period>.json), not in it: SHA256SUMS lists the folder and the
// signing build signs SHA256SUMS, so the record cannot be one of the files it describes.
import { existsSync, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { SUMS_FILE, parseSums, sha256 } from './checksums.js';

export interface OutputState {
  pdfa?: boolean;
  /** The signer's name, the PAdES level and the signing time (ISO). */
  signer?: string;
  level?: 'B-B' | 'B-T' | 'B-LT';
  signedAt?: string;
  /** A signed PDF's seal is the signature's face: an OFD printed with it has none. */
  sealOmitted?: boolean;
  /** A Word document's figures: plain, or marked for reviewers (--docx-figures). */
  docxFigures?: 'plain' | 'highlight';
}

export interface OutputRecord {
  sha256: string;
  /** The digest of its source (the print HTML, the options that shape the file). */
  source?: string;
  tool: string;
  state?: OutputState;
}

export interface Manifest {
  manifest: 1;
  period: string;
  outputs: Record<string, OutputRecord>;
  /** SHA256SUMS as the signing build wrote and signed it (later builds may add files). */
  signedSums?: string;
}

let tool: string | undefined;
/** `tongbao <version>`, from package.json. */
export function toolVersion(): string {
  if (tool) return tool;
  try {
    tool = `tongbao ${JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version}`;
  } catch {
    tool = 'tongbao';
  }
  return tool;
}

export const manifestPath = (outDir: string) => path.join(path.dirname(outDir), `.${path.basename(outDir)}.json`);

/** The record of a folder; undefined when there is none or it is not one (a set of an older tongbao). */
export function readManifest(outDir: string): Manifest | undefined {
  const file = manifestPath(outDir);
  try {
    if (!lstatSync(file).isFile()) return undefined;
    const m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (m?.manifest !== 1 || typeof m.outputs !== 'object' || m.outputs === null) return undefined;
    for (const r of Object.values(m.outputs)) if (typeof r?.sha256 !== 'string') return undefined;
    return m;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file and renamed: a reader sees the old record or the new one. */
export function writeManifest(outDir: string, m: Manifest): void {
  const file = manifestPath(outDir);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    writeFileSync(tmp, JSON.stringify(m, null, 1) + '\n');
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

const LEVELS = ['B-B', 'B-T', 'B-LT'] as const;
/** How much a PDF holds: 0 plain, 1 PDF/A, 2–4 signed at B-B, B-T, B-LT. */
export function stateRank(s: OutputState | undefined): number {
  if (!s) return 0;
  if (s.signer) return 2 + Math.max(0, LEVELS.indexOf(s.level ?? 'B-B'));
  return s.pdfa ? 1 : 0;
}

/** The state in words, after 是/把/删去: 「签名的（PAdES B-T，签名人 …）」, 「 PDF/A-2b 的」, 「普通的」. */
export function stateText(s: OutputState | undefined): string {
  if (s?.signer) return `签名的（PAdES ${s.level ?? 'B-B'}，签名人 ${s.signer}）`;
  return s?.pdfa ? ' PDF/A-2b 的' : '普通的'; // spaced from the Chinese before it
}

/** A plain file of the folder whose bytes are `hash` (a link is never followed). */
export function isRecordedFile(file: string, hash: string): boolean {
  try {
    return lstatSync(file).isFile() && sha256(readFileSync(file)) === hash;
  } catch {
    return false;
  }
}

/**
 * The bytes SHA256SUMS.p7s signs: SHA256SUMS itself, or, after a later build added files beside
 * the signed ones (keeping them), the list the signing build signed, when its every line is
 * still in SHA256SUMS. Each listed file is then checked against SHA256SUMS as usual.
 */
export function signedFileList(dir: string): Buffer | undefined {
  const sumsFile = path.join(dir, SUMS_FILE);
  if (!existsSync(sumsFile)) return undefined;
  const sums = readFileSync(sumsFile);
  const signed = readManifest(dir)?.signedSums;
  if (signed === undefined || signed === sums.toString('utf8')) return sums;
  const now = new Set(parseSums(sums.toString('utf8')).entries.map((e) => `${e.hash}  ${e.name}`));
  const then = parseSums(signed);
  if (then.bad.length || !then.entries.every((e) => now.has(`${e.hash}  ${e.name}`))) return sums;
  return Buffer.from(signed, 'utf8');
}
