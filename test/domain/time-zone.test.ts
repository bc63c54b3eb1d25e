/**
 * Store-local times to UTC through the zone's rules, including the hours that daylight saving time
 * skips and repeats, and every hour of two years against the EU and US daylight saving rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeZone } from '../../src/domain/time-zone.js';

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

/** The n-th (1-based; -1 for the last) Sunday of a month, as a UTC day. */
function sunday(year: number, month: number, nth: number): number {
  if (nth > 0) {
    const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
    return Date.UTC(year, month, 1 + ((7 - first) % 7) + (nth - 1) * 7);
  }
  const last = new Date(Date.UTC(year, month + 1, 0));
  return last.getTime() - last.getUTCDay() * 86_400_000;
}

const HOUR = 3_600_000;
/** EU rule (Directive 2000/84/EC): summer time from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. */
const berlinOffset = (t: number, year: number) => (t >= sunday(year, 2, -1) + HOUR && t < sunday(year, 9, -1) + HOUR ? 2 : 1) * HOUR;
/** US rule (Energy Policy Act of 2005): from 02:00 EST on the second Sunday of March to 02:00 EDT on the first Sunday of November. */
const newYorkOffset = (t: number, year: number) => (t >= sunday(year, 2, 2) + 7 * HOUR && t < sunday(year, 10, 1) + 6 * HOUR ? -4 : -5) * HOUR;

test('offsets agree with the EU and US daylight saving rules at every hour of two years, cached or not', () => {
  const berlin = TimeZone.named('Europe/Berlin')!;
  for (const year of [2025, 2026]) {
    // Every hour plus a minute, so both sides of each change are seen; asked twice, the second from the cache.
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += HOUR + 60_000) {
      for (let ask = 0; ask < 2; ask++) {
        assert.equal(berlin.offsetAt(t), berlinOffset(t, year), `Berlin at ${utc(t)}`);
        assert.equal(newYork.offsetAt(t), newYorkOffset(t, year), `New York at ${utc(t)}`);
      }
    }
  }
});

test('unknown zone names are refused', () => {
  assert.equal(TimeZone.named('Mars/Olympus_Mons'), undefined);
  assert.equal(TimeZone.named('UTC')?.toUtc(wall('2025-01-01T00:00:00')), wall('2025-01-01T00:00:00'));
});
