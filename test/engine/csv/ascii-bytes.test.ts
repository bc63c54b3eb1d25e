/**
 * Trimming ASCII bytes must be what `trim()` does to their text: the CSV reader takes the bytes for
 * a plain ASCII cell and the string function for any other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { trimmedEnd, trimmedStart } from '../../../src/engine/csv/ascii-bytes.js';

const ALL_ASCII = Array.from({ length: 128 }, (_, code) => String.fromCharCode(code));
/** ASCII texts rich in what trim acts on. */
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

test('trimming ASCII bytes gives trim() of their text', () => {
  fc.assert(
    fc.property(asciiText, (text) => assert.equal(trimmedText(text), text.trim())),
    { numRuns: 10_000 },
  );
});
