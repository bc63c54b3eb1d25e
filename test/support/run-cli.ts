/** Runs the real launcher, bin/backfill.js, as a child process with no terminal on stdin. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './repo.js';

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fast pacing for child processes (the in-process tests use a virtual clock instead). */
export const FAST_TUNING = JSON.stringify({ pollIntervalMs: 5, backoffBaseMs: 5, backoffMaxMs: 20, retryAfterUnitMs: 5, requestTimeoutMs: 5000 });

export function spawnCli(args: readonly string[], env: Record<string, string>, cwd: string): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', BACKFILL_PUSH_TUNING: FAST_TUNING, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], env: Record<string, string>, cwd: string): Promise<CliRun> {
  return spawnCli(args, env, cwd).done;
}
