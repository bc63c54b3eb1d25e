import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EmailColumn } from '../../../src/engine/tables/email-column.js';
import { JsonBytes } from '../../../src/engine/tables/json-bytes.js';

const emailText = fc.oneof(
  fc.constantFrom('a@x.io', 'b@x.io', 'ü@x.io', '中@x.io', 'z@x.io', '', 'a\\b@x.io', 'q"@x.io', 'tab\t@x.io', '~@x.io'),
  fc.string({ maxLength: 6, unit: 'binary' }),
  fc.string({ maxLength: 6, unit: 'binary-ascii' }),
);

test('numbers every email as a Map of first appearances would, sorted or not, and gives each back', () => {
  fc.assert(
    fc.property(fc.array(emailText, { maxLength: 60 }), fc.boolean(), (emails, sorted) => {
      const sequence = sorted ? [...emails].sort() : emails;
      const column = new EmailColumn();
      const expected = new Map<string, number>();
      for (const email of sequence) {
        if (!expected.has(email)) expected.set(email, expected.size);
        assert.equal(column.add(email), expected.get(email));
        assert.equal(column.size, expected.size);
      }
      for (const [email, number] of expected) {
        assert.equal(column.at(number), email);
        const json = new JsonBytes();
        column.writeJson(number, json);
        assert.equal(json.bytes().toString('utf8'), JSON.stringify(email));
      }
    }),
    { numRuns: 2000 },
  );
});

test('a long ascending run, then one out of order, then more: the same numbers and texts throughout', () => {
  const column = new EmailColumn();
  const emails = Array.from({ length: 5000 }, (_, i) => `c${String(i).padStart(5, '0')}@x.io`);
  emails.forEach((email, i) => assert.equal(column.add(email), i));
  assert.equal(column.add(emails[4999]!), 4999, 'a repeat of the last one while still in order');
  assert.equal(column.add('b@x.io'), 5000, 'the first out of order is new');
  assert.equal(column.add(emails[17]!), 17, 'an early one is found once out of order');
  assert.equal(column.add('ü@x.io'), 5001);
  assert.equal(column.at(17), emails[17]);
  assert.equal(column.at(5001), 'ü@x.io');
  assert.equal(column.size, 5002);
});

test('a few ascending runs one after another, repeats within and across them included, are numbered as a Map would', () => {
  const email = fc.oneof(fc.integer({ min: 0, max: 40 }).map((n) => `c${n}@x.io`), emailText);
  // Runs of sorted emails, then emails taken again from anywhere before (as a repeat would come).
  const runs = fc.array(fc.array(email, { maxLength: 25 }).map((run) => [...run].sort()), { minLength: 1, maxLength: 7 });
  fc.assert(
    fc.property(runs, fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), (sortedRuns, repeats, asBytes) => {
      const sequence = sortedRuns.flat();
      for (const at of repeats) if (sequence.length > 0) sequence.splice(at % (sequence.length + 1), 0, sequence[at % sequence.length]!);
      const column = new EmailColumn();
      const expected = new Map<string, number>();
      for (const text of sequence) {
        if (!expected.has(text)) expected.set(text, expected.size);
        // By its bytes where that gives the same key: ASCII without capitals.
        const plain = /^[\u0000-\u007f]*$/.test(text) && text === text.toLowerCase();
        const number = asBytes && plain ? column.addAsciiLowerCased(Buffer.from(text, 'latin1'), 0, text.length) : column.add(text);
        assert.equal(number, expected.get(text), JSON.stringify(text));
      }
      assert.equal(column.size, expected.size);
      for (const [text, number] of expected) assert.equal(column.at(number), text);
    }),
    { numRuns: 5000 },
  );
});

test('an ASCII email added by its bytes, lower-cased on the way in, is numbered as its toLowerCase() would be', () => {
  // Capitals at every place in the four-byte words, the bytes just outside A to Z, and runs or no order.
  const asciiEmail = fc.oneof(
    fc.string({ maxLength: 14, unit: 'binary-ascii' }),
    fc.stringMatching(/^[@A-Z\[`a-z{]{0,13}$/),
    fc.integer({ min: 0, max: 30 }).map((n) => `C${n}@X.io`),
  );
  fc.assert(
    fc.property(fc.array(fc.tuple(asciiEmail, fc.boolean()), { maxLength: 60 }), fc.boolean(), fc.nat(5), (entries, sorted, padding) => {
      const sequence = sorted ? [...entries].sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : a[0].toLowerCase() > b[0].toLowerCase() ? 1 : 0)) : entries;
      const column = new EmailColumn();
      const expected = new Map<string, number>();
      for (const [text, asBytes] of sequence) {
        const key = text.toLowerCase();
        if (!expected.has(key)) expected.set(key, expected.size);
        const bytes = Buffer.from(`${'Q'.repeat(padding)}${text}Z`, 'latin1');
        const number = asBytes ? column.addAsciiLowerCased(bytes, padding, padding + text.length) : column.add(key);
        assert.equal(number, expected.get(key), JSON.stringify(text));
      }
      for (const [key, number] of expected) assert.equal(column.at(number), key);
    }),
    { numRuns: 5000 },
  );
});
