import { execFileSync } from 'node:child_process';

/** Compile src/ to dist/ and bundle it once, so CLI tests run exactly what `npx tongbao` runs. */
export default function setup() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['.ci/bundle.mjs'], { stdio: 'inherit' });
}
