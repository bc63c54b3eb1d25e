/**
 * Reading a part is linear in a line's length: one event with megabytes of properties is searched for
 * its line break once, not once per chunk read (which made 100 MB of properties take minutes). Counted,
 * not timed: every search for a line break is measured by the characters it looks at. In a file of its
 * own, since it wraps a built-in for the length of the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EventStore } from '../../src/io/event-store.js';
import type { OrderEvent } from '../../src/core/events-to-orders.js';
import { tempDir } from '../support/cli.js';

test('a 4 MB event is read back whole, each character searched for a line break about once', async () => {
  const dir = join(tempDir(), 'events-M1');
  const store = await EventStore.open(dir, 'M1', 0);
  const note = 'x'.repeat(4 << 20);
  const big: OrderEvent = { id: 'big', datetime: '2025-06-01T10:00:00+00:00', email: 'big@example.com', phone: '', properties: { $value: 1, note } };
  const small: OrderEvent = { id: 'small', datetime: '2025-06-02T10:00:00+00:00', email: 'small@example.com', phone: '', properties: { $value: 2 } };
  await store.append([small, big, small], 0);
  const textLength = [small, big, small].reduce((sum, e) => sum + JSON.stringify([e.id, e.datetime, e.email, e.phone, e.properties]).length + 1, 0);

  const original = String.prototype.indexOf;
  let searched = 0;
  String.prototype.indexOf = function (this: string, search: string, position?: number): number {
    const found = original.call(this, search, position);
    if (search === '\n') searched += (found < 0 ? this.length : found + 1) - Math.max(0, position ?? 0);
    return found;
  };
  const read: OrderEvent[] = [];
  try {
    for await (const event of store.events()) read.push(event);
  } finally {
    String.prototype.indexOf = original;
  }
  assert.deepEqual(read, [small, big, small]);
  assert.ok(searched >= textLength, `line breaks are looked for (${searched} of ${textLength})`);
  assert.ok(searched <= 2 * textLength, `${searched} characters searched for ${textLength} read`);
  store.close();
});
