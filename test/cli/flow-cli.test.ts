import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../support/cli.js';
import { bodySchema, describeValidation, validatorsFor } from '../support/klaviyo-schema.js';
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

test('flow --json: one valid Create Flow body per window, the first with the size webhook, all sending to Create or Update Profile by default', async () => {
  const run = await runCli(['flow', '--metric-id', 'XyZ123', '--windows', '30,60', '--json']);
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
      assert.equal(hook.data.message!.url, 'https://a.klaviyo.com/api/profile-import');
      assert.deepEqual(hook.data.message!.headers, { revision: '2026-07-15', 'Content-Type': 'application/vnd.api+json', Authorization: 'Klaviyo-API-Key <private key with profiles:write>' });
      assert.doesNotMatch(hook.data.message!.body, /floatformat|\/api\/identify|token/);
    }
  }
  const bodies = second!.actions.flatMap((a) => (a.data.message ? [a.data.message.body] : []));
  assert.ok(bodies.every((b) => b.includes('"60_day_highest_order_value"') && !b.includes('"highest_order_value"')), 'the 60-day flow writes the 60-day pair only');
  assert.match(run.stderr, /revision 2026-07-15 in their headers\. Klaviyo supports a revision for two years,\nthis one to about 2028-07-15/);
});

test('flow --target client: the webhooks call Create Client Profile with the public key, and the caveat is printed', async () => {
  const json = await runCli(['flow', '--target', 'client', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--json', '--revision', '2026-10-15']);
  assert.equal(json.code, 0, json.stderr);
  const hooks = (JSON.parse(json.stdout) as Flow[])[0]!.data.attributes.definition.actions.filter((a) => a.type === 'send-webhook');
  for (const hook of hooks) {
    assert.equal(hook.data.message!.url, 'https://a.klaviyo.com/client/profiles?company_id=ABC123');
    assert.deepEqual(hook.data.message!.headers, { revision: '2026-10-15', 'Content-Type': 'application/vnd.api+json' });
  }
  assert.match(json.stderr, /Caveat \(--target client\): Klaviyo documents Create Client Profile for browsers and apps only/);
  assert.match(json.stderr, /this one to about 2028-10-15/);
  const human = await runCli(['flow', '--target', 'client', '--public-key', 'ABC123', '--metric-id', 'XyZ123']);
  assert.match(human.stdout, /"Do not use\nthis endpoint from server-side applications \.\.\. instead use POST \/api\/profile-import"/);
  assert.doesNotMatch(human.stdout, /Create Private API Key/, 'no key to make for the client endpoint');
});

test('flow (profile-import): the steps say how to create the profiles:write-only key and how to rotate it, and until when the revision holds', async () => {
  const run = await runCli(['flow', '--metric-id', 'XyZ123']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /Every webhook calls Create or Update Profile \(POST \/api\/profile-import with a private key that can only write profiles\)/);
  assert.match(run.stdout, /Header: Authorization: Klaviyo-API-Key <private key with profiles:write>/);
  assert.match(run.stdout, /Settings > API keys > Create Private API Key/);
  assert.match(run.stdout, /Custom Key: Profiles Full Access \(profiles:write\), every other scope No Access/);
  assert.match(run.stdout, /To rotate it .*create a new key as above/);
  assert.match(run.stdout, /disable the old key in Settings > API keys/);
  assert.match(run.stdout, /The webhooks send the API revision 2026-07-15 in their headers\. Klaviyo supports a revision for two years,\nthis one to about 2028-07-15: before then, run backfill flow again with a newer --revision/);
});

test('flow reads property names and sizes from backfill.config.json, and the human output holds the same bodies', async () => {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'backfill.config.json'), JSON.stringify({ sizes: ['small', 'large'], sizeAliases: { petite: 'small' }, properties: { windows: { '30': { value: 'vip_value' } }, sizes: { large: 'last_large' } } }));
  const json = await runCli(['flow', '--metric-id', 'XyZ123', '--json'], { cwd });
  const human = await runCli(['flow', '--metric-id', 'XyZ123'], { cwd });
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
  const noKey = await runCli(['flow', '--target', 'client', '--metric-id', 'XyZ123']);
  assert.equal(noKey.code, 2);
  assert.match(noKey.stderr, /--target client needs --public-key/);
  const publicKeyAlone = await runCli(['flow', '--public-key', 'ABC123', '--metric-id', 'XyZ123']);
  assert.equal(publicKeyAlone.code, 2);
  assert.match(publicKeyAlone.stderr, /--public-key goes with --target client/);
  const noWebhookKey = await runCli(['flow', '--metric-id', 'XyZ123', '--create'], { env: { KLAVIYO_API_KEY: API_KEY } });
  assert.equal(noWebhookKey.code, 2);
  assert.match(noWebhookKey.stderr, /--create needs --webhook-key-file: the private key the webhooks send \(profiles:write only\)/);
  const dir = tempDir();
  writeFileSync(join(dir, 'same.key'), API_KEY);
  const sameKey = await runCli(['flow', '--metric-id', 'XyZ123', '--create', '--webhook-key-file', join(dir, 'same.key')], { env: { KLAVIYO_API_KEY: API_KEY } });
  assert.equal(sameKey.code, 2);
  assert.match(sameKey.stderr, /holds the same key as KLAVIYO_API_KEY/);
  assert.ok(!sameKey.stderr.includes(API_KEY), 'the key is not printed');
  const badItems = await runCli(['flow', '--metric-id', 'X', '--event-items', 'items.Size']);
  assert.equal(badItems.code, 2);
  assert.match(badItems.stderr, /items\[\]\.Size/);
  const quote = await runCli(['flow', '--metric-id', 'X', '--event-date', "it's"]);
  assert.equal(quote.code, 2);
  assert.match(quote.stderr, /cannot quote/);
});

