/**
 * Property: the same orders written as a Shopify export and as a WooCommerce export give
 * byte-identical profiles. Shopify writes instants with their offset; WooCommerce writes local time
 * with no offset, read back through the configured zone (UTC-5 all year: Etc/GMT+5) and day-first dates.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { computeProfileTable } from '../../../src/commands/compute.js';
import { resolveRunSettings } from '../../../src/config/run-settings.js';
import { TimeZone } from '../../../src/domain/time-zone.js';
import { formatNamed } from '../../../src/io/formats/registry.js';
import { referenceProfilesCsv } from '../../support/profiles-csv-reference.js';
import { join } from 'node:path';
import { shopifyCsv, woocommerceCsv, type SampleOrder } from '../../support/layouts.js';
import { tempDir } from '../../support/cli.js';
import { computationOf } from '../../../src/domain/computation.js';

const AS_OF = Date.parse('2025-12-31T00:00:00Z');
const OFFSET_HOURS = -5;

const orderArbitrary = (id: number) =>
  fc.record({
    email: fc.constantFrom('ann@example.com', 'bob@example.com', 'cara@example.com'),
    // Whole seconds through 2025: some in the same 30-day windows, some not.
    placedAt: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z') / 1000, max: Date.parse('2025-12-30T00:00:00Z') / 1000 }).map((s) => s * 1000),
    cents: fc.integer({ min: 0, max: 500_000 }),
    items: fc.array(fc.record({ product: fc.constantFrom('Tee', 'Hoodie', 'Cap'), size: fc.constantFrom('S', 'M', 'L', 'XL', 'small', undefined) }), { minLength: 1, maxLength: 3 }),
  }).map((order): SampleOrder => ({ id, ...order }));

const ordersArbitrary = fc.integer({ min: 1, max: 12 }).chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => orderArbitrary(1001 + i))));

async function profilesCsv(csv: string, format: 'shopify' | 'woocommerce', mode: 'flow' | 'window'): Promise<string> {
  const { definitions, input } = resolveRunSettings({ mode, windows: [30, 90], format, timeZone: TimeZone.named('Etc/GMT+5')!, dateFormat: 'DD/MM/YYYY' }, undefined);
  const table = await computeProfileTable({
    files: ['-'],
    stdin: Readable.from([Buffer.from(csv)]),
    computation: computationOf({ definitions, asOf: AS_OF }),
    input: { ...input, format: formatNamed(format)! },
    strict: true,
    rejectsPath: join(tempDir(), 'rejects.csv'),
  });
  return referenceProfilesCsv(table.columns, table.rows);
}

test('the same orders as Shopify and as WooCommerce exports give byte-identical profiles', async () => {
  await fc.assert(
    fc.asyncProperty(ordersArbitrary, fc.constantFrom('flow' as const, 'window' as const), async (orders, mode) => {
      const fromShopify = await profilesCsv(shopifyCsv(orders, OFFSET_HOURS), 'shopify', mode);
      const fromWoo = await profilesCsv(woocommerceCsv(orders, OFFSET_HOURS), 'woocommerce', mode);
      assert.equal(fromWoo, fromShopify);
      // Not vacuous: in flow mode every customer's last stored order sets a value, so each has a row.
      if (mode === 'flow') assert.equal(fromShopify.trim().split('\n').length - 1, new Set(orders.map((o) => o.email)).size);
    }),
    { numRuns: 60 },
  );
});
