/**
 * The local copy of a metric's events, so that nothing is fetched twice: `.backfill/events-<metric id>/`
 * beside the state file. It holds gzip-compressed parts of one event a line
 * (`[id, datetime, email, phone, event_properties]`) and `store.json`, which lists the parts and says
 * what they cover (the metric, the first fetch's `--since`, the newest datetime held).
 *
 * Every file is written under a temporary name and renamed into place, parts before the manifest that
 * names them: a run killed at any moment leaves the store as of its last written part, and a part
 * no manifest names (killed between the two renames) is removed when the store is next opened. The
 * files hold customer emails, so they are created readable by the owner only.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { createGunzip, createGzip, gzip } from 'node:zlib';
import type { OrderEvent } from '../domain/events-to-orders.js';
import { parseTimestamp } from '../domain/timestamp.js';
import { BackfillError } from '../errors.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';

export const EVENT_STORE_VERSION = 1;
const MANIFEST = 'store.json';
const PART = /^part-(\d{6})\.ndjson\.gz$/;
/** zlib's thread pool compresses a part while the main thread goes on fetching. */
const gzipAsync = promisify(gzip);

export interface StorePart {
  readonly file: string;
  readonly events: number;
  /** Epoch ms of the oldest and newest datetime in the part (NaN-free: events without one are left out of these). */
  readonly oldest: number | null;
  readonly newest: number | null;
}

export interface StoreManifest {
  readonly version: number;
  readonly metricId: string;
  /** The first fetch started here (`--since`); null: the metric's whole history. */
  readonly since: number | null;
  /** Events before this were dropped by the retention rule; null: none ever were. */
  readonly trimmedBefore: number | null;
  readonly parts: readonly StorePart[];
  readonly updatedAt: string;
}

