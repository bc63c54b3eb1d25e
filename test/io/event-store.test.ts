import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EventStore, type StoreManifest } from '../../src/io/event-store.js';
import type { OrderEvent } from '../../src/core/events-to-orders.js';
import { tempDir } from '../support/cli.js';

const at = (day: number) => `2025-06-${String(day).padStart(2, '0')}T10:00:00+00:00`;
const ev = (id: string, day: number): OrderEvent => ({ id, datetime: at(day), email: `${id}@example.com`, phone: '', properties: { $value: day, items: [{ Size: 'S' }] } });

async function all(store: EventStore): Promise<OrderEvent[]> {
  const events: OrderEvent[] = [];
  for await (const event of store.events()) events.push(event);
  return events;
}

test('parts appended survive reopening; a part no manifest names (killed between two renames) is removed', async () => {
  const dir = join(tempDir(), 'events-M1');
  const store = await EventStore.open(dir, 'M1', 0);
  await store.append([ev('a', 1), ev('b', 3)], 0);
  await store.append([ev('c', 2)], 0);
  await writeFile(join(dir, 'part-000003.ndjson.gz'), 'half written');
  await writeFile(join(dir, '.store.json.123.tmp'), '{');
  const reopened = await EventStore.open(dir, 'M1', 0);
  assert.deepEqual(await all(reopened), [ev('a', 1), ev('b', 3), ev('c', 2)]);
  assert.equal(reopened.newest, Date.parse(at(3)));
  assert.equal(reopened.oldest, Date.parse(at(1)));
  assert.deepEqual((await readdir(dir)).sort(), ['part-000001.ndjson.gz', 'part-000002.ndjson.gz', 'store.json']);
  assert.deepEqual([...(await reopened.idsFrom(Date.parse(at(2))))].sort(), ['b', 'c']);
  await assert.rejects(EventStore.open(dir, 'OTHER', 0), /holds the events of metric M1/);
});

test('compaction keeps every event in order in one part; with a cut-off it drops older ones and records it', async () => {
  const dir = join(tempDir(), 'events-M1');
  const store = await EventStore.open(dir, 'M1', 0);
  for (let day = 1; day <= 5; day++) await store.append([ev(`e${day}`, day)], 0);
  await store.compact(0);
  assert.deepEqual((await all(store)).map((e) => e.id), ['e1', 'e2', 'e3', 'e4', 'e5']);
  assert.equal(store.manifest.parts.length, 1);
  await store.compact(0, Date.parse(at(3)));
  assert.deepEqual((await all(store)).map((e) => e.id), ['e3', 'e4', 'e5']);
  assert.equal(store.manifest.trimmedBefore, Date.parse(at(3)));
  assert.deepEqual((await readdir(dir)).sort(), [store.manifest.parts[0]!.file, 'store.json']);
  const reopened = await EventStore.open(dir, 'M1', 0);
  assert.equal(reopened.eventCount, 3);
});

test('an unreadable store names itself and --refetch', async () => {
  const dir = join(tempDir(), 'events-M1');
  await EventStore.open(dir, 'M1', 0);
  await writeFile(join(dir, 'store.json'), 'not json');
  await assert.rejects(EventStore.open(dir, 'M1', 0), (error: Error & { hint?: string }) => /store\.json is not JSON/.test(error.message) && /--refetch/.test(error.hint ?? ''));
});

test('every part is sealed with its event count, size and sha256; a part that differs from its seal stops the read, naming it', async () => {
  const dir = join(tempDir(), 'events-M1');
  const store = await EventStore.open(dir, 'M1', 0);
  await store.append([ev('a', 1), ev('b', 2), ev('c', 3)], 0);
  const [part] = store.manifest.parts;
  const bytes = await readFile(join(dir, part!.file));
  assert.equal(part!.bytes, bytes.length);
  assert.equal(part!.sha256, createHash('sha256').update(bytes).digest('hex'));
  store.close();
  const manifest = JSON.parse(await readFile(join(dir, 'store.json'), 'utf8')) as StoreManifest;

  // Another part of the same events, recorded with its size: only the checksum tells.
  const other = gzipSync(`${JSON.stringify(['a', at(1), 'a@example.com', '', { $value: 999 }])}\n${gunzipSync(bytes).toString().split('\n').slice(1).join('\n')}`);
  await writeFile(join(dir, part!.file), other);
  await writeFile(join(dir, 'store.json'), JSON.stringify({ ...manifest, parts: [{ ...part, bytes: other.length }] }));
  const swapped = await EventStore.open(dir, 'M1', 0);
  await assert.rejects(all(swapped), (error: Error & { hint?: string }) => /part part-000001\.ndjson\.gz does not match the checksum it was written with/.test(error.message) && /--refetch/.test(error.hint ?? ''));
  swapped.close();

  // The right bytes, but the manifest expects another count.
  await writeFile(join(dir, part!.file), bytes);
  await writeFile(join(dir, 'store.json'), JSON.stringify({ ...manifest, parts: [{ ...part, events: 4 }] }));
  const miscounted = await EventStore.open(dir, 'M1', 0);
  await assert.rejects(all(miscounted), /part part-000001\.ndjson\.gz holds 3 events, not the 4 it was written with/);
  miscounted.close();

  // A manifest naming a file elsewhere is not followed.
  await writeFile(join(dir, 'store.json'), JSON.stringify({ ...manifest, parts: [{ ...part, file: '../../etc/passwd' }] }));
  await assert.rejects(EventStore.open(dir, 'M1', 0), /store\.json lists a part it cannot read/);
});

test('one opener at a time across runs, any number within one run; the lock goes with the last close', async () => {
  const dir = join(tempDir(), 'events-M1');
  const first = await EventStore.open(dir, 'M1', 0);
  const second = await EventStore.open(dir, 'M1', 0);
  await stat(`${dir}.lock`);
  first.close();
  first.close();
  await stat(`${dir}.lock`);
  second.close();
  await assert.rejects(stat(`${dir}.lock`), /ENOENT/);
});
