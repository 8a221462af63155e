// Inputs that used to give a wrong figure or a crash with no word (issue 18), continued from
// trust.test.ts: builds stopped by a signal, killed outright, or given a Chromium that never
// starts. A file of their own so that they run beside the others (each is a minute of builds).
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, sampleWorkspace, tongbao } from './helpers.js';
import { twoAtATime as inPairs } from './two-at-a-time.js';

describe('a build stopped by a signal', () => {
  it('at any of 20 moments leaves the last output byte for byte, exits 130, and leaves no Chromium or temporary folder', async () => {
    // One workspace holding the last good output and a change a finished build would show,
    // copied afresh for every moment: no moment starts from what an earlier one left.
    const template = sampleWorkspace();
    const circular = path.join(template, 'content/2016Q4/circular.md');
    const original = readFileSync(circular, 'utf8');
    const copies: string[] = [];
    const workspace = () => {
      const root = mkdtempSync(path.join(tmpdir(), 'tongbao-signals-ws-'));
      cpSync(template, root, { recursive: true });
      copies.push(root);
      return root;
    };
    const snapshot = (root: string) => {
      const out = path.join(root, 'out/2016Q4');
      return Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(path.join(out, f)).toString('base64')]));
    };
    // Two lanes, builds side by side; each child's temporary folder is its lane's alone, so its
    // Chromium profile and processes can be told apart.
    const lanes = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'tongbao-signals-')));
    /** The CPU time a /proc/<pid>/stat says its process has used, in ms (utime and stime, in ticks of 10 ms). */
    const cpuIn = (stat: string) => {
      const f = stat.split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) * 10;
    };
    const cpuOf = (pid: number) => {
      try {
        return cpuIn(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return Infinity; // gone
      }
    };
    const run = (root: string, tmp: string, ms: number) =>
      new Promise<{ code: number | null; took: number; signalled: boolean; cpu: number }>((resolve) => {
        const t0 = performance.now();
        const child = spawn(process.execPath, [path.join(REPO, 'bin/tongbao.js'), 'build', '2016Q4', '--quiet'], { cwd: root, env: { ...process.env, TMPDIR: tmp }, stdio: 'ignore' });
        let [signalled, cpu] = [false, 0];
        const timer =
          ms >= 0
            ? setTimeout(() => {
                cpu = cpuOf(child.pid!);
                signalled = child.kill('SIGTERM');
              }, ms)
            : undefined;
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, took: performance.now() - t0, signalled, cpu });
        });
      });
    try {
      // The last good output, from the circular as it was; then the change.
      expect(tongbao(['build', '2016Q4'], template, { TMPDIR: lanes[0]! }).status).toBe(0);
      writeFileSync(circular, `${original}\n信号测试新加的一段。\n`);
      const before = snapshot(template);
      // The build filled lane 0's font cache (the 楷 cut), which later builds read; lane 1 gets a copy.
      const cache = readdirSync(lanes[0]!).filter((f) => f.startsWith('tongbao-fonts-'));
      expect(cache).toHaveLength(1);
      cpSync(path.join(lanes[0]!, cache[0]!), path.join(lanes[1]!, cache[0]!), { recursive: true });
      // How long a build takes here, two side by side as the moments run: the moments span it.
      const whole = Math.max(...(await Promise.all(lanes.map((tmp) => run(workspace(), tmp, -1)))).map((r) => r.took));
      // The CPU Node takes to reach a program's first line (60–70 ms here), read as cpuOf reads
      // it: a time that does not stretch with the load as the wall time to it does.
      const boot = Math.max(...[0, 1, 2].map(() => cpuIn(spawnSync(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/stat', 'utf8'))"], { encoding: 'utf8' }).stdout)));
      const free = [...lanes];
      const outcomes = await inPairs(Array.from({ length: 20 }, (_, k) => k), async (k) => {
        const tmp = free.pop()!;
        try {
          const root = workspace();
          const out = path.join(root, 'out/2016Q4');
          const at = Math.round((whole * k) / 20);
          const r = await run(root, tmp, at);
          for (let i = 0; i < 40 && spawnSync('pgrep', ['-f', tmp]).status === 0; i++) await new Promise((res) => setTimeout(res, 50));
          expect(spawnSync('pgrep', ['-f', tmp]).status, `Chromium left at ${at} ms`).toBe(1);
          expect(readdirSync(tmp).filter((f) => f.startsWith('tongbao-chromium-')), `profile left at ${at} ms`).toEqual([]);
          expect(readdirSync(path.join(root, 'out')).filter((f) => /^\.2016Q4\.(tmp|old|print)-/.test(f)), `temporary output at ${at} ms`).toEqual([]);
          const swapped = readFileSync(path.join(out, 'index.html'), 'utf8').includes('信号测试新加的一段。');
          if (r.code === 0 || (r.code === null && swapped)) {
            // Done before the moment came (no signal sent: this build ran quicker than the two
            // side by side that measured `whole`), or the signal came after the swap (Node
            // already exiting, when the signal's default action applies again): the new output, whole.
            if (r.signalled) expect(at, `finished though stopped at ${at} of ${Math.round(whole)} ms`).toBeGreaterThan(whole * 0.6);
            expect(readFileSync(path.join(out, 'index.html'), 'utf8')).toContain('信号测试新加的一段。');
            return 'finished';
          }
          // 130 once the program runs; ended by the signal's default action only while Node was
          // still starting it (no exit code then): told by the CPU the child had used, under
          // twice what Node takes to reach a first line.
          expect(r.cpu < 2 * boot + 10 ? [130, null] : [130], `at ${at} ms, ${r.cpu} ms of CPU (Node starts in ${Math.round(boot)})`).toContain(r.code);
          expect(snapshot(root), `at ${at} ms`).toEqual(before);
          return 'stopped';
        } finally {
          free.push(tmp);
        }
      });
      expect(outcomes.filter((o) => o === 'stopped').length).toBeGreaterThanOrEqual(12);
    } finally {
      // A Chromium child killed a moment ago may still be writing its profile's last files.
      for (const dir of [template, ...copies, ...lanes]) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  }, 300_000);
});

describe('a build killed outright (kill -9)', () => {
  it('leaves Chromium and its profile, which the next build ends and removes; a live program\'s are left alone', async () => {
    const root = sampleWorkspace();
    const tmp = mkdtempSync(path.join(tmpdir(), 'tongbao-orphans-'));
    const env = { ...process.env, TMPDIR: tmp };
    const profiles = () => readdirSync(tmp).filter((f) => f.startsWith('tongbao-chromium-'));
    const chromiumOf = (dir: string) => spawnSync('pgrep', ['-f', `user-data-dir=${path.join(tmp, dir)}`]).status === 0;
    try {
      // Two builds at once, killed outright once their Chromium is up.
      const children = [1, 2].map(() => spawn(process.execPath, [path.join(REPO, 'bin/tongbao.js'), 'build', '2016Q4', '--format', 'pdf', '--quiet'], { cwd: root, env, stdio: 'ignore' }));
      const exited = children.map((c) => new Promise((r) => c.on('exit', r)));
      const up = () => profiles().filter((p) => existsSync(path.join(tmp, p, 'tongbao-owner')) && chromiumOf(p)).length;
      for (let i = 0; i < 400 && up() < 2; i++) await new Promise((r) => setTimeout(r, 25));
      for (const c of children) c.kill('SIGKILL');
      await Promise.all(exited);
      const orphans = profiles();
      expect(orphans).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 300));
      expect(orphans.map(chromiumOf)).toEqual([true, true]); // what kill -9 leaves
      // A third whose Chromium died too: only its folder is left.
      spawnSync('pkill', ['-KILL', '-f', `user-data-dir=${path.join(tmp, orphans[1]!)}`]);
      // And the profile of a program still running (this one): not touched.
      mkdirSync(path.join(tmp, 'tongbao-chromium-live'));
      writeFileSync(path.join(tmp, 'tongbao-chromium-live', 'tongbao-owner'), `${process.pid} 999999\n`);

      const r = tongbao(['build', '2016Q4', '--format', 'pdf'], root, { TMPDIR: tmp });
      expect(r.status, r.stderr).toBe(0);
      for (let i = 0; i < 40 && orphans.some(chromiumOf); i++) await new Promise((res) => setTimeout(res, 50));
      expect(orphans.map(chromiumOf)).toEqual([false, false]);
      expect(profiles()).toEqual(['tongbao-chromium-live']);
    } finally {
      spawnSync('pkill', ['-KILL', '-f', tmp]);
      rmSync(root, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a Chromium that is slow to start, or never does', () => {
  it('is given up within the time limit, ended, and the program exits with the reason', async () => {
    const root = sampleWorkspace();
    const tmp = mkdtempSync(path.join(tmpdir(), 'tongbao-slow-'));
    try {
      const wrappers: [string, string, string][] = [
        // With 1 s allowed, a Chromium up after 3 s may be given up at its start or at the print.
        ['starts after 3 s', 'sleep 3\nexec /usr/bin/chromium "$@"', '生成 PDF 失败：Chromium (启动|打印)两次都没有成功'],
        ['never starts', 'exec sleep 1000', '生成 PDF 失败：Chromium 启动两次都没有成功'],
        ['fails at once', 'echo "cannot open display" >&2\nexit 1', '生成 PDF 失败：Chromium 启动两次都没有成功：Chromium 退出了：cannot open display'],
      ];
      for (const [what, body, said] of wrappers) {
        const wrapper = path.join(tmp, 'chromium.sh');
        writeFileSync(wrapper, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
        const t0 = performance.now();
        const r = spawnSync(process.execPath, [path.join(REPO, 'bin/tongbao.js'), 'build', '2016Q4', '--format', 'pdf'], {
          cwd: root,
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: wrapper, TONGBAO_CHROMIUM_TIMEOUT: '1', TMPDIR: tmp },
        });
        expect(r.signal, `${what}: did not exit by itself`).toBe(null);
        expect(performance.now() - t0, what).toBeLessThan(30_000);
        expect(r.status, what).toBe(1);
        expect(r.stderr, what).toMatch(new RegExp(said));
        for (let i = 0; i < 60 && spawnSync('pgrep', ['-f', tmp]).status === 0; i++) await new Promise((res) => setTimeout(res, 100));
        expect(spawnSync('pgrep', ['-fa', tmp]).stdout?.toString() ?? '', `${what}: left running`).toBe('');
        expect(readdirSync(tmp).filter((f) => f.startsWith('tongbao-chromium-')), what).toEqual([]);
      }
      // build --all starts one browser for every period, under the same limit.
      const r = spawnSync(process.execPath, [path.join(REPO, 'bin/tongbao.js'), 'build', '--all', '--format', 'pdf'], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: path.join(tmp, 'chromium.sh'), TONGBAO_CHROMIUM_TIMEOUT: '1', TMPDIR: tmp },
      });
      expect(r.signal, 'build --all did not exit by itself').toBe(null);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('生成 PDF 失败：Chromium 启动两次都没有成功');
    } finally {
      spawnSync('pkill', ['-KILL', '-f', tmp]);
      rmSync(root, { recursive: true, force: true });
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 180_000);
});
