/**
 * The clears against the stand-in, in process on the virtual clock with Klaviyo's real limits for
 * Create or Update Profile (75/s burst, 750/min): how fast they go, and what stops them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEntry, clearTotals, replayRunLog, RUN_LOG_VERSION, type PushRunState } from '../../src/core/push-run-state.js';
import type { PropertyClear } from '../../src/core/emptied-windows.js';
import { BackfillError } from '../../src/errors.js';
import { pacedHttp } from '../../src/klaviyo/api-client.js';
import { PROFILE_IMPORT_LIMITS, sendClears } from '../../src/klaviyo/clear-properties.js';
import { DEFAULT_TUNING } from '../../src/klaviyo/tuning.js';
import { KlaviyoStandIn } from '../support/klaviyo-stand-in.js';
import { API_KEY } from '../support/push-harness.js';
import { VirtualClock } from '../support/virtual-clock.js';

const PAIR = ['highest_order_value', 'highest_order_date'];

function planned(count: number): PushRunState {
  const state = replayRunLog([{ type: 'start', version: RUN_LOG_VERSION, at: '', source: { kind: 'profiles', file: 'x.csv' }, fingerprint: '', profiles: 0, listId: null }]);
  const clears: PropertyClear[] = Array.from({ length: count }, (_, i) => ({ email: `p${String(i).padStart(4, '0')}@example.com`, properties: PAIR }));
  applyEntry(state, { type: 'clears', clears });
  return state;
}

async function clearAll(standIn: KlaviyoStandIn, state: PushRunState, clock: VirtualClock): Promise<void> {
  const tuning = { ...DEFAULT_TUNING, requestTimeoutMs: 2000 };
  const http = pacedHttp({ connection: { baseUrl: standIn.baseUrl, apiKey: API_KEY, revision: '2026-07-15' }, tuning, clock }, PROFILE_IMPORT_LIMITS);
  await sendClears({ http, tuning, state, record: (entry) => applyEntry(state, entry) });
}

test('300 clears at Create or Update Profile\'s limits: 75 at once, then 12.5 a second (750/min)', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  const clock = new VirtualClock();
  const sentAt: number[] = [];
  standIn.onRequest = () => sentAt.push(clock.now());
  try {
    const state = planned(300);
    for (const clear of state.clears) standIn.profiles.set(clear.email, { highest_order_value: 1, highest_order_date: '2025-06-01 00:00:00', small_order_date: '2025-06-01 00:00:00' });
    await clearAll(standIn, state, clock);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(clearTotals(state), { planned: 300, sent: 300, confirmed: 300, failed: 0, unsent: 0 });
    for (const clear of state.clears) assert.deepEqual(standIn.profiles.get(clear.email), { small_order_date: '2025-06-01 00:00:00' });
    const seconds = clock.slept / 1000;
    // (300 - 75) clears at 60,000 / 750 = 80 ms each.
    assert.ok(Math.abs(seconds - 18) < 0.1, `paced over ${seconds} s (virtual)`);
    const start = sentAt[0]!;
    // The shared token bucket's shape (see pacing.test.ts): a burst, then one every 60,000 / 750 ms.
    for (let i = 76; i < sentAt.length; i++) assert.ok(sentAt[i]! - sentAt[i - 1]! >= 79, `gap before clear ${i}: ${sentAt[i]! - sentAt[i - 1]!} ms`);
    assert.equal(sentAt.filter((t) => t === start).length, 75, 'the burst goes at once');
  } finally {
    await standIn.stop();
  }
});

test('a 400 that is not about the profile would refuse every clear: the first one stops the run, nothing more is sent', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  standIn.faults.push({ on: 'profile-import', kind: 'status', status: 400, detail: 'Unset must be a string or an array of strings' });
  try {
    const state = planned(10);
    await assert.rejects(clearAll(standIn, state, new VirtualClock()), (error: unknown) => error instanceof BackfillError && error.code === 'KLAVIYO_REFUSED' && /Unset must be a string/.test(error.message));
    assert.equal(standIn.requests.length, 1);
    assert.deepEqual(clearTotals(state), { planned: 10, sent: 0, confirmed: 0, failed: 0, unsent: 10 });
  } finally {
    await standIn.stop();
  }
});

test('a clear that keeps failing with 5xx gives up after the push\'s tries (exit 4, resumable); the answered ones stay answered', async () => {
  const standIn = await new KlaviyoStandIn({ apiKey: API_KEY }).start();
  const state = planned(3);
  let served = 0;
  standIn.onRequest = () => {
    if (++served >= 2) standIn.faults.push({ on: 'profile-import', kind: 'status', status: 503 });
  };
  try {
    await assert.rejects(clearAll(standIn, state, new VirtualClock()), (error: unknown) => error instanceof BackfillError && error.code === 'KLAVIYO_UNAVAILABLE');
    assert.equal(standIn.requests.length, 1 + DEFAULT_TUNING.maxAttempts);
    assert.deepEqual(clearTotals(state), { planned: 3, sent: 1, confirmed: 1, failed: 0, unsent: 2 });
  } finally {
    await standIn.stop();
  }
});
