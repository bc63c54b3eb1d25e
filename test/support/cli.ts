/**
 * Runs the real, built `backfill` as a child process, the way users, cron and CI run it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';

/** The repository root: compiled tests live in dist/test/..., so walk up to package.json. */
export const REPO_ROOT = (() => {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    directory = parent;
  }
  return directory;
})();

export const FIXTURES = join(REPO_ROOT, 'fixtures');
export const CLI = join(REPO_ROOT, 'bin', 'backfill.js');

export const fixture = (name: string): string => join(FIXTURES, name);

export function tempDir(prefix = 'backfill-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  /** Default: a new empty temporary directory. */
  readonly cwd?: string;
  readonly stdin?: string | Buffer;
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Runs the binary under a file-size limit (`ulimit -f`, in the shell's blocks of 512 or 1024 bytes):
   * a write past it fails with EFBIG, as a full disk fails with ENOSPC, without filling a disk.
   */
  readonly fileSizeLimitBlocks?: number;
}

/** The caller's environment without BACKFILL_* and KLAVIYO_* settings, which must not leak into a test. */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([key]) => !key.startsWith('BACKFILL_') && !key.startsWith('KLAVIYO_'));
  return { ...Object.fromEntries(inherited), ...extra };
}

export function spawnCli(args: readonly string[], options: Omit<CliOptions, 'stdin'> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const [command, ...rest] =
    options.fileSizeLimitBlocks === undefined ? [process.execPath, CLI, ...args] : ['/bin/sh', '-c', `ulimit -f ${options.fileSizeLimitBlocks} && exec "$0" "$@"`, process.execPath, CLI, ...args];
  const child = spawn(command!, rest, { cwd: options.cwd ?? tempDir(), env: childEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  const { child, done } = spawnCli(args, options);
  child.stdin!.end(options.stdin ?? '');
  return done;
}

/** The same, waiting synchronously: for tests that run many short commands in a row. */
export function runCliSync(args: readonly string[], options: CliOptions = {}): CliRun {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? tempDir(),
    input: options.stdin ?? '',
    env: childEnv(options.env),
    encoding: 'utf8',
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** CSV text as one object per row, keyed by header. */
export function csvRows(text: string): Record<string, string>[] {
  return parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
}

/** The profile row for one email (or phone) key; fails the test when absent. */
export function profileOf(rows: readonly Record<string, string>[], key: string): Record<string, string> {
  const row = rows.find((r) => r['Email'] === key || r['Phone Number'] === key);
  if (row === undefined) throw new Error(`no profile row for ${key} in ${JSON.stringify(rows)}`);
  return row;
}
