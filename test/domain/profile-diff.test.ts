import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffProfiles, hasChanges, samePropertyValue } from '../../src/domain/profile-diff.js';
import type { ProfileRow } from '../../src/domain/profile-row.js';

const COLUMNS = ['highest_order_value', 'highest_order_date', 'small_order_date'];
const row = (email: string, properties: ProfileRow['properties']): ProfileRow => ({ email, properties });

test('added, changed (per property, old -> new), unchanged and baseline-only profiles', () => {
  const current = [
    row('a@x.com', { highest_order_value: 129.5, highest_order_date: '2025-06-10 16:00:00' }),
    row('b@x.com', { highest_order_value: 200, highest_order_date: '2025-06-11 10:00:00', small_order_date: '2025-06-11 10:00:00' }),
    row('c@x.com', { highest_order_value: 10, highest_order_date: '2025-01-01 00:00:00' }),
  ];
  const baseline = [
    row('B@X.com', { highest_order_value: 150, highest_order_date: '2025-06-01 10:00:00', small_order_date: '2025-06-11 10:00:00' }),
    row('c@x.com', { highest_order_value: '10.00', highest_order_date: '2025-01-01T00:00:00+00:00' }),
    row('gone@x.com', { highest_order_value: 5 }),
  ];
  const diff = diffProfiles(current, baseline, COLUMNS);
  assert.deepEqual(diff.added.map((r) => r.email), ['a@x.com']);
  assert.deepEqual(diff.changed, [
    {
      email: 'b@x.com',
      changes: [
        { property: 'highest_order_value', from: 150, to: 200 },
        { property: 'highest_order_date', from: '2025-06-01 10:00:00', to: '2025-06-11 10:00:00' },
      ],
    },
  ]);
  assert.equal(diff.unchangedCount, 1);
  assert.deepEqual(diff.onlyInBaseline, ['gone@x.com']);
  assert.equal(hasChanges(diff), true);
});

test('a property the computation leaves blank is stale, not a change: pushes never send blanks', () => {
  const diff = diffProfiles([row('a@x.com', { small_order_date: '2025-01-01 00:00:00' })], [row('a@x.com', { highest_order_value: 90, small_order_date: '2025-01-01 00:00:00' })], COLUMNS);
  assert.deepEqual(diff.stale, [{ email: 'a@x.com', property: 'highest_order_value', value: 90 }]);
  assert.equal(diff.changed.length, 0);
  assert.equal(hasChanges(diff), false);
});

test('values compare by value: numbers numerically, dates by instant, text exactly', () => {
  assert.equal(samePropertyValue(129.5, '129.50'), true);
  assert.equal(samePropertyValue('1000', 999.99), false);
  assert.equal(samePropertyValue('2025-06-10 16:00:00', '2025-06-10T12:00:00-04:00'), true);
  assert.equal(samePropertyValue('2025-06-10 16:00:00', '2025-06-10 16:00:01'), false);
  assert.equal(samePropertyValue('vip', 'VIP'), false);
  assert.equal(samePropertyValue('12', 'twelve'), false);
});
