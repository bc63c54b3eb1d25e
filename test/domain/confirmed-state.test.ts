import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { planIncrementalPush, recordFinishedSend, type ConfirmedState, type FinishedSend } from '../../src/domain/confirmed-state.js';
import { buildDefinitions } from '../../src/domain/definitions.js';
import { definitionsHash, summarizeDefinitions } from '../../src/domain/definitions-hash.js';
import type { ProfileRow } from '../../src/domain/profile-row.js';

const DEFINITIONS = buildDefinitions('window', [30], ['small']);
const HASH = definitionsHash(DEFINITIONS);
const COLUMNS = ['highest_order_value', 'highest_order_date', 'small_order_date'];
const row = (email: string, properties: ProfileRow['properties']): ProfileRow => ({ email, properties });

function stateOf(profiles: Record<string, ProfileRow['properties']>, hash: string | null = HASH): ConfirmedState {
  return { definitionsHash: hash, definitions: summarizeDefinitions(DEFINITIONS), updatedAt: '2025-06-30T00:00:00.000Z', profiles: new Map(Object.entries(profiles)) };
}

function send(confirmed: readonly ProfileRow[], complete = true, hash = HASH): FinishedSend {
  return { definitionsHash: hash, definitions: summarizeDefinitions(DEFINITIONS), columns: COLUMNS, confirmed, complete, at: '2025-07-01T00:00:00.000Z' };
}

const rows = [
  row('', { highest_order_value: 5 }), // known only by phone
  row('ann@x.com', { highest_order_value: 100, highest_order_date: '2025-06-01 00:00:00' }),
  row('bob@x.com', { highest_order_value: 20, highest_order_date: '2025-06-02 00:00:00' }),
  row('cat@x.com', { small_order_date: '2025-06-03 00:00:00' }),
];

test('no state: every profile with an email is sent; a phone-only profile never is', () => {
  const plan = planIncrementalPush(rows, undefined, HASH, COLUMNS, false);
  assert.equal(plan.reason, 'no-state');
  assert.deepEqual(plan.selection, [1, 2, 3]);
  assert.equal(plan.diff.withoutEmail, 1);
});

test('same definitions: only added and changed profiles are sent, by value (100 equals "100.00")', () => {
  const state = stateOf({
    'ann@x.com': { highest_order_value: '100.00', highest_order_date: '2025-06-01T00:00:00+00:00' },
    'bob@x.com': { highest_order_value: 10, highest_order_date: '2025-05-02 00:00:00' },
  });
  const plan = planIncrementalPush(rows, state, HASH, COLUMNS, false);
  assert.equal(plan.reason, 'changes');
  assert.deepEqual(plan.selection, [2, 3], 'bob changed, cat is new, ann is unchanged');
  assert.deepEqual(plan.diff.changed.map((c) => c.email), ['bob@x.com']);
  assert.deepEqual(plan.diff.added.map((r) => r.email), ['cat@x.com']);
});

test('other definitions, an unfinished full send, or --full: everything is sent', () => {
  const state = stateOf({ 'ann@x.com': rows[1]!.properties, 'bob@x.com': rows[2]!.properties, 'cat@x.com': rows[3]!.properties });
  assert.deepEqual(planIncrementalPush(rows, state, HASH, COLUMNS, false).selection, [], 'nothing changed');
  const other = definitionsHash(buildDefinitions('window', [30, 90], ['small']));
  assert.equal(planIncrementalPush(rows, state, other, COLUMNS, false).reason, 'definitions-changed');
  assert.deepEqual(planIncrementalPush(rows, state, other, COLUMNS, false).selection, [1, 2, 3]);
  assert.equal(planIncrementalPush(rows, stateOf({}, null), HASH, COLUMNS, false).reason, 'unfinished');
  const full = planIncrementalPush(rows, state, HASH, COLUMNS, true);
  assert.deepEqual([full.reason, full.selection], ['full', [1, 2, 3]]);
});

test('recording: confirmed values replace the old ones; a property not sent keeps its value; other columns go', () => {
  const previous = stateOf({
    'ann@x.com': { highest_order_value: 90, highest_order_date: '2025-05-01 00:00:00', small_order_date: '2025-01-01 00:00:00', renamed_value: 1 },
    'dan@x.com': { highest_order_value: 7 },
  });
  const next = recordFinishedSend(previous, send([row('ann@x.com', { small_order_date: '2025-06-03 00:00:00' })]));
  // The window emptied (nothing sent for it): Klaviyo keeps 90, and so does the state.
  assert.deepEqual(next.profiles.get('ann@x.com'), { highest_order_value: 90, highest_order_date: '2025-05-01 00:00:00', small_order_date: '2025-06-03 00:00:00' });
  assert.deepEqual(next.profiles.get('dan@x.com'), { highest_order_value: 7 }, 'profiles not in this send are kept');
  assert.equal(next.definitionsHash, HASH);
});

test('an unfinished send under new definitions leaves no hash (the next run sends everything); under the same ones it keeps it', () => {
  const other = definitionsHash(buildDefinitions('flow', [30], ['small']));
  const unfinishedNew = recordFinishedSend(stateOf({}), send([rows[1]!], false, other));
  assert.equal(unfinishedNew.definitionsHash, null);
  assert.deepEqual(unfinishedNew.profiles.get('ann@x.com'), rows[1]!.properties, 'what was confirmed is recorded anyway');
  assert.equal(planIncrementalPush(rows, unfinishedNew, other, COLUMNS, false).reason, 'unfinished');
  assert.equal(recordFinishedSend(stateOf({}), send([], false)).definitionsHash, HASH);
  assert.equal(recordFinishedSend(undefined, send([], true, other)).definitionsHash, other);
});

test('property: after recording a finished send of what was planned, the same rows plan nothing', () => {
  const value = fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('2025-06-01 00:00:00', '2025-06-02 12:30:00')), { nil: undefined });
  const table = fc.uniqueArray(
    fc.record({ email: fc.constantFrom('a@x.com', 'b@x.com', 'c@x.com', 'd@x.com', 'e@x.com'), v: value, d: value, s: value }),
    { selector: (r) => r.email },
  );
  fc.assert(
    fc.property(table, table, (before, after) => {
      const toRows = (records: typeof before) =>
        records.map((r) => {
          const properties: Record<string, number | string> = {};
          if (r.v !== undefined) properties.highest_order_value = r.v;
          if (r.d !== undefined) properties.highest_order_date = r.d;
          if (r.s !== undefined) properties.small_order_date = r.s;
          return row(r.email, properties);
        });
      const first = toRows(before);
      const state1 = recordFinishedSend(undefined, send(planIncrementalPush(first, undefined, HASH, COLUMNS, false).selection.map((i) => first[i]!)));
      const second = toRows(after);
      const plan = planIncrementalPush(second, state1, HASH, COLUMNS, false);
      const state2 = recordFinishedSend(state1, send(plan.selection.map((i) => second[i]!)));
      assert.deepEqual(planIncrementalPush(second, state2, HASH, COLUMNS, false).selection, []);
    }),
  );
});
