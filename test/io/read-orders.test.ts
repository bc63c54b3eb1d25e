import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveRunSettings } from '../../src/config/run-settings.js';
import type { OrderSink } from '../../src/io/formats/format.js';
import { readOrders, type FileSplitter } from '../../src/io/read-orders.js';
import { tempDir } from '../support/cli.js';
import { writeLargeExport } from '../support/large-export.js';

const ignoreOrders: OrderSink = { order() {}, withoutEmail() {}, excluded() {}, reject() {} };

test('progress counts what the second part reports, never goes back, and ends at the records read', async () => {
  const input = join(tempDir(), 'orders_export.csv');
  writeLargeExport(input, { orders: 3000 });
  const seen: number[] = [];
  let report: (recordsSoFar: number) => void = () => {};
  // A second part that reports progress, then cannot be used: the first part reads on through it.
  const splitter: FileSplitter = {
    minBytes: 200,
    parts: 2,
    start(_cut, _settings, onRecords) {
      report = onRecords;
      onRecords(1500);
      onRecords(1200); // lower than already shown: not shown
      return {
        finish: () => Promise.resolve(undefined),
        cancel: () => report(1999), // after it was given up: not counted
      };
    },
  };
  const records = await readOrders({ files: [input], settings: resolveRunSettings({}, undefined).input, sink: ignoreOrders, splitter, onProgress: (progress) => seen.push(progress.records) });
  assert.equal(records, 4000);
  assert.deepEqual(seen, [1500, 4000]);
});
