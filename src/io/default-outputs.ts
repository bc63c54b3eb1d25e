/**
 * Outputs the user did not name: `profiles.csv`, `<out>.rejects.csv`, `rejects.csv` beside `-o -`,
 * push's rejects files beside its run log. A file of that name may already be somebody else's (a
 * `rejects.csv` of another tool, a `profiles.csv` exported from elsewhere), and the tool never replaces
 * a file it did not write: one it wrote is recognised by its header; anything else stops the run
 * before anything is read (exit 2), naming the file and the flag that moves the output.
 */
import { stat } from 'node:fs/promises';
import { BackfillError } from '../errors.js';
import { firstLine } from './first-line.js';
import { PUSH_REJECTS_HEADER } from './push-rejects.js';
import { REJECTS_HEADER } from './rejects-file.js';

/** What the tool writes at such a name, and how its first line reads. */
const KINDS = {
  profiles: { what: 'a profiles CSV', ours: (line: string) => line === 'Email' || line.startsWith('Email,') },
  rejects: { what: 'a rejects file', ours: (line: string) => line === REJECTS_HEADER.join(',') },
  'push-rejects': { what: "a push's rejects file", ours: (line: string) => line === PUSH_REJECTS_HEADER.join(',') },
} as const;

export type DefaultOutputKind = keyof typeof KINDS;

/** Throws when `path` exists and is not a file this tool wrote as `kind`; `flag` names where the output can go instead. */
export async function checkDefaultNamedOutput(path: string, kind: DefaultOutputKind, flag: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined || !info.isFile()) return; // absent, or a directory: the output checks say so
  const line = await firstLine(path);
  const { what, ours } = KINDS[kind];
  if (line !== undefined && ours(line)) return;
  throw new BackfillError('OUTPUT_FAILED', `${path} is in the way: this run writes ${what} there by default, and that file was not written by backfill (its first line is not ${what}'s header)`, {
    location: { file: path },
    hint: `Nothing was read or written. Name another place with ${flag} <file>, or move ${path} away.`,
  });
}
