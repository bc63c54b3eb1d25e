import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiffResult } from '../../src/commands/diff.js';
import type { ComputeCounts } from '../../src/commands/compute.js';
import { diffProfiles } from '../../src/domain/profile-diff.js';
import type { ProfileRow } from '../../src/domain/profile-row.js';
import { cell, diffJson, diffMarkdown, diffText, listedChanges } from '../../src/cli/diff-report.js';

const COLUMNS = ['highest_order_value', 'highest_order_date'];
const row = (email: string, properties: ProfileRow['properties']): ProfileRow => ({ email, properties });

function result(current: ProfileRow[], baseline: ProfileRow[]): DiffResult {
  const counts = { profiles: current.length, rowsRejected: 0 } as ComputeCounts;
  return { diff: diffProfiles(current, baseline, COLUMNS), columns: COLUMNS, propertiesOnlyInBaseline: [], definitionsChanged: undefined, counts, rejectsFile: undefined, baselineRowsRejected: 0 };
}

const current = Array.from({ length: 12 }, (_, i) => row(`c${String(i).padStart(2, '0')}@x.com`, { highest_order_value: 100 + i }));
const baseline = current.slice(2).map((r, i) => row(r.email, { highest_order_value: i < 5 ? 1 : (r.properties.highest_order_value as number) }));

test('added and changed profiles are listed together by email, with every property change', () => {
  const listed = listedChanges(result(current, baseline));
  assert.deepEqual(listed.map((c) => `${c.kind} ${c.email}`), ['added c00@x.com', 'added c01@x.com', 'changed c02@x.com', 'changed c03@x.com', 'changed c04@x.com', 'changed c05@x.com', 'changed c06@x.com']);
  assert.deepEqual(listed[2]!.changes, [{ property: 'highest_order_value', from: 1, to: 102 }]);
});

test('the summary lists the first N changes and says how many more there are', () => {
  const lines = diffText(result(current, baseline), 'base.csv', 3).trimEnd().split('\n');
  assert.match(lines[0]!, /2 added, 5 changed, 5 unchanged/);
  assert.equal(lines.filter((l) => /^ {2}[+~] /.test(l)).length, 3);
  assert.ok(lines.some((l) => l.includes('~ c02@x.com: highest_order_value 1 -> 102')));
  assert.ok(lines.some((l) => l.includes('4 more')));
});

test('Markdown: a well-formed table whatever the values hold, one row per property change', () => {
  const awkward = [row('a|b@x.com', { highest_order_value: 5, highest_order_date: 'x|y\nz' })];
  const markdown = diffMarkdown(result(awkward, []), 'klaviyo', 10);
  const changeRows = markdown.split('\n').filter((l) => / highest_order_(value|date) \|/.test(l));
  assert.equal(changeRows.length, 2);
  assert.ok(changeRows[0]!.startsWith('| added | a\\|b@x.com |'), changeRows[0]);
  for (const line of markdown.split('\n').filter((l) => l.startsWith('|'))) {
    const cells = line.split(/(?<!\\)\|/).length - 2;
    assert.ok(cells === 5, `${cells} cells in: ${line}`);
  }
  assert.equal(cell('a|b<c>\n`d`'), 'a\\|b&lt;c> \\`d\\`');
  assert.match(diffMarkdown(result(current, current), 'state', 10), /No changes: the 12 computed profiles match the baseline/);
});

test('JSON lists everything, a missing old value as null', () => {
  const json = diffJson(result(current, baseline), 'base.csv') as { counts: { added: number; changed: number }; changed: { changes: { from: unknown }[] }[]; added: unknown[] };
  assert.deepEqual([json.counts.added, json.counts.changed, json.added.length, json.changed.length], [2, 5, 2, 5]);
  const fromBlank = diffJson(result([row('a@x.com', { highest_order_value: 1, highest_order_date: '2025-01-01 00:00:00' })], [row('a@x.com', { highest_order_value: 1 })]), 'b') as { changed: { changes: { property: string; from: unknown }[] }[] };
  assert.deepEqual(fromBlank.changed[0]!.changes, [{ property: 'highest_order_date', from: null, to: '2025-01-01 00:00:00' }]);
});
