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
 *
 * One run at a time: a run holds the store's lock from opening it until it has read its orders (two
 * runs appending or compacting at once lost events for good). Each part is sealed in the manifest
 * (event-store-parts.ts), so a damaged store stops a run instead of giving wrong profiles.
 */
import { mkdir, readdir, readFile, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrderEvent } from '../core/events-to-orders.js';
import { parseTimestamp } from '../core/timestamp.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';
import { checkPartFile, lineOf, readPart, sealOf, storeError, writePart, type PartSeal } from './event-store-parts.js';
import { lockStore } from './event-store-lock.js';

export const EVENT_STORE_VERSION = 1;
const MANIFEST = 'store.json';
const PART = /^part-(\d{6})\.ndjson\.gz$/;

export interface StorePart extends PartSeal {
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

export interface OpenOptions {
  /** `--refetch`: the store is removed (under the lock) and started afresh. */
  readonly fresh?: boolean;
  /** A stale lock taken over, a store of an earlier version sealed. */
  readonly onNotice?: (message: string) => void;
}

export class EventStore {
  readonly dir: string;
  #manifest: StoreManifest;
  readonly #release: () => void;

  private constructor(dir: string, manifest: StoreManifest, release: () => void) {
    this.dir = dir;
    this.#manifest = manifest;
    this.#release = release;
  }

