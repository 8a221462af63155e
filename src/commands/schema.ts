// `tongbao schema`: data/bulletin.schema.json, which editors use to check bulletin.yaml as it is typed.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { bulletinJsonSchema } from '../schema.js';
import { EXIT, type Invocation } from './shell.js';

export async function run({ root, flags, io }: Invocation): Promise<number> {
  const file = path.join(root, 'data', 'bulletin.schema.json');
  writeFileSync(file, JSON.stringify(bulletinJsonSchema(), null, 2) + '\n');
  if (!flags.quiet) io.out(`已写入 ${path.relative(process.cwd(), file) || file}\n`);
  return EXIT.ok;
}
