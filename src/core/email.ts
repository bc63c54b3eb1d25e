/**
 * The one check of a profile's email, used by compute (a bad email makes its order a bad row) and by
 * push before anything is sent, so the two agree: what the CSV holds, push would send.
 */

/**
 * Why `email` cannot key a Klaviyo profile, or undefined when it can. In order: not valid UTF-8 (U+FFFD
 * is what decoding left of bytes that are not UTF-8: the address as written is unknown), a control
 * character or NUL, an invisible format character, not `local@domain` (exactly one `@`, text on both
 * sides, no white space). One pass over the characters rather than four regular expressions: it runs
 * once per order read.
 *
 * Invisible format characters (Unicode's Cf: a zero-width space, a soft hyphen, a left-to-right or
 * right-to-left mark, a word joiner, ...) come with text pasted from web pages and chat: `ann@example.com`
 * with one of them prints exactly as without it, but is another key, so another profile that looks the
 * same. Such an email is a bad row (never a silent second profile); stripping them would guess.
 */
export function emailProblem(email: string): string | undefined {
  let notUtf8 = false;
  let control = false;
  let invisibleAt = -1;
  let ats = 0;
  let space = false;
  for (let i = 0; i < email.length; i++) {
    const code = email.charCodeAt(i);
    if (code === 0x40) ats++;
    else if (code < 0x20 || code === 0x7f) control = true;
    else if (code === 0x20 || (code >= 0x80 && isNonAsciiSpace(code))) space = true;
    else if (code === 0xfffd) notUtf8 = true;
    else if (code >= 0x80 && invisibleAt < 0 && isFormatCharacter(email, i)) invisibleAt = i;
  }
  if (notUtf8) return `the email is not valid UTF-8 (${JSON.stringify(email)}): save the export as UTF-8`;
  if (control) return `the email holds a control character or NUL (${JSON.stringify(email)})`;
  if (invisibleAt >= 0) {
    const code = email.codePointAt(invisibleAt)!;
    return `the email holds an invisible character, U+${code.toString(16).toUpperCase().padStart(4, '0')}, at position ${invisibleAt + 1} ("${showInvisible(email)}"): remove it, it makes another profile that prints the same`;
  }
  const at = email.indexOf('@');
  if (ats !== 1 || space || at === 0 || at === email.length - 1) return `"${email}" is not an email address`;
  return undefined;
}

/**
 * Whether the ASCII text in `bytes[start, end)` is an email that `emailProblem` takes, as it is
 * (lower case, nothing to trim): visible characters only, no capital, one `@` with text on both
 * sides. Then its string needs neither lower-casing nor the check; false says nothing (check the text).
 */
export function isPlainLowerCaseEmail(bytes: Uint8Array, start: number, end: number): boolean {
  let ats = 0;
  let at = -1;
  for (let i = start; i < end; i++) {
    const code = bytes[i]!;
    if (code === 0x40) {
      ats++;
      at = i;
    } else if (code <= 0x20 || code >= 0x7f || (code >= 0x41 && code <= 0x5a)) return false;
  }
  return ats === 1 && at > start && at < end - 1;
}

/** Unicode's format characters (general category Cf): invisible, and no part of any address. */
const FORMAT_CHARACTER = /^\p{Cf}/u;

/** Whether the character at `i` (a surrogate pair's first unit included) is a format character. */
function isFormatCharacter(text: string, i: number): boolean {
  return FORMAT_CHARACTER.test(text.slice(i, i + 2));
}

/** The email with each format character written as `\u200B`, so the message shows where it is. */
function showInvisible(email: string): string {
  return email.replace(/\p{Cf}/gu, (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);
}

/** The characters above ASCII that a regular expression's `\s` matches (ASCII's are tab to CR and space). */
function isNonAsciiSpace(code: number): boolean {
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}
