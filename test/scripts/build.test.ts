/**
 * `npm run build` while the tool runs (a test suite, a cron job, a second terminal): every run finds a
 * whole dist/, the old one or the new one, never none or half of one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, tempDir } from '../support/cli.js';

interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): { done: Promise<Exit>; finished: () => boolean } {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let finished = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Exit>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      finished = true;
      resolve({ code, stdout, stderr });
    });
  });
  return { done, finished: () => finished };
}

test('runs of the tool during npm run build all find a whole dist/, and the build leaves no folder of its own behind', async () => {
  // The build as the project has it (package.json, tsconfig.json, scripts/, the launcher), over a
  // program of one module in place of src/: the build's steps are the same, and tsc's part is short.
  const copy = tempDir('backfill-build-');
  for (const name of ['package.json', 'tsconfig.json', 'bin', 'scripts']) cpSync(join(REPO_ROOT, name), join(copy, name), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
  mkdirSync(join(copy, 'src', 'cli'), { recursive: true });
  writeFileSync(join(copy, 'src', 'cli', 'main.ts'), PROGRAM);
  const tsconfig = JSON.parse(readFileSync(join(copy, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(copy, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src'] }));
  const first = await run('npm', ['run', 'build'], copy).done;
  assert.equal(first.code, 0, first.stderr);

  const build = run('npm', ['run', 'build'], copy);
  // Runs one after another from the build's start: deleting dist/ first, as the build once did, failed
  // those during tsc; a handful keeps the machine for the build.
  const during: Exit[] = [];
  while (!build.finished() && during.length < 8) during.push(await run(process.execPath, [join(copy, 'bin', 'backfill.js')], copy).done);
  const built = await build.done;
  assert.equal(built.code, 0, built.stderr);
  assert.ok(during.length > 0);
  for (const [index, runDuring] of during.entries()) {
    assert.equal(runDuring.code, 0, `run ${index + 1} of ${during.length} during the build: ${runDuring.stderr}`);
    assert.equal(runDuring.stdout, 'built\n');
  }
  assert.deepEqual(readdirSync(copy).sort(), ['bin', 'dist', 'node_modules', 'package.json', 'scripts', 'src', 'tsconfig.json']);
});

test('without a build the launcher says so and how to build, instead of a stack trace', async () => {
  const copy = tempDir('backfill-unbuilt-');
  cpSync(join(REPO_ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
  const unbuilt = await run(process.execPath, [join(copy, 'bin', 'backfill.js'), '--version'], copy).done;
  assert.equal(unbuilt.code, 2);
  assert.match(unbuilt.stderr, /^backfill: the program is not built \(.*dist\/src\/cli\/main\.js is missing\)\n  Run npm install \(or npm run build\) in /);
  assert.doesNotMatch(unbuilt.stderr, /    at /);
});

/** The one module of the program built in the test: what the launcher calls. */
const PROGRAM = `export async function main(): Promise<number> {
  process.stdout.write('built\\n');
  return 0;
}
`;
