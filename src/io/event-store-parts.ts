/**
 * The part files of the event store: gzip-compressed, one event a line
 * (`[id, datetime, email, phone, event_properties]`), each sealed by the manifest with its event
 * count, its size and the sha256 of its bytes. A part is checked against its seal when the store is
 * opened (there, the right size, a file) and as it is read (the events counted, the bytes hashed on
 * the way): a part deleted, replaced, cut short or swapped for another stops the run, naming it,
 * instead of giving profiles computed from part of the history.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { OrderEvent } from '../core/events-to-orders.js';
import { BackfillError } from '../errors.js';
import { AtomicFile, CUSTOMER_FILE, writeError } from './atomic-file.js';
import { LineSplitter } from './line-splitter.js';

/** What the manifest records of a part's file. */
export interface PartSeal {
  readonly bytes: number;
  readonly sha256: string;
}

/** A part as the manifest lists it; `bytes` and `sha256` are missing only in manifests an earlier version wrote. */
export interface ListedPart extends Partial<PartSeal> {
  readonly file: string;
  readonly events: number;
}

/** Text of about this many characters is compressed at a time: large enough that the gzip stream costs nothing. */
const TEXT_CHUNK = 1 << 20;

/** Writes `events` as one part, whole or not at all, readable by its owner only (it holds customer emails). */
export async function writePart(path: string, events: AsyncIterable<OrderEvent[]> | Iterable<OrderEvent[]>): Promise<PartSeal> {
  const file = new AtomicFile(path, CUSTOMER_FILE);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    // pipeline, not pipe: an error on either side (a damaged part read while compacting, a full disk) ends both.
    await pipeline(Readable.from(textOf(events)), createGzip(), async (compressed: AsyncIterable<Buffer>) => {
      for await (const chunk of compressed) {
        hash.update(chunk);
        bytes += chunk.length;
        await file.write(chunk);
      }
    });
    await file.commit();
  } catch (error) {
    await file.discard();
    if (error instanceof BackfillError) throw error;
    throw writeError('the event store', path, error, 'Free some space (or fix the permissions) and run again: the store keeps every part written before.');
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function* textOf(batches: AsyncIterable<OrderEvent[]> | Iterable<OrderEvent[]>): AsyncGenerator<string> {
  let text = '';
  for await (const batch of batches) {
    for (const event of batch) {
      text += `${lineOf(event)}\n`;
      if (text.length >= TEXT_CHUNK) {
        yield text;
        text = '';
      }
    }
  }
  if (text !== '') yield text;
}

/** The seal of a part as it is on disk now (a part an earlier version wrote, unsealed). */
export async function sealOf(path: string): Promise<PartSeal> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Opening the store: the part is there, is a file, and has the size it was written with. */
export async function checkPartFile(dir: string, part: ListedPart): Promise<void> {
  const found = await stat(join(dir, part.file)).catch((error: NodeJS.ErrnoException) => {
    throw storeError(dir, error.code === 'ENOENT' ? `is missing its part ${part.file}` : `cannot read its part ${part.file} (${error.code ?? error.message})`);
  });
  if (!found.isFile()) throw storeError(dir, `part ${part.file} is not a file`);
  if (part.bytes !== undefined && found.size !== part.bytes) {
    throw storeError(dir, `part ${part.file} holds ${found.size} bytes, not the ${part.bytes} it was written with: it was changed or cut short`);
  }
}

/**
 * The events of one part, a chunk's worth at a time; throws once the part is read if it does not
 * hold what its seal says (the events handed out before are then not to be used: every reader
 * reads a part whole before it writes anything).
 */
export async function* readPart(dir: string, part: ListedPart): AsyncGenerator<OrderEvent[]> {
  const path = join(dir, part.file);
  const hash = createHash('sha256');
  let bytes = 0;
  const sealing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const gunzip = createGunzip();
  // A failure anywhere (a directory, a file gone, bad gzip) reaches the loop below through gunzip.
  pipeline(createReadStream(path), sealing, gunzip).catch(() => {});
  const lines = new LineSplitter();
  let line = 0;
  let events = 0;
  try {
    for await (const chunk of gunzip.setEncoding('utf8') as AsyncIterable<string>) {
      const batch: OrderEvent[] = [];
      // Split by hand: readline costs more than the JSON parsing of a line.
      lines.push(chunk, (text) => {
        line++;
        if (text !== '') batch.push(eventOfLine(text, dir, part.file, line));
      });
      events += batch.length;
      if (batch.length > 0) yield batch;
    }
    const rest = lines.end();
    if (rest !== '') {
      events++;
      yield [eventOfLine(rest, dir, part.file, line + 1)];
    }
  } catch (error) {
    if (error instanceof BackfillError) throw error;
    throw storeError(dir, `part ${part.file} cannot be read (${(error as Error).message})`);
  }
  if (events !== part.events) throw storeError(dir, `part ${part.file} holds ${events} events, not the ${part.events} it was written with`);
  if (part.bytes !== undefined && (bytes !== part.bytes || hash.digest('hex') !== part.sha256)) {
    throw storeError(dir, `part ${part.file} does not match the checksum it was written with: it was changed`);
  }
}

export function lineOf(event: OrderEvent): string {
  return JSON.stringify([event.id, event.datetime, event.email, event.phone, event.properties]);
}

function eventOfLine(text: string, dir: string, file: string, line: number): OrderEvent {
  const fields = JSON.parse(text) as unknown;
  if (!Array.isArray(fields) || fields.length !== 5 || typeof fields[0] !== 'string') {
    throw storeError(dir, `line ${line} of part ${file} is not a stored event`);
  }
  const [id, datetime, email, phone, properties] = fields as [string, string | null, string, string, unknown];
  return { id, datetime, email, phone, properties };
}

export function storeError(dir: string, why: string): BackfillError {
  return new BackfillError('EVENT_STORE', `the event store ${dir} ${why}`, {
    location: { file: dir },
    hint: 'Run again with --refetch to rebuild it from Klaviyo (or move the directory away).',
  });
}
