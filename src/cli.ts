// The command line's entry: a build that will print starts Chromium first, then loads the
// commands (and with them the whole pipeline) while it starts. See render/early.ts.
import { dropPrelaunched, prelaunch } from './render/early.js';

export async function main(argv: string[], io?: Parameters<typeof import('./commands.js').main>[1]): Promise<number> {
  if (printsPdf(argv)) prelaunch();
  try {
    const { main: run } = await import('./commands.js');
    return await run(argv, io);
  } finally {
    await dropPrelaunched();
  }
}

/** `build` without `--format html`, `--help` or `--version`: a guess that errs only in cost. */
function printsPdf(argv: string[]): boolean {
  const positionals = argv.filter((a, i) => !a.startsWith('-') && !/^--(root|format|from|port|p12)$/.test(argv[i - 1] ?? ''));
  if (positionals[0] !== 'build') return false;
  if (argv.some((a) => ['-h', '--help', '-v', '--version'].includes(a))) return false;
  const f = argv.indexOf('--format');
  const format = f >= 0 ? argv[f + 1] : argv.find((a) => a.startsWith('--format='))?.slice('--format='.length);
  return format === undefined || format === 'pdf' || format === 'all';
}
