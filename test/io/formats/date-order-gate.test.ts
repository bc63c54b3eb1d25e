/**
 * The gate tells a year-first Created at from its bytes where the scanner's structural pass gives
 * them (rows of a large export), and from its text otherwise: a day-first export must be held back
 * and settled the same way on both paths.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { computeProfileTable } from '../../../src/commands/compute.js';
import { resolveRunSettings } from '../../../src/config/run-settings.js';
import { TimeZone } from '../../../src/domain/time-zone.js';
import { formatNamed } from '../../../src/io/formats/registry.js';
import { referenceProfilesCsv } from '../../support/profiles-csv-reference.js';
import { tempDir } from '../../support/cli.js';
import { computationOf } from '../../../src/domain/computation.js';

async function profilesCsv(csv: string): Promise<string> {
  const { definitions, input } = resolveRunSettings({ mode: 'flow', windows: [30], format: 'shopify', timeZone: TimeZone.named('UTC')! }, undefined);
  const table = await computeProfileTable({
    files: ['-'],
    stdin: Readable.from([Buffer.from(csv)]),
    computation: computationOf({ definitions, asOf: Date.parse('2025-12-31T00:00:00Z') }),
    input: { ...input, format: formatNamed('shopify')! },
    strict: true,
    rejectsPath: join(tempDir(), 'rejects.csv'),
  });
  return referenceProfilesCsv(table.columns, table.rows);
}

/** Orders whose Created at an Excel re-save wrote day first; only the last has a day above 12. `notes` pads each row. */
function dayFirstExport(notes: string): string {
  const dates = ['05/06/2025 10:00', '2025-06-04 09:00:00 +0000', '07/08/2025 11:00', '03/04/2025 12:00', '25/06/2025 10:00'];
  const rows = dates.map((date, i) => `#${1001 + i},ann${i}@example.com,${(10 + i).toFixed(2)},${date},Tee - S,${notes}`);
  return ['Name,Email,Total,Created at,Lineitem name,Notes', ...rows].join('\n') + '\n';
}

test('a day-first export is settled by its first day above 12 alike on rows read from bytes and from text', async () => {
  const fromText = await profilesCsv(dayFirstExport('n'));
  const fromBytes = await profilesCsv(dayFirstExport('n'.repeat(6000)));
  assert.equal(fromBytes, fromText);
  // Read day first: 05/06 is the 5th of June, 07/08 the 7th of August.
  assert.match(fromText, /ann0@example\.com,10,2025-06-05 10:00:00/);
  assert.match(fromText, /ann2@example\.com,12,2025-08-07 11:00:00/);
  assert.match(fromText, /ann1@example\.com,11,2025-06-04 09:00:00/);
});
