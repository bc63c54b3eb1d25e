import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findCuts } from '../../../src/engine/parallel/file-cut.js';
import { formatNamed } from '../../../src/io/formats/registry.js';
import { MovableRange } from '../../../src/engine/parallel/movable-range.js';
import { FILE_END } from '../../../src/io/read-orders.js';
import { takeOver } from '../../../src/engine/parallel/part-reading.js';
import { tempDir } from '../../support/cli.js';
import { writeLargeExport } from '../../support/large-export.js';

async function cutExport() {
  const path = join(tempDir(), 'orders_export.csv');
  writeLargeExport(path, { orders: 3000 });
  const cut = await findCuts(path, ',', () => formatNamed('shopify'), { minBytes: 200, parts: 3 });
  assert.ok(cut !== undefined && cut.cuts.length === 2);
  return cut;
}

test('taking over ends the range with the most left at a cut halfway through what is left, and hands over the rest', async () => {
  const cut = await cutExport();
  const [first, second] = cut.cuts;
  const ranges: (MovableRange | undefined)[] = [MovableRange.create(first!.offset, second!.offset), MovableRange.create(second!.offset, FILE_END)];
  // The first part's reader has claimed most of it; the second's nothing yet: the second has the most left.
  ranges[0]!.claim(second!.offset - first!.offset - 1000);
  const taken = await takeOver(cut, ranges, 1000);
  assert.ok(taken !== undefined);
  assert.equal(taken.end, FILE_END, 'the rest of the last part runs to the end of the file');
  assert.equal(ranges[1]!.end, taken.start.offset, 'that part now ends where the part taken over starts');
  const halfway = second!.offset + (cut.size - second!.offset) / 2;
  assert.ok(taken.start.offset >= halfway && taken.start.offset < halfway + 64 * 1024, `${taken.start.offset} near ${halfway}`);
  // The cut is between two orders: a record starts there with another order than the one before.
  assert.match(taken.start.firstOrderId, /^#1\d{5}$/);
  // Below the least worth taking over, nothing is taken.
  assert.equal(await takeOver(cut, ranges, cut.size), undefined);
});

test('a range claimed to its end is never taken over, and none at all once every range is', async () => {
  const cut = await cutExport();
  const [first, second] = cut.cuts;
  const ranges: (MovableRange | undefined)[] = [MovableRange.create(first!.offset, second!.offset), MovableRange.create(second!.offset, second!.offset)];
  ranges[0]!.claim(Number.MAX_SAFE_INTEGER);
  assert.equal(await takeOver(cut, ranges, 1), undefined);
  assert.equal(ranges[0]!.end, second!.offset, 'unchanged');
});
