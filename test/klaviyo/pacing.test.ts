import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorsByProfile, apiErrors } from '../../src/klaviyo/error-envelope.js';
import { backoffMs, describeRetryAfter, retryAfterMs, retryAfterOf } from '../../src/klaviyo/retry-policy.js';
import { TokenBucket } from '../../src/klaviyo/token-bucket.js';
import { DEFAULT_TUNING } from '../../src/klaviyo/tuning.js';
import { VirtualClock } from '../support/virtual-clock.js';

test('token bucket: a burst of 10, then one request every 400 ms (150/min)', async () => {
  const clock = new VirtualClock();
  const bucket = new TokenBucket(clock, 10, 150);
  const started = clock.now();
  const times: number[] = [];
  for (let i = 0; i < 160; i++) {
    await bucket.take();
    times.push(clock.now() - started);
  }
  assert.ok(times.slice(0, 10).every((t) => t === 0), 'the first 10 go at once');
  // Any 60 s window holds at most 150 + burst requests, and the 160th waits 150 x 400 ms.
  assert.ok(times[159]! >= 150 * 400 - 5 && times[159]! <= 150 * 400 + 50, `160th at ${times[159]}`);
  for (let i = 11; i < 160; i++) assert.ok(times[i]! - times[i - 1]! >= 399, `gap before ${i}: ${times[i]! - times[i - 1]!}`);
});

test('token bucket: a 429 holds every request until Retry-After has passed', async () => {
  const clock = new VirtualClock();
  const bucket = new TokenBucket(clock, 10, 150);
  await bucket.take();
  const heldFrom = clock.now();
  bucket.holdUntil(heldFrom + 3000);
  await bucket.take();
  assert.ok(clock.now() - heldFrom >= 3000);
});

test('token bucket: an aborted wait returns false without taking a token', async () => {
  const clock = new VirtualClock();
  const bucket = new TokenBucket(clock, 1, 150);
  await bucket.take();
  const stop = new AbortController();
  stop.abort();
  assert.equal(await bucket.take(stop.signal), false);
});

test('Retry-After: seconds, at least one; back-off doubles with jitter and a cap', () => {
  assert.equal(retryAfterMs('3', DEFAULT_TUNING), 3000);
  assert.equal(retryAfterMs('0', DEFAULT_TUNING), 1000);
  assert.equal(retryAfterMs(null, DEFAULT_TUNING), 1000);
  assert.equal(retryAfterMs('soon', DEFAULT_TUNING), 1000);
  // Klaviyo's own is at most 60 (its steady limits are per minute); a longer one is cut to that, and said so.
  assert.equal(retryAfterMs('4000000000', DEFAULT_TUNING), 60_000);
  assert.equal(describeRetryAfter(retryAfterOf('4000000000', DEFAULT_TUNING)), ' (Retry-After 4000000000 s; waiting 60 s at most)');
  assert.equal(describeRetryAfter(retryAfterOf('60', DEFAULT_TUNING)), '');
  assert.equal(backoffMs(1, DEFAULT_TUNING, 0.5), 1000);
  assert.equal(backoffMs(3, DEFAULT_TUNING, 0.5), 4000);
  assert.equal(backoffMs(3, DEFAULT_TUNING, 0), 2000);
  assert.equal(backoffMs(30, DEFAULT_TUNING, 0.5), 60_000);
});

test('400 pointers: profile indices when every error names a profile, undefined otherwise', () => {
  const byProfile = errorsByProfile(apiErrors(400, { errors: [
    { code: 'invalid', title: 'Invalid input.', detail: 'bad email', source: { pointer: '/data/attributes/profiles/data/3/attributes/email' } },
    { code: 'invalid', title: 'Invalid input.', detail: 'bad phone', source: { pointer: '/data/attributes/profiles/data/7' } },
  ] }));
  assert.deepEqual([...byProfile!.keys()], [3, 7]);
  assert.equal(errorsByProfile(apiErrors(400, { errors: [
    { code: 'invalid', title: 'x', detail: 'bad email', source: { pointer: '/data/attributes/profiles/data/3/attributes/email' } },
    { code: 'invalid', title: 'x', detail: 'List ID does not exist.', source: { pointer: '/data' } },
  ] })), undefined);
  assert.equal(errorsByProfile(apiErrors(400, 'not json')), undefined);
});
