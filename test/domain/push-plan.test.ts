import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ProfileRow } from '../../src/domain/profile-row.js';
import { fromRanges, importJobRequest, KLAVIYO_LIMITS, planBatches, profileResource, toRanges } from '../../src/domain/push-plan.js';
import { generateRows } from '../support/profiles.js';

const rowsOf = (batchRows: readonly number[], rows: readonly ProfileRow[]) => batchRows.map((i) => profileResource(rows[i]!));

test('10,001 small profiles make two jobs: 10,000 and 1, each within 4.5 MB', () => {
  const rows = generateRows(10_001);
  const plan = planBatches(rows);
  assert.deepEqual(plan.batches.map((b) => b.rows.length), [10_000, 1]);
  assert.equal(plan.heldBack.length, 0);
  for (const batch of plan.batches) assert.ok(batch.bytes <= KLAVIYO_LIMITS.bytesPerJob);
});

test('the byte limit splits before the count limit when profiles are large', () => {
  const big = 'x'.repeat(40_000);
  const rows: ProfileRow[] = Array.from({ length: 300 }, (_, i) => ({ email: `p${i}@example.com`, properties: { note: big } }));
  const plan = planBatches(rows);
  assert.ok(plan.batches.length >= 3, `expected several batches, got ${plan.batches.length}`);
  for (const batch of plan.batches) {
    const serialised = Buffer.byteLength(JSON.stringify(importJobRequest(rowsOf(batch.rows, rows))));
    assert.equal(batch.bytes, serialised, 'planned size is the exact request size');
    assert.ok(serialised <= KLAVIYO_LIMITS.bytesPerJob);
  }
});

test('a profile over 100 KB and an invalid email are held back with a reason, the rest are sent', () => {
  const rows: ProfileRow[] = [
    { email: 'a@example.com', properties: { highest_order_value: 1 } },
    { email: 'huge@example.com', properties: { note: 'y'.repeat(100_001) } },
    { email: 'not-an-email', properties: { highest_order_value: 2 } },
    { email: 'b@example.com', properties: { highest_order_value: 3 } },
  ];
  const plan = planBatches(rows);
  assert.deepEqual(plan.batches.map((b) => b.rows), [[0, 3]]);
  assert.deepEqual(plan.heldBack.map((h) => [h.row, h.code]), [[1, 'PROFILE_TOO_LARGE'], [2, 'INVALID_PROFILE']]);
  assert.match(plan.heldBack[0]!.reason, /100000 bytes/);
});

test('payload: numbers stay numbers, dates stay strings, absent properties are not sent, list goes in relationships', () => {
  const row: ProfileRow = { email: 'ann@example.com', properties: { highest_order_value: 129.5, highest_order_date: '2025-06-10 16:00:00' } };
  const request = importJobRequest([profileResource(row)], 'VRgFBd');
  assert.deepEqual(JSON.parse(JSON.stringify(request)), {
    data: {
      type: 'profile-bulk-import-job',
      attributes: { profiles: { data: [{ type: 'profile', attributes: { email: 'ann@example.com', properties: { highest_order_value: 129.5, highest_order_date: '2025-06-10 16:00:00' } } }] } },
      relationships: { lists: { data: [{ type: 'list', id: 'VRgFBd' }] } },
    },
  });
});

test('property: every profile is in exactly one batch or held back, in order, within the limits', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ value: fc.oneof(fc.integer(), fc.string({ minLength: 1, maxLength: 300 })), bad: fc.boolean() }), { maxLength: 60 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 300, max: 3000 }),
      (cells, perJob, bytesPerJob) => {
        const rows: ProfileRow[] = cells.map((cell, i) => ({ email: cell.bad && i % 4 === 0 ? 'bad email' : `p${i}@x.io`, properties: { v: cell.value } }));
        const limits = { profilesPerJob: perJob, bytesPerJob, bytesPerProfile: 250 };
        const plan = planBatches(rows, limits);
        const placed = [...plan.batches.flatMap((b) => b.rows), ...plan.heldBack.map((h) => h.row)].sort((a, b) => a - b);
        assert.deepEqual(placed, rows.map((_, i) => i));
        for (const batch of plan.batches) {
          assert.ok(batch.rows.length >= 1 && batch.rows.length <= perJob);
          assert.equal(batch.bytes, Buffer.byteLength(JSON.stringify(importJobRequest(rowsOf(batch.rows, rows)))));
          assert.ok(batch.bytes <= bytesPerJob || batch.rows.length === 1);
        }
        assert.deepEqual(plan.batches.flatMap((b) => b.rows), [...plan.batches.flatMap((b) => b.rows)].sort((a, b) => a - b));
      },
    ),
  );
});

test('row ranges round-trip and compress runs', () => {
  assert.deepEqual(toRanges([0, 1, 2, 5, 7, 8]), [[0, 2], [5, 5], [7, 8]]);
  fc.assert(fc.property(fc.uniqueArray(fc.nat(500)), (rows) => {
    const sorted = [...rows].sort((a, b) => a - b);
    assert.deepEqual(fromRanges(toRanges(sorted)), sorted);
  }));
});

test('a profile known only by phone is held back with a reason that says so, not as a bad email', () => {
  const rows: ProfileRow[] = [
    { email: 'a@x.com', properties: { highest_order_value: 5 } },
    { email: '', phone: '+15005550006', properties: { highest_order_value: 7 } },
  ];
  const plan = planBatches(rows, KLAVIYO_LIMITS);
  assert.deepEqual(plan.heldBack.map((h) => [h.row, h.code]), [[1, 'INVALID_PROFILE']]);
  assert.match(plan.heldBack[0]!.reason, /known only by phone \(\+15005550006\)/);
});

test('every planned size is the exact request size, whatever the emails and values (non-ASCII, escapes, a list)', () => {
  const value = fc.oneof(fc.double({ noNaN: true }), fc.string({ maxLength: 30, unit: 'binary' }), fc.constantFrom('2025-06-10 16:00:00', 'é"\\\n'));
  fc.assert(
    fc.property(
      fc.array(fc.record({ email: fc.constantFrom('a@x.io', 'ü@x.io', '"q"@x.io', '中@x.io'), properties: fc.dictionary(fc.string({ maxLength: 8 }), value, { maxKeys: 4 }) }), { maxLength: 30 }),
      fc.option(fc.constant('Xy12Ab')),
      (rows, listId) => {
        const limits = { profilesPerJob: 4, bytesPerJob: 700, bytesPerProfile: 300 };
        const plan = planBatches(rows, limits, listId ?? undefined);
        for (const batch of plan.batches) {
          assert.equal(batch.bytes, Buffer.byteLength(JSON.stringify(importJobRequest(rowsOf(batch.rows, rows), listId ?? undefined))));
        }
        for (const held of plan.heldBack) {
          const row = rows[held.row]!;
          if (held.code === 'PROFILE_TOO_LARGE') assert.ok(Buffer.byteLength(JSON.stringify(profileResource(row))) > limits.bytesPerProfile);
        }
      },
    ),
    { numRuns: 500 },
  );
});
