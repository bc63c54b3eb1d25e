/**
 * The `flow` subcommand's flags, help and output. Errors are thrown to `main`, which maps them (and
 * the outcome) to exit codes; a Create Flow refusal prints the instructions and exits 2.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { CliCommand } from './command.js';
import type { Outcome } from './exit-codes.js';
import { CLIENT_TARGET_CAVEAT, flowInstructions, revisionNote } from './flow-instructions.js';
import type { CliIo } from './io.js';
import { klaviyoConnection, parseRevision, type ConnectionFlags } from './klaviyo-connection.js';
import { addDefinitionOptions, explicitSettings, HELP_GROUPS, type OrderReadingFlags } from './order-reading-flags.js';
import type { FlowResult, MetricChoice } from '../commands/flow.js';
import { loadConfig } from '../config/config-file.js';
import { resolveRunSettings } from '../config/run-settings.js';
import { parseItemSizePath, RECIPE_EVENT_FIELDS, type EventFields } from '../core/flow/event-fields.js';
import { PRIVATE_KEY_PLACEHOLDER, type WebhookTarget } from '../core/flow/flow-definitions.js';
import { sizeTemplates } from '../core/flow/webhook-bodies.js';
import { BackfillError } from '../errors.js';
import type { KlaviyoClientOptions } from '../klaviyo/api-client.js';
import { systemClock } from '../klaviyo/clock.js';
import { DEFAULT_REVISION } from '../klaviyo/http.js';
import { tuningFromEnv } from '../klaviyo/tuning.js';
import { redactSecrets, registerSecret } from '../redact.js';

const FLOW_EXAMPLES = `Examples:
  $ backfill flow --public-key ABC123 --metric-id XyZ123
      Step by step: the flow to build in Klaviyo's editor and the webhook bodies to paste.
  $ backfill flow --public-key ABC123 --metric-id XyZ123 --windows 30,60 --json
      The same as Create Flow request bodies (a JSON array, one flow per window).
  $ KLAVIYO_API_KEY=pk_... backfill flow --public-key ABC123 --create
      Look up the "Placed Order" metric, then create the flows as drafts (never live); a second run
      finds them by name and creates nothing.
  $ backfill flow --public-key ABC123 --metric-id XyZ123 --event-date now --event-items 'line_items[].size'
      For events with other property names; the date is the time the webhook runs.
`;

const FLOW_DETAILS = `
What it writes:
  The properties compute writes (the same --windows, --sizes, --size-alias and the names in
  backfill.config.json), kept live by the flow with the same rules: a conditional split "placed the
  metric at most once in the last N days" (the triggering order counts), the Yes webhook storing this
  order, the No webhook storing it only if its value is greater, and the size webhook setting
  <size>_order_date for each size the order has. The bodies fix the recipe's four template defects:
  values are compared as numbers and stored as they are, each size date is written once, and a size
  the order does not have is not sent (so its earlier date stays).

Layout:
  Flow branches never join again, so the windows cannot follow one another in one flow without
  doubling every later split. There is one flow per window, each triggered by every order (re-entry
  always allowed); the first flow also holds the size webhook, before its split.

Where the webhooks send (--target):
  profile-import  (default) POST https://a.klaviyo.com/api/profile-import (Create or Update Profile) with
                  a private key in an Authorization header: Klaviyo's documented server-side endpoint. The
                  key sits in the flow, readable by anyone (or any key) with flows:read, so it must be a
                  key of its own with only profiles:write (the printed steps say how to make and rotate
                  it). Printed output shows a placeholder; --create reads the key from --webhook-key-file.
  client          POST https://a.klaviyo.com/client/profiles?company_id=<--public-key>, the drop-in for
                  the retired /api/identify, with no secret in the flow; but Klaviyo documents it for
                  browsers and apps only ("Do not use this endpoint from server-side applications").

Revision:
  The webhooks send --revision (default ${DEFAULT_REVISION}) in their headers, frozen there. Klaviyo supports a
  revision for two years: regenerate the flows before it retires.

Creating (--create):
  Create Flow, as drafts: Klaviyo allows 100 a day, 1/s and 15/min, so each name is looked up with Get
  Flows first, and a failure that may have created the flow is looked up again before any resend.
  Whether Klaviyo accepts webhook actions through the API is not documented: if it refuses, nothing
  more is created and the step-by-step instructions are printed instead. Key: KLAVIYO_API_KEY or
  --api-key-file (flows:write, flows:read; metrics:read without --metric-id).

Event property names (the recipe's by default):
  --event-value $value   --event-date created_at (or now)   --event-items items[].Size
  A name that is not a plain word is read with lookup ($value, $extra.line_items). The size key must
  hold the size itself (small, S), matched case-insensitively with the size aliases.

Exit codes: 0 done; 2 usage error, or Klaviyo refused (instructions printed); 4 gave up on the
  network; 1 unexpected error.
`;

interface FlowFlags extends Partial<OrderReadingFlags>, ConnectionFlags {
  publicKey?: string;
  target: 'client' | 'profile-import';
  metricId?: string;
  metric: string;
  eventValue: string;
  eventDate: string;
  eventItems: { items: string; itemSize: string };
  json?: boolean;
  create?: boolean;
  webhookKeyFile?: string;
  revision?: string;
}

export const flowCommand: CliCommand = {
  name: 'flow',
  declare(program) {
    const command = program
      .command('flow')
      .description("print (or create as drafts) the Klaviyo flow that keeps the computed properties live, for today's API")
      .optionsGroup(HELP_GROUPS.klaviyo)
      .addOption(new Option('--target <endpoint>', 'where the webhooks send the profile').choices(['profile-import', 'client']).default('profile-import'))
      .option('--public-key <id>', 'with --target client: your public API key (site id, 6 characters), sent in the URL')
      .option('--metric-id <id>', 'the order metric id (default: looked up by --metric)')
      .option('--metric <name>', 'the order metric to look up by name (as for --from klaviyo)', 'Placed Order')
      .option('--create', 'create the flows in Klaviyo as drafts (looked up by name first)')
      .option('--api-key-file <path>', 'read the private API key from this file (default: $KLAVIYO_API_KEY)')
      .option('--webhook-key-file <path>', 'with --create: the private key (profiles:write only) the webhooks send')
      .option('--revision <date>', `Klaviyo API revision, also sent by the webhooks (default: $KLAVIYO_REVISION or ${DEFAULT_REVISION})`, parseRevision)
      .optionsGroup('The order event (its property names):')
      .option('--event-value <path>', 'event property holding the order value', RECIPE_EVENT_FIELDS.value)
      .option('--event-date <path>', 'event property holding the order date, or "now"', RECIPE_EVENT_FIELDS.date)
      .addOption(new Option('--event-items <path>', 'the items and the size key in each').argParser(parseItems).default({ items: RECIPE_EVENT_FIELDS.items, itemSize: RECIPE_EVENT_FIELDS.itemSize }, 'items[].Size'))
      .optionsGroup(HELP_GROUPS.output)
      .option('--json', 'print the Create Flow request bodies as a JSON array')
      .addHelpText('before', FLOW_EXAMPLES)
      .addHelpText('after', FLOW_DETAILS);
    return addDefinitionOptions(command);
  },
  async run(self, io) {
    const flags = self.opts<FlowFlags>();
    const env = io.env;
    const config = await loadConfig(flags.config, io.cwd);
    const settings = resolveRunSettings(explicitSettings(flags, self), config);
    const needsKey = flags.create === true || flags.metricId === undefined;
    const client = needsKey ? await clientOptions(flags, env) : undefined;
    const revision = flags.revision ?? client?.connection.revision ?? env.KLAVIYO_REVISION ?? DEFAULT_REVISION;
    const createTarget = await webhookTarget(flags, io.cwd, client?.connection.apiKey);
    // Printed output never carries the webhook key: only the request creating the flow does.
    const target: WebhookTarget = createTarget.kind === 'client' ? createTarget : { kind: 'profile-import', authorization: PRIVATE_KEY_PLACEHOLDER };
    // Flags, then "flowEvent" in backfill.config.json, then the recipe's names.
    const given = (key: string): boolean => ['cli', 'env'].includes(self.getOptionValueSource(key) ?? '');
    const fromFile = config?.flowEvent ?? {};
    const fields: EventFields = {
      value: given('eventValue') ? flags.eventValue : (fromFile.value ?? flags.eventValue),
      date: given('eventDate') ? flags.eventDate : (fromFile.date ?? flags.eventDate),
      ...(given('eventItems') || fromFile.items === undefined ? flags.eventItems : { items: fromFile.items, itemSize: fromFile.itemSize ?? flags.eventItems.itemSize }),
    };
    const metric: MetricChoice = flags.metricId !== undefined ? { kind: 'id', id: flags.metricId } : { kind: 'name', name: flags.metric, client: client! };
    // Loaded only for this command, as push's is: not part of every run's start.
    const { runFlow } = await import('../commands/flow.js');
    const result = await runFlow({
      definitions: settings.definitions,
      sizes: sizeTemplates(settings.definitions.sizes, (size) => settings.input.sizes.namesOf(size)),
      fields,
      target,
      createTarget,
      revision,
      metric,
      ...(flags.create === true ? { create: client! } : {}),
    });
    return report(result, flags, fields, target, revision, io);
  },
};

function report(result: FlowResult, flags: FlowFlags, fields: EventFields, target: WebhookTarget, revision: string, io: CliIo): Outcome {
  // Beside JSON (stdout), the notes go to stderr: the revision's end, and the client endpoint's caveat.
  const notes = `${[...(target.kind === 'client' ? CLIENT_TARGET_CAVEAT : []), ...revisionNote(revision)].join('\n')}\n`;
  if (flags.json === true && result.created === undefined) {
    io.stdout.write(`${JSON.stringify(result.flows, null, 2)}\n`);
    io.stderr.write(notes);
    return { kind: 'done' };
  }
  const instructions = flowInstructions({ flows: result.flows, metricId: result.metricId, metricName: flags.metric, fields, target, revision });
  if (result.created === undefined) {
    io.stdout.write(instructions);
    return { kind: 'done' };
  }
  const lines: string[] = [];
  let refused = false;
  for (const { name, outcome } of result.created) {
    if (outcome.kind === 'created') lines.push(`Created "${name}" as a draft: flow id ${outcome.id}`);
    else if (outcome.kind === 'exists') lines.push(`"${name}" exists already (flow id ${outcome.id}): nothing sent`);
    else if (outcome.kind === 'skipped') lines.push(`"${name}": not created (see above)`);
    else {
      refused = true;
      lines.push(
        `Klaviyo refused to create "${name}": ${outcome.message}`,
        '  Klaviyo does not document whether Create Flow accepts webhook actions; build the flows by hand from the steps below.',
      );
    }
  }
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify({ metricId: result.metricId, revision, created: result.created }, null, 2)}\n`);
    if (!refused) io.stderr.write(notes);
  } else {
    io.stdout.write(redactSecrets(`${lines.join('\n')}\n`));
    if (!refused) io.stdout.write(`Next: open each flow in Klaviyo (Flows), preview every webhook on a recent order, then set the flow live.\n${notes}`);
  }
  if (refused) {
    io.stderr.write(redactSecrets(`${lines.filter((line) => line.includes('refused') || line.startsWith('  ')).join('\n')}\n`));
    io.stdout.write(`\n${instructions}`);
  }
  return { kind: 'create', refused };
}

async function clientOptions(flags: FlowFlags, env: NodeJS.ProcessEnv): Promise<KlaviyoClientOptions> {
  return { connection: await klaviyoConnection(flags, env), tuning: tuningFromEnv(env), clock: systemClock };
}

/**
 * Where the created flows' webhooks send. profile-import: the key from --webhook-key-file, which must
 * not be the key this run signs in with (that one can do far more, and the flow shows its headers).
 */
