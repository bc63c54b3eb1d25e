/**
 * `backfill flow`: the recipe's flow for today's API, generated from the definitions `compute` uses,
 * as Create Flow request bodies; with `create`, created as drafts (looked up by name first, so a
 * second run creates nothing). Whether Klaviyo accepts a `send-webhook` action through the API is
 * undocumented: a refusal stops creating and is returned, for the caller to fall back to instructions.
 */
import type { Definitions } from '../domain/definitions.js';
import { eventFieldsProblem, type EventFields } from '../domain/flow/event-fields.js';
import { recipeFlows, type FlowCreateQuery, type WebhookTarget } from '../domain/flow/flow-definitions.js';
import { unquotableName, type SizeTemplate } from '../domain/flow/webhook-bodies.js';
import { BackfillError } from '../errors.js';
import type { KlaviyoClientOptions } from '../klaviyo/api-client.js';
import type { CreateOutcome } from '../klaviyo/create-once.js';
import { flowsApi } from '../klaviyo/flows-api.js';
import { findMetricByName } from '../klaviyo/metrics-api.js';

export type MetricChoice = { readonly kind: 'id'; readonly id: string } | { readonly kind: 'name'; readonly name: string; readonly client: KlaviyoClientOptions };

export interface FlowOptions {
  readonly definitions: Definitions;
  readonly sizes: readonly SizeTemplate[];
  readonly fields: EventFields;
  /** Where the webhooks of the returned bodies send; printed, so never with a real key. */
  readonly target: WebhookTarget;
  /** Where the webhooks of the created flows send, when it differs (a real key for profile-import). */
  readonly createTarget?: WebhookTarget;
  /** The revision the webhooks send. */
  readonly revision: string;
  readonly metric: MetricChoice;
  /** Create the flows as drafts through this client. */
  readonly create?: KlaviyoClientOptions;
}

export interface FlowCreation {
  readonly name: string;
  readonly outcome: CreateOutcome | { readonly kind: 'skipped' };
}

export interface FlowResult {
  readonly metricId: string;
  readonly flows: readonly FlowCreateQuery[];
  /** With `create`: what happened to each flow; after a refusal the rest are skipped. */
  readonly created: readonly FlowCreation[] | undefined;
}

export async function runFlow(options: FlowOptions): Promise<FlowResult> {
  const problem = eventFieldsProblem(options.fields) ?? quotingProblem(options);
  if (problem !== undefined) throw new BackfillError('USAGE', problem);
  const metricId = options.metric.kind === 'id' ? options.metric.id : (await findMetricByName(options.metric.name, options.metric.client)).id;
  const build = (target: WebhookTarget): FlowCreateQuery[] =>
    recipeFlows({ definitions: options.definitions, sizes: options.sizes, fields: options.fields, target, metricId, revision: options.revision });
  const flows = build(options.target);
  if (options.create === undefined) return { metricId, flows, created: undefined };
  const toCreate = options.createTarget === undefined ? flows : build(options.createTarget);
  const api = flowsApi(options.create);
  const created: FlowCreation[] = [];
  let refused = false;
  for (const flow of toCreate) {
    const name = flow.data.attributes.name;
    if (refused) {
      created.push({ name, outcome: { kind: 'skipped' } });
      continue;
    }
    const outcome = await api.createFlow(name, flow);
    refused = outcome.kind === 'refused';
    created.push({ name, outcome });
  }
  return { metricId, flows, created };
}

function quotingProblem(options: FlowOptions): string | undefined {
  const name = unquotableName(options.definitions.windows, options.sizes);
  return name === undefined ? undefined : `"${name}" holds a quote, backslash, brace or %, which the webhook templates cannot quote; rename it`;
}
