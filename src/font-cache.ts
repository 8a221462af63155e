// The free faces come as woff2; cutting one needs it decoded to TrueType (fontverter: 0.3 s
// for the 16 MB 楷 face, 0.6 s for the five files a Word document cuts from). The decoded
// files are kept between builds in a folder of the temporary directory, with the print's cuts
// of them (print/fonts.ts), so a build decodes each file once: the PDF's 楷 cut and the Word
// document's subsets (docx/embed.ts) read the same TrueType file.
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Where cut faces are kept between builds: the decoded face, and each cut by its characters. */
export const FACE_CACHE = path.join(tmpdir(), `tongbao-fonts-${process.getuid?.() ?? 'user'}`); // getuid: userInfo() throws for a uid with no passwd entry

/**
 * The cache folder, when it is this user's own and no one else may write in it (made so);
 * else undefined, and nothing is kept or read there. The name is known in advance: in a shared
 * temporary directory another user could make it first and leave faces in it that print other
 * glyphs for the same characters.
 */
export function faceCache(): string | undefined {
  try {
    mkdirSync(FACE_CACHE, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const s = lstatSync(FACE_CACHE);
    const uid = process.getuid?.();
    return s.isDirectory() && (uid === undefined || s.uid === uid) && (s.mode & 0o022) === 0 ? FACE_CACHE : undefined;
  } catch {
    return undefined;
  }
}

/** Write by renaming a finished file into place: a build beside this one never reads half a file. */
export function writeWhole(file: string, data: Uint8Array): void {
  const part = `${file}.${process.pid}.part`;
  writeFileSync(part, data);
  renameSync(part, file);
}

/** The cache's TrueType file for a woff2 file: named by its name, size and date, so an updated package decodes anew. */
export function decodedPath(woff2: string): string {
  const { size, mtimeMs } = statSync(woff2);
  return path.join(FACE_CACHE, `${path.basename(woff2, '.woff2')}-${size}-${Math.floor(mtimeMs)}.ttf`);
}

/** A woff2 file as TrueType: from the cache, else decoded and kept there (where it cannot be kept, decoded all the same). */
export async function decodedFace(woff2: string): Promise<Buffer> {
  const cache = faceCache();
  const kept = decodedPath(woff2);
  if (cache && existsSync(kept)) return readFileSync(kept);
  const fontverter = (await import('fontverter')).default;
  const face = await fontverter.convert(readFileSync(woff2), 'truetype');
  try {
    if (cache) writeWhole(kept, face);
  } catch {
    // A temporary directory not writable: the next build decodes again.
  }
  return face;
}
