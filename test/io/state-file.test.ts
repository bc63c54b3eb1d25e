import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfirmedState } from '../../src/domain/confirmed-state.js';
import { BackfillError } from '../../src/errors.js';
import { defaultStatePath, readStateFile, writeStateFile } from '../../src/io/state-file.js';
import { tempDir } from '../support/cli.js';

const state: ConfirmedState = {
  definitionsHash: 'sha256:abc',
  definitions: { mode: 'window', windows: [{ days: 30, value: 'highest_order_value', date: 'highest_order_date' }], sizes: [] },
  updatedAt: '2025-07-01T00:00:00.000Z',
  profiles: new Map<string, Record<string, number | string>>([
    ['ann@example.com', { highest_order_value: 129.5, highest_order_date: '2025-06-10 16:00:00' }],
    ['bob+vip@example.com', { highest_order_value: 20 }],
  ]),
};

test('the state file reads back as written (numbers stay numbers), one profile per line, no temporary file left', async () => {
  const dir = await tempDir();
  const path = join(dir, '.backfill', 'state.json');
  await writeStateFile(path, state);
  assert.deepEqual(await readStateFile(path), state);
  const text = await readFile(path, 'utf8');
  assert.equal(text.split('\n').filter((line) => line.includes('@example.com')).length, 2);
  assert.deepEqual(await readdir(join(dir, '.backfill')), ['state.json']);
  await writeStateFile(path, { ...state, definitionsHash: null, profiles: new Map() });
  assert.deepEqual((await readStateFile(path))?.profiles, new Map());
});

test('a missing state file is no state; a broken one stops with the file named and a way out', async () => {
  const dir = await tempDir();
  assert.equal(await readStateFile(join(dir, 'none.json')), undefined);
  const broken = join(dir, 'broken.json');
  for (const text of ['{"version":1,"profiles":', '{"version":2,"definitionsHash":null,"profiles":{}}', '{"version":1,"definitionsHash":null,"profiles":{"a@x.com":{"v":[1]}}}']) {
    await writeFile(broken, text);
    await assert.rejects(readStateFile(broken), (error: BackfillError) => error.code === 'INPUT_UNREADABLE' && error.location?.file === broken && /--full/.test(error.hint ?? ''));
  }
});

test('the default state file sits in .backfill next to the config file, or in the working directory', () => {
  assert.equal(defaultStatePath('conf/shop.config.json', '/work/shop'), '/work/shop/conf/.backfill/state.json');
  assert.equal(defaultStatePath('/etc/backfill/backfill.config.json', '/work/shop'), '/etc/backfill/.backfill/state.json');
  assert.equal(defaultStatePath(undefined, '/work/shop'), '/work/shop/.backfill/state.json');
});
