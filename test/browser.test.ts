// launchBrowser starts Chromium itself (before puppeteer-core is loaded) with the switches
// puppeteer.launch would use: printing must not depend on which of the two started it, nor on
// whether the build started it or borrowed one of the test run's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer-core';
import { CHROMIUM_ARGS, PUPPETEER_ARGS, browserProcess, closeBrowser, launchBrowser } from '../src/print/browser.js';
import { sampleWorkspace, tongbaoAsync } from './helpers.js';

describe('launchBrowser', () => {
  it('passes exactly the switches puppeteer.launch would', () => {
    expect(PUPPETEER_ARGS.concat(CHROMIUM_ARGS)).toEqual(puppeteer.defaultArgs({ headless: true, args: [...CHROMIUM_ARGS] }));
  });

  it('leaves no process and no profile behind when closed', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const browser = await launchBrowser();
    const pid = browserProcess(browser)!.pid!;
    const profile = readdirSync(tmpdir()).find((f) => f.startsWith('tongbao-chromium-') && !before.has(f));
    expect(profile).toBeDefined();
    await closeBrowser(browser);
    expect(existsSync(`${tmpdir()}/${profile}`)).toBe(false);
    // The whole process group is gone (zombies waiting for a reaper aside).
    const alive = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          return Number(pgrp) === pid && state !== 'Z';
        } catch {
          return false; // exited meanwhile
        }
      });
    expect(alive).toEqual([]);
  });
});

describe('a Chromium of the test run, lent to a build (TONGBAO_TEST_BROWSER)', () => {
  it('prints the same bytes as a build that starts its own, and starts no Chromium', async () => {
    const roots = [sampleWorkspace(), sampleWorkspace()];
    const temps = roots.map(() => mkdtempSync(path.join(tmpdir(), 'tongbao-lent-')));
    try {
      // The first borrows one of the run's (test/helpers.ts), the second starts Chromium itself,
      // with its profile in its TMPDIR: its processes name that folder while they run.
      const seen = [false, false];
      const watching = setInterval(() => temps.forEach((t, i) => (seen[i] ||= spawnSync('pgrep', ['-f', `user-data-dir=${t}`]).status === 0)), 50);
      const [lent, own] = await Promise.all([
        tongbaoAsync(['build', '2016Q4', '--format', 'pdf'], roots[0]!, { TMPDIR: temps[0] }),
        tongbaoAsync(['build', '2016Q4', '--format', 'pdf'], roots[1]!, { TMPDIR: temps[1], TONGBAO_TEST_BROWSER: '' }),
      ]).finally(() => clearInterval(watching));
      expect(seen).toEqual([false, true]);
      expect(lent.status, lent.stderr).toBe(0);
      expect(own.status, own.stderr).toBe(0);
      const pdf = (root: string) => readFileSync(path.join(root, 'out/2016Q4/bulletin.pdf'));
      expect(pdf(roots[0]!).equals(pdf(roots[1]!))).toBe(true);
    } finally {
      for (const d of [...roots, ...temps]) rmSync(d, { recursive: true, force: true });
    }
  }, 120_000);
});
