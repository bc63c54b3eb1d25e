/**
 * Trimming and lower-casing ASCII bytes must be what `trim()` and `toLowerCase()` do to their text:
 * the CSV reader takes the bytes for a plain ASCII cell and the string functions for any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasAsciiCapital, hasCapitalInAscii, lowerCaseAsciiInto, trimmedEnd, trimmedStart } from '../../src/core/ascii-bytes.js';

const ALL_ASCII = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
/** ASCII texts rich in what trim and toLowerCase act on. */
const asciiText = fc.oneof(
  fc.string({ maxLength: 12, unit: 'binary-ascii' }),
  fc.array(fc.constantFrom(' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1f', '\x00', 'a', 'Z', '@', '[', '`', '{'), { maxLength: 10 }).map((chars) => chars.join('')),
);

function trimmedText(text: string): string {
  const bytes = Buffer.from(`#${text}#`, 'latin1');
  const end = trimmedEnd(bytes, 1, bytes.length - 1);
  const start = trimmedStart(bytes, 1, end);
  return bytes.toString('latin1', start, end);
}

test('every ASCII character is trimmed from either end exactly when trim() removes it', () => {
  for (const char of ALL_ASCII) {
    assert.equal(trimmedText(`${char}x${char}`), `${char}x${char}`.trim(), `code ${char.charCodeAt(0)}`);
    assert.equal(trimmedText(char), char.trim(), `code ${char.charCodeAt(0)} alone`);
  }
});

test('trimming ASCII bytes gives trim() of their text, and lower-casing them toLowerCase()', () => {
  fc.assert(
    fc.property(asciiText, (text) => {
      assert.equal(trimmedText(text), text.trim());
      const bytes = Buffer.from(`A${text}Z`, 'latin1');
      const into = Buffer.alloc(text.length);
      lowerCaseAsciiInto(bytes, 1, bytes.length - 1, into);
      assert.equal(into.toString('latin1'), text.toLowerCase());
      assert.equal(hasAsciiCapital(bytes, 1, bytes.length - 1), text.toLowerCase() !== text);
    }),
    { numRuns: 10_000 },
  );
});

test('capitals found four bytes at a time are the ones found byte by byte, wherever the text starts and ends', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 24, unit: 'binary-ascii' }), fc.nat(3), fc.nat(3), (text, before, after) => {
      const bytes = Buffer.from(`${'a'.repeat(before)}${text}${'Z'.repeat(after)}`, 'latin1');
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      assert.equal(hasCapitalInAscii(view, before, before + text.length), /[A-Z]/.test(text), JSON.stringify(text));
    }),
    { numRuns: 20_000 },
  );
});