  /**
   * Opens (or starts) the store of `metricId` in `dir` and holds its lock until `close()`: a second
   * run stops at once (exit 2) naming this one. Removes any part a killed run left unlisted, and
   * checks that every listed part is there, a file, of the size it was written with.
   */
  static async open(dir: string, metricId: string, now: number, options: OpenOptions = {}): Promise<EventStore> {
    const notice = options.onNotice ?? (() => {});
    const release = lockStore(dir, notice);
    try {
      if (options.fresh === true) await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      let manifest: LegacyManifest;
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
      for (const part of manifest.parts) await checkPartFile(dir, part);
      const store = new EventStore(dir, { ...manifest, parts: [] }, release);
      await store.#seal(manifest, now, notice);
      return store;
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Lets go of the store's lock (once every opener in this process has). */
  close(): void {
    this.#release();
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

  sizeOnDisk(): number {
    return this.#manifest.parts.reduce((sum, part) => sum + part.bytes, 0);
  }

  /** Records where a first fetch started; only on an empty store. */
  async setSince(since: number | null, now: number): Promise<void> {
    if (this.#manifest.parts.length > 0) throw new Error('setSince on a store that holds events');
    await this.#writeManifest({ ...this.#manifest, since }, now);
  }

  /** The keys (see `eventKey`) of the events held at or after `from`, to recognise them when a fetch overlaps. */
  async idsFrom(from: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const part of this.#manifest.parts) {
      if (part.newest === null || part.newest < from) continue;
      for await (const batch of readPart(this.dir, part)) {
        for (const event of batch) {
          const at = event.datetime === null ? undefined : parseTimestamp(event.datetime);
          if (at === undefined || !at.ok || at.epochMs >= from) ids.add(eventKey(event));
        }
      }
    }
    return ids;
  }

  /** Adds one part holding `events`; once this resolves they survive any crash. */
  async append(events: readonly OrderEvent[], now: number): Promise<void> {
    if (events.length === 0) return;
    const file = this.#nextPartName();
    const seal = await writePart(join(this.dir, file), [events as OrderEvent[]]);
    await this.#writeManifest({ ...this.#manifest, parts: [...this.#manifest.parts, { file, events: events.length, ...spanOf(events), ...seal }] }, now);
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
    async function* kept(): AsyncGenerator<OrderEvent[]> {
      for await (const batch of store.batches()) {
        const keep: OrderEvent[] = [];
        for (const event of batch) {
          const at = event.datetime === null ? undefined : parseTimestamp(event.datetime);
          const ms = at !== undefined && at.ok ? at.epochMs : undefined;
          if (dropBefore !== undefined && ms !== undefined && ms < dropBefore) continue;
          count++;
          if (ms !== undefined) {
            if (oldest === null || ms < oldest) oldest = ms;
            if (newest === null || ms > newest) newest = ms;
          }
          keep.push(event);
        }
        yield keep;
      }
    }
    const seal = await writePart(join(this.dir, file), kept());
    const trimmedBefore = dropBefore === undefined ? this.#manifest.trimmedBefore : Math.max(dropBefore, this.#manifest.trimmedBefore ?? -Infinity);
    await this.#writeManifest({ ...this.#manifest, trimmedBefore, parts: count === 0 ? [] : [{ file, events: count, oldest, newest, ...seal }] }, now);
    if (count === 0) await unlink(join(this.dir, file)).catch(() => {});
    for (const part of old) await unlink(join(this.dir, part.file)).catch(() => {});
  }

  /**
   * Every event held, in the order they were stored, a few hundred at a time: an async step per
   * event would cost more than reading the event.
   */
  async *batches(): AsyncGenerator<OrderEvent[]> {
    for (const part of this.#manifest.parts) yield* readPart(this.dir, part);
  }

  /** The same, one event at a time (tests, small stores). */
  async *events(): AsyncGenerator<OrderEvent> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Takes the parts of `manifest`, sealing those an earlier version wrote without a size and checksum. */
  async #seal(manifest: LegacyManifest, now: number, notice: (message: string) => void): Promise<void> {
    const unsealed = manifest.parts.filter((part) => part.bytes === undefined || part.sha256 === undefined).length;
    const parts: StorePart[] = [];
    for (const part of manifest.parts) parts.push(part.bytes !== undefined && part.sha256 !== undefined ? (part as StorePart) : { ...part, ...(await sealOf(join(this.dir, part.file))) });
    this.#manifest = { ...manifest, parts };
    if (unsealed === 0) return;
    await this.#writeManifest(this.#manifest, now);
    notice(`backfill: the event store ${this.dir} was written by an earlier version: recorded the size and checksum of its ${unsealed} parts (their events are counted as they are read)\n`);
  }

  #nextPartName(): string {
    const last = this.#manifest.parts.reduce((max, part) => Math.max(max, Number(PART.exec(part.file)?.[1] ?? 0)), 0);
    return `part-${String(last + 1).padStart(6, '0')}.ndjson.gz`;
  }

  async #writeManifest(manifest: StoreManifest, now: number): Promise<void> {
    const next = { ...manifest, updatedAt: new Date(now).toISOString() };
    const path = join(this.dir, MANIFEST);
    const file = new AtomicFile(path, CUSTOMER_FILE);
    try {
      await file.write(`${JSON.stringify(next, null, 1)}\n`);
      await file.commit();
    } catch (error) {
      await file.discard();
      throw writeError('the event store', path, error, 'Free some space (or fix the permissions) and run again: the store keeps every part written before.');
    }
    this.#manifest = next;
  }
}

/** What tells two fetched events apart: the id, or for an event without one, all of it. */
export function eventKey(event: OrderEvent): string {
  return event.id !== '' ? event.id : lineOf(event);
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

/** A manifest as read: its parts may lack the seal an earlier version did not write. */
type LegacyManifest = Omit<StoreManifest, 'parts'> & { readonly parts: readonly (Omit<StorePart, keyof PartSeal> & Partial<PartSeal>)[] };

function parseManifest(text: string, dir: string): LegacyManifest {
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
  for (const part of m.parts as unknown[]) {
    // A part name is a file of this directory, never a path elsewhere.
    const p = (part ?? {}) as Partial<StorePart>;
    const sealed = p.bytes === undefined || (Number.isSafeInteger(p.bytes) && typeof p.sha256 === 'string');
    if (typeof p.file !== 'string' || !PART.test(p.file) || !Number.isSafeInteger(p.events) || !sealed) {
      throw storeError(dir, `${MANIFEST} lists a part it cannot read: ${JSON.stringify(part)?.slice(0, 100)}`);
    }
  }
  return m as LegacyManifest;
}
