/**
 * What `backfill flow` prints for a person: step by step, what to build in Klaviyo's flow editor and
 * what to paste where, from the same Create Flow bodies `--json` prints.
 */
import { describeItemSizePath, NOW, type EventFields } from '../domain/flow/event-fields.js';
import { webhooksOf, type ConditionalSplitAction, type FlowCreateQuery, type SendWebhookAction, type WebhookTarget } from '../domain/flow/flow-definitions.js';

export interface InstructionSettings {
  readonly flows: readonly FlowCreateQuery[];
  readonly metricId: string;
  readonly metricName: string;
  readonly fields: EventFields;
  readonly target: WebhookTarget;
}

export function flowInstructions(settings: InstructionSettings): string {
  const { flows } = settings;
  const out: string[] = [
    `The recipe's flow for today's API: ${flows.length === 1 ? 'one flow' : `${flows.length} flows, one per window (flow branches never join again, so each window gets its own; the first also writes the size dates)`}.`,
    `Every webhook calls ${settings.target.kind === 'client' ? 'Create Client Profile (POST /client/profiles with your public key)' : 'POST /api/profile-import with a private key'}, not the retired /api/identify.`,
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
  if (settings.target.kind === 'profile-import') {
    out.push('', 'Replace the Authorization placeholder with a private key that has only profiles:write: anyone with flows:read on the account can read it.');
  }
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
