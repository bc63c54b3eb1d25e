/**
 * `--from klaviyo` benchmark: 1,000,000 generated Placed Order events through the stand-in on
 * 127.0.0.1 at Get Events' real limits (350/s burst, 3500/min steady; the default tuning, system
 * clock), fetched by the built CLI (`compute --from klaviyo`) in a child process. The floor is what the
 * rate limit allows: the pages needed / 3500 per minute (less the first burst of 350, which the token
 * bucket lets through at once). Then a second, nightly run over the same account: the overlap only.
 *
 *   npm run bench:events [-- events]
 *
 * The stand-in runs in this process (checking every request against the derived schema; its own
 * answers are not checked, to keep its CPU share small on a shared machine).
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GET_EVENTS_LIMITS, PAGE_SIZE_ASKED } from '../src/klaviyo/events-api.js';
import { REPO_ROOT, tempDir } from '../test/support/cli.js';
import { generatedEvents, PLACED_ORDER_ID } from '../test/support/event-account.js';
import { KlaviyoStandIn } from '../test/support/klaviyo-stand-in.js';
import { EventAccount } from '../test/support/stand-in-events.js';

const API_KEY = 'pk_bench_0123456789abcdef0123456789';
const count = Number(process.argv[2] ?? 1_000_000);

interface ClientRun {
  readonly seconds: number;
  readonly code: number | null;
  readonly summary: { fetch: Record<string, number | string | null>; profiles: number; ordersRead: number };
  readonly peakRssMb: number;
  readonly cpuSeconds: number;
  /** CPU the stand-in (this process) spent meanwhile. */
  readonly standInCpuSeconds: number;
}

function runClient(cwd: string, baseUrl: string, args: readonly string[]): Promise<ClientRun> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'bench', 'events-client.js'), ...args], {
    cwd,
    env: { ...process.env, KLAVIYO_BASE_URL: baseUrl, KLAVIYO_API_KEY: API_KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const usage = JSON.parse(stderr.trim().split('\n').at(-1) ?? '{}') as { peakRssMb?: number; cpuSeconds?: number };
      const standIn = process.cpuUsage(cpu);
      if (code !== 0) reject(new Error(`client exited ${code}: ${stderr}`));
      else
        resolve({
          seconds: (performance.now() - started) / 1000,
          code,
          summary: JSON.parse(stdout) as ClientRun['summary'],
          peakRssMb: usage.peakRssMb ?? NaN,
          cpuSeconds: usage.cpuSeconds ?? NaN,
          standInCpuSeconds: Math.round((standIn.user + standIn.system) / 1e4) / 100,
        });
    });
  });
}

const dir = await tempDir('backfill-events-bench-');
const account = new EventAccount([{ id: PLACED_ORDER_ID, name: 'Placed Order', integration: { name: 'Shopify', category: 'eCommerce' } }], generatedEvents(count, Math.max(1, Math.round(count / 4))), { fixedEvents: true });
const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, account, validateResponses: false }).start();
try {
  const args = ['--from', 'klaviyo', '--as-of', '2026-01-01', '-o', join(dir, 'profiles.csv'), '--json'];
  const first = await runClient(dir, standIn.baseUrl, args);
  const requestsAfterFirst = standIn.requests.length;
  const second = await runClient(dir, standIn.baseUrl, args);
  const pages = Math.ceil(count / PAGE_SIZE_ASKED);
  const floorSeconds = (pages / GET_EVENTS_LIMITS.perMinute) * 60;
  const bucketFloorSeconds = (Math.max(0, pages - GET_EVENTS_LIMITS.burst) / GET_EVENTS_LIMITS.perMinute) * 60;
  const figures = {
    events: count,
    first: {
      wallSeconds: first.seconds.toFixed(1),
      fetchSeconds: first.summary.fetch.seconds,
      floorSeconds: floorSeconds.toFixed(1),
      floorWithFirstBurstSeconds: bucketFloorSeconds.toFixed(1),
      pages: first.summary.fetch.pages,
      requests: first.summary.fetch.requests,
      serverRequests: requestsAfterFirst,
      retries: first.summary.fetch.retries,
      eventsNew: first.summary.fetch.eventsNew,
      storeBytes: first.summary.fetch.storeBytes,
      storeBytesPerEvent: (Number(first.summary.fetch.storeBytes) / count).toFixed(1),
      profiles: first.summary.profiles,
      peakRssMb: first.peakRssMb,
      clientCpuSeconds: first.cpuSeconds,
      standInCpuSeconds: first.standInCpuSeconds,
    },
    nightly: {
      wallSeconds: second.seconds.toFixed(1),
      fetchSeconds: second.summary.fetch.seconds,
      requests: second.summary.fetch.requests,
      eventsNew: second.summary.fetch.eventsNew,
      eventsDeduplicated: second.summary.fetch.eventsDeduplicated,
      peakRssMb: second.peakRssMb,
      clientCpuSeconds: second.cpuSeconds,
    },
    schemaViolations: standIn.violations.length,
  };
  console.log(JSON.stringify(figures, null, 2));
  if (standIn.violations.length > 0 || first.summary.fetch.eventsNew !== count) process.exitCode = 1;
} finally {
  await standIn.stop();
  await rm(dir, { recursive: true, force: true });
}
