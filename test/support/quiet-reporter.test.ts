/**
 * `npm test` is quiet unless a test fails: its reporter prints no passing test, each failure with
 * its error and its file's stderr, and the runner's closing totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, tempDir } from './cli.js';

const REPORTER = fileURLToPath(new URL('./quiet-reporter.js', import.meta.url));

test('the reporter prints failures (with their error and their file\'s stderr) and the totals, and nothing for a pass', () => {
  const dir = tempDir();
  writeFileSync(
    join(dir, 'some.test.mjs'),
    `import { test } from 'node:test';
import assert from 'node:assert/strict';
test('a passing test', () => {});
test('another passing test', () => {});
test('a failing test', () => { console.error('said on stderr'); assert.equal(1, 2); });
`,
  );
  writeFileSync(join(dir, 'quiet.test.mjs'), `import { test } from 'node:test';\ntest('a quiet pass', () => { console.error('not shown'); });\n`);
  // A runner of its own, not a child of this one (which NODE_TEST_CONTEXT would make it).
  const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--test', `--test-reporter=${REPORTER}`, 'some.test.mjs', 'quiet.test.mjs'], { cwd: dir, encoding: 'utf8', env });
  assert.equal(run.status, 1);
  assert.doesNotMatch(run.stdout, /passing test|a quiet pass|not shown/);
  assert.match(run.stdout, /^✖ a failing test\n  at .*some\.test\.mjs:5:1\n/);
  assert.match(run.stdout, /1 !== 2/);
  assert.match(run.stdout, /stderr of .*some\.test\.mjs:\n  said on stderr\n/);
  const lines = run.stdout.trimEnd().split('\n');
  assert.deepEqual(lines.slice(-8, -1), ['ℹ tests 4', 'ℹ suites 0', 'ℹ pass 3', 'ℹ fail 1', 'ℹ cancelled 0', 'ℹ skipped 0', 'ℹ todo 0']);
  assert.match(lines.at(-1)!, /^ℹ duration_ms [\d.]+$/);
});

test('npm test runs the suite with that reporter', () => {
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  assert.match(scripts['test']!, /node --test .*--test-reporter=\.\/dist\/test\/support\/quiet-reporter\.js /);
});
