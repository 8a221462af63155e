import { execFileSync } from 'node:child_process';

/** Compile src/ to dist/ once, so CLI tests run exactly what `npx tongbao` runs. */
export default function setup() {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
