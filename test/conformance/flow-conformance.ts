/**
 * Django conformance: the flow `backfill flow` writes, replayed over order histories by Django's own
 * template engine (Klaviyo's template language is based on it), stores exactly what
 * `backfill compute --mode flow` computes, on every profile, for both webhook targets: every webhook
 * is checked as the request it makes (URL and headers against Create or Update Profile's, or Create
 * Client Profile's, schema; each rendered body against the target's body schema). The same replay over
 * the recipe's verbatim templates shows each of their four defects, which proves the replay can see them.
 *
 * Not part of `npm test` (it needs python3-django): `npm run conformance`, run by .ci/run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { bodySchema, describeValidation, validatorsFor } from '../support/klaviyo-schema.js';
import { fixture, tempDir } from '../support/cli.js';
import {
  computeFlowMode,
  differences,
  flowBodies,
  inReplayOrder,
  RECIPE_SHAPE,
  replayWithDjango,
  writeOrders,
  type EventShape,
  type History,
  type Properties,
  type ReplayEvent,
} from '../support/flow-replay.js';

const AS_OF = '2030-01-01';
const START = Date.UTC(2025, 0, 1) / 1000;
const HOUR = 3600;

/** An instant written as the integration would: ISO 8601 with one of a few offsets. */
function isoAt(seconds: number, offsetMinutes: number): string {
  const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}+00:00`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

interface OrderSpec {
  readonly gapHours: number;
  readonly value: number | null | undefined;
  readonly sizes: readonly (string | undefined)[];
  readonly offset: number;
}

/** The hard cases as values: $999 then $1000, 1359.60 then 1359.99, rounding, many decimals, none. */
const VALUE = fc.oneof(
  fc.constantFrom(999, 1000, 1359.6, 1359.99, 129.99, 130, 100, 0, 12.3456789, 12.3456788, 0.30000000000000004, 5),
  fc.integer({ min: 1, max: 500_000 }).map((cents) => cents / 100),
  fc.integer({ min: 1, max: 99_999_999 }).map((n) => n / 1e6),
  fc.constant(undefined),
  fc.constant(null),
);
/** Item sizes as variants write them: names and aliases in any case, unknown sizes, none at all. */
const ITEM_SIZE = fc.constantFrom<string | undefined>('small', 'Small', 'S', 's', 'medium', 'M', 'large', 'L', 'LARGE', 'xlarge', 'XL', 'X-Large', 'Extra Large', 'one-size', '', undefined);
/** Gaps between orders, in hours: the same instant, exactly 30 or 60 days, one hour either side, or anything. */
const GAP = fc.oneof(fc.constantFrom(0, 30 * 24, 60 * 24, 30 * 24 - 1, 30 * 24 + 1, 60 * 24 + 1, 90 * 24), fc.integer({ min: 1, max: 2400 }));
const ORDER = fc.record({ gapHours: GAP, value: VALUE, sizes: fc.array(ITEM_SIZE, { maxLength: 4 }), offset: fc.constantFrom(0, 120, -300, 330) });
const HISTORY = fc.array(ORDER, { minLength: 1, maxLength: 8 });

function historyOf(email: string, orders: readonly OrderSpec[], shape: EventShape): History {
  let time = START;
  const events: ReplayEvent[] = orders.map((order) => {
    time += order.gapHours * HOUR;
    const items = order.sizes.map((size) => (size === undefined ? { ProductName: 'Print' } : { ProductName: 'Print', [shape.itemSize]: size }));
    const properties: Record<string, unknown> = { [shape.date]: isoAt(time, order.offset), [shape.items]: items };
    if (order.value !== undefined) properties[shape.value] = order.value;
    return { time, properties };
  });
  return inReplayOrder({ email, events }, shape);
}

/** The hand-made cases, each named for what it pins. */
function hardCases(shape: EventShape): History[] {
  const cases: Record<string, OrderSpec[]> = {
    'a999-then-1000': [{ gapHours: 0, value: 999, sizes: ['small'], offset: 0 }, { gapHours: 240, value: 1000, sizes: [], offset: 0 }],
    'b1359.60-then-1359.99': [{ gapHours: 0, value: 1359.6, sizes: [], offset: 0 }, { gapHours: 24, value: 1359.99, sizes: [], offset: 0 }],
    'c100-then-129.99': [{ gapHours: 0, value: 100, sizes: [], offset: 0 }, { gapHours: 24, value: 129.99, sizes: [], offset: 0 }],
    'd-two-small-items': [{ gapHours: 0, value: 50, sizes: ['small', 'medium', 'small'], offset: 0 }],
    'e-size-absent-later': [{ gapHours: 0, value: 50, sizes: ['small'], offset: 0 }, { gapHours: 48, value: 20, sizes: ['medium'], offset: 0 }],
    'f-no-value': [{ gapHours: 0, value: undefined, sizes: ['large'], offset: 0 }, { gapHours: 1, value: null, sizes: [], offset: 0 }, { gapHours: 1, value: 3, sizes: [], offset: 0 }],
    'g-many-decimals': [{ gapHours: 0, value: 12.3456788, sizes: [], offset: 0 }, { gapHours: 1, value: 12.3456789, sizes: [], offset: 0 }, { gapHours: 1, value: 0.30000000000000004, sizes: [], offset: 0 }],
    'h-same-instant': [{ gapHours: 0, value: 40, sizes: ['S'], offset: 120 }, { gapHours: 0, value: 30, sizes: ['XL'], offset: 0 }],
    "j-o'brien&co": [{ gapHours: 0, value: 75, sizes: ['M'], offset: 0 }],
    'i-exactly-30-days': [{ gapHours: 0, value: 500, sizes: [], offset: 0 }, { gapHours: 720, value: 100, sizes: [], offset: 0 }, { gapHours: 1, value: 200, sizes: [], offset: 0 }],
  };
  return Object.entries(cases).map(([name, orders]) => historyOf(`${name}@example.com`, orders, shape));
}

function generatedHistories(seed: number, count: number, shape: EventShape): History[] {
  return fc.sample(HISTORY, { seed, numRuns: count }).map((orders, index) => historyOf(`p${seed}-${index}@example.com`, orders, shape));
}

const validFlow = bodySchema('FlowCreateQuery');

/** Where the webhooks send, and what Klaviyo's spec says such a request must be. */
type Target = 'profile-import' | 'client';

const TARGET_ARGS: Readonly<Record<Target, readonly string[]>> = { 'profile-import': [], client: ['--target', 'client', '--public-key', 'ABC123'] };

/**
 * Each webhook of the flows as the request it makes: its URL and headers against the operation's
 * schema (Create or Update Profile, or Create Client Profile), with the key a person puts in place of
 * the printed placeholder.
 */
function assertWebhookRequests(flows: readonly unknown[], target: Target): void {
  const operation = validatorsFor(target === 'client' ? 'create_client_profile' : 'create_or_update_profile');
  for (const flow of flows as { data: { attributes: { definition: { actions: { type: string; data: { message?: { url: string; headers: Record<string, string> } } }[] } } } }[]) {
    for (const action of flow.data.attributes.definition.actions) {
      if (action.type !== 'send-webhook') continue;
      const { url, headers } = action.data.message!;
      const request = new URL(url);
      assert.equal(`${request.origin}${request.pathname}`, target === 'client' ? 'https://a.klaviyo.com/client/profiles' : 'https://a.klaviyo.com/api/profile-import');
      assert.ok(operation.query(Object.fromEntries(request.searchParams)), describeValidation(operation.query));
      const sent = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value.startsWith('Klaviyo-API-Key <') ? 'Klaviyo-API-Key pk_webhook_only' : value]));
      assert.ok(operation.headers(sent), `${target} webhook headers: ${describeValidation(operation.headers)}`);
    }
  }
}

interface Run {
  readonly flowArgs: readonly string[];
  readonly computeArgs: readonly string[];
  readonly shape: EventShape;
  readonly config?: Record<string, unknown>;
  /** Default: profile-import, the flow's default. */
  readonly target?: Target;
}

/** Every profile: the flow's final properties under Django, against compute's; returns the disagreements. */
function disagreements(histories: readonly History[], run: Run, missing: 'empty' | 'none'): { problems: string[]; profiles: number; bodies: number } {
  const dir = tempDir();
  const orders = writeOrders(dir, histories, run.shape, run.config);
  const computed = computeFlowMode(orders, run.computeArgs, AS_OF);
  const target = run.target ?? 'profile-import';
  const flows = flowBodies(['--config', orders.config, ...TARGET_ARGS[target], ...run.flowArgs]);
  for (const flow of flows) assert.ok(validFlow(flow), `Create Flow body outside the schema: ${describeValidation(validFlow)}`);
  assertWebhookRequests(flows, target);
  const replayed = replayWithDjango(flows, histories, missing);
  assert.deepEqual(replayed.misaddressed, [], 'every webhook names its own profile');
  const schema = target === 'client' ? 'OnsiteProfileCreateQuery' : 'ProfileUpsertQuery';
  const validProfile = bodySchema(schema);
  for (const body of replayed.bodies) assert.ok(validProfile(body), `webhook body outside ${schema}: ${JSON.stringify(body)}: ${describeValidation(validProfile)}`);
  const problems: string[] = [];
  for (const history of histories) {
    const flow: Properties = replayed.profiles[history.email] ?? {};
    const found = differences(flow, computed.get(history.email) ?? {});
    if (found.length > 0) problems.push(`${history.email} ${JSON.stringify(history.events)}: ${found.join('; ')}`);
  }
  assert.equal(computed.size, histories.length, 'compute wrote a row for every profile');
  return { problems, profiles: histories.length, bodies: replayed.bodies.length };
}

const RECIPE_RUN: Run = {
  flowArgs: ['--metric-id', 'XyZ123', '--windows', '30,60'],
  computeArgs: ['--windows', '30,60'],
  shape: RECIPE_SHAPE,
};

for (const target of ['profile-import', 'client'] as const) {
  for (const missing of ['empty', 'none'] as const) {
    test(`generated flow (--target ${target}) = compute --mode flow on 100% of profiles (windows 30,60; lookup of a missing property gives ${missing === 'empty' ? '""' : 'None'})`, () => {
      const histories = [...hardCases(RECIPE_SHAPE), ...generatedHistories(1301, 150, RECIPE_SHAPE), ...generatedHistories(1302, 150, RECIPE_SHAPE)];
      const { problems, profiles, bodies } = disagreements(histories, { ...RECIPE_RUN, target }, missing);
      assert.deepEqual(problems, [], `${problems.length} of ${profiles} profiles disagree`);
      assert.ok(bodies > profiles * 3, `every order rendered its webhooks (${bodies} bodies)`);
    });
  }
}

test('generated flow = compute with renamed event fields, renamed properties, more aliases and windows 30,90', () => {
  const shape: EventShape = { value: 'total price', date: 'placed_at', items: 'line_items', itemSize: 'size' };
  const run: Run = {
    flowArgs: ['--metric-id', 'XyZ123', '--windows', '30,90', '--event-value', 'total price', '--event-date', 'placed_at', '--event-items', 'line_items[].size'],
    target: 'client',
    computeArgs: ['--windows', '30,90'],
    shape,
    config: {
      sizeAliases: { 'one-size': 'medium' },
      properties: { windows: { '30': { value: 'vip_max_order_value', date: 'vip_max_order_date' } }, sizes: { small: 'last_small_order' } },
    },
  };
  const histories = [...hardCases(shape), ...generatedHistories(1303, 200, shape)];
  const { problems, profiles } = disagreements(histories, run, 'empty');
  assert.deepEqual(problems, [], `${problems.length} of ${profiles} profiles disagree`);
});

test('generated flow = compute with --event-date now (the webhook runs at the order time)', () => {
  const run: Run = { ...RECIPE_RUN, flowArgs: [...RECIPE_RUN.flowArgs, '--event-date', 'now'] };
  const histories = [...hardCases(RECIPE_SHAPE), ...generatedHistories(1304, 100, RECIPE_SHAPE)];
  const { problems, profiles } = disagreements(histories, run, 'none');
  assert.deepEqual(problems, [], `${problems.length} of ${profiles} profiles disagree`);
});

/** The recipe's flow with its verbatim bodies (fixtures/recipe), laid out as the recipe says. */
function recipeFlow(): unknown {
  const body = (name: string): string => readFileSync(fixture(`recipe/${name}`), 'utf8');
  const hook = (id: string, file: string, next: string | null) => ({
    temporary_id: id,
    type: 'send-webhook',
    links: { next },
    data: { status: 'draft', message: { name: id, url: 'https://a.klaviyo.com/api/identify', headers: {}, body: body(file) } },
  });
  const atMostOnce = { type: 'profile-metric', metric_id: 'XyZ123', measurement: 'count', measurement_filter: { type: 'numeric', operator: 'less-than-or-equal', value: 1 }, timeframe_filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: 30 } };
  return {
    data: {
      type: 'flow',
      attributes: {
        name: 'Solution Recipe 11, verbatim',
        definition: {
          triggers: [{ type: 'metric', id: 'XyZ123' }],
          entry_action_id: 'sizes',
          reentry_criteria: { duration: 0, unit: 'alltime' },
          actions: [
            hook('sizes', 'size-dates-body.txt', 'split'),
            { temporary_id: 'split', type: 'conditional-split', links: { next_if_true: 'first', next_if_false: 'compare' }, data: { profile_filter: { condition_groups: [{ conditions: [atMostOnce] }] } } },
            hook('first', 'first-order-body.txt', null),
            hook('compare', 'compare-body.txt', null),
          ],
        },
      },
    },
  };
}

test("the recipe's verbatim templates show each of the four defects; the generated ones none", () => {
  const histories = hardCases(RECIPE_SHAPE);
  const dir = tempDir();
  const orders = writeOrders(dir, histories, RECIPE_SHAPE);
  const computed = computeFlowMode(orders, [], AS_OF);
  const recipeReplay = replayWithDjango([recipeFlow()], histories, 'empty');
  const recipe = recipeReplay.profiles;
  const of = (name: string): { flow: Properties; computed: Properties } => ({ flow: recipe[`${name}@example.com`]!, computed: computed.get(`${name}@example.com`)! });

  // 1. Compared as text: "999" < "1000" is false, so $1000 never replaces $999.
  const textCompare = of('a999-then-1000');
  assert.equal(textCompare.flow.highest_order_value, 999);
  assert.equal(textCompare.computed.highest_order_value, 1000);
  // 2. Rounded: 129.99 is stored as 130; and 1359.99 does not beat 1359.60 ("1360" < "1360").
  assert.equal(of('c100-then-129.99').flow.highest_order_value, 130);
  assert.equal(of('c100-then-129.99').computed.highest_order_value, 129.99);
  assert.equal(of('b1359.60-then-1359.99').flow.highest_order_value, 1359.6);
  assert.equal(of('b1359.60-then-1359.99').computed.highest_order_value, 1359.99);
  // 3. Written twice: two small items give the date twice, end to end.
  const twice = of('d-two-small-items');
  const date = String(histories.find((h) => h.email.startsWith('d-'))!.events[0]!.properties.created_at);
  assert.equal(twice.flow.small_order_date, `${date}${date}`);
  assert.deepEqual(differences({ small_order_date: date }, { small_order_date: twice.computed.small_order_date! }), []);
  // 4. Erased: a later order without a small item overwrites small_order_date with "".
  const erased = of('e-size-absent-later');
  assert.equal(erased.flow.small_order_date, '');
  assert.equal(typeof erased.computed.small_order_date, 'string');
  assert.notEqual(erased.computed.small_order_date, '');

  // And one more: `{{ person.email }}` is HTML-escaped, so o'brien's webhooks go to another profile.
  assert.ok(recipeReplay.misaddressed.some((m) => m.email === "j-o'brien&co@example.com" && m.named === 'j-o&#x27;brien&amp;co@example.com'));

  const generatedReplay = replayWithDjango(flowBodies(['--config', orders.config, '--metric-id', 'XyZ123']), histories, 'empty');
  assert.deepEqual(generatedReplay.misaddressed, []);
  const generated = generatedReplay.profiles;
  for (const history of histories) assert.deepEqual(differences(generated[history.email]!, computed.get(history.email)!), [], history.email);
});
