import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchProgressText } from '../../src/cli/order-source-flags.js';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

test('fetch progress: counts, rate, the dates covered, and a time left estimated from them, never a percentage', () => {
  const text = fetchProgressText({ eventsFetched: 50_000, pages: 50, from: null, oldestFetched: day('2024-01-01'), newestFetched: day('2025-01-01') }, 20_000, day('2026-01-01'));
  // Half the span from the first event to now is covered in 20 s: about 20 s more.
  assert.equal(text, 'Fetching events: 50,000 in 50 pages (2,500/s), 2024-01-01 to 2025-01-01, about 20 seconds left (estimated from the dates covered)');
  assert.doesNotMatch(text, /%/);
  const resumed = fetchProgressText({ eventsFetched: 10, pages: 1, from: day('2025-12-29'), oldestFetched: day('2025-12-30'), newestFetched: day('2025-12-30') }, 1_000, day('2025-12-31'));
  assert.match(resumed, /2025-12-29 to 2025-12-30, about 1 second left/);
  assert.equal(fetchProgressText({ eventsFetched: 0, pages: 1, from: null, oldestFetched: null, newestFetched: null }, 500, day('2026-01-01')), 'Fetching events: 0 in 1 pages (0/s)');
});
