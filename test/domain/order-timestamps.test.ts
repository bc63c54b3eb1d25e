/**
 * The date layouts exports and spreadsheet re-saves write, read at a fixed format per row.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dayMonthNumbers, hasOwnOffset, TimestampReader } from '../../src/domain/order-timestamps.js';
import { TimeZone } from '../../src/domain/time-zone.js';

const utc = TimeZone.named('UTC')!;
function read(text: string, reader: TimestampReader): string {
  const parsed = reader.read(text);
  if (!parsed.ok) return `error: ${parsed.reason}`;
  return new Date(parsed.epochMs).toISOString();
}

test('ISO with an offset needs no zone; RFC 2822 and epoch seconds too', () => {
  const reader = new TimestampReader(undefined, undefined);
  assert.equal(read('2025-05-11 09:55:16 -0400', reader), '2025-05-11T13:55:16.000Z');
  assert.equal(read('Mon, 23 Sep 2024 14:21:24 +0000', reader), '2024-09-23T14:21:24.000Z');
  assert.equal(read('1715437516', reader), '2024-05-11T14:25:16.000Z');
  assert.match(read('2025-05-11 09:55:16', reader), /no UTC offset/);
});

test('day/month dates follow the file\'s order, with any of / - . and optional seconds or AM/PM', () => {
  const dayFirst = new TimestampReader(utc, 'dmy');
  assert.equal(read('16-05-2018 07:32:06', dayFirst), '2018-05-16T07:32:06.000Z');
  assert.equal(read('31/12/2023 22:36', dayFirst), '2023-12-31T22:36:00.000Z');
  assert.equal(read('26.04.2014', dayFirst), '2014-04-26T00:00:00.000Z');
  assert.equal(read("'05/06/2024", dayFirst), '2024-06-05T00:00:00.000Z');
  const monthFirst = new TimestampReader(utc, 'mdy');
  assert.equal(read('5/31/2016 0:37', monthFirst), '2016-05-31T00:37:00.000Z');
  assert.equal(read('9/6/2016 6:29:00 PM', monthFirst), '2016-09-06T18:29:00.000Z');
  assert.equal(read('9/6/2016 12:05 AM', monthFirst), '2016-09-06T00:05:00.000Z');
  // A row that contradicts the file's order says which order was used and why.
  monthFirst.dayMonthEvidence = '"12/31/2023" at line 4';
  assert.match(read('31/12/2023', monthFirst), /no such date.*MM\/DD\/YYYY, settled by "12\/31\/2023" at line 4/);
});

test('without a settled order a day/month date is never guessed', () => {
  assert.match(read('05/06/2024', new TimestampReader(utc, undefined)), /day and month order unknown/);
  assert.deepEqual(dayMonthNumbers('16-05-2018 07:32:06'), [16, 5]);
  assert.equal(dayMonthNumbers('2018-05-16'), undefined);
});

test('which texts carry their own offset', () => {
  assert.equal(hasOwnOffset('2025-05-11 09:55:16 -0400'), true);
  assert.equal(hasOwnOffset('2025-05-11T09:55:16Z'), true);
  assert.equal(hasOwnOffset('2025-05-11 09:55:16'), false);
  assert.equal(hasOwnOffset('26/04/2014'), false);
  assert.equal(hasOwnOffset('Mon, 23 Sep 2024 14:21:24 +0000'), true);
});

test('a configured zone reads wall-clock times as local', () => {
  const reader = new TimestampReader(TimeZone.named('Europe/Berlin')!, 'dmy');
  assert.equal(read('31.05.2025 22:36', reader), '2025-05-31T20:36:00.000Z');
  assert.equal(read('2025-01-10 12:00:00', reader), '2025-01-10T11:00:00.000Z');
});
