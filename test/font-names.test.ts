// The embedded fonts' names (issue 35): the free faces' files are instances of variable fonts
// still named for the default instance; the PDF names the instance used.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { instanceName } from '../src/pdf/font-names.js';
import { pdffonts } from './pdf-measure.js';
import { sampleWorkspace } from './helpers.js';
import { sharedBuild } from './shared-build.js';

describe('embedded font names', () => {
  it('names the instance after the hyphen, with or without a subset tag, and leaves other names alone', () => {
    expect(instanceName('NotoSerifSCExtraLight-Regular')).toBe('NotoSerifSC-Regular');
    expect(instanceName('AAAAAA+NotoSerifSCExtraLight-Bold')).toBe('AAAAAA+NotoSerifSC-Bold');
    expect(instanceName('SAAAAA+NotoSansSCThin-Regular')).toBe('SAAAAA+NotoSansSC-Regular');
    expect(instanceName('SourceHanSerifSCLight-Regular')).toBe('SourceHanSerifSC-Regular');
    for (const name of ['HBAAAA+LXGWWenKai-Regular', 'FZXBSJW--GB1-0', 'SimSun', 'SourceHanSerifSC-Light', 'ABCDEF+Light-Regular', 'FangSong_GB2312']) expect(instanceName(name)).toBe(name);
  });

  it('shows the instances in pdffonts, and the PDF still reads as one', () => {
    const root = sampleWorkspace();
    const r = sharedBuild(root, ['build', '2016Q4', '--format', 'pdf']);
    expect(r.status, r.stderr).toBe(0);
    const pdf = path.join(root, 'out/2016Q4/bulletin.pdf');
    const names = pdffonts(pdf).map((f) => f.name.replace(/^[A-Z]{6}\+/, ''));
    expect(names.filter((n) => /ExtraLight|Thin/.test(n))).toEqual([]);
    expect(new Set(names)).toEqual(new Set(['NotoSerifSC-Regular', 'NotoSerifSC-Bold', 'NotoSansSC-Regular', 'LXGWWenKai-Regular']));
    execFileSync('qpdf', ['--check', pdf]); // throws on a broken file
    expect(execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })).toContain('关于2016年第四次全国');
  }, 120_000);
});
