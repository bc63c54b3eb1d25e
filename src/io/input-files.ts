/**
 * Opening order exports: a path or `-` for stdin, with errors that name the file.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';

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