test('flow --target profile-import prints a placeholder; --create sends the key from --webhook-key-file, as Create or Update Profile takes it, and never prints it', async () => {
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
    // Each webhook is a request Create or Update Profile accepts: its path, and its headers by the spec's schema.
    const profileImport = validatorsFor('create_or_update_profile');
    for (const action of (standIn.flows[0]!.body as Flow).data.attributes.definition.actions.filter((a) => a.type === 'send-webhook')) {
      const { url, headers } = action.data.message!;
      assert.equal(new URL(url).pathname, '/api/profile-import');
      const lowerCased = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
      assert.ok(profileImport.headers(lowerCased), describeValidation(profileImport.headers));
    }
    assert.match(run.stdout, /this one to about 2028-07-15/);
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
    const first = await runCli(['flow', '--target', 'client', '--public-key', 'ABC123', '--windows', '30,60', '--create'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(standIn.violations, []);
    assert.deepEqual(standIn.flows.map((f) => f.name), ['Highest order value, 30 days, and order dates by size (backfill)', 'Highest order value, 60 days (backfill)']);
    for (const flow of standIn.flows) {
      const definition = (flow.body as Flow).data.attributes.definition;
      assert.deepEqual(definition.triggers.map((t) => t.id), ['XyZ123'], 'the metric looked up by name (on its second page)');
      for (const action of definition.actions) if (action.type === 'send-webhook') assert.equal((action.data as { status?: string }).status, 'draft');
      // --target client: each webhook is a request Create Client Profile accepts (no Authorization, company_id in the query).
      const clientProfile = validatorsFor('create_client_profile');
      for (const action of definition.actions.filter((a) => a.type === 'send-webhook')) {
        const url = new URL(action.data.message!.url);
        assert.equal(url.pathname, '/client/profiles');
        assert.ok(clientProfile.query(Object.fromEntries(url.searchParams)), describeValidation(clientProfile.query));
        assert.ok(clientProfile.headers(Object.fromEntries(Object.entries(action.data.message!.headers).map(([n, v]) => [n.toLowerCase(), v]))), describeValidation(clientProfile.headers));
      }
    }
    assert.match(first.stdout, /Created "Highest order value, 30 days, and order dates by size \(backfill\)" as a draft: flow id FL0001/);
    assert.match(first.stdout, /set the flow live/);

    const second = await runCli(['flow', '--target', 'client', '--public-key', 'ABC123', '--windows', '30,60', '--create'], { env });
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
    const run = await runCli(['flow', '--target', 'client', '--public-key', 'ABC123', '--metric-id', 'XyZ123', '--windows', '30,60', '--create'], { env: { KLAVIYO_API_KEY: API_KEY, KLAVIYO_BASE_URL: standIn.baseUrl } });
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
  const fromFile = await runCli(['flow', '--metric-id', 'XyZ123', '--json'], { cwd });
  const overridden = await runCli(['flow', '--metric-id', 'XyZ123', '--json', '--event-date', 'now'], { cwd });
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
  const bad = await runCli(['flow', '--metric-id', 'XyZ123'], { cwd });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /"flowEvent\.items" must be <items>\[\]\.<size key>/);
});
