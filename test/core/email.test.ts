/**
 * emailProblem reads each email in one pass; it must say what the three regular expressions it
 * replaced said, for any text (checked here against them, on text made of the characters that matter).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emailProblem, isPlainLowerCaseEmail } from '../../src/core/email.js';

/** The check as it was written first: the reference. */
function byExpressions(email: string): string | undefined {
  if (email.includes('\uFFFD')) return `the email is not valid UTF-8 (${JSON.stringify(email)}): save the export as UTF-8`;
  if (/[\u0000-\u001f\u007f]/.test(email)) return `the email holds a control character or NUL (${JSON.stringify(email)})`;
  // U+FEFF is a format character that `\s` also matches: it is named as white space.
  const invisible = /[^\P{Cf}\uFEFF]/u.exec(email);
  if (invisible !== null) {
    const code = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    const shown = email.replace(/[^\P{Cf}\uFEFF]/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).replaceAll('\uFEFF', '\\uFEFF');
    return `the email holds an invisible character, U+${code}, at position ${invisible.index + 1} ("${shown}"): remove it, it makes another profile that prints the same`;
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return `"${email}" is not an email address`;
  return undefined;
}

// Every character `\s` matches, every control character, and plain letters, `@` and non-ASCII text.
const spaces = [...Array(0x10000).keys()].map((code) => String.fromCharCode(code)).filter((c) => /\s/.test(c));
const controls = [...Array(0x20).keys(), 0x7f].map((code) => String.fromCharCode(code));
const character = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('a', 'b', '.', 'é', '😀', '\u0085', '\u200b', '\u00ad', '\u200e', '\u200f', '\u2060', '\u{e0041}') },
  { weight: 3, arbitrary: fc.constant('@') },
  { weight: 1, arbitrary: fc.constantFrom(...spaces) },
  { weight: 1, arbitrary: fc.constantFrom(...controls, '\uFFFD') },
);

test('emailProblem says what the regular expressions said, on any text', () => {
  fc.assert(
    fc.property(fc.array(character, { maxLength: 8 }).map((parts) => parts.join('')), (email) => {
      assert.equal(emailProblem(email), byExpressions(email));
    }),
    { numRuns: 20_000 },
  );
});

test('every white-space and control character, anywhere in an address, is named as regular expressions name it', () => {
  for (const c of [...spaces, ...controls, '\uFFFD']) {
    for (const email of [`a${c}b@example.com`, `ab@exa${c}mple.com`, `${c}ab@example.com`, `ab@example.com${c}`]) {
      assert.equal(emailProblem(email), byExpressions(email), JSON.stringify(email));
    }
  }
});

test('plain addresses pass; the usual mistakes are named', () => {
  assert.equal(emailProblem('ana@example.com'), undefined);
  assert.equal(emailProblem("o'brien+shop@example.co.uk"), undefined);
  assert.equal(emailProblem('ana@@example.com'), '"ana@@example.com" is not an email address');
  assert.equal(emailProblem('ana example.com'), '"ana example.com" is not an email address');
  assert.equal(emailProblem('@example.com'), '"@example.com" is not an email address');
  assert.equal(emailProblem('ana@'), '"ana@" is not an email address');
  assert.match(emailProblem('ana\u0000@example.com')!, /control character/);
  assert.match(emailProblem('ana\uFFFD@example.com')!, /not valid UTF-8/);
});

test('an invisible format character (zero-width space, soft hyphen, LRM, RLM, word joiner) is named with its place', () => {
  assert.equal(
    emailProblem('ann\u200b@example.com'),
    'the email holds an invisible character, U+200B, at position 4 ("ann\\u200B@example.com"): remove it, it makes another profile that prints the same',
  );
  for (const c of ['\u00ad', '\u200e', '\u200f', '\u2060', '\u202e', '\u{e0041}']) assert.match(emailProblem(`ann@exam${c}ple.com`)!, /invisible character, U\+[0-9A-F]{4,5}, at position 9/, JSON.stringify(c));
  // Visible text beyond ASCII is an address like any other.
  assert.equal(emailProblem('zoë@exämple.com'), undefined);
});

test('an email told plain from its bytes needs no lower-casing, no trimming and no check, on any ASCII text', () => {
  const ascii = fc.string({ maxLength: 24, unit: fc.oneof(fc.constantFrom('@', '@', '.', ' ', '\t', 'A', 'Z', 'a', 'z', '0', '+', '\x7f', '\x00'), fc.integer({ min: 0, max: 0x7f }).map((code) => String.fromCharCode(code))) });
  let plain = 0;
  fc.assert(
    fc.property(fc.oneof(ascii, fc.emailAddress()), fc.constantFrom('', 'x', '@', ' '), (text, around) => {
      const bytes = Buffer.from(around + text + around, 'latin1');
      if (!isPlainLowerCaseEmail(bytes, around.length, around.length + text.length)) return;
      plain++;
      assert.equal(text.trim().toLowerCase(), text);
      assert.equal(emailProblem(text), undefined, text);
    }),
    { numRuns: 20_000 },
  );
  assert.ok(plain > 2000, `only ${plain} plain emails`);
  for (const email of ['ann@example.com', 'customer150275@example.com', 'a+b@c.d']) assert.ok(isPlainLowerCaseEmail(Buffer.from(email), 0, email.length), email);
  for (const email of ['Ann@example.com', ' ann@example.com', 'ann@', '@example.com', 'a@b@c', 'ann example.com', '']) assert.ok(!isPlainLowerCaseEmail(Buffer.from(email), 0, email.length), email);
});
