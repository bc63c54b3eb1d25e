/**
 * A run must never write over a file it reads, nor write two of its files to one place: `-o x.csv`
 * with `x.csv` as the input would replace the order export, and `--rejects out.csv -o out.csv` would
 * lose one of the two. Files are compared by device and inode, not by name, so `./x.csv`, an absolute
 * path, a symlink and a hard link are all recognised. Checked before anything is read.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BackfillError } from '../errors.js';
import { STDIN_PATH } from './input-files.js';

/** A file the run touches, and what it is for (`the order export`, `--rejects`, ...), for the message. */
export interface RunFile {
  readonly path: string;
  readonly role: string;
}

interface Identified extends RunFile {
  /** `dev:ino` of an existing file, or the absolute path a new one would get. */
  readonly key: string;
}

/**
 * Refuses (exit 2) when an output is one of the inputs, or two outputs are one file. Inputs that do
 * not exist are left to the reader, which names them; `-` (stdin, stdout) is never a file.
 */
export function assertDistinctFiles(inputs: readonly RunFile[], outputs: readonly RunFile[]): void {
  const read = inputs.filter((f) => f.path !== STDIN_PATH).flatMap((f) => identify(f) ?? []);
  const written: Identified[] = [];
  for (const output of outputs) {
    if (output.path === STDIN_PATH) continue;
    const identified = identify(output) ?? { ...output, key: newFileKey(output.path) };
    const clash = read.find((f) => f.key === identified.key) ?? written.find((f) => f.key === identified.key);
    if (clash !== undefined) {
      throw new BackfillError('SAME_FILE', `${output.role} ${output.path} is the same file as ${clash.role} ${clash.path}`, {
        location: { file: output.path },
        hint: `Nothing was read or written. Give ${output.role} a path of its own.`,
      });
    }
    written.push(identified);
  }
}

function identify(file: RunFile): Identified | undefined {
  let stats: Stats;
  try {
    stats = statSync(file.path);
  } catch {
    return undefined;
  }
  return { ...file, key: `${stats.dev}:${stats.ino}` };
}

/** Where a file that does not exist yet would be created, with symlinked directories resolved. */
function newFileKey(path: string): string {
  const absolute = resolve(path);
  try {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    return absolute;
  }
}
