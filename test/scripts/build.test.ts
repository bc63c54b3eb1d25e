/**
 * `npm run build` while the tool runs (a test suite, a cron job, a second terminal): every run finds a
 * whole dist/, the old one or the new one, never none or half of one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
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
  // The project as a clone has it, with the build it has now. Its tsconfig compiles src/ alone, the
  // part the tool runs, to keep the build short.
  const copy = tempDir('backfill-build-');
  for (const name of ['package.json', 'bin', 'scripts', 'src']) cpSync(join(REPO_ROOT, name), join(copy, name), { recursive: true });
  cpSync(join(REPO_ROOT, 'dist', 'src'), join(copy, 'dist', 'src'), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
  const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(copy, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['src'] }));
  const version = (JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { version: string }).version;

  const build = run('npm', ['run', 'build'], copy);
  // Runs one after another from the build's start: deleting dist/ first, as the build once did, failed
  // the first of them already; a handful keeps the machine for the build.
  const during: Exit[] = [];
  while (!build.finished() && during.length < 6) during.push(await run(process.execPath, [join(copy, 'bin', 'backfill.js'), '--version'], copy).done);
  const built = await build.done;
  assert.equal(built.code, 0, built.stderr);
  assert.ok(during.length > 0);
  for (const [index, runDuring] of during.entries()) {
    assert.equal(runDuring.code, 0, `run ${index + 1} of ${during.length} during the build: ${runDuring.stderr}`);
    assert.equal(runDuring.stdout, `${version}\n`);
  }
  assert.deepEqual(readdirSync(copy).sort(), ['bin', 'dist', 'node_modules', 'package.json', 'scripts', 'src', 'tsconfig.json']);
  const after = await run(process.execPath, [join(copy, 'bin', 'backfill.js'), '--version'], copy).done;
  assert.equal(after.stdout, `${version}\n`);
});
