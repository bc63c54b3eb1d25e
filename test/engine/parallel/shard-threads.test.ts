import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import assert from 'node:assert/strict';
import { ShardThreads } from '../../../src/engine/parallel/shard-threads.js';
import { buildDefinitions, type Definitions } from '../../../src/domain/definitions.js';

const definitions = buildDefinitions('flow', [30], ['small']);

test('a thread that cannot compute its shard fails the run with the reason, and leaves nothing waiting', async () => {
  const threads = new ShardThreads(1);
  const idle = threads.take();
  assert.ok(idle !== undefined, 'a thread was started');
  // Stands for a thread that fails as it computes (out of memory, say): it cannot read its definitions.
  const broken = { ...definitions, sizes: null } as unknown as Definitions;
  const thread = idle(() => ({ computation: { definitions: broken, asOf: 0 }, pieces: [] }));
  await assert.rejects(thread.prepared, /a thread computing profiles failed/);
  const lines = thread.lines(false);
  await assert.rejects(lines.next(), /a thread computing profiles failed/);
  await thread.stop();
});

test('no more threads than asked for are started; past them, a shard is computed on this thread', async () => {
  const threads = new ShardThreads(2);
  assert.ok(threads.take() !== undefined);
  assert.ok(threads.take() !== undefined);
  assert.equal(threads.take(), undefined);
  await threads.release();
});

test('threads never given a shard are stopped on release, and none is started after it', async () => {
  const threads = new ShardThreads(3);
  // A thread that has read a part, as part-threads.ts hands it over.
  const reader = new Worker('setInterval(() => {}, 1000)', { eval: true });
  assert.equal(threads.adopt(reader), true);
  await threads.release();
  // A stopped worker's threadId is -1.
  assert.equal(reader.threadId, -1, 'the idle thread was stopped');
  assert.equal(threads.take(), undefined);
});
