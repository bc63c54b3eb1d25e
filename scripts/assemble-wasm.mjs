/**
 * Part of `npm run build` (scripts/build.mjs): assembles each WebAssembly text file under src/ (`*.wat`)
 * into the binary module beside the compiled JavaScript in dist/src/ (or in the folder given as the
 * first argument: the build's fresh folder), with wabt (the WebAssembly project's own
 * assembler, built for JavaScript). Text in the repository, so the code can be read and reviewed.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import initWabt from 'wabt';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.argv[2] ?? join(root, 'dist');
const wabt = await initWabt();

function* watFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* watFiles(path);
    else if (entry.name.endsWith('.wat')) yield path;
  }
}

for (const source of watFiles(join(root, 'src'))) {
  const name = relative(root, source);
  const module = wabt.parseWat(name, readFileSync(source, 'utf8'), { simd: true });
  try {
    module.resolveNames();
    module.validate();
    const target = join(out, name.replace(/\.wat$/, '.wasm'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
