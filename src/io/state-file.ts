/**
 * The nightly push's state file (default `.backfill/state.json` next to the config): JSON with one
 * profile per line, so a person can read it and `git diff` two copies. Written atomically (temporary
 * file, then rename): a crash leaves the previous state whole, never half of a new one.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ConfirmedState } from '../domain/confirmed-state.js';
import type { DefinitionsSummary } from '../domain/definitions-hash.js';
import type { PropertyValue } from '../domain/profile-row.js';
import { BackfillError } from '../errors.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';

export const STATE_VERSION = 1;

/** `.backfill/state.json` in the config file's directory, or in `cwd` when there is no config file. */
export function defaultStatePath(configPath: string | undefined, cwd: string): string {
  return join(configPath === undefined ? cwd : dirname(resolve(cwd, configPath)), '.backfill', 'state.json');
}

/** The state, or undefined when the file does not exist (no incremental push has run yet). */
export async function readStateFile(path: string): Promise<ConfirmedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BackfillError('INPUT_UNREADABLE', `cannot read the state file ${path}: ${(error as Error).message}`, { location: { file: path }, cause: error });
  }
  const unreadable = (why: string) =>
    new BackfillError('INPUT_UNREADABLE', `${path} is not a backfill state file: ${why}`, {
      location: { file: path },
      hint: 'Move it away and run backfill push --incremental --full to send everything and write a new one.',
    });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw unreadable((error as Error).message);
  }
  const state = json as { version?: unknown; definitionsHash?: unknown; definitions?: unknown; updatedAt?: unknown; profiles?: unknown };
  if (state === null || typeof state !== 'object' || state.version !== STATE_VERSION) throw unreadable(`expected "version": ${STATE_VERSION}`);
  if (state.definitionsHash !== null && typeof state.definitionsHash !== 'string') throw unreadable('"definitionsHash" must be a string or null');
  if (state.profiles === null || typeof state.profiles !== 'object' || Array.isArray(state.profiles)) throw unreadable('"profiles" must be an object');
  const profiles = new Map<string, Record<string, PropertyValue>>();
  for (const [email, properties] of Object.entries(state.profiles as Record<string, unknown>)) {
    if (properties === null || typeof properties !== 'object' || Array.isArray(properties)) throw unreadable(`the entry for ${email} is not an object`);
    for (const value of Object.values(properties)) {
      if (typeof value !== 'number' && typeof value !== 'string') throw unreadable(`the entry for ${email} holds ${JSON.stringify(value)}`);
    }
    profiles.set(email.toLowerCase(), properties as Record<string, PropertyValue>);
  }
  return {
    definitionsHash: state.definitionsHash,
    definitions: (state.definitions ?? null) as DefinitionsSummary | null,
    updatedAt: typeof state.updatedAt === 'string' ? state.updatedAt : '',
    profiles,
  };
}

export async function writeStateFile(path: string, state: ConfirmedState): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    const file = new AtomicFile(path, CUSTOMER_FILE);
    try {
      const head = { version: STATE_VERSION, definitionsHash: state.definitionsHash, definitions: state.definitions, updatedAt: state.updatedAt };
      await file.write(`${JSON.stringify(head).slice(0, -1)},"profiles":{`);
      let first = true;
      for (const [email, properties] of state.profiles) {
        await file.write(`${first ? '' : ','}\n${JSON.stringify(email)}:${JSON.stringify(properties)}`);
        first = false;
      }
      await file.write('\n}}\n');
      await file.commit();
    } catch (error) {
      await file.discard();
      throw error;
    }
  } catch (error) {
    throw writeError('the state file', path, error, 'The state file is as it was before this run.');
  }
}
