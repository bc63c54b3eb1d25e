import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { recordFinishedSend, type ConfirmedState } from '../../src/core/confirmed-state.js';
import { buildDefinitions, propertyColumns } from '../../src/core/definitions.js';
import { definitionsHash, summarizeDefinitions } from '../../src/core/definitions-hash.js';
import { clearableWindowProperties, planClears, unsetRequest } from '../../src/core/emptied-windows.js';
import { diffProfiles } from '../../src/core/profile-diff.js';
import type { ProfileRow } from '../../src/core/profiles.js';
import { bodySchema, describeValidation } from '../support/klaviyo-schema.js';

const DEFINITIONS = buildDefinitions('window', [30, 90], ['small'], { windows: { '90': { value: 'vip_90' } } });
const row = (email: string, properties: ProfileRow['properties'], phone?: string): ProfileRow => ({ email, properties, ...(phone !== undefined ? { phone } : {}) });
const held = (entries: Record<string, ProfileRow['properties']>) => new Map(Object.entries(entries));

test('the clearable properties are exactly the windows\' value and date, under the configured names; never a size date', () => {
  const pairs = clearableWindowProperties(DEFINITIONS);
  assert.deepEqual(pairs, [
    { days: 30, value: 'highest_order_value', date: 'highest_order_date' },
    { days: 90, value: 'vip_90', date: '90_day_highest_order_date' },
  ]);
  const columns = new Set(propertyColumns(DEFINITIONS));
  for (const pair of pairs) assert.ok(columns.has(pair.value) && columns.has(pair.date), 'only properties this tool computes');
});

test('a window is cleared (value and date together) when the computation leaves it blank and the state holds it', () => {
  const state = held({
    'ann@x.com': { highest_order_value: 100, highest_order_date: '2025-06-01 00:00:00', vip_90: 100, '90_day_highest_order_date': '2025-06-01 00:00:00', small_order_date: '2025-06-01 00:00:00' },
    'bob@x.com': { highest_order_value: 20, highest_order_date: '2025-06-02 00:00:00' },
    'cat@x.com': { highest_order_date: '2025-06-03 00:00:00' },
    'dan@x.com': { vip_90: 5, '90_day_highest_order_date': '2025-05-01 00:00:00' },
    'eve@x.com': { highest_order_value: 7, highest_order_date: '2025-06-04 00:00:00' },
  });
  const computed = [
    row('', {}, '+15550001'), // known only by phone, every window blank
    row('ann@x.com', { vip_90: 100, '90_day_highest_order_date': '2025-06-01 00:00:00', small_order_date: '2025-06-01 00:00:00' }),
    row('bob@x.com', { highest_order_value: 20, highest_order_date: '2025-06-02 00:00:00' }),
    row('cat@x.com', { small_order_date: '2025-06-03 00:00:00' }),
    row('new@x.com', { small_order_date: '2025-06-03 00:00:00' }),
  ];
  const withoutProperties = [row('dan@x.com', {})];
  // eve is in the state but not in the computation (not in the export): left as she is.
  const plan = planClears(computed, withoutProperties, state, DEFINITIONS);
  assert.deepEqual(plan.clears, [
    { email: 'ann@x.com', properties: ['highest_order_value', 'highest_order_date'] },
    { email: 'cat@x.com', properties: ['highest_order_value', 'highest_order_date'] },
    { email: 'dan@x.com', properties: ['vip_90', '90_day_highest_order_date'] },
  ]);
  assert.equal(plan.withoutEmail, 1);
  assert.deepEqual(planClears(computed, withoutProperties, undefined, DEFINITIONS).clears, [], 'no state: nothing known to clear');
});

test('the request body is a valid Create or Update Profile body that sets nothing and unsets the named keys', () => {
  const validate = bodySchema('ProfileUpsertQuery');
  const body = unsetRequest({ email: 'ann@x.com', properties: ['highest_order_value', 'highest_order_date'] });
  assert.ok(validate(body), describeValidation(validate));
  assert.deepEqual(body, { data: { type: 'profile', attributes: { email: 'ann@x.com' }, meta: { patch_properties: { unset: ['highest_order_value', 'highest_order_date'] } } } });
});

