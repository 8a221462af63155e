// Reference tools from Debian packages, installed on demand; a bench skips with a note when
// one cannot be installed (no root, no network).
import { spawnSync } from 'node:child_process';
import { has } from './stats.mjs';

export function ensureTool(cmd, pkg = cmd) {
  if (has(cmd)) return { ok: true };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args) => spawnSync(sudo.length ? sudo[0] : args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let r = run(['apt-get', 'install', '-y', '--no-install-recommends', pkg]);
  if (r.status !== 0) {
    run(['apt-get', 'update']);
    r = run(['apt-get', 'install', '-y', '--no-install-recommends', pkg]);
  }
  return has(cmd) ? { ok: true } : { ok: false, note: `${cmd} is not installed and apt-get install ${pkg} failed (status ${r.status})` };
}
