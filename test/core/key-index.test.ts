import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyIndex } from '../../src/core/key-index.js';

test('numbers keys in order of first appearance, as a Map from key to insertion index would', () => {
  // Emails, phones, non-Latin-1 text (two bytes a unit), and keys differing in one unit or in length.
  const key = fc.oneof(fc.emailAddress(), fc.stringMatching(/^\+[0-9]{3,6}$/), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('', 'a', 'ab', 'é', 'ā', '\u{1F600}'));
  fc.assert(
    fc.property(fc.array(key, { maxLength: 300 }), (keys) => {
      const index = new KeyIndex();
      const reference = new Map<string, number>();
      for (const k of keys) {
        if (!reference.has(k)) reference.set(k, reference.size);
        assert.equal(index.add(k), reference.get(k));
      }
      assert.equal(index.size, reference.size);
      assert.deepEqual(index.keys(), [...reference.keys()]);
      for (const [k, number] of reference) {
        assert.equal(index.get(k), number);
        assert.equal(index.keyAt(number), k);
      }
      assert.equal(index.get('\u0000not added'), -1);
    }),
    { numRuns: 300 },
  );
});

test('holds more than 2^24 keys, where a Map throws "Map maximum size exceeded"', () => {
  const limit = 2 ** 24;
  const count = limit + 1000;
  const index = new KeyIndex();
  // Keys of a few bytes each keep this to some hundreds of MB, all in typed arrays.
  for (let i = 0; i < count; i++) index.add(i.toString(36));
  assert.equal(index.size, count);
  for (const i of [0, 1, limit - 1, limit, limit + 1, count - 1]) {
    assert.equal(index.get(i.toString(36)), i);
    assert.equal(index.keyAt(i), i.toString(36));
  }
  assert.equal(index.add((limit + 7).toString(36)), limit + 7, 'a key added again keeps its number');
  assert.equal(index.size, count);
  assert.equal(index.get('-1'), -1);
});
