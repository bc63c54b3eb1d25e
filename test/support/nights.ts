/**
 * The nightly recompute as cron runs it: the built launcher in a child process against the Klaviyo
 * stand-in, with the state file on disk between runs, one run log per night.
 */
import { join } from 'node:path';
import { KlaviyoStandIn } from './klaviyo-stand-in.js';
import { runCli, tempDir } from './cli.js';
import { API_KEY, fastPushEnv } from './push-harness.js';

export interface Night {
  readonly standIn: KlaviyoStandIn;
  readonly dir: string;
  readonly env: Record<string, string>;
  /** Runs `backfill push <args>`; returns the run and the profiles each job it created carried. */
  push(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; sent: string[][] }>;
}

export async function nights(run: (night: Night) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  const dir = tempDir();
  const env = { KLAVIYO_BASE_URL: standIn.baseUrl, KLAVIYO_API_KEY: API_KEY };
  let night = 0;
  try {
    await run({
      standIn,
      dir,
      env,
      push: async (args) => {
        const jobsBefore = standIn.jobs.length;
        // The default run log is named by the second; several nights in one second need their own.
        const runLog = args.includes('--resume') || args.includes('--run-log') ? [] : ['--run-log', join(dir, 'logs', `night-${++night}.ndjson`)];
        const result = await runCli(['push', ...args, ...runLog], { env: fastPushEnv(env), cwd: dir });
        return { ...result, sent: standIn.jobs.slice(jobsBefore).map((job) => job.profiles.map((p) => p.email)) };
      },
    });
  } finally {
    await standIn.stop();
  }
}

export const statePath = (dir: string): string => join(dir, '.backfill', 'state.json');
