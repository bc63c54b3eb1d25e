import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../support/cli.js';
import { bodySchema, describeValidation } from '../support/klaviyo-schema.js';
import { KlaviyoFlowsStandIn } from '../support/klaviyo-flows-stand-in.js';

const API_KEY = 'pk_test_flows_0123456789abcdef01234';
const validFlow = bodySchema('FlowCreateQuery');

interface Action {
  temporary_id: string;
  type: string;
  links: Record<string, string | null>;
  data: { message?: { url: string; headers: Record<string, string>; body: string }; profile_filter?: { condition_groups: { conditions: { metric_id: string; timeframe_filter: { quantity: number } }[] }[] } };
}
interface Flow {
  data: { attributes: { name: string; definition: { triggers: { id: string }[]; entry_action_id: string; reentry_criteria: unknown; actions: Action[] } } };
}

test('flow --json: one valid Create Flow body per window, the first with the size webhook, all sending to Create Client Profile', async () => {
  const run = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--windows', '30,60', '--json']);
  assert.equal(run.code, 0, run.stderr);
  const flows = JSON.parse(run.stdout) as Flow[];
  assert.equal(flows.length, 2);
  for (const flow of flows) assert.ok(validFlow(flow), describeValidation(validFlow));
  const [first, second] = flows.map((f) => f.data.attributes.definition);
  assert.equal(first!.entry_action_id, 'size-dates');
  assert.equal(second!.entry_action_id, 'split-60d');
  assert.deepEqual(first!.reentry_criteria, { duration: 0, unit: 'alltime' });
  for (const [definition, days] of [[first!, 30], [second!, 60]] as const) {
    assert.deepEqual(definition.triggers.map((t) => t.id), ['XyZ123']);
    const split = definition.actions.find((a) => a.type === 'conditional-split')!;
    const condition = split.data.profile_filter!.condition_groups[0]!.conditions[0]!;
    assert.equal(condition.metric_id, 'XyZ123');
    assert.equal(condition.timeframe_filter.quantity, days);
    for (const hook of definition.actions.filter((a) => a.type === 'send-webhook')) {
      assert.equal(hook.data.message!.url, 'https://a.klaviyo.com/client/profiles?company_id=ABC123');
      assert.deepEqual(hook.data.message!.headers, { revision: '2026-07-15', 'Content-Type': 'application/vnd.api+json' });
      assert.doesNotMatch(hook.data.message!.body, /floatformat|\/api\/identify|token/);
    }
  }
  const bodies = second!.actions.flatMap((a) => (a.data.message ? [a.data.message.body] : []));
  assert.ok(bodies.every((b) => b.includes('"60_day_highest_order_value"') && !b.includes('"highest_order_value"')), 'the 60-day flow writes the 60-day pair only');
});

test('flow reads property names and sizes from backfill.config.json, and the human output holds the same bodies', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'backfill.config.json'), JSON.stringify({ sizes: ['small', 'large'], sizeAliases: { petite: 'small' }, properties: { windows: { '30': { value: 'vip_value' } }, sizes: { large: 'last_large' } } }));
  const json = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--json'], { cwd });
  const human = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123'], { cwd });
  assert.equal(json.code, 0, json.stderr);
  assert.equal(human.code, 0, human.stderr);
  const [flow] = JSON.parse(json.stdout) as Flow[];
  const hooks = flow!.data.attributes.definition.actions.filter((a) => a.type === 'send-webhook').map((a) => a.data.message!.body);
  assert.equal(hooks.length, 3);
  assert.match(hooks[0]!, /"small_order_date"/);
  assert.match(hooks[0]!, /"last_large"/);
  assert.match(hooks[0]!, /== "petite"/);
  assert.doesNotMatch(hooks[0]!, /medium/);
  assert.match(hooks[2]!, /person\|lookup:'vip_value'/);
  for (const body of hooks) assert.ok(human.stdout.includes(`-----\n${body}\n-----`), 'every body is printed whole between markers');
  assert.match(human.stdout, /conditional split: .*Placed Order > at most 1 time in the last 30 days/);
  assert.match(human.stdout, /On the YES branch/);
  assert.match(human.stdout, /On the NO branch/);
});

test('flow: usage errors exit 2 and name the flag', async () => {
  const noKey = await runCli(['flow', '--metric-id', 'XyZ123']);
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /--public-key is required/);
  const badItems = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'X', '--event-items', 'items.Size']);
  assert.equal(badItems.code, 2);
  assert.match(badItems.stderr, /items\[\]\.Size/);
  const quote = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'X', '--event-date', "it's"]);
  assert.equal(quote.code, 2);
  assert.match(quote.stderr, /cannot quote/);
});