/** `.backfill/events-<metric id>` next to the state file's directory. */
export function eventStoreDir(stateDir: string, metricId: string): string {
  return join(stateDir, `events-${metricId.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

export class EventStore {
  readonly dir: string;
  #manifest: StoreManifest;

  private constructor(dir: string, manifest: StoreManifest) {
    this.dir = dir;
    this.#manifest = manifest;
  }

  /** Opens (or starts) the store of `metricId` in `dir`, removing any part a killed run left unlisted. */
  static async open(dir: string, metricId: string, now: number): Promise<EventStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    let manifest: StoreManifest;
    try {
      manifest = parseManifest(await readFile(join(dir, MANIFEST), 'utf8'), dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      manifest = { version: EVENT_STORE_VERSION, metricId, since: null, trimmedBefore: null, parts: [], updatedAt: new Date(now).toISOString() };
    }
    if (manifest.metricId !== metricId) throw storeError(dir, `holds the events of metric ${manifest.metricId}, not ${metricId}`);
    const listed = new Set(manifest.parts.map((part) => part.file));
    for (const name of await readdir(dir)) {
      if ((PART.test(name) && !listed.has(name)) || name.endsWith('.tmp')) await unlink(join(dir, name)).catch(() => {});
    }
    return new EventStore(dir, manifest);
  }

  /** Removes the whole store (`--refetch`). */
  static async remove(dir: string): Promise<void> {
    await rm(dir, { recursive: true, force: true });
  }

  get manifest(): StoreManifest {
    return this.#manifest;
  }

  get eventCount(): number {
    return this.#manifest.parts.reduce((sum, part) => sum + part.events, 0);
  }

  /** The newest datetime held (epoch ms), or null for an empty store. */
  get newest(): number | null {
    let newest: number | null = null;
    for (const part of this.#manifest.parts) if (part.newest !== null && (newest === null || part.newest > newest)) newest = part.newest;
    return newest;
  }

  get oldest(): number | null {
    let oldest: number | null = null;
    for (const part of this.#manifest.parts) if (part.oldest !== null && (oldest === null || part.oldest < oldest)) oldest = part.oldest;
    return oldest;
  }

  async sizeOnDisk(): Promise<number> {
    let bytes = 0;
    for (const part of this.#manifest.parts) bytes += (await stat(join(this.dir, part.file))).size;
    return bytes;
  }

  /** Records where a first fetch started; only on an empty store. */
  async setSince(since: number | null, now: number): Promise<void> {
    if (this.#manifest.parts.length > 0) throw new Error('setSince on a store that holds events');
    await this.#writeManifest({ ...this.#manifest, since }, now);
  }

  /** The ids of the events held at or after `from`, to recognise them when a fetch overlaps. */
  async idsFrom(from: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const part of this.#manifest.parts) {
      if (part.newest === null || part.newest < from) continue;
      for await (const batch of this.#readPart(part)) {
        for (const event of batch) {
          const at = event.datetime === null ? undefined : parseTimestamp(event.datetime);
          if (at === undefined || !at.ok || at.epochMs >= from) ids.add(event.id);
        }
      }
    }
    return ids;
  }

  /** Adds one part holding `events`; once this resolves they survive any crash. */
  async append(events: readonly OrderEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    const file = this.#nextPartName();
    const text = events.map(lineOf).join('\n') + '\n';
    await writeWhole(join(this.dir, file), [await gzipAsync(text)]);
    await this.#writeManifest({ ...this.#manifest, parts: [...this.#manifest.parts, { file, events: events.length, ...spanOf(events) }] }, now);
  }

  /**
   * Rewrites the store as one part: fewer files after many nightly runs. With `dropBefore`, events
   * placed before it are left out (the retention rule decides when that is allowed).
   */
  async compact(now: number, dropBefore?: number): Promise<void> {
    const old = this.#manifest.parts;
    if (old.length <= 1 && dropBefore === undefined) return;
    const file = this.#nextPartName();
    let count = 0;
    let oldest: number | null = null;
    let newest: number | null = null;
    const store = this;
    async function* lines(): AsyncGenerator<string> {
      for await (const batch of store.batches()) {
        let text = '';
        for (const event of batch) {
          const at = event.datetime === null ? undefined : parseTimestamp(event.datetime);
          const ms = at !== undefined && at.ok ? at.epochMs : undefined;
          if (dropBefore !== undefined && ms !== undefined && ms < dropBefore) continue;
          count++;
          if (ms !== undefined) {
            if (oldest === null || ms < oldest) oldest = ms;
            if (newest === null || ms > newest) newest = ms;
          }
          text += `${lineOf(event)}\n`;
        }
        if (text !== '') yield text;
      }
    }
    await writeWhole(join(this.dir, file), Readable.from(lines()).pipe(createGzip()));
    const trimmedBefore = dropBefore === undefined ? this.#manifest.trimmedBefore : Math.max(dropBefore, this.#manifest.trimmedBefore ?? -Infinity);
    await this.#writeManifest({ ...this.#manifest, trimmedBefore, parts: count === 0 ? [] : [{ file, events: count, oldest, newest }] }, now);
    if (count === 0) await unlink(join(this.dir, file)).catch(() => {});
    for (const part of old) await unlink(join(this.dir, part.file)).catch(() => {});
  }

  /**
   * Every event held, in the order they were stored, a few hundred at a time: an async step per
   * event would cost more than reading the event.
   */
  async *batches(): AsyncGenerator<OrderEvent[]> {
    for (const part of this.#manifest.parts) yield* this.#readPart(part);
  }

  /** The same, one event at a time (tests, small stores). */
  async *events(): AsyncGenerator<OrderEvent> {
    for await (const batch of this.batches()) yield* batch;
  }

  async *#readPart(part: StorePart): AsyncGenerator<OrderEvent[]> {
    const path = join(this.dir, part.file);
    let line = 0;
    let rest = '';
    try {
      // Split by hand: readline costs more than the JSON parsing of a line.
      for await (const chunk of createReadStream(path).pipe(createGunzip()).setEncoding('utf8') as AsyncIterable<string>) {
        const text = rest + chunk;
        const batch: OrderEvent[] = [];
        let start = 0;
        for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
          line++;
          if (end > start) batch.push(eventOfLine(text.slice(start, end), path, line));
          start = end + 1;
        }
        rest = text.slice(start);
        if (batch.length > 0) yield batch;
      }
      if (rest !== '') yield [eventOfLine(rest, path, line + 1)];
    } catch (error) {
      if (error instanceof BackfillError) throw error;
      throw storeError(this.dir, `part ${part.file} cannot be read (${(error as Error).message})`);
    }
  }

  #nextPartName(): string {
    const last = this.#manifest.parts.reduce((max, part) => Math.max(max, Number(PART.exec(part.file)?.[1] ?? 0)), 0);
    return `part-${String(last + 1).padStart(6, '0')}.ndjson.gz`;
  }

  async #writeManifest(manifest: StoreManifest, now: number): Promise<void> {
    const next = { ...manifest, updatedAt: new Date(now).toISOString() };
    await writeWhole(join(this.dir, MANIFEST), [`${JSON.stringify(next, null, 1)}\n`]);
    this.#manifest = next;
  }
}

/** One file of the store, whole or not at all, readable by its owner only (it holds customer emails). */
async function writeWhole(path: string, chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
  const file = new AtomicFile(path, CUSTOMER_FILE);
  try {
    for await (const chunk of chunks) await file.write(chunk);
    await file.commit();
  } catch (error) {
    await file.discard();
    throw writeError('the event store', path, error, 'Free some space (or fix the permissions) and run again: the store keeps every part written before.');
  }
}

function lineOf(event: OrderEvent): string {
  return JSON.stringify([event.id, event.datetime, event.email, event.phone, event.properties]);
}

function eventOfLine(text: string, path: string, line: number): OrderEvent {
  const fields = JSON.parse(text) as unknown;
  if (!Array.isArray(fields) || fields.length !== 5 || typeof fields[0] !== 'string') {
    throw storeError(dirname(path), `line ${line} of ${path} is not a stored event`);
  }
  const [id, datetime, email, phone, properties] = fields as [string, string | null, string, string, unknown];
  return { id, datetime, email, phone, properties };
}

function spanOf(events: readonly OrderEvent[]): { oldest: number | null; newest: number | null } {
  let oldest: number | null = null;
  let newest: number | null = null;
  for (const event of events) {
    const at = event.datetime === null ? undefined : parseTimestamp(event.datetime);
    if (at === undefined || !at.ok) continue;
    if (oldest === null || at.epochMs < oldest) oldest = at.epochMs;
    if (newest === null || at.epochMs > newest) newest = at.epochMs;
  }
  return { oldest, newest };
}

function parseManifest(text: string, dir: string): StoreManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw storeError(dir, `${MANIFEST} is not JSON (${(error as Error).message})`);
  }
  const m = json as Partial<StoreManifest> | null;
  if (m === null || typeof m !== 'object' || m.version !== EVENT_STORE_VERSION || typeof m.metricId !== 'string' || !Array.isArray(m.parts)) {
    throw storeError(dir, `${MANIFEST} is not an event store manifest of version ${EVENT_STORE_VERSION}`);
  }
  return m as StoreManifest;
}

function storeError(dir: string, why: string): BackfillError {
  return new BackfillError('EVENT_STORE', `the event store ${dir} ${why}`, {
    location: { file: dir },
    hint: 'Run again with --refetch to rebuild it from Klaviyo (or move the directory away).',
  });
}
