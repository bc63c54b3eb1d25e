/**
 * Secrets never leave the process in clear: every line the CLI prints and every run log entry passes
 * through `redactSecrets`. The API key is registered once it is read; a message that quotes it (a
 * proxy error, Klaviyo echoing a header) shows `[redacted]` instead.
 */
const secrets = new Set<string>();

export const REDACTED = '[redacted]';

export function registerSecret(secret: string): void {
  // Very short strings would redact ordinary words; Klaviyo private keys are 30+ characters.
  if (secret.length >= 8) secrets.add(secret);
}

export function redactSecrets(text: string): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  return result;
}
