/**
 * `npm run build` (and `prepare`): compiles with tsc and assembles the WebAssembly into a fresh folder
 * beside dist/, then swaps it in with two renames. A run of the tool during a build (a test suite, a
 * cron job, a second terminal) keeps finding a whole dist/: the old one until the swap, the new one
 * after; a build that fails leaves the old one as it was. Deleting dist/ first, as `tsc` alone would
 * need, left seconds in which every run died with ERR_MODULE_NOT_FOUND.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Installed from its tarball (npm pack), the package holds the built dist/ and neither the sources nor
// TypeScript: when npm runs `prepare` there, there is nothing to do.
if (!existsSync(join(root, 'src')) || !existsSync(join(root, 'tsconfig.json'))) process.exit(0);
const dist = join(root, 'dist');
const fresh = join(root, `.dist-build-${process.pid}`);
const moved = [];

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    rmSync(fresh, { recursive: true, force: true });
    process.exit(result.status ?? 1);
  }
}

const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
run([tsc, '-p', 'tsconfig.json', '--outDir', fresh]);
run([join(root, 'scripts', 'assemble-wasm.mjs'), fresh]);

// dist/ out of the way and the fresh one in its place: the two renames follow each other at once. A
// build running beside this one may swap in between; then this one moves that dist/ aside in turn.
for (let attempt = 0; ; attempt++) {
  const old = join(root, `.dist-old-${process.pid}-${attempt}`);
  try {
    renameSync(dist, old);
    moved.push(old);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error; // no dist/ yet, or the other build moved it a moment ago
  }
  try {
    renameSync(fresh, dist);
    break;
  } catch (error) {
    if (attempt >= 10 || (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST')) throw error;
  }
}
for (const old of moved) rmSync(old, { recursive: true, force: true });
