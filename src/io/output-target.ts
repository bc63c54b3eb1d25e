/**
 * What an output path names, and so how it is written. A file this tool writes appears whole or not
 * at all: it is written under a temporary name beside it and renamed over it. That is right for a
 * regular file, and wrong for anything else a path can name:
 *
 * - a symlink: renaming over it would replace the link with a file of its own and leave the file it
 *   points to stale. The file it points to is the output: the temporary file goes beside that one.
 * - a device, a FIFO or a socket (`/dev/null`, a named pipe, `/dev/stdout`, `/proc/self/fd/N`):
 *   renaming over it would put a regular file where the device was (as root, a `/dev/null` full of
 *   customer emails) and the reader of the pipe would get nothing. There is nothing to make atomic:
 *   it is written through, as stdout is (appending, so that a descriptor the shell opened on a file
 *   with `>>` keeps what the file held).
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export type OutputTarget =
  /** A regular file, or none yet: written beside `path` and renamed over it. */
  | { readonly kind: 'file'; readonly path: string }
  /** A device, FIFO or socket: opened and written as it is, with no temporary file, no lock, no parts. */
  | { readonly kind: 'stream'; readonly path: string };

/** How many symlinks are followed before giving up (as the kernel's ELOOP limit). */
const MAX_LINKS = 40;

/**
 * The target of an output path: the path itself unless it is a symlink (then the file at the end of
 * the links, which need not exist yet) or names something that is not a regular file or a folder.
 */
export function outputTarget(path: string): OutputTarget {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info !== undefined && !info.isFile() && !info.isDirectory()) return { kind: 'stream', path };
  // A descriptor the shell opened (`-o /dev/stdout >> all.csv`) is written through even when it is a
  // regular file: renaming over the file would drop what it held, and the shell's descriptor with it.
  if (info !== undefined && namesDescriptor(path)) return { kind: 'stream', path };
  if (lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return { kind: 'file', path };
  if (info !== undefined) return { kind: 'file', path: realpathSync(path) };
  return { kind: 'file', path: danglingTarget(path) };
}

/** Whether writing to `path` goes through as to a pipe (see outputTarget). */
export function isStreamOutput(path: string): boolean {
  return outputTarget(path).kind === 'stream';
}

/** `/proc/self/fd/N`, `/proc/<pid>/fd/N`, `/dev/fd/N` as written. */
const DESCRIPTOR_PATH = /^\/(proc\/(self|thread-self|\d+)\/fd|dev\/fd)\/\d+$/;

/** Whether `path`, or a symlink on the way from it (`/dev/stdout` -> `/proc/self/fd/1`), names an open file descriptor. */
function namesDescriptor(path: string): boolean {
  let current = resolve(path);
  for (let links = 0; links < MAX_LINKS; links++) {
    if (DESCRIPTOR_PATH.test(current)) return true;
    if (lstatSync(current, { throwIfNoEntry: false })?.isSymbolicLink() !== true) return false;
    current = resolve(dirname(current), readlinkSync(current));
  }
  return false;
}

/** Where a chain of symlinks ending at no file leads: the file to create there (its folder resolved). */
function danglingTarget(path: string): string {
  let current = resolve(path);
  for (let links = 0; links < MAX_LINKS; links++) {
    if (lstatSync(current, { throwIfNoEntry: false })?.isSymbolicLink() !== true) break;
    current = resolve(dirname(current), readlinkSync(current));
  }
  try {
    return join(realpathSync(dirname(current)), basename(current));
  } catch {
    return current; // a folder that does not exist: writing there fails and names it
  }
}
