/**
 * Running the built `backfill` as a user would: a real child process in a temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** The repository root: compiled tests live in dist/test/..., so walk up to package.json. */
export const REPO_ROOT = (() => {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) directory = dirname(directory);
  return directory;
})();

export const FIXTURES = join(REPO_ROOT, 'fixtures');
const LAUNCHER = join(REPO_ROOT, 'bin', 'backfill.js');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'backfill-test-'));
}

export function runCli(args: readonly string[], options: { cwd?: string; input?: Buffer | string; env?: Record<string, string> } = {}): CliRun {
  // BACKFILL_* from the caller's shell must not leak into a test.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('BACKFILL_')));
  const result = spawnSync(process.execPath, [LAUNCHER, ...args], {
    cwd: options.cwd ?? tempDir(),
    input: options.input ?? '',
    env: { ...env, ...options.env },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** CSV text as one object per row, keyed by header. */
export function csvRows(text: string): Record<string, string>[] {
  return parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** The profile row for one email (or phone) key; fails the test when absent. */
export function profileOf(rows: readonly Record<string, string>[], key: string): Record<string, string> {
  const row = rows.find((r) => r['Email'] === key || r['Phone Number'] === key);
  if (row === undefined) throw new Error(`no profile row for ${key} in ${JSON.stringify(rows)}`);
  return row;
}
