import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDefinitions } from '../../../src/domain/definitions.js';
import { parseItemSizePath, pathProblem, RECIPE_EVENT_FIELDS, templateAccess } from '../../../src/domain/flow/event-fields.js';
import { recipeFlows, webhooksOf } from '../../../src/domain/flow/flow-definitions.js';
import { sizeDatesBody, sizeTemplates, unquotableName } from '../../../src/domain/flow/webhook-bodies.js';
import { SizeMatcher } from '../../../src/domain/sizes.js';

test('templateAccess: dots for plain names, lookup for the rest and for everything after it', () => {
  assert.equal(templateAccess('event', 'created_at'), 'event.created_at');
  assert.equal(templateAccess('event', '$value'), "event|lookup:'$value'");
  assert.equal(templateAccess('event', '$extra.line_items'), "event|lookup:'$extra'|lookup:'line_items'");
  assert.equal(templateAccess('event', 'order.total price'), "event.order|lookup:'total price'");
  assert.equal(templateAccess('item', '_size'), "item|lookup:'_size'");
  assert.deepEqual(parseItemSizePath('$extra.line_items[].variant'), { items: '$extra.line_items', itemSize: 'variant' });
  assert.equal(parseItemSizePath('items.Size'), undefined);
  assert.match(pathProblem("it's") ?? '', /cannot quote/);
  assert.match(pathProblem('a..b') ?? '', /empty part/);
});

test('SizeMatcher.namesOf: the size first, then every alias that means it (a configured size always means itself)', () => {
  const matcher = new SizeMatcher(['small', 'large', 'xlarge'], { s: 'small', petite: 'small', l: 'large', large: 'xlarge', xl: 'xlarge' });
  assert.deepEqual(matcher.namesOf('small'), ['small', 'petite', 's']);
  assert.deepEqual(matcher.namesOf('large'), ['large', 'l']);
  assert.deepEqual(matcher.namesOf('xlarge'), ['xlarge', 'xl']);
  for (const size of ['small', 'large', 'xlarge']) for (const name of matcher.namesOf(size)) assert.equal(matcher.sizeOf(name), size);
});

test('recipeFlows: without sizes every flow starts at its split; the size webhook matches every name of each size', () => {
  const definitions = buildDefinitions('flow', [90, 30, 60], []);
  const flows = recipeFlows({ definitions, sizes: [], fields: RECIPE_EVENT_FIELDS, target: { kind: 'client', publicKey: 'ABC123' }, metricId: 'M1', revision: '2026-07-15' });
  assert.deepEqual(flows.map((f) => f.data.attributes.definition.entry_action_id), ['split-30d', 'split-60d', 'split-90d']);
  assert.ok(flows.every((f) => webhooksOf(f).length === 2));

  const withSizes = buildDefinitions('flow', [30], ['small', 'xlarge']);
  const sizes = sizeTemplates(withSizes.sizes, (size) => new SizeMatcher(['small', 'xlarge']).namesOf(size));
  const body = sizeDatesBody(sizes, RECIPE_EVENT_FIELDS);
  for (const name of ['small', 's', 'xlarge', 'xl', 'x-large', 'extra large']) assert.ok(body.includes(`item.Size|lower == "${name}"`), name);
  // One separator per size after the declaration's own: never more references than values.
  assert.match(body, /^\{% cycle '' '' ',' as separator silent %\}/);
  assert.equal(unquotableName(withSizes.windows, sizes), undefined);
  assert.equal(unquotableName(buildDefinitions('flow', [30], [], { windows: { '30': { value: "o'value" } } }).windows, []), "o'value");
});
