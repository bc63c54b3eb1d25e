#!/usr/bin/env node
// Launcher only: the program lives in dist/src/cli/main.js, built by `npm install` (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const program = new URL('../dist/src/cli/main.js', import.meta.url);

// A build swaps a fresh dist/ in with two renames (scripts/build.mjs): between them there is none, for
// an instant. A moment later there is one again; if not, the program was never built.
if (!existsSync(program)) await new Promise((resolve) => setTimeout(resolve, 250));
if (!existsSync(program)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(`backfill: the program is not built (${fileURLToPath(program)} is missing)\n  Run npm install (or npm run build) in ${root}.\n`);
  process.exit(2);
}
const { main } = await import(program.href);
process.exitCode = await main(process.argv);
