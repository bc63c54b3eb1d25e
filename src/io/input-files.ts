/**
 * Opening order exports: a path or `-` for stdin, with errors that name the file.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';
import { formatCount } from '../wording.js';

export const STDIN_PATH = '-';

/** How a file is named in messages: `stdin` for `-`, else the path as the user typed it. */
export function displayName(path: string): string {
  return path === STDIN_PATH ? 'stdin' : path;
}

const GLOB_CHARS = /[*?[]/;

/**
 * A file named on the command line, with `*`, `?` and `[...]` in the file name (not the directory)
 * expanded, sorted, for shells that pass patterns through (quoted, as in a crontab line, or Windows).
 * A name that exists as typed is taken as is, and a pattern matching nothing is an error like a
 * missing file. Synchronous: it runs once per argument while the command line is parsed.
 */
export function expandInputPath(path: string): string[] {
  if (path === STDIN_PATH || !GLOB_CHARS.test(basename(path)) || exists(path)) return [path];
  const directory = dirname(path);
  const pattern = globPattern(basename(path));
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    names = [];
  }
  const matches = names.filter((name) => pattern.test(name)).sort();
  if (matches.length === 0) {
    throw new BackfillError('INPUT_NOT_FOUND', `${path}: no file matches`, { location: { file: path }, hint: 'Check the pattern and the directory.' });
  }
  // Named with the directory as typed, so messages point where the user looked.
  return matches.map((name) => (path.includes('/') ? join(directory, name) : name));
}

function globPattern(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `stdin`: the stream `-` names (the CLI passes its own; code that has none cannot read `-`).
 * `range.end`: read only the bytes before that offset (the first part of a cut file).
 */
export async function openInput(path: string, stdin: Readable | undefined, range?: { readonly end: number }): Promise<Readable> {
  if (path === STDIN_PATH) {
    if (stdin === undefined) throw new BackfillError('USAGE', 'orders cannot be read from stdin (-) here', { hint: 'Name the order files.' });
    return stdin;
  }
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new BackfillError('INPUT_UNREADABLE', `${path} is a directory, not an order export`, { location: { file: path } });
    }
  } catch (error) {
    if (error instanceof BackfillError) throw error;
    throw inputError(path, error);
  }
  return createReadStream(path, { highWaterMark: 1 << 20, ...(range === undefined ? {} : { end: range.end - 1 }) });
}

export function inputError(path: string, error: unknown): BackfillError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new BackfillError('INPUT_NOT_FOUND', `${path}: no such file`, {
      location: { file: path },
      hint: 'Check the path; to read from a pipe, pass - as the file.',
      cause: error,
    });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new BackfillError('INPUT_UNREADABLE', `${path}: cannot be read (${detail})`, { location: { file: path }, cause: error });
}

/** What tells whether an input file changed while the run read it: which file it is, its size, its last change. */
export interface InputSnapshot {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** The file as it is now; undefined for stdin and anything but a regular file (a pipe has no size to hold to). */
export async function snapshotInput(path: string): Promise<InputSnapshot | undefined> {
  if (path === STDIN_PATH) return undefined;
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return undefined;
  return { path, dev: info.dev, ino: info.ino, size: info.size, mtimeMs: info.mtimeMs };
}

/**
 * Stops the run (exit 2) when a file read differs from its snapshot taken before it was read. A file
 * cut short while it is read (a 100 MB export truncated to 40 MB) simply ends early, and one still
 * being written ends in the middle of a row: either reads as a smaller, whole-looking export. One
 * replaced by another (a rename over it) is read partly from each when it is read in parts.
 */
export async function assertInputsUnchanged(snapshots: readonly (InputSnapshot | undefined)[]): Promise<void> {
  for (const before of snapshots) {
    if (before === undefined) continue;
    const after = await snapshotInput(before.path);
    const change =
      after === undefined || after.dev !== before.dev || after.ino !== before.ino
        ? 'it was replaced or removed'
        : after.size < before.size
          ? `it shrank from ${formatCount(before.size)} to ${formatCount(after.size)} bytes`
          : after.size > before.size
            ? `it grew from ${formatCount(before.size)} to ${formatCount(after.size)} bytes`
            : after.mtimeMs !== before.mtimeMs
              ? 'it was written to'
              : undefined;
    if (change === undefined) continue;
    throw new BackfillError('INPUT_CHANGED', `${displayName(before.path)} changed while it was read (${change}): nothing was written`, {
      location: { file: before.path },
      hint: 'Run again once the file is complete and nothing writes to it any more (an export still downloading, or a copy still running?).',
    });
  }
}
