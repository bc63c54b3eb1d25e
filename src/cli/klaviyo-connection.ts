/**
 * Where Klaviyo is and how to sign in, for every command that talks to it (`push`, `diff --against
 * klaviyo`): the key from KLAVIYO_API_KEY or --api-key-file (never a flag, registered for redaction
 * as soon as it is read), the base URL from KLAVIYO_BASE_URL, the revision from --revision or
 * KLAVIYO_REVISION.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { BackfillError } from '../errors.js';
import { DEFAULT_BASE_URL, DEFAULT_REVISION, type KlaviyoConnection } from '../klaviyo/http.js';
import { registerSecret } from '../redact.js';

export interface ConnectionFlags {
  readonly apiKeyFile?: string;
  readonly revision?: string;
}

export async function klaviyoConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<KlaviyoConnection> {
  return { baseUrl: env.KLAVIYO_BASE_URL || DEFAULT_BASE_URL, apiKey: await apiKey(flags, env), revision: flags.revision ?? envRevision(env) };
}

async function apiKey(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<string> {
  let key = env.KLAVIYO_API_KEY?.trim() ?? '';
  if (flags.apiKeyFile !== undefined) {
    try {
      key = (await readFile(flags.apiKeyFile, 'utf8')).trim();
    } catch (error) {
      throw new BackfillError('MISSING_API_KEY', `cannot read the API key file ${flags.apiKeyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  if (key === '') {
    throw new BackfillError('MISSING_API_KEY', 'no Klaviyo API key', { hint: 'Set KLAVIYO_API_KEY or pass --api-key-file <path> (a private key, pk_...).' });
  }
  registerSecret(key);
  return key;
}

export function parseRevision(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}(\.[A-Za-z0-9_-]+)?$/.test(text)) throw new InvalidArgumentError(`expected a revision like ${DEFAULT_REVISION}, got "${text}"`);
  return text;
}

function envRevision(env: NodeJS.ProcessEnv): string {
  const revision = env.KLAVIYO_REVISION || DEFAULT_REVISION;
  try {
    return parseRevision(revision);
  } catch (error) {
    throw new BackfillError('USAGE', `KLAVIYO_REVISION: ${(error as Error).message}`);
  }
}
