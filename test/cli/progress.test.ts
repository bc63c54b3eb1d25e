/**
 * The time left on the progress line, in words: hours are not capped at a day (the phrase has no
 * days), units that are 0 are left out, and a run's last second still reads as one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, readingText } from '../../src/cli/progress.js';

test('durations read as hours, minutes and seconds, singular or plural, zeros left out', () => {
  const cases: [number, string][] = [
    [0.2, '1 second'],
    [1, '1 second'],
    [59.6, '1 minute'],
    [65, '1 minute 5 seconds'],
    [120, '2 minutes'],
    [3600, '1 hour'],
    [3605, '1 hour 5 seconds'],
    [3661, '1 hour 1 minute 1 second'],
    [90_000, '25 hours'],
    [200_000, '55 hours 33 minutes 20 seconds'],
  ];
  for (const [seconds, words] of cases) assert.equal(humanDuration(seconds), words, String(seconds));
});

test('the reading line gives the share read, the rate and the time left from the bytes', () => {
  const text = readingText({ file: 'orders.csv', fileNumber: 1, files: 1, records: 250_000, bytesRead: 25, bytesTotal: 100 }, 10_000);
  assert.equal(text, 'Reading orders.csv: 250,000 rows, 25%, 25,000 rows/s, about 30 seconds left');
});
