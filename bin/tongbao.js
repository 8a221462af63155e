#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (npm run setup builds it).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('tongbao: 程序尚未编译（缺少 dist/cli.js）。请先在项目目录运行 npm run build:ts\n');
  process.exit(2);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
