import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeyIndex } from '../../../src/engine/tables/key-index.js';

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

/** What `addAll` must give: each key of `theirs` added as a string, in their order. */
function addedInTurn(ours: readonly string[], theirs: readonly string[]): { keys: string[]; numbers: number[] } {
  const index = new KeyIndex();
  for (const key of ours) index.add(key);
  const numbers = theirs.map((key) => index.add(key));
  return { keys: index.keys(), numbers };
}

const anyKey = fc.oneof(
  fc.emailAddress(),
  fc.stringMatching(/^\+[0-9]{3,6}$/),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', 'a', 'ab', 'é', 'ā', '\u{1F600}', 'a\u0000', '\u0100\u0000'),
);

test('adding another index by bytes numbers its keys as adding their strings in turn would, wide keys included', () => {
  fc.assert(
    fc.property(fc.array(anyKey, { maxLength: 200 }), fc.array(anyKey, { maxLength: 200 }), (ours, theirs) => {
      const index = new KeyIndex();
      for (const key of ours) index.add(key);
      const other = new KeyIndex();
      for (const key of theirs) other.add(key);
      const numbers = index.addAll(other.handOver());
      const expected = addedInTurn(ours, theirs);
      assert.deepEqual(index.keys(), expected.keys);
      // By the other index's numbers: theirs without repeats, in order of first appearance.
      assert.deepEqual([...numbers], [...new Set(theirs)].map((key) => expected.numbers[theirs.indexOf(key)]));
      // Keys added by bytes are found by string, and strings added afterwards meet them.
      for (const [number, key] of expected.keys.entries()) assert.equal(index.get(key), number);
      for (const key of theirs) assert.equal(index.add(key), expected.keys.indexOf(key));
    }),
    { numRuns: 300 },
  );
});

test('adding by bytes across a growing table and arena, through a structured clone as a worker sends it', () => {
  const ours = Array.from({ length: 3_000 }, (_, i) => `customer${i}@example.com`);
  // Far more than the first table holds at three quarters full (4096 pairs) and than the first arena (64 KB).
  const theirs = Array.from({ length: 12_000 }, (_, i) => (i % 4 === 0 ? `ünï${i}\u0101@例え.jp` : `customer${i * 2}@example.com`));
  const index = new KeyIndex();
  for (const key of ours) index.add(key);
  const other = new KeyIndex();
  for (const key of theirs) other.add(key);
  const content = other.handOver();
  const sent = structuredClone(content, { transfer: [content.arena.buffer as ArrayBuffer, content.spans.buffer as ArrayBuffer] });
  const numbers = index.addAll(sent);
  const expected = addedInTurn(ours, theirs);
  assert.deepEqual([...numbers], expected.numbers);
  assert.deepEqual(index.keys(), expected.keys);
  for (const [number, key] of expected.keys.entries()) assert.equal(index.get(key), number);
});

test('a key added as Latin-1 bytes is the key its string is: found by string, and numbered once either way', () => {
  const latin1Key = fc.string({ maxLength: 8, unit: 'binary' }).map((key) => [...key].filter((char) => char.charCodeAt(0) <= 0xff).join(''));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.oneof(latin1Key, anyKey), fc.boolean()), { maxLength: 200 }), (entries) => {
      const index = new KeyIndex();
      const expected = new Map<string, number>();
      for (const [key, asBytes] of entries) {
        if (!expected.has(key)) expected.set(key, expected.size);
        const bytes = Buffer.from(`"${key}"`, 'latin1');
        const number = asBytes && !/[^\u0000-\u00ff]/.test(key) ? index.addLatin1(bytes, 1, bytes.length - 1) : index.add(key);
        assert.equal(number, expected.get(key), JSON.stringify(key));
      }
      for (const [key, number] of expected) {
        assert.equal(index.get(key), number);
        assert.equal(index.keyAt(number), key);
      }
    }),
    { numRuns: 500 },
  );
});

test('a key as bytes, and whether it has a unit, without its string', () => {
  const index = new KeyIndex();
  const keys = ['ann@x.com', '+15550100', 'zoë@x.com', 'ā@x.com', ''];
  for (const key of keys) index.add(key);
  const into = new Uint8Array(12).fill(0xee);
  assert.equal(index.writeLatin1(0, into, 1), 9);
  assert.equal(Buffer.from(into.subarray(1, 10)).toString('latin1'), 'ann@x.com');
  assert.equal(index.writeLatin1(2, into, 0), 9);
  assert.equal(Buffer.from(into.subarray(0, 9)).toString('latin1'), 'zoë@x.com');
  assert.equal(index.writeLatin1(3, into, 0), -1, 'a unit above 0xff');
  assert.equal(index.writeLatin1(0, into, 4), -1, 'no room');
  assert.equal(index.writeLatin1(4, into, 12), 0);
  for (const [number, key] of keys.entries()) {
    for (const unit of ['@', '+', 'ā', 'ë', 'x']) assert.equal(index.includesUnit(number, unit.charCodeAt(0)), key.includes(unit), `${key} ${unit}`);
  }
});

test('an index handed over and rebuilt from its arrays (KeyIndex.from) finds every key and numbers new ones next, with no hashing again', () => {
  const key = fc.oneof(fc.emailAddress(), fc.string({ unit: 'binary', maxLength: 5 }), fc.constantFrom('', 'ā', '\u{1F600}'));
  fc.assert(
    fc.property(fc.array(key, { maxLength: 200 }), fc.array(key, { maxLength: 200 }), (before, after) => {
      const original = new KeyIndex();
      const reference = new KeyIndex();
      for (const k of before) {
        original.add(k);
        reference.add(k);
      }
      const content = original.handOver();
      const sent = structuredClone(content, { transfer: [content.arena.buffer, content.spans.buffer, content.slots.buffer] as ArrayBuffer[] });
      const rebuilt = KeyIndex.from(sent);
      for (const k of after) assert.equal(rebuilt.add(k), reference.add(k));
      assert.equal(rebuilt.size, reference.size);
      assert.deepEqual(rebuilt.keys(), reference.keys());
      for (const k of [...before, ...after]) assert.equal(rebuilt.get(k), reference.get(k));
    }),
  );
});

test('a key as UTF-16 code units, Latin-1 and wide keys alike, and -1 when they do not fit', () => {
  const index = new KeyIndex();
  const keys = ['a@x.com', 'zoë@x.com', 'ā\u{1F600}@例え.jp', ''];
  for (const key of keys) index.add(key);
  for (const [number, key] of keys.entries()) {
    const units = new Uint16Array(key.length + 2).fill(7);
    assert.equal(index.writeUnits(number, units, 1), key.length);
    assert.equal(String.fromCharCode(...units.subarray(1, 1 + key.length)), key);
    assert.equal(units[0], 7);
    assert.equal(units[key.length + 1], 7, 'nothing written past the key');
    if (key.length > 0) assert.equal(index.writeUnits(number, new Uint16Array(key.length - 1), 0), -1);
  }
});
