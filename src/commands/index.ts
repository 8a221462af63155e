// The command line: options parsed once, then the command's own module, loaded only when it
// runs. A build that will print starts Chromium before its module (and with it the whole
// pipeline) is loaded: the two take about as long, and overlap (see print/early.ts).
import path from 'node:path';
// print/early.js (Chromium's launcher and the print modules) is loaded only by a build that prints.
type Early = typeof import('../print/early.js');
import { COMMAND_HELP, EXIT, HELP, UsageError, VERSION, defaultIo, parseCommandLine, type Invocation, type Io } from './shell.js';

type Command = { run: (inv: Invocation) => Promise<number> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: () => import('./check.js'),
  stats: () => import('./stats.js'),
  build: () => import('./build.js'),
  new: () => import('./new.js'),
  init: () => import('./init.js'),
  dev: () => import('./dev.js'),
  verify: () => import('./verify.js'),
  schema: () => import('./schema.js'),
  sites: () => import('./sites.js'),
};

/** `signal`: aborted by Ctrl-C, TERM or HUP, for the commands that stop cleanly on it (build, dev). */
export async function main(argv: string[], io: Io = defaultIo, signal: AbortSignal = new AbortController().signal): Promise<number> {
  try {
    const { flags, positionals } = parseCommandLine(argv);
    // `tongbao help build` and `tongbao build --help`: that command's own help.
    const asked = positionals[0] === 'help' ? positionals[1] : flags.help ? positionals[0] : undefined;
    if (asked !== undefined) {
      if (!Object.hasOwn(COMMAND_HELP, asked)) throw new UsageError(`未知命令「${asked}」`);
      io.out(COMMAND_HELP[asked]!);
      return EXIT.ok;
    }
    if (flags.help || positionals[0] === 'help') {
      io.out(HELP);
      return EXIT.ok;
    }
    if (flags.version) {
      io.out(VERSION);
      return EXIT.ok;
    }
    const [name, ...args] = positionals;
    if (name === undefined) {
      io.err(HELP);
      return EXIT.usage;
    }
    const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined; // not `constructor`
    if (!load) throw new UsageError(`未知命令「${name}」`);
    if (signal.aborted) return EXIT.interrupted;
    // A signing build reads its certificate first (build.ts) and starts Chromium only when it
    // can sign: a wrong password or file costs no browser.
    const early: Early | undefined = name === 'build' && flags.format !== 'html' && !flags.sign ? await import('../print/early.js') : undefined;
    // A signal during that import: no Chromium is started for a build already stopped.
    if (signal.aborted) return EXIT.interrupted;
    early?.prelaunch();
    try {
      const command = await load();
      return await command.run({ root: path.resolve(flags.root), args, flags, io, signal });
    } finally {
      await early?.dropPrelaunched();
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`tongbao: ${e.message}\n运行 tongbao --help 查看用法\n`);
      return EXIT.usage;
    }
    // Not the user's doing: say so plainly; the stack only when asked for.
    io.err(`tongbao: 内部错误：${(e as Error).message}（请把这条信息报告给维护者；设置 TONGBAO_DEBUG=1 可看到详细位置）\n`);
    if (process.env['TONGBAO_DEBUG']) io.err(`${(e as Error).stack}\n`);
    return EXIT.failed;
  }
}