async function webhookTarget(flags: FlowFlags, cwd: string, apiKey: string | undefined): Promise<WebhookTarget> {
  if (flags.target === 'client') {
    if (flags.publicKey === undefined) throw new BackfillError('USAGE', '--target client needs --public-key: Create Client Profile takes your public API key (site id) in its URL', { hint: 'Find it in Klaviyo under Settings > API keys, or leave out --target for the default, profile-import.' });
    if (!/^[A-Za-z0-9]+$/.test(flags.publicKey)) throw new BackfillError('USAGE', `--public-key: expected letters and digits (a site id such as ABC123), got "${flags.publicKey}"`);
    return { kind: 'client', publicKey: flags.publicKey };
  }
  if (flags.publicKey !== undefined) throw new BackfillError('USAGE', '--public-key goes with --target client; the default target, profile-import, sends a private key instead', { hint: 'Leave out --public-key, or pass --target client (see backfill flow --help for the difference).' });
  if (flags.create !== true) return { kind: 'profile-import', authorization: PRIVATE_KEY_PLACEHOLDER };
  if (flags.webhookKeyFile === undefined) {
    throw new BackfillError('USAGE', '--create needs --webhook-key-file: the private key the webhooks send (profiles:write only)', {
      hint: 'Create one in Klaviyo under Settings > API keys > Create Private API Key > Custom Key, Profiles Full Access only; backfill flow without --create prints the steps.',
    });
  }
  let key: string;
  try {
    key = (await readFile(resolve(cwd, flags.webhookKeyFile), 'utf8')).trim();
  } catch (error) {
    throw new BackfillError('MISSING_API_KEY', `cannot read the webhook key file ${flags.webhookKeyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  if (key === '') throw new BackfillError('MISSING_API_KEY', `the webhook key file ${flags.webhookKeyFile} is empty`);
  registerSecret(key);
  if (key === apiKey) {
    throw new BackfillError('USAGE', `the webhook key file ${flags.webhookKeyFile} holds the same key as KLAVIYO_API_KEY (or --api-key-file)`, {
      hint: "The webhooks' key is readable by anyone with flows:read: give them a key of its own with only profiles:write (backfill flow without --create prints the steps).",
    });
  }
  return { kind: 'profile-import', authorization: `Klaviyo-API-Key ${key}` };
}

function parseItems(text: string): { items: string; itemSize: string } {
  const parsed = parseItemSizePath(text);
  if (parsed === undefined) throw new InvalidArgumentError(`expected <items>[].<size key>, such as items[].Size; got "${text}"`);
  return parsed;
}

