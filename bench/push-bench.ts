/**
 * Push benchmark: 1,000,000 generated profiles through `push --profiles` to the Klaviyo stand-in on
 * 127.0.0.1, at Klaviyo's real limits for the bulk import endpoints (burst 10/s, 150/min; the default
 * tuning, system clock). 100 jobs of 10,000: about 36 s of pacing is the floor, so the figure to watch
 * is how close the run gets to it (the client should never be the bottleneck).
 *
 *   npm run build && node dist/bench/push-bench.js [profiles]
 *
 * The stand-in runs in the same process and validates every request against the OpenAPI-derived
 * schema, so the client's share of the CPU is overstated, not understated.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { applyPush, preparePush } from '../src/commands/push.js';
import { DEFAULT_TUNING } from '../src/klaviyo/tuning.js';
import { KlaviyoStandIn } from '../test/support/klaviyo-stand-in.js';
import { tempDir } from '../test/support/cli.js';
import { generateRows, writeProfiles } from '../test/support/profiles.js';

const API_KEY = 'pk_bench_0123456789abcdef0123456789';
const count = Number(process.argv[2] ?? 1_000_000);

const dir = await tempDir('backfill-push-bench-');
const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
try {
  const rows = generateRows(count);
  const file = await writeProfiles(dir, rows);
  const t0 = performance.now();
  const prepared = await preparePush({ start: { kind: 'new', runLog: join(dir, 'push.ndjson'), source: { kind: 'profiles', file } }, dryRun: false });
  const t1 = performance.now();
  let waitedForRateLimitMs = 0;
  let lastSubmittedAt = t1;
  let sent = 0;
  const result = await applyPush(prepared, {
    connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' },
    tuning: DEFAULT_TUNING,
    onWait: (ms, reason) => {
      if (reason !== 'backoff') waitedForRateLimitMs += ms;
    },
    onProgress: (totals) => {
      if (totals.sent > sent) {
        sent = totals.sent;
        lastSubmittedAt = performance.now();
      }
    },
  });
  const t2 = performance.now();
  const s = (ms: number) => (ms / 1000).toFixed(1);
  const figures = {
    profiles: count,
    jobs: standIn.jobs.length,
    requests: standIn.requests.length,
    readAndPlanSeconds: s(t1 - t0),
    allJobsCreatedSeconds: s(lastSubmittedAt - t1),
    allConfirmedSeconds: s(t2 - t1),
    paceFloorSeconds: s(Math.max(0, standIn.jobs.length - DEFAULT_TUNING.burst) * (60_000 / DEFAULT_TUNING.perMinute)),
    waitedOnRateLimitSeconds: s(waitedForRateLimitMs),
    profilesPerMinute: Math.round(count / ((t2 - t1) / 60_000)),
    imported: result.totals.imported,
    rejected: result.totals.rejected,
    unknown: result.totals.unknown,
    schemaViolations: standIn.violations.length,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  console.log(JSON.stringify(figures, null, 2));
  if (result.totals.imported !== count || standIn.violations.length > 0) process.exitCode = 1;
} finally {
  await standIn.stop();
  await rm(dir, { recursive: true, force: true });
}
