/**
 * Checked before anything is read: an output in a folder that does not exist, or an output that is a
 * folder, would otherwise fail at the very end, naming the temporary file it is written under.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BackfillError } from '../errors.js';

export async function checkOutputPath(path: string, flag: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory() === true) {
    throw new BackfillError('OUTPUT_FAILED', `${flag} ${path} is a directory`, {
      location: { file: path },
      hint: `Name a file in it, such as ${flag} ${resolve(path, 'profiles.csv')}.`,
    });
  }
  const directory = dirname(path);
  const parent = await stat(directory).catch(() => undefined);
  if (parent === undefined) {
    throw new BackfillError('OUTPUT_FAILED', `${flag} ${path}: the directory ${directory} does not exist`, {
      location: { file: path },
      hint: `Create it first (mkdir -p ${directory}), or write somewhere else.`,
    });
  }
  if (!parent.isDirectory()) {
    throw new BackfillError('OUTPUT_FAILED', `${flag} ${path}: ${directory} is a file, not a directory`, { location: { file: path } });
  }
}