test('recording: confirmed values first, then the cleared keys removed; a profile left with nothing is dropped', () => {
  const previous: ConfirmedState = {
    definitionsHash: definitionsHash(DEFINITIONS),
    definitions: summarizeDefinitions(DEFINITIONS),
    updatedAt: '',
    profiles: held({
      'ann@x.com': { highest_order_value: 100, highest_order_date: '2025-06-01 00:00:00', small_order_date: '2025-05-01 00:00:00' },
      'dan@x.com': { highest_order_value: 5, highest_order_date: '2025-05-01 00:00:00' },
    }),
  };
  const next = recordFinishedSend(previous, {
    definitionsHash: definitionsHash(DEFINITIONS),
    definitions: summarizeDefinitions(DEFINITIONS),
    columns: propertyColumns(DEFINITIONS),
    confirmed: [row('ann@x.com', { small_order_date: '2025-06-20 00:00:00' })],
    cleared: [
      { email: 'ann@x.com', properties: ['highest_order_value', 'highest_order_date'] },
      { email: 'dan@x.com', properties: ['highest_order_value', 'highest_order_date'] },
    ],
    complete: true,
    at: '2025-10-30T00:00:00.000Z',
  });
  assert.deepEqual(Object.fromEntries(next.profiles), { 'ann@x.com': { small_order_date: '2025-06-20 00:00:00' } });
});

test('property: after the clears are recorded, the state holds no window the computation leaves blank, and nothing else changed', () => {
  const date = fc.constantFrom('2025-06-01 00:00:00', '2025-07-01 00:00:00');
  // A window's value and date are set together, as the computation sets them.
  const window = (value: string, dateName: string) => fc.option(fc.tuple(fc.integer({ min: 1, max: 9 }), date).map(([v, d]) => ({ [value]: v, [dateName]: d })), { nil: {} });
  const properties = fc
    .tuple(window('highest_order_value', 'highest_order_date'), window('vip_90', '90_day_highest_order_date'), fc.option(date.map((d) => ({ small_order_date: d })), { nil: {} }))
    .map((parts): ProfileRow['properties'] => Object.assign({}, ...parts) as ProfileRow['properties']);
  const emails = ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'];
  fc.assert(
    fc.property(fc.array(fc.option(properties), { minLength: 4, maxLength: 4 }), fc.array(fc.option(properties), { minLength: 4, maxLength: 4 }), (before, now) => {
      const state = held(Object.fromEntries(emails.flatMap((email, i) => (before[i] ? [[email, before[i]!]] : []))));
      const computed = emails.flatMap((email, i) => (now[i] && Object.keys(now[i]!).length > 0 ? [row(email, now[i]!)] : []));
      const empty = emails.flatMap((email, i) => (now[i] && Object.keys(now[i]!).length === 0 ? [row(email, {})] : []));
      const plan = planClears(computed, empty, state, DEFINITIONS);
      const previous: ConfirmedState = { definitionsHash: 'h', definitions: null, updatedAt: '', profiles: state };
      const next = recordFinishedSend(previous, { definitionsHash: 'h', definitions: summarizeDefinitions(DEFINITIONS), columns: propertyColumns(DEFINITIONS), confirmed: [], cleared: plan.clears, complete: true, at: '' });
      const stale = diffProfiles(computed, [...next.profiles].map(([email, p]) => row(email, p)), propertyColumns(DEFINITIONS), empty).stale;
      assert.deepEqual(stale.filter((s) => s.property !== 'small_order_date'), [], 'no window left to clear');
      for (const [email, kept] of next.profiles) {
        const was = state.get(email)!;
        for (const [key, value] of Object.entries(kept)) assert.equal(value, was[key]);
        assert.equal(kept.small_order_date, was.small_order_date, 'size dates are never cleared');
      }
    }),
  );
});
