/**
 * The one check of a profile's email, used by compute (a bad email makes its order a bad row) and by
 * push before anything is sent, so the two agree: what the CSV holds, push would send.
 */

/** Why `email` cannot key a Klaviyo profile, or undefined when it can. */
export function emailProblem(email: string): string | undefined {
  // U+FFFD is what decoding left of bytes that are not UTF-8: the address as written is unknown.
  if (email.includes('\uFFFD')) return `the email is not valid UTF-8 (${JSON.stringify(email)}): save the export as UTF-8`;
  if (/[\u0000-\u001f\u007f]/.test(email)) return `the email holds a control character or NUL (${JSON.stringify(email)})`;
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) return `"${email}" is not an email address`;
  return undefined;
}
