/**
 * The recipe's flow for today's API, from the same definitions `compute` uses, as Create Flow request
 * bodies (`FlowCreateQuery`, revision 2026-07-15).
 *
 * Layout: Klaviyo flow branches never join again, so several windows cannot follow one another in one
 * flow without copying every later split into both branches of the earlier one (2^n paths). Instead
 * there is one flow per window, each triggered by every Placed Order (re-entry always allowed): a
 * conditional split "placed the metric at most once in the last N days" (this order included), the
 * Yes webhook (store this order) and the No webhook (store it if greater). The first flow starts with
 * the size webhook, before its split, since sizes do not depend on any window.
 */
import type { Definitions, WindowDefinition } from '../definitions.js';
import { compareBody, firstOrderBody, sizeDatesBody, type SizeTemplate } from './webhook-bodies.js';
import type { EventFields } from './event-fields.js';

/** Where the webhooks send the profile: the client endpoint with the public key, or profile-import with a private key. */
export type WebhookTarget =
  | { readonly kind: 'client'; readonly publicKey: string }
  /** `authorization` is the header value; printed output carries a placeholder, never a key. */
  | { readonly kind: 'profile-import'; readonly authorization: string };

export const KLAVIYO_ORIGIN = 'https://a.klaviyo.com';
export const PRIVATE_KEY_PLACEHOLDER = 'Klaviyo-API-Key <private key with profiles:write>';

export interface FlowSettings {
  readonly definitions: Definitions;
  readonly sizes: readonly SizeTemplate[];
  readonly fields: EventFields;
  readonly target: WebhookTarget;
  readonly metricId: string;
  /** The revision the webhooks send; Create Client Profile requires one. */
  readonly revision: string;
}

export interface FlowWebhook {
  readonly name: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface SendWebhookAction {
  readonly temporary_id: string;
  readonly type: 'send-webhook';
  readonly links: { readonly next: string | null };
  readonly data: { readonly status: 'draft'; readonly message: FlowWebhook };
}

export interface ProfileMetricCondition {
  readonly type: 'profile-metric';
  readonly metric_id: string;
  readonly measurement: 'count';
  readonly measurement_filter: { readonly type: 'numeric'; readonly operator: 'less-than-or-equal'; readonly value: number };
  readonly timeframe_filter: { readonly type: 'date'; readonly operator: 'in-the-last'; readonly unit: 'day'; readonly quantity: number };
}

export interface ConditionalSplitAction {
  readonly temporary_id: string;
  readonly type: 'conditional-split';
  readonly links: { readonly next_if_true: string; readonly next_if_false: string };
  readonly data: { readonly profile_filter: { readonly condition_groups: readonly [{ readonly conditions: readonly [ProfileMetricCondition] }] } };
}

export type FlowAction = SendWebhookAction | ConditionalSplitAction;

export interface FlowCreateQuery {
  readonly data: {
    readonly type: 'flow';
    readonly attributes: {
      readonly name: string;
      readonly definition: {
        readonly triggers: readonly [{ readonly type: 'metric'; readonly id: string }];
        readonly entry_action_id: string;
        /** Re-entry on every order: with unit alltime, duration 0 allows re-entry. */
        readonly reentry_criteria: { readonly duration: 0; readonly unit: 'alltime' };
        readonly actions: readonly FlowAction[];
      };
    };
  };
}

/** One flow per window, in the definitions' order (30 days first); the first also writes the size dates. */
export function recipeFlows(settings: FlowSettings): FlowCreateQuery[] {
  return settings.definitions.windows.map((window, index) => windowFlow(window, index === 0 ? settings.sizes : [], settings));
}

export function flowName(window: WindowDefinition, withSizes: boolean): string {
  return `Highest order value, ${window.days} days${withSizes ? ', and order dates by size' : ''} (backfill)`;
}

function windowFlow(window: WindowDefinition, sizes: readonly SizeTemplate[], settings: FlowSettings): FlowCreateQuery {
  const days = window.days;
  const split = `split-${days}d`;
  const first = `first-${days}d`;
  const compare = `compare-${days}d`;
  const actions: FlowAction[] = [];
  if (sizes.length > 0) actions.push(webhookAction('size-dates', 'order dates by size', sizeDatesBody(sizes, settings.fields), split, settings));
  actions.push(
    {
      temporary_id: split,
      type: 'conditional-split',
      links: { next_if_true: first, next_if_false: compare },
      data: { profile_filter: { condition_groups: [{ conditions: [atMostOneOrder(days, settings.metricId)] }] } },
    },
    webhookAction(first, `${window.valueProperty}: only order in ${days} days`, firstOrderBody(window, settings.fields), null, settings),
    webhookAction(compare, `${window.valueProperty}: store if higher`, compareBody(window, settings.fields), null, settings),
  );
  return {
    data: {
      type: 'flow',
      attributes: {
        name: flowName(window, sizes.length > 0),
        definition: {
          triggers: [{ type: 'metric', id: settings.metricId }],
          entry_action_id: actions[0]!.temporary_id,
          reentry_criteria: { duration: 0, unit: 'alltime' },
          actions,
        },
      },
    },
  };
}

/** The recipe: "the current order that triggered the flow is included in the conditional split count". */
function atMostOneOrder(days: number, metricId: string): ProfileMetricCondition {
  return {
    type: 'profile-metric',
    metric_id: metricId,
    measurement: 'count',
    measurement_filter: { type: 'numeric', operator: 'less-than-or-equal', value: 1 },
    timeframe_filter: { type: 'date', operator: 'in-the-last', unit: 'day', quantity: days },
  };
}

function webhookAction(id: string, name: string, body: string, next: string | null, settings: FlowSettings): SendWebhookAction {
  return { temporary_id: id, type: 'send-webhook', links: { next }, data: { status: 'draft', message: { name, ...webhookTarget(settings.target, settings.revision), body } } };
}

/** URL and headers of every webhook: Create Client Profile takes the public key in the query and no Authorization. */
export function webhookTarget(target: WebhookTarget, revision: string): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { revision, 'Content-Type': 'application/vnd.api+json' };
  if (target.kind === 'client') return { url: `${KLAVIYO_ORIGIN}/client/profiles?company_id=${encodeURIComponent(target.publicKey)}`, headers };
  return { url: `${KLAVIYO_ORIGIN}/api/profile-import`, headers: { ...headers, Authorization: target.authorization } };
}

/** The webhooks of a flow in the order a person adds them, for the printed instructions. */
export function webhooksOf(flow: FlowCreateQuery): SendWebhookAction[] {
  return flow.data.attributes.definition.actions.filter((a): a is SendWebhookAction => a.type === 'send-webhook');
}
