/**
 * What `backfill flow` prints for a person: step by step, what to build in Klaviyo's flow editor and
 * what to paste where, from the same Create Flow bodies `--json` prints.
 */
import { describeItemSizePath, NOW, type EventFields } from '../core/flow/event-fields.js';
import { webhooksOf, type ConditionalSplitAction, type FlowCreateQuery, type SendWebhookAction, type WebhookTarget } from '../core/flow/flow-definitions.js';

export interface InstructionSettings {
  readonly flows: readonly FlowCreateQuery[];
  readonly metricId: string;
  readonly metricName: string;
  readonly fields: EventFields;
  readonly target: WebhookTarget;
  /** The revision header the webhooks send. */
  readonly revision: string;
}

/**
 * Klaviyo keeps a revision for two years (stable one year, deprecated the next, then retired), and the
 * revision is frozen into every webhook's headers: the flow must be regenerated before it retires.
 */
export function revisionNote(revision: string): string[] {
  const [year, month, day] = revision.split(/[-.]/);
  const until = `${Number(year) + 2}-${month}-${day}`;
  return [
    `The webhooks send the API revision ${revision} in their headers. Klaviyo supports a revision for two years,`,
    `this one to about ${until}: before then, run backfill flow again with a newer --revision and put the new`,
    'webhooks (or flows) in place of these.',
  ];
}

/** Printed with `--target client`: what Klaviyo's spec says of that endpoint. */
export const CLIENT_TARGET_CAVEAT = [
  'Caveat (--target client): Klaviyo documents Create Client Profile for browsers and apps only ("Do not use',
  'this endpoint from server-side applications ... instead use POST /api/profile-import"), and no public',
  "document endorses calling it from a flow's webhook. The default, --target profile-import, is the",
  'documented server-side endpoint.',
];

/** How to make the key the profile-import webhooks send, and how to replace it later. */
export const WEBHOOK_KEY_STEPS = [
  'The webhook key: the webhooks send a private key in their Authorization header, and anyone who can read',
  "the account's flows (a user, or any API key with flows:read) can read it there. Give them a key of their",
  'own that can do nothing but write profiles:',
  '  1. In Klaviyo: Settings > API keys > Create Private API Key. Name it "backfill flow webhooks".',
  '  2. Choose Custom Key: Profiles Full Access (profiles:write), every other scope No Access. Create it and',
  '     copy it at once (Klaviyo never shows it again) into a file readable only by you (chmod 600).',
  '  3. backfill flow --create --webhook-key-file <that file> puts it in the webhooks it creates; building',
  `     the flows by hand, paste it after "Klaviyo-API-Key " in each webhook's Authorization header.`,
  '  Never use the key of KLAVIYO_API_KEY here: it can read and change far more.',
  'To rotate it (yearly, or at once if it may have leaked): create a new key as above (or clone this one:',
  'same scopes, a new key), replace the Authorization header of every webhook listed above with it,',
  'preview one webhook on a recent order, then disable the old key in Settings > API keys (and delete it',
  'once nothing has failed for a day).',
];

export function flowInstructions(settings: InstructionSettings): string {
  const { flows } = settings;
  const out: string[] = [
    `The recipe's flow for today's API: ${flows.length === 1 ? 'one flow' : `${flows.length} flows, one per window (flow branches never join again, so each window gets its own; the first also writes the size dates)`}.`,
    `Every webhook calls ${settings.target.kind === 'client' ? 'Create Client Profile (POST /client/profiles with your public key)' : 'Create or Update Profile (POST /api/profile-import with a private key that can only write profiles)'}, not the retired /api/identify.`,
    `Order fields read from the event: value ${settings.fields.value}, date ${settings.fields.date === NOW ? 'the time the webhook runs (now)' : settings.fields.date}, sizes ${describeItemSizePath(settings.fields)}.`,
    '',
  ];
  flows.forEach((flow, index) => {
    out.push(...flowSteps(flow, index, flows.length, settings), '');
  });
  out.push(
    'Then: Preview each webhook on a recent order (the body must be valid JSON), keep the flows in draft until they look right, and set them live.',
    'Backfill the orders placed before the flows went live with `backfill push` (or a CSV import), with the same windows, sizes and names.',
  );
  out.push('', ...(settings.target.kind === 'client' ? CLIENT_TARGET_CAVEAT : WEBHOOK_KEY_STEPS), '', ...revisionNote(settings.revision));
  return `${out.join('\n')}\n`;
}

function flowSteps(flow: FlowCreateQuery, index: number, count: number, settings: InstructionSettings): string[] {
  const { name, definition } = flow.data.attributes;
  const split = definition.actions.find((a): a is ConditionalSplitAction => a.type === 'conditional-split')!;
  const condition = split.data.profile_filter.condition_groups[0].conditions[0];
  const hooks = webhooksOf(flow);
  const byId = new Map(hooks.map((hook) => [hook.temporary_id, hook]));
  const steps: string[] = [
    `=== Flow ${index + 1} of ${count}: "${name}"`,
    `1. Create a flow from scratch named "${name}", triggered by the metric "${settings.metricName}" (id ${settings.metricId}).`,
    '   Trigger settings: let profiles re-enter every time (every order must run the flow); no flow filters.',
  ];
  let step = 2;
  const sizeHook = definition.entry_action_id === split.temporary_id ? undefined : byId.get(definition.entry_action_id);
  if (sizeHook !== undefined) steps.push(...webhookStep(step++, 'Right after the trigger, add a webhook', sizeHook));
  steps.push(
    `${step++}. ${sizeHook !== undefined ? 'After it, add' : 'Right after the trigger, add'} a conditional split: What someone has done (or not done) > ${settings.metricName} > at most ${condition.measurement_filter.value} time in the last ${condition.timeframe_filter.quantity} days.`,
    '   (The order that triggered the flow counts, so "at most once" means "no other order in the window".)',
  );
  steps.push(...webhookStep(step++, 'On the YES branch, add a webhook', byId.get(split.links.next_if_true)!));
  steps.push(...webhookStep(step++, 'On the NO branch, add a webhook', byId.get(split.links.next_if_false)!));
  return steps;
}

function webhookStep(step: number, what: string, hook: SendWebhookAction): string[] {
  const { name, url, headers, body } = hook.data.message;
  return [
    `${step}. ${what} named "${name}":`,
    `   Destination URL: ${url}`,
    ...Object.entries(headers).map(([header, value]) => `   Header: ${header}: ${value}`),
    '   JSON body: paste everything between the two ----- lines, as it is:',
    '-----',
    body,
    '-----',
  ];
}
