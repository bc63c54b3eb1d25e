import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDefinitions } from '../../src/domain/definitions.js';
import { definitionsHash } from '../../src/domain/definitions-hash.js';

test('the definitions hash changes with the mode, windows, sizes and property names, and only with them', () => {
  const base = definitionsHash(buildDefinitions('flow', [30, 90], ['small', 'large']));
  assert.equal(definitionsHash(buildDefinitions('flow', [90, 30, 30], ['small', 'large'])), base, 'windows are normalised before hashing');
  const others = [
    buildDefinitions('window', [30, 90], ['small', 'large']),
    buildDefinitions('flow', [30], ['small', 'large']),
    buildDefinitions('flow', [30, 90], ['small']),
    buildDefinitions('flow', [30, 90], ['small', 'large'], { windows: { '90': { value: 'vip_value' } } }),
    buildDefinitions('flow', [30, 90], ['small', 'large'], { sizes: { large: 'big_order_date' } }),
  ].map(definitionsHash);
  assert.equal(new Set([base, ...others]).size, 6, 'each change gives a different hash');
  assert.match(base, /^sha256:[0-9a-f]{64}$/);
});
