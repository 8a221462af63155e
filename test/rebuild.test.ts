// The preview's rebuild (renderBulletin in one process, as the dev server runs it after each
// save): the page's partials are compiled once per source, so an edited partial must show on
// the next rebuild, and a broken one must be reported on every rebuild, not only the first.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderBulletin } from '../src/build.js';
import { sampleWorkspace } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '..');

describe('the preview rebuilding in one process', () => {
  it('shows each edit of a workspace partial, and reports a broken one each time', async () => {
    const root = sampleWorkspace();
    const first = await renderBulletin(root, '2016Q4');
    expect(first.ok).toBe(true);
    const own = path.join(root, 'templates', 'partials', 'attachment.hbs');
    mkdirSync(path.dirname(own), { recursive: true });
    const source = readFileSync(path.join(REPO, 'templates', 'partials', 'attachment.hbs'), 'utf8');
    for (const mark of ['（甲）', '（乙）']) {
      writeFileSync(own, source.replace('附件{{number}}</p>', `附件{{number}}${mark}</p>`));
      const r = await renderBulletin(root, '2016Q4');
      expect(r.ok).toBe(true);
      expect(r.html).toContain(`<p class="attachment-label">附件1${mark}</p>`);
      expect(r.html).not.toContain(mark === '（甲）' ? '（乙）' : '（甲）');
    }
    writeFileSync(own, source.replace('{{> table}}', '{{> table}}{{> 没有的}}'));
    for (let i = 0; i < 2; i++) await expect(renderBulletin(root, '2016Q4')).rejects.toThrow('没有「没有的」这个局部模板');
    writeFileSync(own, source);
    const back = await renderBulletin(root, '2016Q4');
    expect(back.ok).toBe(true);
    expect(back.html).toBe(first.html);
  });

  it('reads each edit of bulletin.yaml, and says what is wrong with a broken one each time', async () => {
    const root = sampleWorkspace();
    const yaml = path.join(root, 'data', '2016Q4', 'bulletin.yaml');
    const source = readFileSync(yaml, 'utf8');
    const first = await renderBulletin(root, '2016Q4');
    expect(first.ok).toBe(true);
    for (const office of ['国务院办公厅甲', '国务院办公厅乙']) {
      writeFileSync(yaml, source.replace(/^office: .*$/m, `office: ${office}`));
      const r = await renderBulletin(root, '2016Q4');
      expect(r.html).toContain(office);
      expect(r.html).not.toContain(office === '国务院办公厅甲' ? '国务院办公厅乙' : '国务院办公厅甲');
    }
    writeFileSync(yaml, source.replace(/^office: .*$/m, 'office: [未闭合'));
    for (let i = 0; i < 2; i++) {
      const r = await renderBulletin(root, '2016Q4');
      expect(r.ok).toBe(false);
      expect(r.html).toBeUndefined();
      expect(r.messages.find((m) => m.rule === 'yaml/syntax')).toMatchObject({ file: expect.stringMatching(/data\/2016Q4\/bulletin\.yaml$/), severity: 'error' });
    }
    writeFileSync(yaml, source);
    expect((await renderBulletin(root, '2016Q4')).html).toBe(first.html);
  });
});
