import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pushTotals, replayRunLog, type RunLogEntry } from '../../src/domain/push-run-state.js';

const start: RunLogEntry = { type: 'start', version: 1, at: '2026-11-26T10:00:00Z', source: { kind: 'profiles', file: '/x.csv' }, fingerprint: 'f', profiles: 25, listId: null };

test('replay: planned, sending, submitted, finished, replaced and rejected add up', () => {
  const state = replayRunLog([
    start,
    { type: 'batch', batch: 1, rows: [[0, 9]] },
    { type: 'batch', batch: 2, rows: [[10, 19]] },
    { type: 'batch', batch: 3, rows: [[20, 24]] },
    { type: 'sending', batch: 1, at: 1 },
    { type: 'submitted', batch: 1, job: 'J1', createdAt: '2026-11-26T10:00:01Z' },
    { type: 'finished', batch: 1, job: 'J1', status: 'complete', total: 10, failed: 1, imported: 9, unknown: 0 },
    { type: 'rejected', batch: 1, job: 'J1', profiles: [{ row: 3, email: 'c@x.io', code: 'IMPORT_ERROR', reason: 'bad' }] },
    { type: 'sending', batch: 2, at: 2 },
    { type: 'rejected', batch: 2, profiles: [{ row: 12, email: 'd@x.io', code: 'KLAVIYO_INVALID', reason: 'bad email' }] },
    { type: 'batch', batch: 4, rows: [[10, 11], [13, 19]], parent: 2, narrowed: true },
    { type: 'replaced', batch: 2, by: [4], reason: '400' },
    { type: 'sending', batch: 4, at: 3 },
  ]);
  assert.deepEqual([...state.batches.values()].map((b) => [b.id, b.status]), [[1, 'finished'], [2, 'replaced'], [3, 'planned'], [4, 'sending']]);
  assert.equal(state.batches.get(4)!.narrowed, true);
  assert.deepEqual(state.batches.get(4)!.rows.length, 9);
  assert.deepEqual([...state.claimedJobs], ['J1']);
  assert.deepEqual(pushTotals(state), { profiles: 25, batches: 3, sent: 10, imported: 9, rejected: 2, unknown: 0, batchesUnsent: 2, batchesProcessing: 0 });
});

test('replay refuses a log that does not start with a start entry', () => {
  assert.throws(() => replayRunLog([{ type: 'batch', batch: 1, rows: [[0, 1]] }]), /start entry/);
});
