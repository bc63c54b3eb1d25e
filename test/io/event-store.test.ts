import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EventStore } from '../../src/io/event-store.js';
import type { OrderEvent } from '../../src/domain/events-to-orders.js';
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
