import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { MovableRange, movableRangeChunks } from '../../../src/engine/parallel/movable-range.js';
import { tempDir } from '../../support/cli.js';

test('a range is claimed block by block up to its end, and its end moves back only past what is claimed', () => {
  const range = MovableRange.create(100, 1000);
  assert.equal(range.claim(300), 400);
  assert.equal(range.endAt(399), -1, 'claimed already');
  assert.equal(range.endAt(1000), -1, 'not before the end');
  assert.equal(range.endAt(700), 1000);
  assert.equal(range.end, 700);
  assert.equal(range.claim(300), 700);
  assert.equal(range.claim(300), 700, 'nothing left');
  assert.equal(range.endAt(700), -1);
});

test('the chunks of a range are its bytes, however its end is moved while it is read', async () => {
  const path = join(tempDir(), 'bytes.bin');
  const bytes = Buffer.from(Array.from({ length: 3 << 20 }, (_, i) => (i * 7919) % 251));
  writeFileSync(path, bytes);
  await fc.assert(
    fc.asyncProperty(fc.nat((1 << 20) - 1), fc.nat(bytes.length), fc.nat(4), async (start, moveTo, afterChunks) => {
      const range = MovableRange.create(start, bytes.length);
      const read: Buffer[] = [];
      let moved = -1;
      for await (const chunk of movableRangeChunks(path, range)) {
        read.push(chunk);
        if (read.length === afterChunks) moved = range.endAt(moveTo);
      }
      const end = moved < 0 ? bytes.length : moveTo;
      assert.equal(range.end, end);
      assert.ok(Buffer.concat(read).equals(bytes.subarray(start, end)));
    }),
    { numRuns: 40 },
  );
});

test('between a reader on another thread and this one moving its end, every byte is claimed once: by one or by the other', async () => {
  for (let round = 0; round < 20; round++) {
    const size = 200_000;
    const range = MovableRange.create(0, size);
    // The other thread claims a few bytes at a time and counts what it got, while this one ends the range sooner.
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.module).then(({ MovableRange }) => {
         const range = MovableRange.of(workerData.buffer);
         let got = 0, from = range.claimed;
         for (let to = range.claim(7); to > from; to = range.claim(7)) { got += to - from; from = to; }
         parentPort.postMessage({ got, end: from });
       });`,
      { eval: true, workerData: { buffer: range.buffer, module: new URL('../../../src/engine/parallel/movable-range.js', import.meta.url).href } },
    );
    const done = new Promise<{ got: number; end: number }>((resolve) => worker.once('message', resolve));
    let taken = 0;
    for (let step = 0; step < 1000; step++) {
      const at = range.claimed + 1 + (step % 97);
      const end = range.endAt(at);
      if (end >= 0) taken += end - at;
    }
    const { got, end } = await done;
    await worker.terminate();
    assert.equal(end, range.end);
    assert.equal(got + taken, size, `round ${round}`);
  }
});
