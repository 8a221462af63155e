// Faces for the PDF. GB/T 9704 names 仿宋, 小标宋, 黑体 and 楷体; the official fonts are not free
// to redistribute, so an office's own copies are used when present (a fonts/ folder in the
// workspace, or installed on the system), and free faces from npm otherwise. Every face is
// loaded from a file by @font-face: system CJK fonts would be embedded as Type 3.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

export type FontChoice = 'auto' | 'free' | 'official';

interface Role {
  /** Private family name used by print.css, so no system font of the same name interferes. */
  family: string;
  /** The official face's usual file and family names. */
  official: string[];
  /** The free face: @fontsource package and its CSS file. */
  free: [pkg: string, css: string];
  /** Needed under `fonts: official`. 宋体 sets only the page numbers' digits: the free serif
   * face (a 宋体 design) stands in for it when the office has no file of its own. */
  required: boolean;
}

/** `fonts: official` and the office's fonts/ lacks some of the faces: which ones. */
export class MissingFonts extends Error {
  constructor(readonly names: string[]) {
    super(`fonts/ 中没有${names.join('、')}`);
    this.name = 'MissingFonts';
  }
}

export const ROLES: Record<'fangsong' | 'song' | 'xiaobiaosong' | 'hei' | 'kai', Role> = {
  fangsong: { family: 'TB FangSong', official: ['仿宋_GB2312', 'FangSong_GB2312', '仿宋', 'FangSong', 'simfang'], free: ['noto-serif-sc', '400.css'], required: true },
  song: { family: 'TB Song', official: ['宋体', 'SimSun', 'simsun'], free: ['noto-serif-sc', '400.css'], required: false },
  xiaobiaosong: { family: 'TB XiaoBiaoSong', official: ['方正小标宋简体', '方正小标宋_GBK', 'FZXiaoBiaoSong-B05S', 'FZXBSJW'], free: ['noto-serif-sc', '700.css'], required: true },
  hei: { family: 'TB Hei', official: ['黑体', 'SimHei', 'simhei'], free: ['noto-sans-sc', '400.css'], required: true },
  kai: { family: 'TB Kai', official: ['楷体_GB2312', 'KaiTi_GB2312', '楷体', 'KaiTi', 'simkai'], free: ['lxgw-wenkai', '500.css'], required: true },
};

export interface FontSetup {
  css: string;
  /** Folders the printer may read font files from. */
  dirs: string[];
  /** Which face serves each role, for the build's report. */
  used: Record<string, string>;
}

const FONT_FILE = /\.(ttf|otf|woff2?|ttc)$/i;

function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`@fontsource/${pkg}/package.json`));
}

/** @font-face rules for every role: the office's file first, then the free face's subsets. */
export function fontSetup(root: string, choice: FontChoice = 'auto'): FontSetup {
  const fontsDir = path.join(root, 'fonts');
  const own = choice !== 'free' && existsSync(fontsDir) ? readdirSync(fontsDir).filter((f) => FONT_FILE.test(f)) : [];
  const dirs = new Set<string>();
  const used: Record<string, string> = {};
  if (choice === 'official') {
    const missing = Object.values(ROLES).filter((r) => r.required && !own.some((f) => r.official.includes(path.parse(f).name)));
    if (missing.length) throw new MissingFonts(missing.map((r) => r.official[0]!));
  }
  let css = '';
  for (const [name, role] of Object.entries(ROLES)) {
    const file = own.find((f) => role.official.includes(path.parse(f).name));
    if (file) {
      // The office's own face covers every character; no free subsets are needed behind it.
      const url = pathToFileURL(path.join(fontsDir, file)).href;
      css += `@font-face{font-family:'${role.family}';font-display:block;src:url("${url}");}\n`;
      dirs.add(fontsDir);
      used[name] = file;
      continue;
    }
    const [pkg, cssFile] = role.free;
    const dir = packageDir(pkg);
    dirs.add(dir);
    used[name] = `@fontsource/${pkg}`;
    const source = readFileSync(path.join(dir, cssFile), 'utf8');
    for (const m of source.matchAll(/@font-face\s*\{([^}]*)\}/g)) {
      const body = m[1]!;
      const src = /url\(\.\/files\/([^)]+\.woff2)\)/.exec(body)?.[1];
      if (!src) continue;
      const range = /unicode-range:\s*([^;]+);/.exec(body)?.[1];
      const url = pathToFileURL(path.join(dir, 'files', src)).href;
      css += `@font-face{font-family:'${role.family}';font-display:block;src:url("${url}") format("woff2");${range ? `unicode-range:${range};` : ''}}\n`;
    }
  }
  return { css, dirs: [...dirs], used };
}
