/**
 * The parts an earlier run of the same output name left behind. A run split into `p-1..p-4.csv`,
 * followed by a smaller one writing `p-1..p-3.csv` (or an unsplit `p.csv`), would otherwise leave
 * `p-4.csv` beside the new parts, and whoever uploads the folder imports stale values for its emails.
 * A leftover whose header is this run's is a part of an earlier run and is removed once the new parts
 * are in place; any other file of such a name is not ours to remove: the run refuses, saying how.
 */
import { readdir, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { BackfillError } from '../errors.js';
import { firstLine } from './first-line.js';
import { partPath } from './profiles-csv.js';

/** Files named `path` or `name-<n>.ext` beside it that are not among `keep`; throws on one that is not a profiles part. */
export async function staleParts(path: string, keep: readonly string[], header: string): Promise<string[]> {
  const directory = dirname(path);
  const extension = extname(path);
  const stem = basename(path, extension);
  const named = (await readdir(directory).catch(() => [] as string[])).filter((name) => name === basename(path) || isPartName(name, stem, extension));
  const kept = new Set(keep.map((file) => basename(file)));
  const stale: string[] = [];
  for (const name of named.filter((n) => !kept.has(n)).sort()) {
    const file = join(directory, name);
    const first = await firstLine(file);
    if (first !== header) {
      throw new BackfillError('OUTPUT_FAILED', `${file} is in the way: this run writes ${keep.map((k) => basename(k)).join(', ')}, and a file of that name from elsewhere would be taken for one of its parts`, {
        location: { file },
        hint: `Nothing was written. Move ${file} away (or write to another -o) and run again; a part of an earlier run with the same header would have been removed.`,
      });
    }
    stale.push(file);
  }
  return stale;
}

export async function removeStaleParts(files: readonly string[]): Promise<void> {
  for (const file of files) await unlink(file).catch(() => {});
}

function isPartName(name: string, stem: string, extension: string): boolean {
  if (!name.startsWith(`${stem}-`) || !name.endsWith(extension)) return false;
  const number = name.slice(stem.length + 1, name.length - extension.length);
  return /^[1-9]\d*$/.test(number) && name === basename(partPath(`${stem}${extension}`, Number(number)));
}
