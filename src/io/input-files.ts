/**
 * Opening order exports: a path or `-` for stdin, with errors that name the file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BackfillError } from '../errors.js';

export const STDIN_PATH = '-';

/** How a file is named in messages: `stdin` for `-`, else the path as the user typed it. */
export function displayName(path: string): string {
  return path === STDIN_PATH ? 'stdin' : path;
}

export async function openInput(path: string, stdin: Readable = process.stdin): Promise<Readable> {
  if (path === STDIN_PATH) return stdin;
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new BackfillError('INPUT_UNREADABLE', `${path} is a directory, not an order export`, { location: { file: path } });
    }
  } catch (error) {
    if (error instanceof BackfillError) throw error;
    throw inputError(path, error);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return stream;
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
