/**
 * Store-local times to UTC through the zone's rules, including the hours that daylight saving time
 * skips and repeats, and the cache per UTC hour agreeing with Intl for every hour of a year.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeZone } from '../../src/core/time-zone.js';

const newYork = TimeZone.named('America/New_York')!;
const wall = (text: string) => Date.parse(`${text}Z`);
const utc = (ms: number) => new Date(ms).toISOString();

test('summer and winter offsets of New York', () => {
  assert.equal(utc(newYork.toUtc(wall('2025-06-03T14:00:00'))), '2025-06-03T18:00:00.000Z');
  assert.equal(utc(newYork.toUtc(wall('2025-01-15T14:00:00'))), '2025-01-15T19:00:00.000Z');
});

test('a time skipped when clocks go forward moves forward by the gap; a repeated time is its first occurrence', () => {
  // 9 March 2025: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist and reads as 03:30 EDT.
  assert.equal(utc(newYork.toUtc(wall('2025-03-09T02:30:00'))), '2025-03-09T07:30:00.000Z');
  // 2 November 2025: 01:30 happens in EDT (05:30 UTC) and again in EST (06:30 UTC).
  assert.equal(utc(newYork.toUtc(wall('2025-11-02T01:30:00'))), '2025-11-02T05:30:00.000Z');
});

test('a zone changing on a half hour (Newfoundland) is exact on both sides of the change', () => {
  const stJohns = TimeZone.named('America/St_Johns')!;
  // 9 March 2025, 02:00 NST (05:30 UTC) becomes 03:00 NDT: one minute before and after.
  assert.equal(stJohns.offsetAt(Date.parse('2025-03-09T05:29:00Z')), -3.5 * 3_600_000);
  assert.equal(stJohns.offsetAt(Date.parse('2025-03-09T05:31:00Z')), -2.5 * 3_600_000);
});

test('cached offsets agree with a fresh zone at every hour of a year', () => {
  const cached = TimeZone.named('Europe/Berlin')!;
  for (let t = Date.parse('2025-01-01T00:00:00Z'); t < Date.parse('2026-01-01T00:00:00Z'); t += 3_600_000 + 61_000) {
    cached.offsetAt(t);
    assert.equal(cached.offsetAt(t), TimeZone.named('Europe/Berlin')!.offsetAt(t));
  }
});

test('unknown zone names are refused', () => {
  assert.equal(TimeZone.named('Mars/Olympus_Mons'), undefined);
  assert.equal(TimeZone.named('UTC')?.toUtc(wall('2025-01-01T00:00:00')), wall('2025-01-01T00:00:00'));
});
