import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDefinitions } from '../../src/domain/definitions.js';
import { definitionsHash } from '../../src/domain/definitions-hash.js';
import { PropertySchema } from '../../src/domain/computation.js';
import { REDUCER_KINDS } from '../../src/domain/reducers/registry.js';
import type { ReducerKind } from '../../src/domain/reducers/reducer.js';

test('the definitions hash changes with the mode, windows, sizes and property names, and only with them', () => {
  const base = definitionsHash(buildDefinitions('flow', [30, 90], ['small', 'large']));
  assert.equal(definitionsHash(buildDefinitions('flow', [90, 30, 30], ['small', 'large'])), base, 'windows are normalised before hashing');
  const others = [
    buildDefinitions('window', [30, 90], ['small', 'large']),
    buildDefinitions('flow', [30], ['small', 'large']),
    buildDefinitions('flow', [30, 90], ['small']),
    buildDefinitions('flow', [30, 90], ['small', 'large'], { windows: { '90': { value: 'vip_value' } } }),
    buildDefinitions('flow', [30, 90], ['small', 'large'], { sizes: { large: 'big_order_date' } }),
  ].map((definitions) => definitionsHash(definitions));
  assert.equal(new Set([base, ...others]).size, 6, 'each change gives a different hash');
  assert.match(base, /^sha256:[0-9a-f]{64}$/);
});

test('the hash of definitions a state file already holds is what earlier versions wrote (no resend of everyone)', () => {
  // Hashes written by the version before reducers were declared one by one.
  assert.equal(definitionsHash(buildDefinitions('flow', [30], ['small', 'medium', 'large', 'xlarge'])), 'sha256:22f1a62f0073f40bc541bb0eed75749f73420fb6a26d433c788b5f4db8dc2924');
  assert.equal(
    definitionsHash(buildDefinitions('window', [30, 60, 90], ['small'], { windows: { '60': { value: 'v60' } } })),
    'sha256:d1bf806c1a80b74db6591d451b4258d5219c5e5c5838ab7526c22aa948998a14',
  );
});

test('a reducer beyond the registry\'s changes the hash: its column is part of what the properties mean', () => {
  const extra: ReducerKind = {
    name: 'order-count',
    reducers: () => [{ columns: [{ name: 'order_count', kind: 'value' }], reduce: () => {}, ordersNeededFrom: () => undefined }],
  };
  const definitions = buildDefinitions('flow', [30], ['small']);
  assert.notEqual(definitionsHash(definitions, new PropertySchema(definitions, [...REDUCER_KINDS, extra])), definitionsHash(definitions));
});