test('flow --target profile-import prints a placeholder; --create sends the key from --webhook-key-file and never prints it', async () => {
  const printed = await runCli(['flow', '--target', 'profile-import', '--metric-id', 'XyZ123', '--json']);
  assert.equal(printed.code, 0, printed.stderr);
  const hook = (JSON.parse(printed.stdout) as Flow[])[0]!.data.attributes.definition.actions.find((a) => a.type === 'send-webhook')!;
  assert.equal(hook.data.message!.url, 'https://a.klaviyo.com/api/profile-import');
  assert.equal(hook.data.message!.headers.Authorization, 'Klaviyo-API-Key <private key with profiles:write>');

  const standIn = await new KlaviyoFlowsStandIn(API_KEY).start();
  try {
    const dir = tempDir();
    const webhookKey = 'pk_webhook_only_profiles_write_0000';
    writeFileSync(join(dir, 'webhook.key'), `${webhookKey}\n`);
    const run = await runCli(['flow', '--target', 'profile-import', '--metric-id', 'XyZ123', '--create', '--webhook-key-file', join(dir, 'webhook.key')], {
      env: { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: standIn.baseUrl },
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(standIn.violations, []);
    const sent = JSON.stringify(standIn.flows[0]!.body);
    assert.ok(sent.includes(`Klaviyo-API-Key ${webhookKey}`), 'the created flow carries the key');
    assert.ok(!run.stdout.includes(webhookKey) && !run.stderr.includes(webhookKey), 'the key is never printed');
  } finally {
    await standIn.stop();
  }
});

test('flow --create: drafts created once, the metric found by name; a second run finds them and creates nothing', async () => {
  const standIn = await new KlaviyoFlowsStandIn(API_KEY).start();
  standIn.metrics = [
    { id: 'AAA111', name: 'Viewed Product' },
    { id: 'BBB222', name: 'Active on Site' },
    { id: 'XyZ123', name: 'Placed Order', integration: 'Shopify' },
  ];
  const env = { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: standIn.baseUrl, BACKFILL_PUSH_TUNING: JSON.stringify({ createPerMinute: 6000, createBurst: 1 }) };
  try {
    const first = await runCli(['flow', '--public-key', 'ABC123', '--windows', '30,60', '--create'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.flows.map((f) => f.name), ['Highest order value, 30 days, and order dates by size (backfill)', 'Highest order value, 60 days (backfill)']);
    for (const flow of standIn.flows) {
      const definition = (flow.body as Flow).data.attributes.definition;
      assert.deepEqual(definition.triggers.map((t) => t.id), ['XyZ123'], 'the metric looked up by name (on its second page)');
      for (const action of definition.actions) if (action.type === 'send-webhook') assert.equal((action.data as { status?: string }).status, 'draft');
    }
    assert.match(first.stdout, /Created "Highest order value, 30 days, and order dates by size \(backfill\)" as a draft: flow id FL0001/);
    assert.match(first.stdout, /set the flow live/);

    const second = await runCli(['flow', '--public-key', 'ABC123', '--windows', '30,60', '--create'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(standIn.creates('create-flow'), 2, 'nothing created the second time');
    assert.match(second.stdout, /exists already \(flow id FL0001\): nothing sent/);
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
});

test('flow --create: a refused webhook action is said plainly, nothing more is tried, and the instructions are printed (exit 2)', async () => {
  const standIn = await new KlaviyoFlowsStandIn(API_KEY).start();
  standIn.refuseWebhooks = true;
  try {
    const run = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--windows', '30,60', '--create'], { env: { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: standIn.baseUrl } });
    assert.equal(run.code, 2);
    assert.equal(standIn.creates('create-flow'), 1, 'one refusal, no retry, the second flow not tried');
    assert.match(run.stderr, /Klaviyo refused to create .*Webhook actions are not supported/);
    assert.match(run.stderr, /build the flows by hand/);
    assert.match(run.stdout, /=== Flow 1 of 2/);
    assert.match(run.stdout, /=== Flow 2 of 2/);
    assert.ok(!run.stdout.includes(API_KEY) && !run.stderr.includes(API_KEY));
    assert.deepEqual(standIn.violations, []);
  } finally {
    await standIn.stop();
  }
});

test('flow reads the event property names from "flowEvent" in backfill.config.json; a flag overrides one', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'backfill.config.json'), JSON.stringify({ sizes: ['small'], flowEvent: { value: 'total', date: 'placed_at', items: '$extra.line_items[].size' } }));
  const fromFile = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--json'], { cwd });
  const overridden = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--json', '--event-date', 'now'], { cwd });
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(overridden.code, 0, overridden.stderr);
  const bodies = (run: { stdout: string }) => (JSON.parse(run.stdout) as Flow[])[0]!.data.attributes.definition.actions.flatMap((a) => (a.data.message ? [a.data.message.body] : []));
  const [sizes, first] = bodies(fromFile);
  assert.match(sizes!, /\{% for item in event\|lookup:'\$extra'\|lookup:'line_items' %\}\{% if item\.size\|lower == "small"/);
  assert.match(first!, /"highest_order_value": \{\{ event\.total\|default:0 \}\}/);
  assert.match(first!, /"highest_order_date": "\{\{ event\.placed_at\|escapejs \}\}"/);
  assert.match(bodies(overridden)[1]!, /"highest_order_date": "\{% now "U" %\}"/);
  assert.match(bodies(overridden)[1]!, /event\.total/);

  writeFileSync(join(cwd, 'backfill.config.json'), JSON.stringify({ flowEvent: { items: 'items.Size' } }));
  const bad = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123'], { cwd });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"flowEvent\.items" must be <items>\[\]\.<size key>/);
});
