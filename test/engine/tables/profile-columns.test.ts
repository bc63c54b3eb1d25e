import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonBytes } from '../../../src/engine/tables/json-bytes.js';
import { ProfileColumns } from '../../../src/engine/tables/profile-columns.js';
import { rowList } from '../../../src/domain/profile-list.js';
import { profileProblem } from '../../../src/domain/profile-problem.js';
import { utcMillis } from '../../../src/domain/timestamp.js';

function json(list: { writePropertiesJson(index: number, out: JsonBytes): void }, index: number): string {
  const out = new JsonBytes();
  list.writePropertiesJson(index, out);
  return out.bytes().toString('utf8');
}

test('rows are made from the columns in column order, blanks absent, dates as their text', () => {
  const table = new ProfileColumns(['highest_order_value', 'highest_order_date', 'note'], ['value', 'date', 'any']);
  table.setNumber(0, 129.5);
  table.setNumber(1, utcMillis(2025, 6, 10, 16, 0, 0));
  table.setValue(2, 'vip');
  table.commit(table.emails.add('ann@x.io'));
  // A row whose cells are written but never committed leaves nothing behind.
  table.setNumber(0, 1);
  table.setNumber(1, NaN);
  table.setValue(2, 7);
  table.emails.add('rejected@x.io');
  table.setNumber(0, NaN);
  table.setNumber(1, utcMillis(1, 1, 1));
  table.setValue(2, undefined);
  table.commit(table.emails.add('bob@x.io'));
  assert.equal(table.length, 2);
  assert.deepStrictEqual(table.toRows(), [
    { email: 'ann@x.io', properties: { highest_order_value: 129.5, highest_order_date: '2025-06-10 16:00:00', note: 'vip' } },
    { email: 'bob@x.io', properties: { highest_order_date: '0001-01-01 00:00:00' } },
  ]);
  assert.equal(json(table, 0), '{"highest_order_value":129.5,"highest_order_date":"2025-06-10 16:00:00","note":"vip"}');
  assert.equal(table.email(1), 'bob@x.io');
  assert.deepEqual(table.textProperties(), ['highest_order_date', 'note']);
  assert.equal(table.problem(0), undefined);
});

test('a table grows past its first thousand rows and keeps every cell', () => {
  const table = new ProfileColumns(['v_value'], ['value']);
  for (let i = 0; i < 5000; i++) {
    table.setNumber(0, i % 3 === 0 ? NaN : i / 4);
    table.commit(table.emails.add(`p${String(i).padStart(4, '0')}@x.io`));
  }
  assert.equal(table.length, 5000);
  for (const i of [0, 1, 1023, 1024, 1025, 4999]) {
    assert.deepStrictEqual(table.row(i), { email: `p${String(i).padStart(4, '0')}@x.io`, properties: i % 3 === 0 ? {} : { v_value: i / 4 } });
  }
});

test('awkward names (repeated, __proto__, an index, blank) and unusable values: JSON, problems and text properties are the rows’ own', () => {
  const names = ['b', '12', 'b', '__proto__', '', 'n'];
  const table = new ProfileColumns(names, ['any', 'any', 'any', 'any', 'any', 'any']);
  const cells: (string | number | undefined)[][] = [
    ['x', 'y', 'z', 'p', undefined, 1],
    [undefined, undefined, 'z', undefined, 'blank-named', Infinity],
    ['x', 3, undefined, undefined, undefined, -0],
  ];
  cells.forEach((row, i) => {
    row.forEach((value, column) => table.setValue(column, value));
    table.commit(table.emails.add(`p${i}@x.io`));
  });
  const rows = table.toRows();
  assert.deepEqual(Object.keys(rows[0]!.properties), ['12', 'b', 'n'], 'an index key comes first; __proto__ is no own key');
  assert.equal(rows[0]!.properties.b, 'z', 'the later cell of a repeated name wins');
  const reference = rowList(rows);
  rows.forEach((row, i) => {
    assert.equal(json(table, i), JSON.stringify(row.properties));
    assert.equal(json(table, i), json(reference, i));
    assert.equal(table.problem(i), profileProblem(row));
  });
  assert.match(table.problem(1)!, /empty name|no usable value/);
  assert.deepEqual(table.textProperties(), reference.textProperties());
});

test('an email Klaviyo cannot key on is the problem, before any property', () => {
  const table = new ProfileColumns(['n'], ['any']);
  table.setValue(0, Infinity);
  table.commit(table.emails.add('not an email'));
  assert.equal(table.problem(0), profileProblem(table.row(0)));
  assert.match(table.problem(0)!, /is not an email address/);
});
