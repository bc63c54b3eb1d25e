/**
 * The one check of a profile's email, used by compute (a bad email makes its order a bad row) and by
 * push before anything is sent, so the two agree: what the CSV holds, push would send.
 */

/**
 * Why `email` cannot key a Klaviyo profile, or undefined when it can. In order: not valid UTF-8 (U+FFFD
 * is what decoding left of bytes that are not UTF-8: the address as written is unknown), a control
 * character or NUL, not `local@domain` (exactly one `@`, text on both sides, no white space).
 * One pass over the characters rather than three regular expressions: it runs once per order read.
 */
export function emailProblem(email: string): string | undefined {
  let notUtf8 = false;
  let control = false;
  let ats = 0;
  let space = false;
  for (let i = 0; i < email.length; i++) {
    const code = email.charCodeAt(i);
    if (code === 0x40) ats++;
    else if (code < 0x20 || code === 0x7f) control = true;
    else if (code === 0x20 || (code >= 0x80 && isNonAsciiSpace(code))) space = true;
    else if (code === 0xfffd) notUtf8 = true;
  }
  if (notUtf8) return `the email is not valid UTF-8 (${JSON.stringify(email)}): save the export as UTF-8`;
  if (control) return `the email holds a control character or NUL (${JSON.stringify(email)})`;
  const at = email.indexOf('@');
  if (ats !== 1 || space || at === 0 || at === email.length - 1) return `"${email}" is not an email address`;
  return undefined;
}

/** The characters above ASCII that a regular expression's `\s` matches (ASCII's are tab to CR and space). */
function isNonAsciiSpace(code: number): boolean {
  return (
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}
