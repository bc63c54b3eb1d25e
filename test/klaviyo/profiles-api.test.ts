/**
 * Reading profiles back from the stand-in, in-process on the virtual clock: filters of at most 100
 * quoted, URL-encoded addresses, cursor paging, Get Profiles' own pacing (75/s, 750/min), retries.
 */
import { test } from 'node:test';
import { exitCodeOfError } from '../../src/cli/exit-codes.js';
import assert from 'node:assert/strict';
import type { ProfileRow } from '../../src/domain/profile-row.js';
import { BackfillError } from '../../src/errors.js';
import { emailFilter, readKlaviyoProfiles } from '../../src/klaviyo/profiles-api.js';
import { DEFAULT_TUNING } from '../../src/klaviyo/tuning.js';
import { KlaviyoStandIn, type StandInOptions } from '../support/klaviyo-stand-in.js';
import { API_KEY } from '../support/push-harness.js';
import { VirtualClock } from '../support/virtual-clock.js';

const COLUMNS = ['highest_order_value', 'highest_order_date'];

async function withStandIn(options: Partial<StandInOptions>, run: (standIn: KlaviyoStandIn) => Promise<void>): Promise<void> {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY, ...options }).start();
  try {
    await run(standIn);
  } finally {
    await standIn.stop();
  }
}

async function readAll(standIn: KlaviyoStandIn, emails: readonly string[], clock = new VirtualClock(), apiKey = API_KEY): Promise<{ rows: ProfileRow[]; pageTimes: number[] }> {
  const reader = { connection: { baseUrl: standIn.baseUrl, apiKey, revision: '2026-07-15' }, tuning: { ...DEFAULT_TUNING, requestTimeoutMs: 2000 }, clock };
  const rows: ProfileRow[] = [];
  const pageTimes: number[] = [];
  for await (const page of readKlaviyoProfiles(emails, COLUMNS, reader)) {
    rows.push(...page);
    pageTimes.push(clock.now());
  }
  return { rows, pageTimes };
}

test('250 addresses: three filters of at most 100, "+" and quotes survive encoding, pages followed, only the asked columns kept', () =>
  withStandIn({ pageSizeCap: 30 }, async (standIn) => {
    const emails = Array.from({ length: 250 }, (_, i) => (i % 50 === 0 ? `shop+${i}@example.com` : `c${i}@example.com`));
    emails.forEach((email, i) => {
      if (i % 2 === 0) standIn.profiles.set(email, { highest_order_value: i, highest_order_date: '2025-06-01 00:00:00', unrelated: 'x' });
    });
    const { rows } = await readAll(standIn, emails);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.profileLookups.filter((l, i, all) => all.findIndex((o) => o.emails.join() === l.emails.join()) === i).map((l) => l.emails.length), [100, 100, 50]);
    assert.deepEqual(new Set(standIn.profileLookups.flatMap((l) => l.emails)), new Set(emails), 'every address asked for, exactly as given');
    assert.ok(standIn.profileLookups.length > 3, 'the 30-per-page cap made the client follow links.next');
    assert.equal(rows.length, 125);
    assert.deepEqual(rows.find((r) => r.email === 'shop+50@example.com'), { email: 'shop+50@example.com', properties: { highest_order_value: 50, highest_order_date: '2025-06-01 00:00:00' } });
    assert.equal(emailFilter(['a"b@x.com', 'c@x.com']), 'any(email,["a\\"b@x.com","c@x.com"])');
  }));

test("paced by Get Profiles' own bucket: 75 at once, then one every 80 ms (750/min)", () =>
  withStandIn({}, async (standIn) => {
    const emails = Array.from({ length: 120 * 100 }, (_, i) => `p${i}@example.com`);
    const clock = new VirtualClock();
    const started = clock.now();
    const { pageTimes } = await readAll(standIn, emails, clock);
    const times = pageTimes.map((t) => t - started);
    assert.equal(times.length, 120);
    assert.ok(times.slice(0, 75).every((t) => t === 0), 'the burst of 75 needs no wait');
    for (let i = 76; i < 120; i++) assert.ok(times[i]! - times[i - 1]! >= 79 && times[i]! - times[i - 1]! <= 81, `gap before request ${i + 1}: ${times[i]! - times[i - 1]!} ms`);
    // The bulk-import bucket (150/min) would have taken 400 ms a request: this reader does not use it.
    assert.ok(times[119]! <= 45 * 80 + 50, `120th request at ${times[119]} ms`);
  }));

test('a 429 waits out Retry-After and a 503 backs off, then the read completes; a bad key stops with exit 2', () =>
  withStandIn({}, async (standIn) => {
    standIn.profiles.set('ann@example.com', { highest_order_value: 5 });
    standIn.faults.push({ on: 'profiles', kind: 'status', status: 429, retryAfter: '4' }, { on: 'profiles', kind: 'status', status: 503 });
    const clock = new VirtualClock();
    const { rows } = await readAll(standIn, ['ann@example.com'], clock);
    assert.deepEqual(rows, [{ email: 'ann@example.com', properties: { highest_order_value: 5 } }]);
    assert.ok(clock.slept >= 4000, `slept ${clock.slept} ms`);
    await assert.rejects(readAll(standIn, ['ann@example.com'], new VirtualClock(), 'pk_wrong_wrong_wrong'), (error: BackfillError) => error.code === 'KLAVIYO_REFUSED' && exitCodeOfError(error.code) === 2);
  }));
