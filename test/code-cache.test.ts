// The bundle's code cache (bin/code-cache.js, made by .ci/bundle.mjs): V8 takes every cache
// as made for this Node, and the program run through it prints what dist/ as compiled prints.
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { cacheFile } from '../bin/code-cache.js';
import { REPO, exampleWorkspace, sampleWorkspace, tongbao } from './helpers.js';

const bundle = path.join(REPO, 'dist', 'bundle');

describe('the code cache', () => {
  it('covers the files a check and a print load, and ECharts, each cache accepted by this V8', () => {
    const index = JSON.parse(readFileSync(path.join(bundle, 'code-cache.json'), 'utf8')) as Record<string, { size: number }>;
    expect(Object.keys(index)).toContain('cli.js');
    expect(Object.keys(index).some((f) => f.startsWith('check-'))).toBe(true);
    // puppeteer-core is in the bundle's print chunk; ECharts is outside, its file cached by path.
    const early = Object.keys(index).find((f) => f.startsWith('early-'));
    expect(early && readFileSync(path.join(bundle, early), 'utf8')).toContain('puppeteer-core');
    expect(Object.keys(index).filter((f) => f.endsWith('node_modules/echarts/dist/echarts.js'))).toHaveLength(1);
    for (const file of Object.keys(index)) {
      const filename = path.resolve(bundle, file);
      const script = new vm.Script(Module.wrap(readFileSync(filename, 'utf8')), { filename, cachedData: readFileSync(cacheFile(bundle, file)) });
      expect(script.cachedDataRejected, file).toBe(false);
    }
  });

  // The packages kept outside the bundle are loaded when a command first uses them (exceljs for
  // a workbook, the font tools to print, pdfjs-dist to read the PDF back, docx):
  // each of those paths, from the bundle, says what dist/ says.
  it('loads the packages kept outside it as dist/ does: a workbook period, a print, a Word document', () => {
    const runBoth = (prepare: (root: string) => void, args: string[]) => {
      const [a, b] = [mkdtempSync(path.join(tmpdir(), 'tongbao-cc-')), mkdtempSync(path.join(tmpdir(), 'tongbao-cc-'))];
      prepare(a);
      prepare(b);
      const ra = tongbao(args, a);
      const rb = tongbao(args, b, { TONGBAO_NO_BUNDLE: '1' });
      expect(ra.stderr).not.toContain('内部错误');
      expect(ra).toEqual(rb);
      return ra;
    };
    const init = (root: string) => void tongbao(['init', '2024Q1', '--office', '安吉县人民政府办公室', '--region', '330523'], root);
    expect(runBoth(init, ['check', '2024Q1']).stderr).toContain('2024Q1检查数据.xlsx!基本信息!B2: 错误: 文号尚未填写');
    const sample = (root: string) => cpSync(sampleWorkspace(), root, { recursive: true });
    expect(runBoth(sample, ['build', '2016Q4', '--format', 'docx']).status).toBe(0);
  });

  // The bundle also holds the package's templates compiled ahead (src/render/precompiled.ts):
  // the pages must be the ones Handlebars makes compiling them as it goes.
  it('runs a check and builds the same page as dist/ does, for the sample and the examples', () => {
    const cases: [() => string, string][] = [[() => sampleWorkspace(), '2016Q4'], [() => exampleWorkspace('city'), '2017Q2'], [() => exampleWorkspace('province'), '2023Q3']];
    for (const [workspace, period] of cases) {
      for (const args of [['check', period], ['build', period, '--format', 'html']]) {
        const [a, b] = [workspace(), workspace()];
        const ra = tongbao(args, a);
        const rb = tongbao(args, b, { TONGBAO_NO_BUNDLE: '1' });
        expect(ra).toEqual(rb);
        expect(ra.status).toBe(0);
        if (args[0] === 'build') expect(readFileSync(path.join(a, 'out', period, 'index.html'), 'utf8')).toBe(readFileSync(path.join(b, 'out', period, 'index.html'), 'utf8'));
      }
    }
  });
});
