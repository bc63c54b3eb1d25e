import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/config-file.js';
import { DEFAULT_EVENT_OVERLAP_HOURS, resolveRunSettings } from '../../src/config/run-settings.js';

test('eventItems and eventOverlapHours: read, defaulted, and refused with the key named', () => {
  const config = parseConfig({ eventItems: '$extra.line_items', eventOverlapHours: 6 }, 'backfill.config.json');
  const settings = resolveRunSettings({}, config);
  assert.deepEqual(settings.events, { itemPaths: ['$extra.line_items'], overlapMs: 6 * 3_600_000 });
  assert.deepEqual(resolveRunSettings({}, undefined).events, { itemPaths: ['items', 'Items'], overlapMs: DEFAULT_EVENT_OVERLAP_HOURS * 3_600_000 });
  assert.throws(() => parseConfig({ eventOverlapHours: -1 }, 'c.json'), /c\.json: "eventOverlapHours" must be a number of hours/);
  assert.throws(() => parseConfig({ eventItems: [] }, 'c.json'), /"eventItems" must be an event property key/);
});
