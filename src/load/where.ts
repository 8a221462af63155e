// Where a character first appears in a period's own files (bulletin.yaml, the circular, the
// data tables): for what only the printed PDF reveals (a character no font has), told at a
// place the user can edit. Files are read as the loaders read them (GB18030 included);
// workbooks and images are not searched.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { PeriodPaths } from '../bulletin.js';
import { looksBinary } from './decode.js';
import { readWorkspaceText } from './workspace-file.js';

const TEXT_FILE = /\.(ya?ml|md|markdown|csv|tsv|txt)$/i;

export interface Place {
  file: string;
  line: number;
  /** In UTF-16 units from 1, as editors count. */
  column: number;
}

export function firstPlaces(paths: PeriodPaths, chars: readonly string[]): Map<string, Place> {
  const listed = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => TEXT_FILE.test(f)).sort().map((f) => path.join(dir, f)) : []);
  const files = [paths.yaml, ...listed(paths.contentDir), ...listed(paths.dataDir).filter((f) => f !== paths.yaml)];
  const places = new Map<string, Place>();
  for (const file of files) {
    if (places.size === chars.length) break;
    // Read as the loaders read it; a file they refuse (a link out of the workspace) is not searched.
    const read = readWorkspaceText(paths.root, file, file === paths.yaml ? 'bulletin' : /\.md$/i.test(file) ? 'circular' : 'table');
    const text = read.text;
    if (text === undefined || looksBinary(text)) continue;
    const lines = text.split(/\r?\n/);
    for (const ch of chars) {
      if (places.has(ch)) continue;
      const i = lines.findIndex((l) => l.includes(ch));
      if (i >= 0) places.set(ch, { file, line: i + 1, column: lines[i]!.indexOf(ch) + 1 });
    }
  }
  return places;
}
